"""Reading public comments and noting how each was handled.

A comment is signed with name, phone and address (domain.md §4.4), so it is read in full
only by those who act on it, within the access rules (workflows.access): the secretary and
head of the organisation it was received at or of one above it that the nomination reached,
and the auditors and admins over the nomination's origin. Council members and proposers
are not shown them (the board, the public and the nominee's unit never learn who wrote).
The secretary of the receiving organisation notes how each comment was handled while its
review is open; each note is audited with its digest, as the comment was.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidTaskData, Message, NotAllowed, NotFound
from engine.models import Instance
from workflows import orgs
from workflows.access import OVERSIGHT_ROLES, Principal, nomination_filter
from workflows.models import Nomination, PublicComment

READING_ROLES = ("secretary", "head")
REVIEW_STAGE = "review_comments"
NOTED = "comment.noted"
NOTE_MAX = 2000


def comment_filter(session: Session, who: Principal) -> ColumnElement[bool]:
    """SQL condition on `PublicComment` joined to its `Nomination` for the comments `who`
    may read in full."""
    conditions: list[ColumnElement[bool]] = [
        PublicComment.org_code.in_(orgs.subtree(session, org)) for org in who.orgs(*READING_ROLES)
    ]
    conditions += [
        Nomination.origin_org.in_(orgs.subtree(session, org)) for org in who.orgs(*OVERSIGHT_ROLES)
    ]
    if not conditions:
        return false()
    return and_(nomination_filter(session, who), or_(*conditions))


def readable(session: Session, who: Principal, nomination_id: int) -> list[PublicComment]:
    """The nomination's comments `who` may read, oldest first."""
    return list(
        session.scalars(
            select(PublicComment)
            .join(Nomination, Nomination.id == PublicComment.nomination_id)
            .where(PublicComment.nomination_id == nomination_id, comment_filter(session, who))
            .order_by(PublicComment.created_at, PublicComment.id)
        )
    )


def may_note(who: Principal, nomination: Nomination, comment: PublicComment) -> bool:
    """Whether `who` may note its handling now: the secretary where it was received, while
    the review of comments is open there and the comment not yet decided on."""
    return (
        who.holds("secretary", comment.org_code)
        and nomination.status == "open"
        and nomination.stage == REVIEW_STAGE
        and nomination.current_org == comment.org_code
        and comment.handling is None
    )


def _check(who: Principal, nomination: Nomination, comment: PublicComment) -> None:
    if not who.holds("secretary", comment.org_code):
        raise NotAllowed("comment_note_secretary_only")
    if not may_note(who, nomination, comment):
        raise Conflict("comment_review_closed")


def note(
    session: Session,
    who: Principal,
    nomination_id: int,
    comment_id: int,
    text: str,
    now: datetime,
) -> PublicComment:
    """Keep `text` as how the comment was handled (replacing an earlier note while the
    review is open), with its audit event, in the caller's transaction. NotFound for a
    comment `who` may not read."""
    comment = session.scalar(
        select(PublicComment)
        .join(Nomination, Nomination.id == PublicComment.nomination_id)
        .where(
            PublicComment.id == comment_id,
            PublicComment.nomination_id == nomination_id,
            comment_filter(session, who),
        )
    )
    if comment is None:
        raise NotFound("comment_not_found")
    text = text.strip()
    if not text:
        raise InvalidTaskData({"note": Message("form_required")})
    if len(text) > NOTE_MAX:
        raise InvalidTaskData({"note": Message("form_too_long", most=NOTE_MAX)})
    nomination = session.get_one(Nomination, comment.nomination_id)
    _check(who, nomination, comment)
    instance_id = session.scalar(
        select(Instance.id).where(Instance.business_key == nomination.business_key)
    )
    # The trail keeps a digest of the note, as of the comment: its words may quote the sender.
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                who.username,
                NOTED,
                instance_id,
                payload={
                    "nomination": nomination.id,
                    "comment": comment.id,
                    "note_sha256": hashlib.sha256(text.encode()).hexdigest(),
                },
                org_scope=comment.org_code,
            )
        ],
    )
    session.refresh(nomination)  # as committed now that the chain is ours
    session.refresh(comment)
    _check(who, nomination, comment)
    comment.note, comment.noted_by, comment.noted_at = text, who.username, now
    return comment
