"""Administering a process instance (suspend, resume, retry, migrate), for the admin pages
and the API alike: each checks the instance is in the admin's scope, then runs the engine's
change in the engine's transaction, which refuses what the instance's state does not allow."""

from __future__ import annotations

from typing import Any

from engine.errors import Conflict, Message, NotFound
from engine.ports import InstanceView
from web import context
from web.queries import instances as instance_queries
from workflows import retry_data
from workflows.access import Principal
from workflows.admin_scope import instance_scope


def suspend(who: Principal, instance_id: int, reason: str) -> InstanceView:
    """Suspend a running instance: its tasks, messages and timers wait until resumed."""
    _status(who, instance_id)
    engine = context.engine()
    engine.suspend(instance_id, who.username, reason)
    return engine.get_instance(instance_id)


def resume(who: Principal, instance_id: int) -> InstanceView:
    """Resume a suspended instance; timers that fell due meanwhile fire now."""
    _status(who, instance_id)
    return context.engine().resume(instance_id, who.username)


def retry(who: Principal, instance_id: int, data: dict[str, Any]) -> InstanceView:
    """Run an instance in error again from its failed task with corrected `data`;
    retry_data.RetryDataRefused (nothing changed) for keys that may not be corrected."""
    status = _status(who, instance_id)
    if status != "error":
        # Said before the data is checked against the failed element, which an instance
        # not in error has none of; the engine refuses it again in its transaction.
        raise Conflict("instance_not_in_error", status=Message(f"instance_status_{status}"))
    retry_data.check(context.read(), instance_id, data)
    return context.engine().retry(instance_id, who.username, data)


def migrate(who: Principal, instance_id: int, to_version: int | None) -> InstanceView:
    """The engine's migrate (in its transaction) of an instance in `who`'s scope, to the
    newest version by default; MigrationRefused carries the reasons element by element."""
    _status(who, instance_id)
    return context.engine().migrate(instance_id, who.username, to_version)


def _status(who: Principal, instance_id: int) -> str:
    """The instance's status as of now; NotFound when there is none in `who`'s scope."""
    context.close_read()  # a fresh snapshot: the engine may just have changed it
    session = context.read()
    status = instance_queries.instance_status(session, instance_id, instance_scope(session, who))
    if status is None:
        raise NotFound("instance_not_found", id=instance_id)
    return status
