"""The nomination domain's tables (domain.md): organisations, people and roles, campaigns,
the award catalogue with date-effective rules, nominations, ballots, comments, decisions."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base

LEVELS = ("L1", "L2", "L3", "L4", "L5")
VOTING_MODES = ("ballot", "meeting")
SUBJECTS = ("individual", "collective")


class Organisation(Base):
    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(2))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("organisations.code"))
    voting: Mapped[str] = mapped_column(String(10), default="ballot")


class Person(Base):
    __tablename__ = "people"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Goes up when the password is reset, a role revoked or the account deactivated: tokens
    # of an older generation (every API token and page session then held) stop working.
    credentials_generation: Mapped[int] = mapped_column(default=0, server_default="0")


class RoleAssignment(Base):
    """A person holds a role at an organisation; an auditor's scope is its subtree."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("username", "role", "org_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("people.username"))
    role: Mapped[str] = mapped_column(String(20))
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)


class Campaign(Base):
    __tablename__ = "campaigns"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)


class Award(Base):
    """An emulation title or commendation form of the catalogue (domain.md §3)."""

    __tablename__ = "awards"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(12))  # individual | collective
    kind: Mapped[str] = mapped_column(String(20))  # thuong_xuyen, chuyen_de, ...
    criteria: Mapped[str] = mapped_column(Text, default="")


class AwardRule(Base):
    """Rule parameters of an award, in force from `effective_from` until the next row.

    Every number the law sets is a parameter with its legal basis; a decision records
    the id of the row it was taken under.
    """

    __tablename__ = "award_rules"
    __table_args__ = (UniqueConstraint("award_code", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_code: Mapped[str] = mapped_column(ForeignKey("awards.code"))
    effective_from: Mapped[date] = mapped_column(Date)
    deciding_level: Mapped[str] = mapped_column(String(2))
    vote_threshold: Mapped[float]
    vote_base: Mapped[str] = mapped_column(String(20), default="all_members")
    publicity_working_days: Mapped[int] = mapped_column(Integer)
    appraisal_sla_days: Mapped[int] = mapped_column(Integer)
    vote_sla_days: Mapped[int] = mapped_column(Integer)
    prerequisites: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of rules
    quota_ratio: Mapped[float | None]
    basis: Mapped[str] = mapped_column(Text)
    # JSON list of {name, basis, applies}: the documents a dossier must hold, each with its legal
    # basis and the procedure asking for it (full, simplified or both; workflows.checklist).
    documents: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")

    @property
    def prerequisite_list(self) -> list[dict[str, Any]]:
        loaded: list[dict[str, Any]] = json.loads(self.prerequisites)
        return loaded

    @property
    def document_list(self) -> list[dict[str, Any]]:
        loaded: list[dict[str, Any]] = json.loads(self.documents or "[]")
        return loaded


class PastAward(Base):
    """An award already granted, imported or recorded when a nomination ends awarded."""

    __tablename__ = "past_awards"
    __table_args__ = (Index("ix_past_awards_nominee", "nominee_key", "award_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee: Mapped[str] = mapped_column(String(200))
    nominee_key: Mapped[str] = mapped_column(String(200))  # normalised name for matching
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    award_code: Mapped[str] = mapped_column(ForeignKey("awards.code"))
    year: Mapped[int]
    decision_no: Mapped[str] = mapped_column(String(100), default="")


class Nomination(Base):
    __tablename__ = "nominations"
    __table_args__ = (
        Index("ix_nominations_nominee", "nominee_key", "award_code"),
        Index("ix_nominations_publicity", "stage", "publicity_until"),  # the public board
        # A unit's own list ("Hồ sơ của đơn vị"), newest first, by campaign, by folded name.
        Index("ix_nominations_origin", "origin_org", "id"),
        Index("ix_nominations_origin_campaign", "origin_org", "campaign_code", "id"),
        Index("ix_nominations_origin_folded", "origin_org", "nominee_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_key: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_code: Mapped[str] = mapped_column(ForeignKey("campaigns.code"))
    award_code: Mapped[str] = mapped_column(ForeignKey("awards.code"))
    nominee_kind: Mapped[str] = mapped_column(String(12))
    nominee_name: Mapped[str] = mapped_column(String(200))
    nominee_key: Mapped[str] = mapped_column(String(200))
    # names.folded(nominee_name): what a search typed without diacritics is matched against
    nominee_folded: Mapped[str] = mapped_column(String(200), default="", server_default="")
    nominee_username: Mapped[str | None] = mapped_column(ForeignKey("people.username"))
    nominee_position: Mapped[str] = mapped_column(String(200), default="")
    nominee_unit: Mapped[str] = mapped_column(String(200), default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of titles
    origin_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    current_org: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open|awarded|rejected|withdrawn
    stage: Mapped[str] = mapped_column(String(40))
    publicity_until: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    year: Mapped[int]
    # Follows the simplified procedure (Luật TĐKT 2022 Art. 85): the rule's shorter document list.
    simplified: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def document_list(self) -> list[str]:
        loaded: list[str] = json.loads(self.documents)
        return loaded


class BallotBox(Base):
    """The counts of one round's secret ballots: no row holds a single choice.

    Each ballot adds one to a count of this row in the voter's transaction, so whatever
    links a voter's receipt to a row (insertion order, rowid, ctid, xmin, a timestamp)
    reaches a row holding every ballot of the round, never one ballot.
    """

    __tablename__ = "ballot_boxes"

    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True)
    org_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    round: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)


class BallotReceipt(Base):
    """That a member voted, with a salted hash of the ballot the member can check."""

    __tablename__ = "ballot_receipts"
    __table_args__ = (UniqueConstraint("nomination_id", "org_code", "round", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    org_code: Mapped[str] = mapped_column(String(50))
    round: Mapped[int]
    username: Mapped[str] = mapped_column(String(100))
    ballot_hash: Mapped[str] = mapped_column(String(64))


class Tally(Base):
    __tablename__ = "tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(50))
    round: Mapped[int]
    mode: Mapped[str] = mapped_column(String(10))  # ballot | meeting
    members_total: Mapped[int]
    votes_for: Mapped[int]
    votes_against: Mapped[int]
    threshold: Mapped[float]
    passed: Mapped[bool]
    minutes_no: Mapped[str | None] = mapped_column(String(100))
    rule_id: Mapped[int | None]
    at: Mapped[datetime]


class PublicComment(Base):
    __tablename__ = "public_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    handling: Mapped[str | None] = mapped_column(String(20))  # dismiss | revote | reject
    handled_by: Mapped[str | None] = mapped_column(String(100))
    # How the secretary handled this comment, in their words (workflows.comment_review).
    note: Mapped[str | None] = mapped_column(Text)
    noted_by: Mapped[str | None] = mapped_column(String(100))
    noted_at: Mapped[datetime | None]


class Attachment(Base):
    """A file attached to a nomination. Its content is the blob stored under `sha256` in
    the file storage (workflows.files), kept once however often it is attached; the
    audit event that added it carries the same digest."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable so that a proposal's own files can hang off a proposal_id column beside it.
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nominations.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", name="fk_attachments_proposal"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))  # as sent, cleaned (intake.clean_name)
    # The required document (its name in the award rule's list) this file is, if the uploader said.
    document: Mapped[str | None] = mapped_column(String(200))
    org_code: Mapped[str] = mapped_column(String(50))  # where the person adding it acted
    added_by: Mapped[str] = mapped_column(String(100))
    added_at: Mapped[datetime]
    # Never deleted: a file replaced or taken out of the dossier is retired, and a replaced
    # one names the file that took its place (workflows.dossiers).
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    retired_at: Mapped[datetime | None]
    retired_by: Mapped[str | None] = mapped_column(String(100))


class Proposal(Base):
    """A tờ trình đề nghị: a unit's list of nominations (`kind` "unit"), or the rows a level
    forwards to its parent as its own tờ trình (`kind` "forward", addressed `to_org`).

    Each nomination keeps its own process instance; a proposal only groups them, so one
    nomination is in its unit's proposal and, later, in each level's forwarding one."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_org", "org_code", "id"),
        Index("ix_proposals_to_org", "to_org", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    to_org: Mapped[str | None] = mapped_column(ForeignKey("organisations.code"))
    campaign_code: Mapped[str] = mapped_column(ForeignKey("campaigns.code"))
    kind: Mapped[str] = mapped_column(String(12))  # unit | forward
    number: Mapped[str] = mapped_column(String(50))  # số tờ trình
    signed_on: Mapped[date] = mapped_column(Date)  # ngày
    signer: Mapped[str] = mapped_column(String(200))  # người ký
    status: Mapped[str] = mapped_column(String(12))  # draft | submitted
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]


class ProposalItem(Base):
    """A nomination on a proposal's list, at its row."""

    __tablename__ = "proposal_items"
    __table_args__ = (Index("ix_proposal_items_nomination", "nomination_id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), primary_key=True)
    position: Mapped[int]


class DossierVersion(Base):
    """A dossier as one submission sent it: its fields and the files then in it (canonical
    JSON), numbered per nomination; the submission's audit event carries `sha256`."""

    __tablename__ = "dossier_versions"
    __table_args__ = (UniqueConstraint("nomination_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"))
    number: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]


class Decision(Base):
    """A head's decision at a level, or the outcome recorded from outside the system."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id"), index=True)
    org_code: Mapped[str] = mapped_column(String(50))
    decision: Mapped[str] = mapped_column(
        String(20)
    )  # award | forward | reject | awarded | rejected
    decision_no: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[int | None]
    definition_version: Mapped[int | None]
    at: Mapped[datetime]


class CalendarDay(Base):
    """An admin-entered exception to the holiday calendar: a day off or a make-up working day."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # off | work
    note: Mapped[str] = mapped_column(String(300), default="")


class AuthToken(Base):
    """An API bearer token; only its hash is stored, so a leaked table grants nothing."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(ForeignKey("people.username"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    generation: Mapped[int] = mapped_column(default=0, server_default="0")  # the person's, at issue


class LoginFailure(Base):
    """A login attempt counted as failed until its password proved right, kept in the
    database so every web process sees the same count; per account and client address."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_pair", "username", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(64), server_default="")  # sha256 of the address
    at: Mapped[datetime]


class CommentAttempt(Base):
    """A public comment submission, counted per client address in the database so that every
    web process enforces the same hourly limit."""

    __tablename__ = "comment_attempts"
    __table_args__ = (Index("ix_comment_attempts_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))  # sha256 of the address, not the address
    at: Mapped[datetime]
