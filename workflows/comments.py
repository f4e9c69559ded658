"""Public comments on a nomination during its publicity window (domain.md §4.4).

A comment must be signed with name, phone and address; comments are summarised for the
council, which decides what to do with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflows import publicity
from workflows.models import Nomination, PublicComment


class CommentRefused(Exception):
    """The nomination is not open for comments now."""


def add_comment(
    session: Session,
    nomination: Nomination,
    *,
    name: str,
    phone: str,
    address: str,
    content: str,
    now: datetime,
) -> PublicComment:
    refusal = publicity.closed_reason(nomination, now)
    if refusal is not None:
        raise CommentRefused(refusal)
    comment = PublicComment(
        nomination_id=nomination.id,
        org_code=nomination.current_org,
        name=name,
        phone=phone,
        address=address,
        content=content,
        created_at=now,
    )
    session.add(comment)
    return comment


def open_comments(session: Session, nomination_id: int, org: str) -> int:
    """Comments received at `org` and not yet handled."""
    return (
        session.scalar(
            select(func.count())
            .select_from(PublicComment)
            .where(
                PublicComment.nomination_id == nomination_id,
                PublicComment.org_code == org,
                PublicComment.handling.is_(None),
            )
        )
        or 0
    )


def handle_comments(session: Session, nomination_id: int, org: str, handling: str, by: str) -> None:
    session.execute(
        update(PublicComment)
        .where(
            PublicComment.nomination_id == nomination_id,
            PublicComment.org_code == org,
            PublicComment.handling.is_(None),
        )
        .values(handling=handling, handled_by=by)
    )
