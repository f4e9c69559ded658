"""A nomination as the lists summarise it, in full (open tasks, findings, what is missing,
decisions and tallies), and the steps of its process so far."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance, TaskRow
from engine.runtime import Engine
from web.i18n import say
from web.queries.inbox import OpenTask, missing_of, open_task
from workflows.calendar import TIMEZONE
from workflows.checklist import ChecklistItem, checklist
from workflows.eligibility import findings
from workflows.models import Award, Decision, Nomination, Organisation, Tally


class Named(TypedDict):
    code: str
    name: str


class Nominee(TypedDict):
    kind: str
    name: str
    position: str
    unit: str


class Summary(TypedDict):
    """A nomination as a list shows it."""

    id: int
    business_key: str
    status: str
    stage: str
    level: str
    current_org: Named
    origin_org: Named
    award: Named
    campaign: str
    nominee: Nominee
    created_at: datetime
    publicity_until: datetime | None


class Finding(TypedDict):
    """An eligibility finding in the reader's language."""

    code: str
    message: str
    basis: str


class Detail(Summary):
    """A nomination in full; tallies hold counts only."""

    achievements: str
    documents: list[str]
    open_tasks: list[OpenTask]
    findings: list[Finding]
    missing: list[str]
    simplified: bool  # follows the simplified procedure (its shorter document list)
    checklist: list[ChecklistItem]  # each required document, attached or not
    decisions: Sequence[Decision]
    tallies: Sequence[Tally]


class Step(TypedDict):
    """One step of a nomination's timeline."""

    at: datetime
    actor: str
    action: str
    step: str
    lane: str | None
    org: str | None
    data: dict[str, Any]  # what the step decided: the form's own fields, open by nature


def summaries(session: Session, nominations: Sequence[Nomination]) -> list[Summary]:
    codes = {n.origin_org for n in nominations} | {n.current_org for n in nominations}
    org_by_code = {
        o.code: o for o in session.scalars(select(Organisation).where(Organisation.code.in_(codes)))
    }
    award_names = dict(
        session.execute(
            select(Award.code, Award.name).where(
                Award.code.in_({n.award_code for n in nominations})
            )
        ).all()
    )
    return [_summary(n, org_by_code, award_names) for n in nominations]


def _summary(
    n: Nomination, org_by_code: dict[str, Organisation], award_names: dict[str, str]
) -> Summary:
    current, origin = org_by_code[n.current_org], org_by_code[n.origin_org]
    return {
        "id": n.id,
        "business_key": n.business_key,
        "status": n.status,
        "stage": n.stage,
        "level": current.level,
        "current_org": {"code": current.code, "name": current.name},
        "origin_org": {"code": origin.code, "name": origin.name},
        "award": {"code": n.award_code, "name": award_names.get(n.award_code, n.award_code)},
        "campaign": n.campaign_code,
        "nominee": {
            "kind": n.nominee_kind,
            "name": n.nominee_name,
            "position": n.nominee_position,
            "unit": n.nominee_unit,
        },
        "created_at": n.created_at,
        "publicity_until": n.publicity_until,
    }


def detail(session: Session, engine: Engine, nomination: Nomination, now: datetime) -> Detail:
    """A nomination in full: open tasks, eligibility findings, what is missing, decisions
    and tallies (counts only)."""
    tasks = session.scalars(
        select(TaskRow)
        .where(TaskRow.business_key == nomination.business_key, TaskRow.state == "ready")
        .order_by(TaskRow.created_at, TaskRow.id)
    ).all()
    dossier = next((task for task in tasks if task.form == "prepare_dossier"), None)
    try:
        found = findings(session, nomination, now.astimezone(TIMEZONE).date())
    except LookupError:  # no rule in force for the award today: nothing to check against
        found = []
    return {
        **summaries(session, [nomination])[0],
        "achievements": nomination.achievements,
        "documents": nomination.document_list,
        "open_tasks": [open_task(task, now) for task in tasks],
        "findings": [
            {"code": f.code, "message": say(f.message), "basis": say(f.basis)} for f in found
        ],
        "simplified": nomination.simplified,
        "checklist": checklist(session, nomination, now.astimezone(TIMEZONE).date()),
        "missing": (
            missing_of(session, engine, nomination.business_key, dossier.instance_id)
            if dossier
            else []
        ),
        "decisions": session.scalars(
            select(Decision).where(Decision.nomination_id == nomination.id).order_by(Decision.id)
        ).all(),
        "tallies": session.scalars(
            select(Tally).where(Tally.nomination_id == nomination.id).order_by(Tally.id)
        ).all(),
    }


# Audit actions a timeline shows; ballot receipts are left out so no vote can be traced.
_TIMELINE_ACTIONS = (
    "instance.started",
    "task.completed",
    "message.delivered",
    "timer.fired",
    "instance.completed",
    "comment.received",
)


def timeline(session: Session, business_key: str) -> list[Step]:
    """The steps of a nomination's process so far, from its audit events: when, who, what
    (the BPMN id), never the data submitted (a ballot's choice least of all)."""
    instance_id = session.scalar(select(Instance.id).where(Instance.business_key == business_key))
    if instance_id is None:
        return []
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.action.in_(_TIMELINE_ACTIONS))
        .order_by(AuditEvent.seq)
    ).all()
    steps: list[Step] = []
    for event in rows:
        data = event.data
        decided = data.get("data")
        steps.append(
            {
                "at": event.at,
                "actor": event.actor if event.action == "task.completed" else "",
                "action": event.action,
                "step": data.get("bpmn_id") or data.get("message") or "",
                "lane": data.get("lane"),
                "org": data.get("org_scope") or data.get("org"),
                # What the step decided (a vote's choice is never stored in it).
                "data": decided if isinstance(decided, dict) else {},
            }
        )
    return steps
