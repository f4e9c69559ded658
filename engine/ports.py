"""The small interfaces through which a domain plugs into the engine.

The engine knows lanes, scopes and data, not organisations or nominations: the domain
tells it which roles exist, who may complete a task and what data a task accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from engine.audit import PendingEvent


@dataclass(frozen=True)
class HumanTask:
    """What the domain sees of a ready human task when it authorises or validates."""

    id: str
    instance_id: int
    business_key: str
    bpmn_id: str
    form: str  # which form the task shows: its `form` property, else its BPMN id
    title: str
    lane: str | None
    org_scope: str | None
    assignee: str | None
    due_at: datetime | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class InstanceView:
    """What a caller learns about an instance after a change."""

    id: int
    business_key: str
    definition_key: str
    definition_version: int
    status: str
    data: dict[str, Any]
    ready_tasks: list[HumanTask]
    error_element: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class TaskCompletion:
    """One row of a list change: a ready task, the data to complete it with, and the
    instance's version as the person saw it (None: as it is now)."""

    task_id: str
    data: Mapping[str, Any]
    expected_version: int | None = None
    # Replaces the data in the audit event where it must not be kept in the clear.
    audit_payload: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CompletedTask:
    """The human task a change completed, as the change listener sees it."""

    task: HumanTask
    actor: str
    data: Mapping[str, Any]  # what the workflow kept (the validator's result)
    submitted: Mapping[str, Any]  # what the person sent, incl. fields kept out of the state


class RoleCatalog(Protocol):
    def known_roles(self) -> Collection[str]:
        """Role codes a user-task lane may name."""
        ...


class FormCatalog(Protocol):
    def known_forms(self) -> Collection[str]:
        """Form codes a user task may show (its `form` property, else its BPMN id)."""
        ...


class TaskGuard(Protocol):
    def authorize(self, actor: str, task: HumanTask) -> None:
        """Raise `engine.errors.NotAllowed` when `actor` may not complete `task`."""
        ...


class TaskDataValidator(Protocol):
    def clean(self, task: HumanTask, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return the data to merge into the task, or raise `InvalidTaskData`."""
        ...


ScriptHelpers = Mapping[str, Callable[..., Any]]
"""Functions scripts, conditions, DMN cells and timer expressions may call, by name."""


class ChangeListener(Protocol):
    def completing(self, session: Session, completed: CompletedTask) -> list[PendingEvent]:
        """Called in the transaction before the engine runs on from a completed task.

        What the process reads next must exist by then (a ballot before the tally).
        Returns audit events to chain with the change's own.
        """
        ...

    def changed(
        self, session: Session, view: InstanceView, completed: CompletedTask | None
    ) -> None:
        """Called in the change's transaction after it is saved, for every change.

        The domain keeps its own rows (stage, decisions, ...) in step here; raising
        rolls the whole change back.
        """
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...
