"""Process instances as the admin sees them, shared by the admin API (web/api/admin.py) and
the admin pages (web/pages/admin_instances.py): instances by definition, version, status,
stage and organisation, and one instance with the states of its diagram's elements.

Every read takes the admin's scope (workflows.admin_scope.instance_scope, an SQL
condition): lists and counts hold only the instances of nominations now in the admin's
subtrees, and one out of scope is not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, defer

from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow
from web import diagram
from web.i18n import t
from web.queries import audit
from web.queries.audit import EventView
from workflows.models import Nomination
from workflows.retry_data import RetryDataRefused

STATUSES = ("active", "suspended", "error", "completed")


class InstanceItem(TypedDict):
    """A row of the instance list: the instance with its definition version, nomination
    (None throughout for an instance without one) and the forms of its open tasks."""

    id: int
    business_key: str
    definition_key: str
    definition_version: int
    status: str
    error_element: str | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    nomination_id: int | None
    nominee_name: str | None
    current_org: str | None
    origin_org: str | None
    stage: str | None
    open_stages: list[str]


class InstanceTask(TypedDict):
    id: str
    bpmn_id: str
    form: str
    title: str
    lane: str | None
    org_scope: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None


class ElementStates(TypedDict):
    done: list[str]
    active: list[str]
    error: list[str]


class InstanceDetail(InstanceItem):
    """One instance in full, with its audited history and its diagram's element states."""

    tasks: list[InstanceTask]
    elements: ElementStates
    path: diagram.Path
    events: list[EventView]
    sources: dict[str, Any]  # filename -> XML text, as deployed
    newest_version: int | None


def instance_query(args: Mapping[str, Any], scope: ColumnElement[bool]) -> Select[Any]:
    """Instances in `scope`, most recently changed first. Filters (each optional): status,
    definition (key), version (number), business_key, stage (the form or BPMN id of an open
    task, or the nomination's stage) and org (the nomination's current or origin
    organisation)."""
    query = (
        select(Instance)
        .options(defer(Instance.state))
        .where(scope)
        .order_by(Instance.updated_at.desc(), Instance.id.desc())
    )
    if args.get("status"):
        query = query.where(Instance.status == args["status"])
    if args.get("business_key"):
        query = query.where(Instance.business_key == args["business_key"])
    if args.get("definition") or args.get("version"):
        versions = select(DefinitionVersion.id)
        if args.get("definition"):
            versions = versions.where(DefinitionVersion.key == args["definition"])
        if args.get("version"):
            versions = versions.where(DefinitionVersion.version == args["version"])
        query = query.where(Instance.definition_id.in_(versions))
    if args.get("stage"):
        stage = args["stage"]
        at_task = select(TaskRow.instance_id).where(
            TaskRow.state == "ready", or_(TaskRow.form == stage, TaskRow.bpmn_id == stage)
        )
        at_stage = select(Nomination.business_key).where(Nomination.stage == stage)
        query = query.where(or_(Instance.id.in_(at_task), Instance.business_key.in_(at_stage)))
    if args.get("org"):
        org = args["org"]
        of_org = select(Nomination.business_key).where(
            or_(Nomination.current_org == org, Nomination.origin_org == org)
        )
        query = query.where(Instance.business_key.in_(of_org))
    return query


def instance_items(session: Session, instances: Sequence[Instance]) -> list[InstanceItem]:
    """The list's rows: the instance with its definition version, nomination and open tasks."""
    ids = [i.id for i in instances]
    versions = {  # a short table: one row per deploy
        version_id: (key, number)
        for version_id, key, number in session.execute(
            select(DefinitionVersion.id, DefinitionVersion.key, DefinitionVersion.version)
        )
    }
    nominations = {
        n.business_key: n
        for n in session.scalars(
            select(Nomination).where(
                Nomination.business_key.in_([i.business_key for i in instances])
            )
        )
    }
    stages: defaultdict[int, list[str]] = defaultdict(list)
    for instance_id, form in session.execute(
        select(TaskRow.instance_id, TaskRow.form)
        .where(TaskRow.instance_id.in_(ids), TaskRow.state == "ready")
        .order_by(TaskRow.created_at)
    ):
        stages[instance_id].append(form)
    items: list[InstanceItem] = []
    for i in instances:
        nomination = nominations.get(i.business_key)
        items.append(
            {
                "id": i.id,
                "business_key": i.business_key,
                "definition_key": versions[i.definition_id][0],
                "definition_version": versions[i.definition_id][1],
                "status": i.status,
                "error_element": i.error_element,
                "error_message": i.error_message,
                "created_at": i.created_at,
                "updated_at": i.updated_at,
                "nomination_id": nomination.id if nomination else None,
                "nominee_name": nomination.nominee_name if nomination else None,
                "current_org": nomination.current_org if nomination else None,
                "origin_org": nomination.origin_org if nomination else None,
                "stage": nomination.stage if nomination else None,
                "open_stages": stages.get(i.id, []),
            }
        )
    return items


def instance_status(session: Session, instance_id: int, scope: ColumnElement[bool]) -> str | None:
    """The instance's status; None when there is none in `scope` with this id."""
    status: str | None = session.scalar(
        select(Instance.status).where(Instance.id == instance_id, scope)
    )
    return status


def instance_detail(
    session: Session, instance_id: int, scope: ColumnElement[bool]
) -> InstanceDetail | None:
    """One instance as the admin sees it: its row, nomination, open tasks, audited history
    and the states of its diagram's elements; None when there is no such instance in scope."""
    instance = session.scalars(
        select(Instance).options(defer(Instance.state)).where(Instance.id == instance_id, scope)
    ).first()
    if instance is None:
        return None
    item = instance_items(session, [instance])[0]
    version = session.get_one(DefinitionVersion, instance.definition_id)
    events = audit.views(
        session,
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        ),
    )
    path = audit.path_of(session, instance_id, events)
    tasks = session.scalars(
        select(TaskRow)
        .where(TaskRow.instance_id == instance_id, TaskRow.state == "ready")
        .order_by(TaskRow.created_at, TaskRow.id)
    ).all()
    return {
        **item,
        "tasks": [
            {
                "id": task.id,
                "bpmn_id": task.bpmn_id,
                "form": task.form,
                "title": task.title,
                "lane": task.lane,
                "org_scope": task.org_scope,
                "assignee": task.assignee,
                "created_at": task.created_at,
                "due_at": task.due_at,
            }
            for task in tasks
        ],
        "elements": {
            "done": sorted(path.done),
            "active": sorted(path.active),
            "error": sorted(path.error),
        },
        "path": path,
        "events": events,
        "sources": version.sources,
        "newest_version": session.scalar(
            select(func.max(DefinitionVersion.version)).where(DefinitionVersion.key == version.key)
        ),
    }


def retry_refusals(refused: RetryDataRefused) -> dict[str, str]:
    """Each refused retry key with why, in the reader's language."""
    declared = ", ".join(sorted(refused.declared)) or t("retry_nothing_declared")
    return {
        key: t(code, name=key, element=refused.element or "—", declared=declared)
        for key, code in refused.problems.items()
    }
