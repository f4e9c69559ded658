"""Secret ballots and tallies.

A ballot row holds a choice and no voter; a receipt says who voted, with a salted hash of
the ballot. Only the tally sees the choices, and only as counts. The threshold is counted
on all members of the council: an absent member does not count for.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.models import Ballot, BallotReceipt, Tally

CHOICES = ("for", "against")


def cast_ballot(
    session: Session, nomination_id: int, org: str, round_no: int, member: str, choice: str
) -> str:
    """Record one secret ballot; returns the salted hash that goes to the audit log."""
    if choice not in CHOICES:
        raise ValueError(f"phiếu không hợp lệ: {choice!r}")
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(
        f"{salt}|{nomination_id}|{org}|{round_no}|{member}|{choice}".encode()
    ).hexdigest()
    session.add(
        Ballot(
            id=uuid4().hex, nomination_id=nomination_id, org_code=org, round=round_no, choice=choice
        )
    )
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
    counts = dict(
        session.execute(
            select(Ballot.choice, func.count())
            .where(
                Ballot.nomination_id == nomination_id,
                Ballot.org_code == org,
                Ballot.round == round_no,
            )
            .group_by(Ballot.choice)
        ).all()
    )
    return _record(
        session,
        nomination_id,
        org,
        round_no,
        "ballot",
        members_total,
        int(counts.get("for", 0)),
        int(counts.get("against", 0)),
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
