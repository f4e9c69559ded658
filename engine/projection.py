"""The human-task projection: one row per user/manual task, kept in step with the workflow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.models import Instance, TaskRow
from engine.ports import HumanTask

READY, COMPLETED, CANCELLED = "ready", "completed", "cancelled"


def sync_tasks(
    session: Session,
    instance: Instance,
    workflow: BpmnWorkflow,
    now: datetime,
    completed_by: Mapping[str, str],
    scope_key: str,
    assignee_key: str,
) -> list[TaskRow]:
    """Bring the instance's rows in line with its ready human tasks; return the ready rows."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    open_rows = session.scalars(
        select(TaskRow).where(TaskRow.instance_id == instance.id, TaskRow.state == READY)
    ).all()
    rows = []
    for row in open_rows:
        task = ready.pop(row.id, None)
        if task is not None:
            row.due_at = due_at(task)
            rows.append(row)
            continue
        row.state = COMPLETED if _state_of(workflow, row.id) == TaskState.COMPLETED else CANCELLED
        row.completed_at = now
        row.completed_by = completed_by.get(row.id, "system")
    for task_id, task in ready.items():
        row = TaskRow(
            id=task_id,
            instance_id=instance.id,
            business_key=instance.business_key,
            bpmn_id=task.task_spec.bpmn_id or task.task_spec.name,
            title=(task.task_spec.bpmn_name or task.task_spec.bpmn_id or "")[:300],
            lane=task.task_spec.lane,
            org_scope=_text(task.data.get(scope_key)),
            assignee=_text(task.data.get(assignee_key)),
            state=READY,
            created_at=now,
            due_at=due_at(task),
        )
        session.add(row)
        rows.append(row)
    return rows


def human_task(task: Task, row: TaskRow) -> HumanTask:
    return HumanTask(
        id=row.id,
        instance_id=row.instance_id,
        business_key=row.business_key,
        bpmn_id=row.bpmn_id,
        title=row.title,
        lane=row.lane,
        org_scope=row.org_scope,
        assignee=row.assignee,
        due_at=row.due_at,
        data=task.data,
    )


def due_at(task: Task) -> datetime | None:
    """The earliest timer on the task's boundary: its service-level deadline."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    times = [t for t in (_timer_due(s) for s in parent.children if s is not task) if t]
    return min(times, default=None)


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
    return TimerEventDefinition.get_datetime(value)


def _state_of(workflow: BpmnWorkflow, task_id: str) -> int | None:
    try:
        return int(workflow.get_task_from_id(UUID(task_id)).state)
    except TaskNotFoundException:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
