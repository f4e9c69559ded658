"""Administering a process instance, for the admin pages and the API alike."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.errors import Conflict, MigrationRefused, NotFound
from engine.models import DefinitionVersion, Instance
from engine.ports import InstanceView
from web import context
from web.i18n import t
from workflows.access import Principal
from workflows.admin_scope import instance_scope


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
