"""Administering a process instance (suspend, resume, retry, migrate), for the admin pages
and the API alike: each checks the instance is in the admin's scope and in the state the
action needs, then runs the engine's change in the engine's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.errors import Conflict, MigrationRefused, NotFound
from engine.models import DefinitionVersion, Instance
from engine.ports import InstanceView
from web import context
from web.i18n import t
from web.queries import instances as instance_queries
from workflows import retry_data
from workflows.access import Principal
from workflows.admin_scope import instance_scope


def suspend(who: Principal, instance_id: int, reason: str) -> InstanceView:
    """Suspend a running instance: its tasks, messages and timers wait until resumed."""
    _expect(who, instance_id, "active", "instance_not_active")
    engine = context.engine()
    try:
        engine.suspend(instance_id, who.username, reason)
    except Conflict as exc:
        raise Conflict(t("instance_changed")) from exc
    return engine.get_instance(instance_id)


def resume(who: Principal, instance_id: int) -> InstanceView:
    """Resume a suspended instance; timers that fell due meanwhile fire now."""
    _expect(who, instance_id, "suspended", "instance_not_suspended")
    try:
        return context.engine().resume(instance_id, who.username)
    except Conflict as exc:
        raise Conflict(t("instance_changed")) from exc


def retry(who: Principal, instance_id: int, data: dict[str, Any]) -> InstanceView:
    """Run an instance in error again from its failed task with corrected `data`;
    retry_data.RetryDataRefused (nothing changed) for keys that may not be corrected."""
    _expect(who, instance_id, "error", "instance_not_in_error")
    retry_data.check(context.read(), instance_id, data)
    try:
        return context.engine().retry(instance_id, who.username, data)
    except Conflict as exc:
        raise Conflict(t("instance_changed")) from exc


def migrate(who: Principal, instance_id: int, to_version: int | None) -> InstanceView:
    """The engine's migrate (in its transaction) of an instance in `who`'s scope, to the
    newest version by default, with the refusals a person can act on said in their language;
    MigrationRefused carries the reasons element by element."""
    session = context.read()
    found = session.execute(
        select(Instance.status, DefinitionVersion.key, DefinitionVersion.version)
        .join(DefinitionVersion, DefinitionVersion.id == Instance.definition_id)
        .where(Instance.id == instance_id, instance_scope(session, who))
    ).first()
    if found is None:
        raise NotFound(t("instance_not_found", id=instance_id))
    status, key, version = found
    if status not in ("active", "suspended"):
        raise Conflict(t("instance_not_running", status=t(f"instance_status_{status}")))
    target = to_version or session.scalar(
        select(func.max(DefinitionVersion.version)).where(DefinitionVersion.key == key)
    )
    if target == version:
        raise Conflict(t("instance_on_version", version=version))
    try:
        return context.engine().migrate(instance_id, who.username, target)
    except MigrationRefused:
        raise
    except NotFound:
        raise NotFound(t("definition_not_found", definition=key, version=target)) from None
    except Conflict as exc:  # changed by someone else since it was read
        raise Conflict(t("instance_changed")) from exc


def _expect(who: Principal, instance_id: int, expected: str, refusal: str) -> None:
    """NotFound (none in `who`'s scope), or Conflict saying why (`refusal`), unless the
    instance is `expected`."""
    context.close_read()  # a fresh snapshot: the engine may just have changed it
    session = context.read()
    status = instance_queries.instance_status(session, instance_id, instance_scope(session, who))
    if status is None:
        raise NotFound(t("instance_not_found", id=instance_id))
    if status != expected:
        raise Conflict(t(refusal, status=t(f"instance_status_{status}")))
