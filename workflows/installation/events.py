"""The admin changes' audit scope: which organisation each change concerns, who may read
it (auditors and admins of that organisation's subtree), and the admin index's list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance
from workflows import orgs
from workflows.access import Principal, nomination_filter
from workflows.models import Nomination

# What admins do through the engine rather than here: deploys and the handling of instances.
DEPLOYED = "definition.deployed"
INSTANCE_HANDLING = ("instance.suspended", "instance.resumed", "instance.retried")
ENGINE_ADMIN_ACTIONS = (DEPLOYED, *INSTANCE_HANDLING)
# Changes to what every organisation shares (campaigns, the award catalogue and its rules,
# the calendar): they concern no one organisation, so every auditor and admin reads them.
INSTALLATION_WIDE = ("admin.award.", "admin.rule.", "admin.campaign.", "admin.calendar.")


def concerned_org(session: Session, actor: str, payload: Mapping[str, Any]) -> str | None:
    """The organisation an admin change concerns, stored as its audit scope.

    An organisation's or a role's change: that organisation. A person's: the nearest
    organisation above all their roles (so every auditor over all of them reads it), or,
    for a person with no role, above the acting admin's. Installation-wide: None.
    """
    org = payload.get("org")
    if isinstance(org, str):
        return org
    username = payload.get("username")
    if not isinstance(username, str):
        return None
    held = {o for _, o in orgs.roles_of(session, username)}
    return common_ancestor(
        session, held or {o for r, o in orgs.roles_of(session, actor) if r == "admin"}
    )


def common_ancestor(session: Session, codes: Iterable[str]) -> str | None:
    """The nearest organisation at or above every one of `codes`; None across chains."""
    chains = [orgs.ancestors(session, code) for code in codes]
    if not chains:
        return None
    shared = set(chains[0]).intersection(*chains[1:])
    return next((code for code in chains[0] if code in shared), None)


def admin_changes_for(session: Session, who: Principal, *roles: str) -> ColumnElement[bool]:
    """SQL condition on `AuditEvent`: the admin changes (`admin.*`) `who` may read with
    `roles` (auditor, admin): those scoped in the subtrees where they hold one, the
    installation-wide ones, and, for one holding it at the top of a chain, those whose
    organisation is unknown (written before events carried a scope)."""
    held = who.orgs(*roles)
    if not held:
        return false()
    subtree: set[str] = set()
    for code in held:
        subtree |= orgs.subtree(session, code)
    at_top = any(orgs.parent_of(session, code) is None for code in held)
    installation_wide = or_(*(AuditEvent.action.startswith(p) for p in INSTALLATION_WIDE))
    return and_(
        AuditEvent.action.startswith("admin."),
        or_(
            AuditEvent.org_scope.in_(subtree),
            and_(AuditEvent.org_scope.is_(None), installation_wide if not at_top else true()),
        ),
    )


def recent_events(session: Session, who: Principal, limit: int = 20) -> list[AuditEvent]:
    """The latest admin changes `who` may read as an admin, newest first (the admin index):
    theirs to see by `admin_changes_for`, the deploys, and the handling of the instances of
    nominations they oversee."""
    as_admin = Principal(
        who.username, who.full_name, tuple(r for r in who.roles if r[0] == "admin")
    )
    handled = and_(
        AuditEvent.action.in_(INSTANCE_HANDLING),
        AuditEvent.instance_id.in_(
            select(Instance.id)
            .join(Nomination, Nomination.business_key == Instance.business_key)
            .where(nomination_filter(session, as_admin))
        ),
    )
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    admin_changes_for(session, who, "admin"),
                    AuditEvent.action == DEPLOYED,
                    handled,
                )
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
    )
