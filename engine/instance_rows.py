"""The instance row as the runtime reads and writes it: statuses, statements, the optimistic
lock (Core, not the ORM: this is the hot path)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict, Message, NotFound, Suspended
from engine.models import Instance, table_of
from engine.projection import TASKS

ACTIVE, COMPLETED, ERROR = "active", "completed", "error"
# Set by an administrator: no task completion, message or timer until resumed.
SUSPENDED = "suspended"

INSTANCES = table_of(Instance)
# Labelled, because the task inbox row they are joined to has an `id` and a `state` too.
INSTANCE_COLUMNS = [
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


TASK_WITH_INSTANCE = (
    select(TASKS, *INSTANCE_COLUMNS)
    .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
    .where(TASKS.c.id == bindparam("task_id"))
)
STATE = select(INSTANCES.c.state).where(INSTANCES.c.id == bindparam("instance_id"))
_INSERT_INSTANCE = insert(INSTANCES).returning(INSTANCES.c.id)
# The optimistic lock: the row must still be at the version we loaded.
_UPDATE_INSTANCE = update(INSTANCES).where(
    INSTANCES.c.id == bindparam("instance_id"),
    INSTANCES.c.lock_version == bindparam("loaded_version"),
)


@dataclass
class InstanceRecord:
    """An instance row as the runtime works on it."""

    id: int | None
    definition_id: int
    business_key: str
    status: str
    lock_version: int
    error_element: str | None = None
    error_message: str | None = None

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> InstanceRecord:
        return cls(*(row[c.name] for c in INSTANCE_COLUMNS))


def read_record(session: Session, where: Any) -> InstanceRecord:
    found = session.connection().execute(select(*INSTANCE_COLUMNS).where(where)).mappings().first()
    if found is None:
        raise NotFound("instance_missing")
    return InstanceRecord.of(found)


def insert_row(connection: Connection, instance: InstanceRecord, values: dict[str, Any]) -> int:
    """Write a new instance row; a second instance with the same business key conflicts."""
    try:
        new_id: int = connection.execute(_INSERT_INSTANCE, values).scalar_one()
    except IntegrityError as exc:
        raise Conflict("instance_exists", instance=instance.business_key) from exc
    return new_id


def update_row(connection: Connection, instance: InstanceRecord, values: dict[str, Any]) -> None:
    """Write `values` to the row if it is still at the version loaded; Conflict otherwise."""
    values.update(instance_id=instance.id, loaded_version=instance.lock_version)
    if connection.execute(_UPDATE_INSTANCE, values).rowcount != 1:
        raise Conflict("instance_changed", instance=instance.business_key)


def refuse_inactive(instance: InstanceRecord) -> None:
    if instance.status == SUSPENDED:
        raise Suspended("instance_suspended", instance=instance.business_key)
    raise Conflict(
        "instance_inactive", instance=instance.business_key, status=status_name(instance)
    )


def status_name(instance: InstanceRecord) -> Message:
    """The instance's status as a person reads it."""
    return Message(f"instance_status_{instance.status}")
