"""Secret ballots and tallies.

A receipt says who voted, with a salted hash of the ballot; the choice only adds one to a
count of the round's ballot box. No stored row holds a single choice, so nothing a receipt
can be joined on (insertion order, rowid, ctid, xmin, a time) names what its member chose.
The threshold is counted on all members of the council: an absent member does not count for.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import table_of
from workflows.models import BallotBox, BallotReceipt, Tally

CHOICES = ("for", "against")
_BOX = table_of(BallotBox)


def cast_ballot(
    session: Session, nomination_id: int, org: str, round_no: int, member: str, choice: str
) -> str:
    """Record one secret ballot; returns the salted hash that goes to the audit log."""
    if choice not in CHOICES:
        raise ValueError(f"not a ballot choice: {choice!r}")
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(
        f"{salt}|{nomination_id}|{org}|{round_no}|{member}|{choice}".encode()
    ).hexdigest()
    _drop_in_box(session, nomination_id, org, round_no, choice)
    session.add(
        BallotReceipt(
            nomination_id=nomination_id,
            org_code=org,
            round=round_no,
            username=member,
            ballot_hash=digest,
        )
    )
    return digest


def _drop_in_box(
    session: Session, nomination_id: int, org: str, round_no: int, choice: str
) -> None:
    """Add the ballot to its round's counts in one statement: the database adds to the
    committed counts under its row lock, so concurrent ballots of a round all count."""
    connection = session.connection()
    insert = _box_insert(connection.dialect.name).values(
        nomination_id=nomination_id,
        org_code=org,
        round=round_no,
        votes_for=int(choice == "for"),
        votes_against=int(choice == "against"),
    )
    excluded = insert.excluded
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=[_BOX.c.nomination_id, _BOX.c.org_code, _BOX.c.round],
            set_={
                "votes_for": _BOX.c.votes_for + excluded.votes_for,
                "votes_against": _BOX.c.votes_against + excluded.votes_against,
            },
        )
    )


def _box_insert(dialect: str) -> postgresql.Insert | sqlite.Insert:
    # INSERT … ON CONFLICT DO UPDATE is spelled the same by both, but built per dialect.
    return postgresql.insert(_BOX) if dialect == "postgresql" else sqlite.insert(_BOX)


def passes(votes_for: int, members_total: int, threshold: float) -> bool:
    """At least `threshold` of all members voted for (domain.md §4.3)."""
    return members_total > 0 and votes_for >= math.ceil(threshold * members_total - 1e-9)


def count_ballots(
    session: Session,
    nomination_id: int,
    org: str,
    round_no: int,
    members_total: int,
    rules: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    box = session.execute(
        select(BallotBox.votes_for, BallotBox.votes_against).where(
            BallotBox.nomination_id == nomination_id,
            BallotBox.org_code == org,
            BallotBox.round == round_no,
        )
    ).first()
    votes_for, votes_against = (box.votes_for, box.votes_against) if box else (0, 0)
    return _record(
        session,
        nomination_id,
        org,
        round_no,
        "ballot",
        members_total,
        votes_for,
        votes_against,
        rules,
        at,
        None,
    )


def meeting_tally(
    session: Session,
    nomination_id: int,
    org: str,
    round_no: int,
    members_total: int,
    votes_for: int,
    votes_against: int,
    minutes_no: str,
    rules: dict[str, Any],
    at: datetime,
) -> dict[str, Any]:
    return _record(
        session,
        nomination_id,
        org,
        round_no,
        "meeting",
        members_total,
        votes_for,
        votes_against,
        rules,
        at,
        minutes_no,
    )


def _record(
    session: Session,
    nomination_id: int,
    org: str,
    round_no: int,
    mode: str,
    members_total: int,
    votes_for: int,
    votes_against: int,
    rules: dict[str, Any],
    at: datetime,
    minutes_no: str | None,
) -> dict[str, Any]:
    threshold = float(rules["vote_threshold"])
    tally = Tally(
        nomination_id=nomination_id,
        org_code=org,
        round=round_no,
        mode=mode,
        members_total=members_total,
        votes_for=votes_for,
        votes_against=votes_against,
        threshold=threshold,
        passed=passes(votes_for, members_total, threshold),
        minutes_no=minutes_no,
        rule_id=rules.get("rule_id"),
        at=at,
    )
    session.add(tally)
    return {
        "mode": mode,
        "members_total": members_total,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "threshold": threshold,
        "passed": tally.passed,
        "minutes_no": minutes_no,
        "rule_id": tally.rule_id,
    }
