"""Bringing an instance back for a change: its row, its workflow (as the last commit left it
in the cache, or restored from its stored state), a ready task of it, and the view a caller
gets of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import serialization
from engine.definitions import SpecCache
from engine.errors import Conflict
from engine.instance_rows import STATE, InstanceRecord, read_record
from engine.ports import HumanTask, InstanceView
from engine.projection import human_task, open_tasks
from engine.sandbox import SandboxedScriptEngine
from engine.workflow_cache import WorkflowCache


class Loader:
    def __init__(
        self,
        specs: SpecCache,
        workflows: WorkflowCache,
        script_engine: Callable[[], SandboxedScriptEngine],
    ) -> None:
        self.specs = specs
        self.workflows = workflows
        self.script_engine = script_engine

    def load(self, session: Session, where: Any) -> tuple[InstanceRecord, BpmnWorkflow]:
        instance = read_record(session, where)
        return instance, self.restore(session, instance)

    def restore(self, session: Session, instance: InstanceRecord) -> BpmnWorkflow:
        assert instance.id is not None
        workflow = self.workflows.take(instance.id, instance.lock_version)
        if workflow is None:
            state = session.connection().execute(STATE, {"instance_id": instance.id}).scalar_one()
            parsed = self.specs.get(session, instance.definition_id).parsed
            workflow = serialization.restore(state, parsed.spec, parsed.subprocess_specs)
            # SpiffWorkflow does not serialise the script engine: set the sandbox every time.
            workflow.script_engine = self.script_engine()
        return workflow

    def view(
        self,
        session: Session,
        instance: InstanceRecord,
        workflow: BpmnWorkflow,
        ready: list[HumanTask] | None = None,
    ) -> InstanceView:
        assert instance.id is not None
        version = self.specs.get(session, instance.definition_id)
        if ready is None:
            rows = open_tasks(session, instance.id)
            ready = [human_task(workflow.get_task_from_id(UUID(r["id"])), r) for r in rows]
        return InstanceView(
            id=instance.id,
            business_key=instance.business_key,
            definition_key=version.key,
            definition_version=version.version,
            status=instance.status,
            data=dict(workflow.last_task.data) if workflow.last_task else {},
            ready_tasks=ready,
            error_element=instance.error_element,
            error_message=instance.error_message,
        )


def ready_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, TaskNotFoundException):
        task = None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict("task_not_ready", task=task_id)
    return task
