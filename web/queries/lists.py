"""The lists a secretary, a council member and a head act on at once: their ready tasks of
one stage at one organisation, grouped by the tờ trình that carried each nomination there,
with the version of each process the page shows (sent back with the list, so a row changed
meanwhile is refused by name)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TypedDict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import Instance, TaskRow
from web.queries.inbox import TaskItem, inbox
from workflows import authority
from workflows.access import Principal
from workflows.models import Nomination, Organisation, Proposal, ProposalItem
from workflows.rules import rule_in_force

MAX_ROWS = 500  # a list longer than this is acted on in parts


class Carrier(TypedDict):
    """The tờ trình that brought a nomination to this organisation."""

    id: int
    number: str
    signed_on: date
    org: str
    kind: str


class ListRow(TypedDict):
    task: TaskItem
    version: int
    route: str  # for a decision: decide | forward | outside (the authority table's answer)


class Group(TypedDict):
    carrier: Carrier | None
    rows: list[ListRow]


def groups(
    session: Session, who: Principal, now: datetime, form: str, org: str, today: date
) -> list[Group]:
    """`who`'s ready tasks of `form` at `org`, by the tờ trình that carried them (the
    newest first, nominations that came without one last)."""
    items = inbox(session, who, now, {"stage": form, "org": org}, 1, MAX_ROWS)["items"]
    ids = [item["id"] for item in items]
    versions = dict(
        session.execute(
            select(TaskRow.id, Instance.lock_version)
            .join(Instance, Instance.id == TaskRow.instance_id)
            .where(TaskRow.id.in_(ids))
        ).all()
    )
    nominations = [item["nomination"]["id"] for item in items]
    carriers = _carriers(session, org, nominations)
    routes = _routes(session, org, items, today) if form == "decide" else {}
    grouped: dict[int | None, Group] = {}
    for item in items:
        carrier = carriers.get(item["nomination"]["id"])
        key = carrier["id"] if carrier else None
        group = grouped.setdefault(key, {"carrier": carrier, "rows": []})
        group["rows"].append(
            {"task": item, "version": versions[item["id"]], "route": routes.get(item["id"], "")}
        )
    return sorted(grouped.values(), key=lambda g: -(g["carrier"] or {"id": 0})["id"])


def _carriers(session: Session, org: str, nominations: Iterable[int]) -> dict[int, Carrier]:
    """For each nomination, the newest tờ trình that carried it to `org`: one a level
    below addressed to it, or its unit's own (at the unit itself)."""
    rows = session.execute(
        select(ProposalItem.nomination_id, Proposal)
        .join(Proposal, Proposal.id == ProposalItem.proposal_id)
        .where(
            ProposalItem.nomination_id.in_(list(nominations)),
            or_(Proposal.to_org == org, Proposal.org_code == org),
        )
        .order_by(Proposal.id)
    ).all()
    found: dict[int, Carrier] = {}
    for nomination, proposal in rows:
        found[nomination] = {
            "id": proposal.id,
            "number": proposal.number,
            "signed_on": proposal.signed_on,
            "org": proposal.org_code,
            "kind": proposal.kind,
        }
    return found


def _routes(session: Session, org: str, items: Sequence[TaskItem], today: date) -> dict[str, str]:
    """What the authority table (bpmn/route.dmn) answers for each row, to show before the
    head decides; the engine checks the table's own answer when the list is sent."""
    level, parent = session.execute(
        select(Organisation.level, Organisation.parent_code).where(Organisation.code == org)
    ).one()
    deciding: dict[str, str] = {}
    routes = {}
    for item in items:
        award = item["nomination"]["award_code"]
        if award not in deciding:
            try:
                deciding[award] = rule_in_force(session, award, today).deciding_level
            except LookupError:
                deciding[award] = ""
        routes[item["id"]] = authority.route(level, deciding[award], parent is not None)
    return routes


def nomination_ids(session: Session, task_ids: Iterable[str]) -> dict[str, int]:
    """Each task's nomination, for naming refused rows."""
    return dict(
        session.execute(
            select(TaskRow.id, Nomination.id)
            .join(Nomination, Nomination.business_key == TaskRow.business_key)
            .where(TaskRow.id.in_(list(task_ids)))
        ).all()
    )
