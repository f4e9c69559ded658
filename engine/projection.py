"""The human-task projection: one row per user/manual task, kept in step with the workflow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.models import TaskRow, table_of
from engine.parsing import form_of
from engine.ports import HumanTask

READY, COMPLETED, CANCELLED = "ready", "completed", "cancelled"


TASKS = table_of(TaskRow)
Row = Mapping[Any, Any]  # a RowMapping or a dict of column values
# Built once: constructing and cache-keying a statement costs more than running it on SQLite.
_OPEN_TASKS = select(TASKS).where(
    TASKS.c.instance_id == bindparam("instance_id"), TASKS.c.state == READY
)
_SET_DUE = update(TASKS).where(TASKS.c.id == bindparam("task_id")).values(due_at=bindparam("due"))
_CLOSE = (
    update(TASKS)
    .where(TASKS.c.id == bindparam("task_id"))
    .values(
        state=bindparam("new_state"), completed_at=bindparam("at"), completed_by=bindparam("by")
    )
)
_INSERT = insert(TASKS)


def open_tasks(session: Session, instance_id: int) -> list[Row]:
    rows = session.connection().execute(_OPEN_TASKS, {"instance_id": instance_id}).mappings()
    return list(rows)


def sync_tasks(
    session: Session,
    instance_id: int,
    business_key: str,
    workflow: BpmnWorkflow,
    now: datetime,
    completed_by: Mapping[str, str],
    scope_key: str,
    assignee_key: str,
) -> list[HumanTask]:
    """Bring the instance's rows in line with its ready human tasks; return those tasks.

    Core statements rather than the ORM: this runs in every change and is the hot path.
    """
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    connection = session.connection()
    views: list[HumanTask] = []
    for row in open_tasks(session, instance_id):
        task = ready.pop(row["id"], None)
        if task is not None:
            values = dict(row)
            due = due_at(task)
            if due != values["due_at"]:
                connection.execute(_SET_DUE, {"task_id": row["id"], "due": due})
                values["due_at"] = due
            views.append(human_task(task, values))
            continue
        state = COMPLETED if _state_of(workflow, row["id"]) == TaskState.COMPLETED else CANCELLED
        by = completed_by.get(row["id"], "system")
        connection.execute(_CLOSE, {"task_id": row["id"], "new_state": state, "at": now, "by": by})
    new_rows = [
        {
            "id": task_id,
            "instance_id": instance_id,
            "business_key": business_key,
            "bpmn_id": task.task_spec.bpmn_id or task.task_spec.name,
            "form": form_of(task.task_spec),
            "title": (task.task_spec.bpmn_name or task.task_spec.bpmn_id or "")[:300],
            "lane": task.task_spec.lane,
            "org_scope": _text(task.data.get(scope_key)),
            "assignee": _text(task.data.get(assignee_key)),
            "state": READY,
            "created_at": now,
            "due_at": due_at(task),
            "completed_at": None,
            "completed_by": None,
        }
        for task_id, task in ready.items()
    ]
    if new_rows:
        connection.execute(_INSERT, new_rows)
        views.extend(human_task(ready[row["id"]], row) for row in new_rows)
    return views


def human_task(task: Task, row: Row) -> HumanTask:
    return HumanTask(
        id=row["id"],
        instance_id=row["instance_id"],
        business_key=row["business_key"],
        bpmn_id=row["bpmn_id"],
        form=row["form"],
        title=row["title"],
        lane=row["lane"],
        org_scope=row["org_scope"],
        assignee=row["assignee"],
        due_at=row["due_at"],
        data=task.data,
    )


def due_at(task: Task) -> datetime | None:
    """The earliest timer on the task's boundary: its service-level deadline.

    A multi-instance child (one ballot) takes the boundary of the activity it belongs to.
    """
    for _ in range(2):
        parent = task.parent
        if parent is None:
            return None
        if isinstance(parent.task_spec, BoundaryEventSplit):
            times = [t for t in (_timer_due(s) for s in parent.children if s is not task) if t]
            return min(times, default=None)
        task = parent
    return None


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    times = [t for t in (_timer_due(task) for task in workflow.event_manager.tasks.values()) if t]
    return min(times, default=None)


def _timer_due(task: Task) -> datetime | None:
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition) or task.state != TaskState.WAITING:
        return None
    value: Any = task._get_internal_data("event_value")
    if isinstance(definition, CycleTimerEventDefinition):
        value = value.get("next") if isinstance(value, dict) else None
    if not isinstance(value, str):
        return None
    due: datetime = TimerEventDefinition.get_datetime(value)
    return due


def _state_of(workflow: BpmnWorkflow, task_id: str) -> int | None:
    try:
        return int(workflow.get_task_from_id(UUID(task_id)).state)
    except TaskNotFoundException:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
