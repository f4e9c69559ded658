"""The engine: start instances, complete human tasks, deliver messages, fire timers, retry.

Every change is one database transaction: load → authorise → validate data → run →
`do_engine_steps` → save state, task projection, audit events and next timer → commit.
A second writer on the same instance gets `Conflict`, never a lost update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit, clock, context, definitions, serialization
from engine.administration import Administration
from engine.anchoring import AnchorSink, anchor_after_commit
from engine.audit import PendingEvent
from engine.clock import FixedClock, SystemClock
from engine.errors import (
    Conflict,
    EngineError,
    ListRefused,
    NotFound,
    NotWaiting,
)
from engine.instance_rows import (
    ACTIVE,
    COMPLETED,
    ERROR,
    INSTANCES,
    SUSPENDED,
    TASK_WITH_INSTANCE,
    InstanceRecord,
    insert_row,
    refuse_inactive,
    status_name,
    update_row,
)
from engine.loading import Loader, ready_task
from engine.ports import (
    ChangeListener,
    Clock,
    CompletedTask,
    FormCatalog,
    InstanceView,
    RoleCatalog,
    ScriptHelpers,
    TaskCompletion,
    TaskDataValidator,
    TaskGuard,
)
from engine.projection import human_task, next_timer_at, sync_tasks
from engine.sandbox import DEFAULT_STEP_BUDGET, Limits, SandboxedScriptEngine
from engine.stepping import Change, run_steps
from engine.workflow_cache import WorkflowCache


class Engine(Administration):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        roles: RoleCatalog,
        guard: TaskGuard,
        validator: TaskDataValidator,
        helpers: ScriptHelpers | None = None,
        clock: Clock | None = None,
        scope_key: str = "org_id",
        assignee_key: str = "assignee",
        step_budget: int = DEFAULT_STEP_BUDGET,
        specs: definitions.SpecCache | None = None,
        listeners: Sequence[ChangeListener] = (),
        forms: FormCatalog | None = None,
        anchors: AnchorSink | None = None,
    ) -> None:
        self.sessions = sessions
        self.roles = roles
        self.forms = forms
        self.guard = guard
        self.validator = validator
        self.helpers = dict(helpers or {})
        self.clock = clock or SystemClock()
        self.scope_key = scope_key
        self.assignee_key = assignee_key
        self.step_budget = step_budget
        self.specs = specs or definitions.SpecCache()
        self._workflows = WorkflowCache()
        self._loader = Loader(self.specs, self._workflows, self._script_engine)
        # The batch (its session) this engine's changes join in the running context.
        self._batch: ContextVar[Session | None] = ContextVar(
            f"laurel_batch_{id(self)}", default=None
        )
        self.listeners = list(listeners)
        self.anchors = anchors  # where each deploy's chain head is recorded, outside the db

    # -- definitions -------------------------------------------------------------------

    def deploy(
        self,
        files: Mapping[str, bytes],
        *,
        deployed_by: str,
        key: str | None = None,
        comment: str = "",
    ) -> definitions.DeployResult:
        with self._transaction() as session:
            result = definitions.deploy(
                session,
                self.roles,
                files,
                forms=self.forms,
                deployed_by=deployed_by,
                at=self.clock.now(),
                key=key,
                comment=comment,
            )
            if result.created and self.anchors is not None:
                anchor_after_commit(session, self.anchors, self.clock.now())
            return result

    # -- instances ---------------------------------------------------------------------

    def start(
        self,
        key: str,
        business_key: str,
        data: Mapping[str, Any] | None = None,
        *,
        actor: str,
        audit_payload: Mapping[str, Any] | None = None,
        prepare: Callable[[Session], Mapping[str, Any]] | None = None,
    ) -> InstanceView:
        """Start the newest version of definition `key`; the instance keeps that version.

        `prepare` runs first in the same transaction and returns more initial data: the
        domain creates its own record of the case there, so both exist or neither does.
        """
        with self._transaction() as session:
            version = self.specs.get(session, definitions.newest_id(session, key))
            parsed = version.parsed
            data = {**(data or {}), **(prepare(session) if prepare else {})}
            workflow = BpmnWorkflow(
                parsed.spec, parsed.subprocess_specs, script_engine=self._script_engine()
            )
            # Initial data goes on the start task, from where it flows down the tree.
            workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
            change = Change()
            change.events.append(
                PendingEvent(
                    actor,
                    "instance.started",
                    payload={
                        "business_key": business_key,
                        "definition": key,
                        "version": version.version,
                        **dict(audit_payload or {"data": data}),
                    },
                )
            )
            instance = InstanceRecord(None, version.id, business_key, ACTIVE, 0)
            self._advance(instance, workflow, change)
            return self._save(session, instance, workflow, change)

    def complete_task(
        self,
        task_id: str,
        actor: str,
        data: Mapping[str, Any] | None = None,
        *,
        audit_payload: Mapping[str, Any] | None = None,
    ) -> InstanceView:
        """Complete a ready human task as `actor` with `data`.

        `audit_payload` replaces the data in the audit event where the data must not be
        kept there in the clear (a secret ballot, say).
        """
        with self._transaction() as session:
            item = TaskCompletion(task_id, data or {}, audit_payload=audit_payload)
            return self._complete(session, item, actor)

    def complete_tasks(
        self,
        items: Sequence[TaskCompletion],
        actor: str,
        then: Callable[[Session, list[InstanceView]], list[PendingEvent]] | None = None,
    ) -> list[InstanceView]:
        """Complete a list of tasks as `actor`, all or nothing, in one transaction: each
        instance's lock is checked (against `expected_version` too, when given), every row
        is tried in a savepoint, and if any is refused ListRefused names each refused row
        and nothing is recorded. `then` runs after the rows, in the transaction: the domain's
        own record of the list (a tờ trình carrying the forwarded rows), with its events."""
        with self._transaction() as session:
            views: list[InstanceView] = []
            events: list[PendingEvent] = []
            refused: dict[str, EngineError] = {}
            for item in items:
                try:
                    with session.begin_nested():
                        row_events: list[PendingEvent] = []
                        views.append(self._complete(session, item, actor, row_events))
                    events.extend(row_events)
                except EngineError as exc:
                    refused[item.task_id] = exc
            if refused:
                raise ListRefused(refused)
            if then is not None:
                events.extend(then(session, views))
            # One append after every row lock, as a single change takes the chain lock last.
            audit.record(session, self.clock.now(), events)
            return views

    def _complete(
        self,
        session: Session,
        item: TaskCompletion,
        actor: str,
        audit_later: list[PendingEvent] | None = None,
    ) -> InstanceView:
        found = (
            session.connection()
            .execute(TASK_WITH_INSTANCE, {"task_id": item.task_id})
            .mappings()
            .first()
        )
        if found is None:
            raise NotFound("task_not_found", task=item.task_id)
        if found["state"] != "ready":
            raise Conflict(
                "task_not_ready",
                task=found["bpmn_id"],
                state=found["state"],
                by=found["completed_by"] or "",
            )
        instance = InstanceRecord.of(found)
        if instance.status != ACTIVE:
            refuse_inactive(instance)
        if item.expected_version not in (None, instance.lock_version):
            raise Conflict("instance_changed", instance=instance.business_key)
        workflow = self._loader.restore(session, instance)
        task = ready_task(workflow, item.task_id)
        view = human_task(task, found)
        self.guard.authorize(actor, view)
        cleaned = self.validator.clean(view, item.data)
        task.data.update(cleaned)
        change = Change(completed=CompletedTask(view, actor, cleaned, dict(item.data)))
        assert change.completed is not None
        change.events.append(
            PendingEvent(
                actor,
                "task.completed",
                instance.id,
                item.task_id,
                {
                    "bpmn_id": view.bpmn_id,
                    "lane": view.lane,
                    "org_scope": view.org_scope,
                    **dict(item.audit_payload or {"data": cleaned}),
                },
                org_scope=view.org_scope,
            )
        )
        for listener in self.listeners:
            change.events.extend(listener.completing(session, change.completed))
        self._advance(instance, workflow, change, first=task.run)
        return self._save(session, instance, workflow, change, audit_later=audit_later)

    def deliver_message(
        self,
        business_key: str | Callable[[Session], str],
        name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        actor: str,
    ) -> InstanceView:
        """Deliver message `name` to the instance with `business_key`.

        `business_key` may be a function that finds it in the same transaction: the domain
        looks up its case and checks who may send the message there (raising refuses it), so
        the check and the change see one state.
        """
        with self._transaction() as session:
            if callable(business_key):
                business_key = business_key(session)
            instance, workflow = self._loader.load(
                session, INSTANCES.c.business_key == business_key
            )
            if instance.status == SUSPENDED:
                refuse_inactive(instance)
            if instance.status != ACTIVE:
                raise NotWaiting(
                    "instance_waits_for_nothing",
                    instance=business_key,
                    status=status_name(instance),
                )
            event = BpmnEvent(MessageEventDefinition(name), dict(payload or {}))
            change = Change()
            change.events.append(
                PendingEvent(
                    actor,
                    "message.delivered",
                    instance.id,
                    payload={"message": name, "payload": dict(payload or {})},
                )
            )

            def send() -> None:
                try:
                    workflow.send_event(event)
                except WorkflowException as exc:
                    raise NotWaiting(
                        "instance_not_waiting_for", instance=business_key, message=name
                    ) from exc

            self._advance(instance, workflow, change, first=send)
            return self._save(session, instance, workflow, change)

    def fire_due_timers(self, as_of: datetime | None = None, limit: int = 500) -> int:
        """Run every instance whose next timer is due at `as_of`; returns how many ran.

        Each instance is its own transaction; on PostgreSQL rows are claimed with
        `FOR UPDATE SKIP LOCKED`, so several workers never fire one timer twice.
        """
        as_of = as_of or self.clock.now()
        fired = 0
        while fired < limit:
            with self._transaction() as session:
                query = (
                    select(INSTANCES.c.id)
                    .where(
                        INSTANCES.c.status == ACTIVE,
                        INSTANCES.c.next_timer_at.is_not(None),
                        INSTANCES.c.next_timer_at <= as_of,
                    )
                    .order_by(INSTANCES.c.next_timer_at)
                    .limit(1)
                )
                if session.get_bind().dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                instance_id = session.scalar(query)
                if instance_id is None:
                    return fired
                instance, workflow = self._loader.load(session, INSTANCES.c.id == instance_id)
                change = Change()
                self._advance(instance, workflow, change, as_of=as_of)
                self._save(session, instance, workflow, change, as_of=as_of)
                fired += 1
        return fired

    def get_instance(self, instance_id: int) -> InstanceView:
        with self._transaction() as session:
            instance, workflow = self._loader.load(session, INSTANCES.c.id == instance_id)
            return self._loader.view(session, instance, workflow)

    # -- the run ---------------------------------------------------------------------

    def _script_engine(self) -> SandboxedScriptEngine:
        return SandboxedScriptEngine(helpers=self.helpers, limits=Limits(steps=self.step_budget))

    def _advance(
        self,
        instance: InstanceRecord,
        workflow: BpmnWorkflow,
        change: Change,
        first: Callable[[], Any] | None = None,
        as_of: datetime | None = None,
    ) -> None:
        """Run `first` (a task completion, a message) and every engine step it unlocks
        (engine.stepping); a script failure is kept in `change.error`, to be saved."""
        error = run_steps(
            workflow,
            (instance.id, instance.business_key),
            FixedClock(as_of) if as_of else self.clock,
            change.events,
            self.specs.interrupting(workflow.spec),
            first,
        )
        if error is not None:
            change.error = error

    def _save(
        self,
        session: Session,
        instance: InstanceRecord,
        workflow: BpmnWorkflow,
        change: Change,
        as_of: datetime | None = None,
        audit_later: list[PendingEvent] | None = None,
    ) -> InstanceView:
        """Store the change: the instance row (its lock checked), its tasks, and its audit
        events (into `audit_later` instead, for a list change to append them all at once)."""
        now = as_of or self.clock.now()
        previous = instance.status
        if change.error is not None:
            instance.status = ERROR
            instance.error_element = change.error.element_id or None
            instance.error_message = str(change.error)
            change.events.append(
                PendingEvent(
                    "system",
                    "instance.error",
                    payload={"element": change.error.element_id, "message": str(change.error)},
                )
            )
        elif previous != SUSPENDED:  # a suspended instance stays so until `resume`
            instance.status = COMPLETED if workflow.is_completed() else ACTIVE
            instance.error_element = instance.error_message = None
            if instance.status == COMPLETED and previous != COMPLETED:
                change.events.append(PendingEvent("system", "instance.completed"))
        values = {
            "definition_id": instance.definition_id,  # changes only when migrated
            "status": instance.status,
            "state": serialization.dump(workflow),
            "next_timer_at": next_timer_at(workflow) if instance.status == ACTIVE else None,
            "error_element": instance.error_element,
            "error_message": instance.error_message,
            "updated_at": now,
            "lock_version": instance.lock_version + 1,
        }
        connection = session.connection()
        if instance.id is None:
            values.update(
                business_key=instance.business_key,
                created_at=now,
            )
            instance.id = insert_row(connection, instance, values)
        else:
            update_row(connection, instance, values)
        instance.lock_version += 1
        instance_id = instance.id
        session.info.setdefault("laurel.after_commit", []).append(
            lambda: self._workflows.put(instance_id, instance.lock_version, workflow)
        )
        ready = sync_tasks(
            session,
            instance_id,
            instance.business_key,
            workflow,
            now,
            change.completed_by,
            self.scope_key,
            self.assignee_key,
        )
        view = self._loader.view(session, instance, workflow, ready)
        for listener in self.listeners:
            listener.changed(session, view, change.completed)
        # Last: on PostgreSQL this takes the chain lock, held until commit; taking it after
        # every row lock of the change keeps the lock order the same in every transaction.
        # Events without a scope of their own belong to the instance's current organisation.
        scope = view.data.get(self.scope_key)
        events = [
            replace(
                e,
                instance_id=instance_id if e.instance_id is None else e.instance_id,
                org_scope=e.org_scope or (None if scope is None else str(scope)),
            )
            for e in change.events
        ]
        if audit_later is None:
            audit.record(session, self.clock.now(), events)
        else:
            audit_later.extend(events)
        return view

    @contextmanager
    def batch(self) -> Iterator[Session]:
        """One transaction for several changes and the caller's own rows: each change this
        engine makes in the block joins it in a savepoint, and every audit event recorded
        in it (audit.record) is chained when the block ends, after every row lock, as in a
        single change. Rolled back whole if the block raises."""
        if self._batch.get() is not None:
            raise RuntimeError("engine batches do not nest")
        with self._transaction() as session:
            session.info[audit.DEFERRED] = []
            token = self._batch.set(session)
            try:
                yield session
            finally:
                self._batch.reset(token)
            audit.append(session, self.clock.now(), session.info.pop(audit.DEFERRED))

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        batch = self._batch.get()
        if batch is not None:
            with batch.begin_nested():
                yield batch
            return
        with self.sessions() as session:
            # The run's clock for everything in the change, domain listeners included.
            with session.begin(), context.bound(session), clock.using(self.clock):
                yield session
            for callback in session.info.pop("laurel.after_commit", []):
                callback()
