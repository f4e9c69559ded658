"""What an administrator does to a running instance: run it again from the task that failed,
suspend and resume it, move it to another version of its definition. Each is one change of
the engine's, with its audit event (the methods of Engine, kept here by theme)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import audit, definitions, migration
from engine.audit import PendingEvent
from engine.definitions import SpecCache
from engine.errors import Conflict, MigrationRefused
from engine.instance_rows import (
    ACTIVE,
    ERROR,
    INSTANCES,
    SUSPENDED,
    InstanceRecord,
    read_record,
    status_name,
    update_row,
)
from engine.loading import Loader
from engine.ports import Clock, InstanceView
from engine.projection import open_tasks
from engine.sandbox import SandboxedScriptEngine
from engine.stepping import Change


class _Core(Protocol):
    """The parts of Engine these changes are made with."""

    clock: Clock
    specs: SpecCache
    _loader: Loader

    def _transaction(self) -> AbstractContextManager[Session]: ...

    def _script_engine(self) -> SandboxedScriptEngine: ...

    def _advance(
        self,
        instance: InstanceRecord,
        workflow: BpmnWorkflow,
        change: Change,
        first: Callable[[], Any] | None = None,
        as_of: datetime | None = None,
    ) -> None: ...

    def _save(
        self,
        session: Session,
        instance: InstanceRecord,
        workflow: BpmnWorkflow,
        change: Change,
        as_of: datetime | None = None,
        audit_later: list[PendingEvent] | None = None,
    ) -> InstanceView: ...


class Administration:
    def retry(
        self: _Core, instance_id: int, actor: str, data: Mapping[str, Any] | None = None
    ) -> InstanceView:
        """Run an instance in `error` again from the failed task, optionally with fixed data."""
        with self._transaction() as session:
            instance, workflow = self._loader.load(session, INSTANCES.c.id == instance_id)
            if instance.status != ERROR:
                raise Conflict(
                    "instance_not_in_error",
                    instance=instance.business_key,
                    status=status_name(instance),
                )
            failed = workflow.get_tasks(state=TaskState.ERROR)
            for task in failed:
                task.data.update(data or {})
                task._set_state(TaskState.READY)
            change = Change()
            change.events.append(
                PendingEvent(
                    actor,
                    "instance.retried",
                    instance.id,
                    payload={
                        "failed_element": instance.error_element,
                        "error": instance.error_message,
                        "data": dict(data or {}),
                    },
                )
            )
            self._advance(instance, workflow, change)
            return self._save(session, instance, workflow, change)

    def suspend(self: _Core, instance_id: int, actor: str, reason: str = "") -> None:
        """Stop an active instance: its tasks cannot be completed, messages are refused and
        its timers wait, until `resume`. Nothing of the workflow changes."""
        with self._transaction() as session:
            instance = read_record(session, INSTANCES.c.id == instance_id)
            if instance.status != ACTIVE:
                raise Conflict(
                    "instance_not_active",
                    instance=instance.business_key,
                    status=status_name(instance),
                )
            values = {
                "status": SUSPENDED,
                "updated_at": self.clock.now(),
                "lock_version": instance.lock_version + 1,
            }
            update_row(session.connection(), instance, values)
            scope = next((t["org_scope"] for t in open_tasks(session, instance_id)), None)
            event = PendingEvent(
                actor,
                "instance.suspended",
                instance_id,
                payload={"reason": reason},
                org_scope=scope,
            )
            audit.record(session, self.clock.now(), [event])

    def resume(self: _Core, instance_id: int, actor: str) -> InstanceView:
        """Let a suspended instance go on; timers that fell due meanwhile fire now."""
        with self._transaction() as session:
            instance, workflow = self._loader.load(session, INSTANCES.c.id == instance_id)
            if instance.status != SUSPENDED:
                raise Conflict(
                    "instance_not_suspended",
                    instance=instance.business_key,
                    status=status_name(instance),
                )
            instance.status = ACTIVE
            change = Change()
            change.events.append(PendingEvent(actor, "instance.resumed", instance.id))
            self._advance(instance, workflow, change)
            return self._save(session, instance, workflow, change)

    def migrate(
        self: _Core, instance_id: int, actor: str, to_version: int | None = None
    ) -> InstanceView:
        """Move a running (or suspended) instance onto another version of its definition,
        the newest by default, when engine.migration finds it safe; MigrationRefused with
        the reasons otherwise, and nothing changes."""
        with self._transaction() as session:
            instance, workflow = self._loader.load(session, INSTANCES.c.id == instance_id)
            if instance.status not in (ACTIVE, SUSPENDED):
                raise Conflict(
                    "instance_not_running",
                    instance=instance.business_key,
                    status=status_name(instance),
                )
            current = self.specs.get(session, instance.definition_id)
            target_id = (
                definitions.get_version(session, current.key, to_version).id
                if to_version is not None
                else definitions.newest_id(session, current.key)
            )
            if target_id == instance.definition_id:
                raise Conflict(
                    "instance_on_version", instance=instance.business_key, version=current.version
                )
            target = self.specs.get(session, target_id)
            plan = migration.plan(workflow, target.parsed)
            if not plan.safe:
                raise MigrationRefused(plan.refusals)
            migration.apply(plan)
            instance.definition_id = target_id
            change = Change()
            change.events.append(
                PendingEvent(
                    actor,
                    "instance.migrated",
                    instance.id,
                    payload={
                        "key": current.key,
                        "from_version": current.version,
                        "to_version": target.version,
                    },
                )
            )
            if instance.status == ACTIVE:
                self._advance(instance, workflow, change)
            return self._save(session, instance, workflow, change)
