"""The engine: start instances, complete human tasks, deliver messages, fire timers, retry.

Every change is one database transaction: load → authorise → validate data → run →
`do_engine_steps` → save state, task projection, audit events and next timer → commit.
A second writer on the same instance gets `Conflict`, never a lost update.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import (
    SpiffWorkflowException,
    TaskNotFoundException,
    WorkflowException,
)
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit, clock, context, definitions, migration, serialization
from engine.anchoring import AnchorSink, anchor_after_commit
from engine.audit import PendingEvent
from engine.clock import FixedClock, SystemClock
from engine.errors import (
    BudgetExceeded,
    Conflict,
    EngineError,
    MigrationRefused,
    NotFound,
    NotWaiting,
    ScriptError,
    Suspended,
)
from engine.models import Instance, table_of
from engine.ports import (
    ChangeListener,
    Clock,
    CompletedTask,
    FormCatalog,
    HumanTask,
    InstanceView,
    RoleCatalog,
    ScriptHelpers,
    TaskDataValidator,
    TaskGuard,
)
from engine.projection import TASKS, human_task, next_timer_at, open_tasks, sync_tasks
from engine.sandbox import DEFAULT_STEP_BUDGET, Limits, SandboxedScriptEngine

# SpiffWorkflow 3.2's task iterator stops descending at depth 1000 and then reports the
# workflow as finished. Refuse well before that, with a message saying why.
MAX_TREE_DEPTH = 900
# Tasks the engine may run by itself in one go: a loop of gateways without scripts
# never touches the script step budget, so it is bounded here.
MAX_ENGINE_TASKS_PER_RUN = 5000

ACTIVE, COMPLETED, ERROR = "active", "completed", "error"
# Set by an administrator: no task completion, message or timer until resumed.
SUSPENDED = "suspended"

INSTANCES = table_of(Instance)
# Labelled, because the task inbox row they are joined to has an `id` and a `state` too.
_INSTANCE_COLUMNS = [
    INSTANCES.c[name].label(f"i_{name}")
    for name in (
        "id",
        "definition_id",
        "business_key",
        "status",
        "lock_version",
        "error_element",
        "error_message",
    )
]


_TASK_WITH_INSTANCE = (
    select(TASKS, *_INSTANCE_COLUMNS)
    .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
    .where(TASKS.c.id == bindparam("task_id"))
)
_STATE = select(INSTANCES.c.state).where(INSTANCES.c.id == bindparam("instance_id"))
_INSERT_INSTANCE = insert(INSTANCES).returning(INSTANCES.c.id)
# The optimistic lock: the row must still be at the version we loaded.
_UPDATE_INSTANCE = update(INSTANCES).where(
    INSTANCES.c.id == bindparam("instance_id"),
    INSTANCES.c.lock_version == bindparam("loaded_version"),
)


@dataclass
class _Record:
    """An instance row as the runtime works on it (Core, not the ORM: this is the hot path)."""

    id: int | None
    definition_id: int
    business_key: str
    status: str
    lock_version: int
    error_element: str | None = None
    error_message: str | None = None

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> _Record:
        return cls(*(row[c.name] for c in _INSTANCE_COLUMNS))


@dataclass
class _Change:
    """What one run produced, gathered for the save step."""

    events: list[PendingEvent] = field(default_factory=list)
    completed: CompletedTask | None = None
    error: ScriptError | None = None

    @property
    def completed_by(self) -> dict[str, str]:
        return {self.completed.task.id: self.completed.actor} if self.completed else {}


class Engine:
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
        self._workflows = _WorkflowCache()
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
            change = _Change()
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
            instance = _Record(None, version.id, business_key, ACTIVE, 0)
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
            found = (
                session.connection()
                .execute(_TASK_WITH_INSTANCE, {"task_id": task_id})
                .mappings()
                .first()
            )
            if found is None:
                raise NotFound(f"no task {task_id}")
            if found["state"] != "ready":
                by = f" by {found['completed_by']}" if found["completed_by"] else ""
                raise Conflict(f"task {found['bpmn_id']} is already {found['state']}{by}")
            instance = _Record.of(found)
            if instance.status != ACTIVE:
                _refuse_inactive(instance)
            workflow = self._restore(session, instance)
            task = self._ready_task(workflow, task_id)
            view = human_task(task, found)
            self.guard.authorize(actor, view)
            cleaned = self.validator.clean(view, data or {})
            task.data.update(cleaned)
            change = _Change(completed=CompletedTask(view, actor, cleaned, dict(data or {})))
            assert change.completed is not None
            change.events.append(
                PendingEvent(
                    actor,
                    "task.completed",
                    instance.id,
                    task_id,
                    {
                        "bpmn_id": view.bpmn_id,
                        "lane": view.lane,
                        "org_scope": view.org_scope,
                        **dict(audit_payload or {"data": cleaned}),
                    },
                    org_scope=view.org_scope,
                )
            )
            for listener in self.listeners:
                change.events.extend(listener.completing(session, change.completed))
            self._advance(instance, workflow, change, first=task.run)
            return self._save(session, instance, workflow, change)

    def deliver_message(
        self,
        business_key: str,
        name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        actor: str,
    ) -> InstanceView:
        """Deliver message `name` to the instance with `business_key`."""
        with self._transaction() as session:
            instance, workflow = self._load(session, INSTANCES.c.business_key == business_key)
            if instance.status == SUSPENDED:
                _refuse_inactive(instance)
            if instance.status != ACTIVE:
                raise NotWaiting(
                    f"instance {business_key} is {instance.status} and waits for no message"
                )
            event = BpmnEvent(MessageEventDefinition(name), dict(payload or {}))
            change = _Change()
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
                        f"instance {business_key} is not waiting for message {name!r}"
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
                instance, workflow = self._load(session, INSTANCES.c.id == instance_id)
                change = _Change()
                self._advance(instance, workflow, change, as_of=as_of)
                self._save(session, instance, workflow, change, as_of=as_of)
                fired += 1
        return fired

    def retry(
        self, instance_id: int, actor: str, data: Mapping[str, Any] | None = None
    ) -> InstanceView:
        """Run an instance in `error` again from the failed task, optionally with fixed data."""
        with self._transaction() as session:
            instance, workflow = self._load(session, INSTANCES.c.id == instance_id)
            if instance.status != ERROR:
                raise Conflict(
                    f"instance {instance.business_key} is {instance.status}, not in error"
                )
            failed = workflow.get_tasks(state=TaskState.ERROR)
            for task in failed:
                task.data.update(data or {})
                task._set_state(TaskState.READY)
            change = _Change()
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

    def suspend(self, instance_id: int, actor: str, reason: str = "") -> None:
        """Stop an active instance: its tasks cannot be completed, messages are refused and
        its timers wait, until `resume`. Nothing of the workflow changes."""
        with self._transaction() as session:
            instance = self._record(session, instance_id)
            if instance.status != ACTIVE:
                raise Conflict(
                    f"instance {instance.business_key} is {instance.status}; "
                    "only an active instance can be suspended"
                )
            values = {
                "status": SUSPENDED,
                "updated_at": self.clock.now(),
                "lock_version": instance.lock_version + 1,
                "instance_id": instance_id,
                "loaded_version": instance.lock_version,
            }
            if session.connection().execute(_UPDATE_INSTANCE, values).rowcount != 1:
                raise Conflict(
                    f"instance {instance.business_key} was changed by someone else; "
                    "reload and retry"
                )
            scope = next((t["org_scope"] for t in open_tasks(session, instance_id)), None)
            event = PendingEvent(
                actor,
                "instance.suspended",
                instance_id,
                payload={"reason": reason},
                org_scope=scope,
            )
            audit.append(session, self.clock.now(), [event])

    def resume(self, instance_id: int, actor: str) -> InstanceView:
        """Let a suspended instance go on; timers that fell due meanwhile fire now."""
        with self._transaction() as session:
            instance, workflow = self._load(session, INSTANCES.c.id == instance_id)
            if instance.status != SUSPENDED:
                raise Conflict(
                    f"instance {instance.business_key} is {instance.status}, not suspended"
                )
            instance.status = ACTIVE
            change = _Change()
            change.events.append(PendingEvent(actor, "instance.resumed", instance.id))
            self._advance(instance, workflow, change)
            return self._save(session, instance, workflow, change)

    def migrate(self, instance_id: int, actor: str, to_version: int | None = None) -> InstanceView:
        """Move a running (or suspended) instance onto another version of its definition,
        the newest by default, when engine.migration finds it safe; MigrationRefused with
        the reasons otherwise, and nothing changes."""
        with self._transaction() as session:
            instance, workflow = self._load(session, INSTANCES.c.id == instance_id)
            if instance.status not in (ACTIVE, SUSPENDED):
                raise Conflict(
                    f"instance {instance.business_key} is {instance.status}; only a running "
                    "or suspended instance can move to another version"
                )
            current = self.specs.get(session, instance.definition_id)
            target_id = (
                definitions.get_version(session, current.key, to_version).id
                if to_version is not None
                else definitions.newest_id(session, current.key)
            )
            if target_id == instance.definition_id:
                raise Conflict(
                    f"instance {instance.business_key} is already on version {current.version}"
                )
            target = self.specs.get(session, target_id)
            plan = migration.plan(workflow, target.parsed)
            if not plan.safe:
                raise MigrationRefused(plan.refusals)
            migration.apply(plan)
            instance.definition_id = target_id
            change = _Change()
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

    def get_instance(self, instance_id: int) -> InstanceView:
        with self._transaction() as session:
            instance, workflow = self._load(session, INSTANCES.c.id == instance_id)
            return self._view(session, instance, workflow)

    # -- the run ---------------------------------------------------------------------

    def _script_engine(self) -> SandboxedScriptEngine:
        return SandboxedScriptEngine(helpers=self.helpers, limits=Limits(steps=self.step_budget))

    def _advance(
        self,
        instance: _Record,
        workflow: BpmnWorkflow,
        change: _Change,
        first: Callable[[], Any] | None = None,
        as_of: datetime | None = None,
    ) -> None:
        """Run `first` (a task completion, a message) and then every engine step it unlocks.

        A script failure does not escape: it is recorded in `change.error` and the
        workflow keeps the failed task in ERROR, so the instance is saved in `error`
        with everything that happened before the failure. Helpers learn which instance
        runs (context.instance()), so that they act on it alone.
        """
        engine = workflow.script_engine
        assert isinstance(engine, SandboxedScriptEngine)
        engine.start_run()
        steps = 0

        def count(task: Task) -> None:
            nonlocal steps
            steps += 1
            if steps > MAX_ENGINE_TASKS_PER_RUN:
                raise BudgetExceeded(
                    f"the process ran more than {MAX_ENGINE_TASKS_PER_RUN} steps without "
                    "waiting for a person, a message or a timer: is there an endless loop?"
                )
            if _is_timer(task):
                change.events.append(
                    PendingEvent(
                        "system",
                        "timer.fired",
                        task_id=str(task.id),
                        payload={"bpmn_id": task.task_spec.bpmn_id},
                    )
                )

        moment = FixedClock(as_of) if as_of else self.clock
        try:
            running = context.RunningInstance(
                instance.id, instance.business_key, lambda: _process_data(workflow)
            )
            with clock.using(moment), context.running(running):
                if first is not None:
                    first()
                workflow.refresh_timers()
                workflow.do_engine_steps(did_complete_task=count)
                if _interrupt(workflow, self.specs.interrupting(workflow.spec)):
                    workflow.do_engine_steps(did_complete_task=count)
            _check_depth(workflow)
        except (NotWaiting, Conflict):
            raise
        except (WorkflowTaskException, SpiffWorkflowException, EngineError) as exc:
            change.error = _script_error(exc)
            _mark_failed(workflow, exc)

    def _save(
        self,
        session: Session,
        instance: _Record,
        workflow: BpmnWorkflow,
        change: _Change,
        as_of: datetime | None = None,
    ) -> InstanceView:
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
            try:
                instance.id = connection.execute(_INSERT_INSTANCE, values).scalar_one()
            except IntegrityError as exc:
                raise Conflict(
                    f"an instance with business key {instance.business_key!r} exists"
                ) from exc
        else:
            values.update(instance_id=instance.id, loaded_version=instance.lock_version)
            updated = connection.execute(_UPDATE_INSTANCE, values)
            if updated.rowcount != 1:
                raise Conflict(
                    f"instance {instance.business_key} was changed by someone else; "
                    "reload and retry"
                )
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
        view = self._view(session, instance, workflow, ready)
        for listener in self.listeners:
            listener.changed(session, view, change.completed)
        # Last: on PostgreSQL this takes the chain lock, held until commit; taking it after
        # every row lock of the change keeps the lock order the same in every transaction.
        # Events without a scope of their own belong to the instance's current organisation.
        scope = view.data.get(self.scope_key)
        audit.append(
            session,
            now,
            [
                replace(
                    e,
                    instance_id=instance_id if e.instance_id is None else e.instance_id,
                    org_scope=e.org_scope or (None if scope is None else str(scope)),
                )
                for e in change.events
            ],
        )
        return view

    # -- loading ------------------------------------------------------------------------

    def _load(self, session: Session, where: Any) -> tuple[_Record, BpmnWorkflow]:
        found = (
            session.connection().execute(select(*_INSTANCE_COLUMNS).where(where)).mappings().first()
        )
        if found is None:
            raise NotFound("no such instance")
        instance = _Record.of(found)
        return instance, self._restore(session, instance)

    def _record(self, session: Session, instance_id: int) -> _Record:
        found = (
            session.connection()
            .execute(select(*_INSTANCE_COLUMNS).where(INSTANCES.c.id == instance_id))
            .mappings()
            .first()
        )
        if found is None:
            raise NotFound("no such instance")
        return _Record.of(found)

    def _restore(self, session: Session, instance: _Record) -> BpmnWorkflow:
        assert instance.id is not None
        workflow = self._workflows.take(instance.id, instance.lock_version)
        if workflow is None:
            state = session.connection().execute(_STATE, {"instance_id": instance.id}).scalar_one()
            parsed = self.specs.get(session, instance.definition_id).parsed
            workflow = serialization.restore(state, parsed.spec, parsed.subprocess_specs)
            # SpiffWorkflow does not serialise the script engine: set the sandbox every time.
            workflow.script_engine = self._script_engine()
        return workflow

    def _ready_task(self, workflow: BpmnWorkflow, task_id: str) -> Task:
        try:
            task = workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TaskNotFoundException):
            task = None
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise Conflict(f"task {task_id} is no longer ready")
        return task

    def _view(
        self,
        session: Session,
        instance: _Record,
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

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self.sessions() as session:
            # The run's clock for everything in the change, domain listeners included.
            with session.begin(), context.bound(session), clock.using(self.clock):
                yield session
            for callback in session.info.pop("laurel.after_commit", []):
                callback()


class _WorkflowCache:
    """Workflows as left by this process's last commit, keyed by instance and lock version.

    A hit skips deserialising; the lock version makes a change by any other process a
    miss. `take` removes the entry, so a failed transaction can never leave a
    half-changed workflow behind, and two threads never share one.
    """

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, lock_version: int) -> BpmnWorkflow | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != lock_version:
            return None
        return entry[1]

    def put(self, instance_id: int, lock_version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._entries[instance_id] = (lock_version, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _refuse_inactive(instance: _Record) -> None:
    if instance.status == SUSPENDED:
        raise Suspended(
            f"instance {instance.business_key} is suspended by an administrator; "
            "nothing can change until it is resumed"
        )
    raise Conflict(f"instance {instance.business_key} is {instance.status}")


def _is_timer(task: Task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def _interrupt(workflow: BpmnWorkflow, interrupting: frozenset[str]) -> bool:
    """Cancel the rest of the process once an interrupting event subprocess has started.

    SpiffWorkflow 3.2 runs event subprocesses beside the main flow whatever their start
    event's isInterrupting says; BPMN says an interrupting one ends everything else.
    """
    if not interrupting:
        return False
    started = [
        t
        for t in workflow.tasks.values()
        if t.task_spec.bpmn_id in interrupting
        and t.state in (TaskState.READY, TaskState.STARTED, TaskState.COMPLETED)
    ]
    if not started:
        return False
    keep = {t.id for task in started for t in task}  # each one and what follows it
    cancelled = False
    for task in list(workflow.tasks.values()):
        if task.id not in keep and task.state & TaskState.NOT_FINISHED_MASK:
            if task.id in workflow.subprocesses:
                workflow.cancel(workflow.subprocesses[task.id])
            task.cancel()
            cancelled = True
    finished = [t for t in started if t.state == TaskState.COMPLETED]
    if cancelled and finished:
        # What ended the process is its outcome, even if a timer branch ran after it.
        workflow.last_task = finished[-1]
    return cancelled


def _process_data(workflow: BpmnWorkflow) -> Mapping[str, Any]:
    """The data of the last task completed, read-only: the process data as it stands."""
    return MappingProxyType(workflow.last_task.data if workflow.last_task else {})


def _check_depth(workflow: BpmnWorkflow) -> None:
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if not task._children and task.depth >= MAX_TREE_DEPTH:
                raise BudgetExceeded(
                    f"the process has looped so often that its task tree is {task.depth} "
                    f"levels deep (limit {MAX_TREE_DEPTH}); SpiffWorkflow cannot go further",
                    element_id=task.task_spec.bpmn_id or "",
                )


def _script_error(exc: Exception) -> ScriptError:
    if isinstance(exc, ScriptError):
        return exc
    original = getattr(exc, "exception", None)
    task = getattr(exc, "task", None)
    element = (task.task_spec.bpmn_id or task.task_spec.name) if task is not None else ""
    if isinstance(original, ScriptError):
        return type(original)(str(original), element_id=element or original.element_id)
    message = str(exc)
    line = getattr(exc, "line_number", None)
    if line:
        message += f" (line {line})"
    return ScriptError(message, element_id=element)


def _mark_failed(workflow: BpmnWorkflow, exc: Exception) -> None:
    """Leave the failing task in ERROR so retry knows where to start again."""
    task = getattr(exc, "task", None)
    if task is not None and task.state in (TaskState.READY, TaskState.STARTED):
        task.error()
