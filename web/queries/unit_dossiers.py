""" "Hồ sơ của đơn vị": the nominations a unit opened, newest first, with their stage, whom
each waits for (a role at an organisation) and until when, the tờ trình that carried it;
filtered by campaign, award and stage, searched by name with or without diacritics.

Every read is bounded by the unit, not the database: the rows come through the unit's
indexes (ix_nominations_origin, ix_nominations_origin_campaign), the name is matched on the
folded key of the same rows, and the page's tasks and proposals are read by key for its
rows only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from web.paging import page_of
from web.queries.nominations import Summary, summaries
from workflows.access import OVERSIGHT_ROLES, WORKING_ROLES, Principal, oversees
from workflows.models import Nomination, Organisation, Proposal, ProposalItem
from workflows.names import folded
from workflows.search import contains

FILTERS = ("campaign", "award", "stage")


class Waiting(TypedDict):
    role: str
    org: dict[str, str]
    due_at: datetime | None


class UnitNomination(Summary):
    waiting: list[Waiting]
    proposal: dict[str, Any] | None


def may_read(session: Session, who: Principal, org: str) -> bool:
    """The unit's people read its list; auditors and admins over it too."""
    return org in who.orgs(*WORKING_ROLES) or any(
        oversees(session, who, org, role) for role in OVERSIGHT_ROLES
    )


def query(org: str, filters: Mapping[str, str]) -> Select[Any]:
    """The unit's nominations matching `filters` (campaign, award, stage, q), newest first."""
    found = select(Nomination).where(Nomination.origin_org == org).order_by(Nomination.id.desc())
    columns = {
        "campaign": Nomination.campaign_code,
        "award": Nomination.award_code,
        "stage": Nomination.stage,
    }
    for name, column in columns.items():
        if filters.get(name):
            found = found.where(column == filters[name])
    if (typed := folded(filters.get("q", ""))) != "":
        found = found.where(contains(Nomination.nominee_folded, typed, ignore_case=False))
    return found


def page(
    session: Session, org: str, filters: Mapping[str, str], number: int, per_page: int
) -> dict[str, Any]:
    got = page_of(session, query(org, filters), number, per_page)
    rows = list(got["items"])
    keys = [n.business_key for n in rows]
    tasks = session.execute(
        select(TaskRow.business_key, TaskRow.lane, TaskRow.org_scope, TaskRow.due_at)
        .where(TaskRow.business_key.in_(keys), TaskRow.state == "ready")
        .order_by(TaskRow.created_at)
    ).all()
    carried = session.execute(
        select(ProposalItem.nomination_id, Proposal.id, Proposal.number, Proposal.signed_on)
        .join(Proposal, Proposal.id == ProposalItem.proposal_id)
        .where(ProposalItem.nomination_id.in_([n.id for n in rows]), Proposal.org_code == org)
    ).all()
    scopes = {t.org_scope for t in tasks if t.org_scope}
    names = dict(
        session.execute(
            select(Organisation.code, Organisation.name).where(Organisation.code.in_(scopes))
        ).all()
    )
    waiting: dict[str, list[Waiting]] = {}
    for key, lane, scope, due in tasks:
        # A council's ballots are one wait however many members still have to vote.
        entry: Waiting = {
            "role": lane or "",
            "org": {"code": scope or "", "name": names.get(scope or "", scope or "")},
            "due_at": due,
        }
        if entry not in waiting.setdefault(key, []):
            waiting[key].append(entry)
    proposal_of = {
        n: {"id": p, "number": number_, "signed_on": signed} for n, p, number_, signed in carried
    }
    items: list[UnitNomination] = [
        {
            **summary,
            "waiting": waiting.get(summary["business_key"], []),
            "proposal": proposal_of.get(summary["id"]),
        }
        for summary in summaries(session, rows)
    ]
    return {**got, "items": items}
