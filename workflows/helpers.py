"""The functions BPMN scripts, conditions, DMN cells and timer expressions may call.

They are the process contract's vocabulary (docs/process-contract.md): an admin editing
the diagram can use exactly these. Each reads, and the tallies write, in the transaction
of the engine change that runs the script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from engine import clock, context
from workflows import comments, orgs, rules, voting
from workflows.calendar import TIMEZONE, working_days_after
from workflows.models import Nomination


def award_rules(award: str) -> dict[str, Any]:
    """The award's rule parameters in force today (local date), with their rule id."""
    today = clock.now().astimezone(TIMEZONE).date()
    return rules.as_process_data(rules.rule_in_force(context.session(), award, today))


def council_members(org: str, nomination_id: int | None = None) -> list[str]:
    """Members who get a ballot: the council, less the nominee of this nomination.

    The nominee still counts in the total the threshold is taken on.
    """
    session = context.session()
    members = orgs.holders(session, "council", org)
    if nomination_id is not None:
        nominee = session.scalar(
            select(Nomination.nominee_username).where(Nomination.id == nomination_id)
        )
        members = [m for m in members if m != nominee]
    return members


def voting_mode(org: str) -> str:
    return orgs.get_org(context.session(), org).voting


def level_of(org: str) -> str:
    return orgs.level_of(context.session(), org)


def parent_of(org: str) -> str | None:
    return orgs.parent_of(context.session(), org)


def count_ballots(
    nomination_id: int, org: str, round_no: int, rule: dict[str, Any]
) -> dict[str, Any]:
    """Count the secret ballots of this round against all current council members."""
    session = context.session()
    members_total = len(orgs.holders(session, "council", org))
    return voting.count_ballots(
        session, nomination_id, org, round_no, members_total, rule, clock.now()
    )


def meeting_tally(
    nomination_id: int,
    org: str,
    round_no: int,
    rule: dict[str, Any],
    members_total: int,
    votes_for: int,
    votes_against: int,
    minutes_no: str,
) -> dict[str, Any]:
    """Record the tally a secretary took from the council meeting's minutes."""
    return voting.meeting_tally(
        context.session(),
        nomination_id,
        org,
        round_no,
        members_total,
        votes_for,
        votes_against,
        minutes_no,
        rule,
        clock.now(),
    )


def open_comments(nomination_id: int, org: str) -> int:
    return comments.open_comments(context.session(), nomination_id, org)


HELPERS: dict[str, Callable[..., Any]] = {
    "award_rules": award_rules,
    "council_members": council_members,
    "voting_mode": voting_mode,
    "level_of": level_of,
    "parent_of": parent_of,
    "working_days_after": working_days_after,
    "count_ballots": count_ballots,
    "meeting_tally": meeting_tally,
    "open_comments": open_comments,
}
