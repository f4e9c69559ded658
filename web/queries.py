"""Reads shared by the JSON API and the pages: the inbox, a nomination in full, the public
board. Plain functions of a session, the person, the time and filters, returning dicts, so
that both front ends show the same thing and neither holds the logic alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance, TaskRow
from engine.ports import HumanTask
from engine.runtime import Engine
from workflows import orgs
from workflows.access import Principal, inbox_filter
from workflows.calendar import TIMEZONE, WorkingCalendar
from workflows.eligibility import findings
from workflows.forms import FORMS, describe
from workflows.models import Award, Decision, Nomination, Organisation, Tally

# --- tasks -------------------------------------------------------------------------------

TASK_NOMINATION_KEYS = (
    "business_key",
    "nominee_name",
    "award_code",
    "award_name",
    "stage",
    "current_org",
    "level",
)
_COLUMNS = (
    TaskRow.id,
    TaskRow.instance_id,
    TaskRow.bpmn_id,
    TaskRow.form,
    TaskRow.title,
    TaskRow.lane,
    TaskRow.org_scope,
    TaskRow.state,
    TaskRow.due_at,
    TaskRow.created_at,
    TaskRow.completed_at,
    Nomination.id.label("nomination_id"),
    Nomination.business_key,
    Nomination.nominee_name,
    Nomination.award_code,
    Award.name.label("award_name"),
    Nomination.stage,
    Nomination.current_org,
    Organisation.level,
    Instance.status.label("instance_status"),
)
# Built once, as the engine's hot paths are: the inbox is read far more than anything else.
TASKS = (
    select(*_COLUMNS)
    .join(Nomination, Nomination.business_key == TaskRow.business_key)
    .join(Award, Award.code == Nomination.award_code)
    .join(Organisation, Organisation.code == Nomination.current_org)
    .join(Instance, Instance.id == TaskRow.instance_id)
)


def overdue(due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and due_at < now


def open_task(task: TaskRow | HumanTask, now: datetime) -> dict[str, Any]:
    return {
        "id": task.id,
        "bpmn_id": task.bpmn_id,
        "form_key": task.form,
        "title": task.title,
        "lane": task.lane,
        "org": task.org_scope,
        "assignee": task.assignee,
        "due_at": task.due_at,
        "overdue": overdue(task.due_at, now),
    }


@cache
def form_of(form: str) -> list[dict[str, Any]]:
    """A task whose form is not one of ours (deploy refuses those) describes none."""
    return [asdict(spec) for spec in describe(form)] if form in FORMS else []


def task_item(row: Mapping[Any, Any], now: datetime) -> dict[str, Any]:
    return {
        **{k: row[k] for k in ("id", "bpmn_id", "title", "lane", "state", "due_at")},
        "org": row["org_scope"],
        "overdue": overdue(row["due_at"], now),
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
        "nomination": {
            "id": row["nomination_id"],
            **{k: row[k] for k in TASK_NOMINATION_KEYS},
        },
        "form_key": row["form"],
        "form": form_of(row["form"]),
        # An admin stopped the process: the task waits, and cannot be completed meanwhile.
        "suspended": row["instance_status"] == "suspended",
    }


def _inbox_query(who: Principal, now: datetime, filters: Mapping[str, Any]) -> Any:
    query = TASKS.where(inbox_filter(who))
    if filters.get("stage"):
        query = query.where(TaskRow.form == filters["stage"])
    if filters.get("org"):
        query = query.where(TaskRow.org_scope == filters["org"])
    if filters.get("campaign"):
        query = query.where(Nomination.campaign_code == filters["campaign"])
    if filters.get("nomination"):
        query = query.where(Nomination.id == filters["nomination"])
    if filters.get("overdue") is not None:
        late = and_(TaskRow.due_at.is_not(None), TaskRow.due_at < now)
        query = query.where(late if filters["overdue"] else ~late)
    return query


def inbox(
    session: Session,
    who: Principal,
    now: datetime,
    filters: Mapping[str, Any],
    page: int = 1,
    per_page: int = 20,
) -> dict[str, Any]:
    """My ready tasks, soonest due first. Filters: stage (form), org, campaign,
    nomination, overdue (True/False; None or absent for both)."""
    query = _inbox_query(who, now, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(TaskRow.due_at.asc().nulls_last(), TaskRow.created_at, TaskRow.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).mappings()
    return {
        "items": [task_item(r, now) for r in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def stage_counts(session: Session, who: Principal) -> dict[str, int]:
    """How many of my ready tasks wait at each stage (form)."""
    rows = session.execute(
        select(TaskRow.form, func.count())
        .where(inbox_filter(who))
        .group_by(TaskRow.form)
        .order_by(TaskRow.form)
    ).all()
    return {form: count for form, count in rows}


def my_task(
    session: Session, engine: Engine, who: Principal, task_id: str, now: datetime
) -> dict[str, Any] | None:
    """A task of my inbox, or one I completed myself; with, for a returned dossier, the list
    of what is missing. None when it is neither."""
    mine = or_(
        inbox_filter(who), and_(TaskRow.state == "completed", TaskRow.completed_by == who.username)
    )
    row = session.execute(TASKS.where(TaskRow.id == task_id, mine)).mappings().first()
    if row is None:
        return None
    item = task_item(row, now)
    if row["form"] == "prepare_dossier" and row["state"] == "ready":
        item["missing"] = missing_of(session, engine, row["business_key"], row["instance_id"])
    return item


# --- nominations -------------------------------------------------------------------------


def missing_of(session: Session, engine: Engine, business_key: str, instance_id: int) -> list[str]:
    """What the appraisal found missing, as the open dossier task holds it.

    The workflow is the only copy, so it is read only for a dossier that was sent back (one
    submitted before): a first preparation has nothing missing, and lists never read it."""
    returned = session.scalar(
        select(TaskRow.id)
        .where(
            TaskRow.business_key == business_key,
            TaskRow.form == "prepare_dossier",
            TaskRow.state == "completed",
        )
        .limit(1)
    )
    if returned is None:
        return []
    for task in engine.get_instance(instance_id).ready_tasks:
        if task.form == "prepare_dossier":
            return [str(item) for item in task.data.get("missing") or []]
    return []


def summaries(session: Session, nominations: Sequence[Nomination]) -> list[dict[str, Any]]:
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
) -> dict[str, Any]:
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


def detail(
    session: Session, engine: Engine, nomination: Nomination, now: datetime
) -> dict[str, Any]:
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
        "findings": found,
        "missing": (
            missing_of(session, engine, nomination.business_key, dossier.instance_id)
            if dossier
            else []
        ),
        "decisions": _rows(session, Decision, nomination.id),
        "tallies": _rows(session, Tally, nomination.id),
    }


def _rows(
    session: Session, model: type[Decision] | type[Tally], nomination_id: int
) -> Iterable[Any]:
    return session.scalars(
        select(model).where(model.nomination_id == nomination_id).order_by(model.id)
    ).all()


# Audit actions a timeline shows; ballot receipts are left out so no vote can be traced.
_TIMELINE_ACTIONS = (
    "instance.started",
    "task.completed",
    "message.delivered",
    "timer.fired",
    "instance.completed",
    "comment.received",
)


def timeline(session: Session, business_key: str) -> list[dict[str, Any]]:
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
    steps: list[dict[str, Any]] = []
    for event in rows:
        data = event.data
        step = data.get("bpmn_id") or data.get("message") or ""
        steps.append(
            {
                "at": event.at,
                "actor": event.actor if event.action == "task.completed" else "",
                "action": event.action,
                "step": step,
                "lane": data.get("lane"),
                "org": data.get("org_scope") or data.get("org"),
                # What the step decided (a vote's choice is never stored in it).
                "data": data.get("data") if isinstance(data.get("data"), dict) else {},
            }
        )
    return steps


# --- public board ------------------------------------------------------------------------


def notices_query(session: Session, now: datetime, org: str | None, award: str | None) -> Any:
    query = (
        select(Nomination)
        .where(
            Nomination.status == "open",
            Nomination.stage == "publicity",
            Nomination.publicity_until > now,
        )
        .order_by(Nomination.publicity_until, Nomination.id)
    )
    if org:
        query = query.where(Nomination.current_org.in_(orgs.subtree(session, org)))
    if award:
        query = query.where(Nomination.award_code == award)
    return query


def notices(
    session: Session,
    now: datetime,
    org: str | None = None,
    award: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> dict[str, Any]:
    """Nominations in their publicity window now, the deadline first, with the working days
    left to comment: what the notice itself publishes and nothing else."""
    query = notices_query(session, now, org, award)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    calendar = WorkingCalendar.load(session)
    return {
        "items": [notice(session, n, calendar, now) for n in items],
        "page": page,
        "per_page": per_page,
        "total": total or 0,
    }


def notice(
    session: Session, nomination: Nomination, calendar: WorkingCalendar, now: datetime
) -> dict[str, Any]:
    org = session.get_one(Organisation, nomination.current_org)
    award = session.get_one(Award, nomination.award_code)
    until = nomination.publicity_until
    assert until is not None
    return {
        "id": nomination.id,
        "business_key": nomination.business_key,
        "nominee_name": nomination.nominee_name,
        "nominee_kind": nomination.nominee_kind,
        "nominee_position": nomination.nominee_position,
        "nominee_unit": nomination.nominee_unit,
        "award_code": award.code,
        "award_name": award.name,
        "org_code": org.code,
        "org_name": org.name,
        "org_level": org.level,
        "org_level_name": orgs.LEVEL_NAMES.get(org.level, org.level),
        "achievements": nomination.achievements,
        "publicity_until": until,
        "working_days_left": calendar.working_days_between(now, until),
    }
