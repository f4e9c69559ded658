"""The functions BPMN scripts, conditions, DMN cells and timer expressions may call.

They are the process contract's vocabulary (docs/process-contract.md): an admin editing
the diagram can use exactly these. Each reads, and the tallies write, in the transaction
of the engine change that runs the script.

Those that take a nomination or read a council act on the running instance's own
nomination and its current organisation only: a script that passes another nomination's id
or another organisation fails (the instance goes to `error`), rather than reading or writing
someone else's case. The organisation tree itself (`level_of`, `parent_of`, `voting_mode`)
is public reference data and is not restricted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from engine import clock, context
from engine.errors import ScriptError
from workflows import comments, orgs, rules, voting
from workflows.calendar import TIMEZONE, working_days_after
from workflows.models import Nomination


def award_rules(award: str) -> dict[str, Any]:
    """The award's rule parameters in force today (local date), with their rule id."""
    today = clock.now().astimezone(TIMEZONE).date()
    return rules.as_process_data(rules.rule_in_force(context.session(), award, today))


class NotOwnCase(ScriptError):
    """A helper was asked about a nomination or organisation other than the running
    instance's own."""


def _own_case(helper: str, nomination_id: Any, org: Any) -> None:
    """Refuse unless `nomination_id` (when given) is the running instance's nomination and
    `org` its current organisation — as stored, or as the process data now says (a script
    may just have moved it up a level)."""
    running = context.instance()
    query = select(Nomination.id, Nomination.current_org).where(
        Nomination.business_key == running.business_key
    )
    own = context.session().execute(query).first()
    if own is None:
        raise NotOwnCase(f"{helper}: instance {running.business_key} has no nomination")
    own_id, stored_org = own
    if nomination_id is not None and (type(nomination_id) is not int or nomination_id != own_id):
        raise NotOwnCase(
            f"{helper}: acts only on this instance's own nomination ({own_id}), "
            f"not on {nomination_id!r}"
        )
    current = {stored_org, str(running.data().get("current_org", stored_org))}
    if not isinstance(org, str) or org not in current:
        raise NotOwnCase(
            f"{helper}: acts only on the nomination's current organisation "
            f"({', '.join(sorted(current))}), not on {org!r}"
        )


def council_members(org: str, nomination_id: int | None = None) -> list[str]:
    """Members who get a ballot: the council, less the nominee of this nomination.

    The nominee still counts in the total the threshold is taken on.
    """
    _own_case("council_members", nomination_id, org)
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
    _own_case("count_ballots", nomination_id, org)
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
    _own_case("meeting_tally", nomination_id, org)
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
    _own_case("open_comments", nomination_id, org)
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
