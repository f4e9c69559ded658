"""The admin changes the admin index lists."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent

# What admins do through the engine rather than here: deploys and the handling of instances.
ENGINE_ADMIN_ACTIONS = (
    "definition.deployed",
    "instance.suspended",
    "instance.resumed",
    "instance.retried",
)


def recent_events(session: Session, limit: int = 20) -> list[AuditEvent]:
    """The latest admin changes, newest first (for the admin index page)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(AuditEvent.action.like("admin.%"), AuditEvent.action.in_(ENGINE_ADMIN_ACTIONS))
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
    )
