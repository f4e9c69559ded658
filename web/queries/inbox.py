"""A person's inbox: the ready tasks they may take, how many wait at each stage, one task of
theirs (with, for a returned dossier, what is missing)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import Instance, TaskRow
from engine.ports import HumanTask
from engine.runtime import Engine
from web.i18n import t
from web.paging import Page
from workflows.access import Principal, inbox_filter
from workflows.forms import FORMS, FieldSpec, describe
from workflows.models import Award, Nomination, Organisation
from workflows.search import name_contains


class OpenTask(TypedDict):
    """A ready task as a nomination's page lists it."""

    id: str
    bpmn_id: str
    form_key: str
    title: str
    lane: str | None
    org: str | None
    assignee: str | None
    due_at: datetime | None
    overdue: bool


class FormField(TypedDict):
    """One field of a task's form (workflows.forms.FieldSpec as a dict)."""

    name: str
    type: str
    label: str
    required: bool
    choices: dict[str, str] | None


class TaskNomination(TypedDict):
    id: int
    business_key: str
    nominee_name: str
    award_code: str
    award_name: str
    stage: str
    current_org: str
    level: str


class TaskItem(TypedDict):
    """A task of the inbox with the nomination it is about and its form."""

    id: str
    bpmn_id: str
    title: str
    lane: str | None
    state: str
    due_at: datetime | None
    org: str | None
    overdue: bool
    created_at: datetime
    completed_at: datetime | None
    nomination: TaskNomination
    form_key: str
    form: list[FormField]
    suspended: bool
    missing: NotRequired[list[str]]  # only for a ready dossier task read alone (my_task)


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


def open_task(task: TaskRow | HumanTask, now: datetime) -> OpenTask:
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


def form_of(form: str) -> list[FormField]:
    """A task's form in the reader's language; a task whose form is not one of ours (deploy
    refuses those) describes none."""
    return [
        {
            "name": spec.name,
            "type": spec.type,
            "label": t(spec.label) if spec.label else "",
            "required": spec.required,
            "choices": (
                {value: t(code) for value, code in spec.choices.items()}
                if spec.choices is not None
                else None
            ),
        }
        for spec in _specs(form)
    ]


@cache
def _specs(form: str) -> tuple[FieldSpec, ...]:
    return tuple(describe(form)) if form in FORMS else ()


def task_item(row: Mapping[Any, Any], now: datetime) -> TaskItem:
    return {
        "id": row["id"],
        "bpmn_id": row["bpmn_id"],
        "title": row["title"],
        "lane": row["lane"],
        "state": row["state"],
        "due_at": row["due_at"],
        "org": row["org_scope"],
        "overdue": overdue(row["due_at"], now),
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
        "nomination": {
            "id": row["nomination_id"],
            "business_key": row["business_key"],
            "nominee_name": row["nominee_name"],
            "award_code": row["award_code"],
            "award_name": row["award_name"],
            "stage": row["stage"],
            "current_org": row["current_org"],
            "level": row["level"],
        },
        "form_key": row["form"],
        "form": form_of(row["form"]),
        # An admin stopped the process: the task waits, and cannot be completed meanwhile.
        "suspended": row["instance_status"] == "suspended",
    }


def _inbox_query(
    who: Principal, now: datetime, filters: Mapping[str, Any]
) -> Select[*tuple[Any, ...]]:
    query = TASKS.where(inbox_filter(who))
    if filters.get("stage"):
        query = query.where(TaskRow.form == filters["stage"])
    if filters.get("org"):
        query = query.where(TaskRow.org_scope == filters["org"])
    if filters.get("campaign"):
        query = query.where(Nomination.campaign_code == filters["campaign"])
    if filters.get("nomination"):
        query = query.where(Nomination.id == filters["nomination"])
    if filters.get("q"):
        query = query.where(name_contains(Nomination.nominee_folded, filters["q"]))
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
) -> Page[TaskItem]:
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
) -> TaskItem | None:
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
