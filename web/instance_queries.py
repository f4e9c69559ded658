"""Reads behind the admin views of definition versions and process instances, shared by the
admin API (web/api/admin.py) and the admin pages (web/pages/admin_instances.py): versions with
how many instances use them, a version's readable difference against another, instances by
definition, version, status, stage and organisation, and one instance with the states of its
diagram's elements.

Every read of instances takes the admin's scope (workflows.admin_scope.instance_scope, an SQL
condition): lists and counts hold only the instances of nominations now in the admin's
subtrees, and one out of scope is not found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, defer

from engine import definitions
from engine.diff import Change, Detail, VersionDiff, diff_versions
from engine.errors import NotFound
from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow
from web import audit_queries
from web.i18n import known, t
from workflows.models import Nomination
from workflows.retry_data import RetryDataRefused

STATUSES = ("active", "suspended", "error", "completed")
USE_NAMES = {
    "active": "running",
    "suspended": "suspended",
    "error": "in_error",
    "completed": "finished",
}
VERSION_FIELDS = ("key", "version", "process_id", "sha256", "deployed_by", "deployed_at", "comment")


# -- versions -----------------------------------------------------------------------------


def version_fields(row: DefinitionVersion) -> dict[str, Any]:
    return {name: getattr(row, name) for name in VERSION_FIELDS}


def uses(
    session: Session, scope: ColumnElement[bool], definition_id: int | None = None
) -> Mapping[int, dict[str, int]]:
    """Instances in scope per version by status: running, suspended, in error, finished."""
    query = (
        select(Instance.definition_id, Instance.status, func.count())
        .where(scope)
        .group_by(Instance.definition_id, Instance.status)
    )
    if definition_id is not None:
        query = query.where(Instance.definition_id == definition_id)
    found: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(USE_NAMES.values(), 0)
    )
    for version_id, status, count in session.execute(query):
        if status in USE_NAMES:
            found[version_id][USE_NAMES[status]] = count
    return found


def definitions_with_versions(session: Session, scope: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Every deployed definition with its versions, newest first, and how many of the
    instances in `scope` use each (definitions are national, instances are not)."""
    counts = uses(session, scope)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in session.scalars(
        select(DefinitionVersion)
        .options(defer(DefinitionVersion.sources))
        .order_by(DefinitionVersion.key, DefinitionVersion.version.desc())
    ):
        grouped[row.key].append({**version_fields(row), **counts[row.id]})
    return [
        {"key": key, "latest_version": versions[0]["version"], "versions": versions}
        for key, versions in grouped.items()
    ]


def version_diff(
    session: Session, key: str, number: int, against: int | None = None
) -> tuple[DefinitionVersion, DefinitionVersion | None, VersionDiff | None]:
    """Version `number` of `key`, the one it is compared with (`against`, else the one
    before it; None for a first version) and the difference. NotFound for either missing."""
    row = _version(session, key, number)
    if against is None:
        if number <= 1:
            return row, None, None
        against = number - 1
    other = _version(session, key, against)
    return row, other, diff_versions(other.sources, row.sources)


def _version(session: Session, key: str, number: int) -> DefinitionVersion:
    try:
        return definitions.get_version(session, key, number)
    except NotFound:
        raise NotFound(t("definition_not_found", definition=key, version=number)) from None


def diff_json(diff: VersionDiff) -> dict[str, Any]:
    return {
        "layout_only": diff.layout_only,
        "unchanged": diff.unchanged,
        "files_added": diff.files_added,
        "files_removed": diff.files_removed,
        "changes": [
            {
                "kind": c.kind,
                "element_id": c.element_id,
                "element_type": c.element_type,
                "name": c.name,
                "file": c.file,
                "decision": c.parent or None,
                "details": [
                    {"what": d.what, "property": d.key or None, "old": d.old, "new": d.new}
                    for d in c.details
                ],
                "text": change_text(c),
            }
            for c in diff.changes
        ],
    }


def change_title(change: Change) -> str:
    """ "Added userTask «Kiểm tra» (check)", in the reader's language."""
    name = f" «{change.name}»" if change.name else ""
    parent = f" — {t('diff_in_decision', decision=change.parent)}" if change.parent else ""
    kind = t(f"diff_{change.kind}")
    return f"{kind} {_type(change.element_type)}{name} ({change.element_id}){parent}"


def detail_text(detail: Detail) -> str:
    key = f"diff_what_{detail.what}"
    label = t(key) if known(key) else detail.what
    if detail.key:
        label = f"{label} {detail.key!r}"
    if not detail.old:
        return f"{label}: {_quote(detail.new)}"
    if not detail.new:
        return f"{label}: {_quote(detail.old)} → {t('diff_nothing')}"
    return f"{label}: {_quote(detail.old)} → {_quote(detail.new)}"


def change_text(change: Change) -> str:
    lines = [change_title(change), *(detail_text(d) for d in change.details)]
    return "\n".join(lines)


def _type(element_type: str) -> str:
    key = f"diff_type_{element_type}"
    return f"{t(key)} ({element_type})" if known(key) else element_type


def _quote(value: str) -> str:
    return f"«{value}»"


# -- instances ----------------------------------------------------------------------------


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


def instance_items(session: Session, instances: Sequence[Instance]) -> list[dict[str, Any]]:
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
    items = []
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
) -> dict[str, Any] | None:
    """One instance as the admin sees it: its row, nomination, open tasks, audited history
    and the states of its diagram's elements; None when there is no such instance in scope."""
    instance = session.scalars(
        select(Instance).options(defer(Instance.state)).where(Instance.id == instance_id, scope)
    ).first()
    if instance is None:
        return None
    item = instance_items(session, [instance])[0]
    version = session.get_one(DefinitionVersion, instance.definition_id)
    events = audit_queries.views(
        session,
        session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        ),
    )
    path = audit_queries.path_of(session, instance_id, events)
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
