"""The engine's tables: definition versions, instances, the task projection, the audit chain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class DefinitionVersion(Base):
    """An immutable deployed version of a process: the BPMN file and the DMN files it calls."""

    __tablename__ = "definition_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    process_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    sources: Mapped[dict[str, Any]]  # filename -> XML text
    deployed_by: Mapped[str] = mapped_column(String(100))
    deployed_at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text, default="")


class Instance(Base):
    __tablename__ = "instances"
    __table_args__ = (Index("ix_instances_timer", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition_versions.id"))
    business_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(Text)  # SpiffWorkflow state as JSON, without the specs
    next_timer_at: Mapped[datetime | None]
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)


class TaskRow(Base):
    """One row per human task: the inbox and every list read this, never a workflow."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "state", "lane", "org_scope", "due_at"),
        Index("ix_tasks_instance", "instance_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    business_key: Mapped[str] = mapped_column(String(100), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(200))  # the `form` property, else the BPMN id
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(100))
    org_scope: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))  # ready | completed | cancelled
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))


class AuditEvent(Base):
    """Append-only hash chain; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_events"
    # Reads by organisation subtree (`org_scope IN (...)`) in chain order.
    __table_args__ = (Index("ix_audit_events_scope", "org_scope", "seq"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100), index=True)
    instance_id: Mapped[int | None] = mapped_column(index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Which organisation's subtree the event belongs to, for scoped reads: an index beside
    # the chain, not part of the hashed event (chains written before it still verify).
    org_scope: Mapped[str | None] = mapped_column(String(100))

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.payload)
        return loaded


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for the hot paths that skip the ORM."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
