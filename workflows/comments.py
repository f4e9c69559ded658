"""Public comments on a nomination during its publicity window (domain.md §4.4).

A comment must be signed with name, phone and address; comments are summarised for the
council, which decides what to do with them. Submissions are limited per client address and
hour; the count lives in the database, because web processes scale out and any process may
take the next request.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict
from engine.models import Instance
from workflows import limits, publicity
from workflows.models import CommentAttempt, Nomination, PublicComment

MAX_COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW = timedelta(hours=1)
COMMENTS = limits.Window(MAX_COMMENTS_PER_WINDOW, COMMENT_WINDOW)
_ATTEMPT_LOCK_CLASS = 0x1A0BE2  # PostgreSQL advisory locks of one client's comments


class CommentRefused(Conflict):
    """The nomination is not open for comments now."""


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


def admit(session: Session, client: str, now: datetime) -> int | None:
    """Count one submission for `client` (limits.client_key of its address); the seconds to
    wait when over the limit, and then nothing is counted."""
    limits.one_at_a_time(session, _ATTEMPT_LOCK_CLASS, client)
    since = COMMENTS.since(now)
    session.execute(
        delete(CommentAttempt).where(CommentAttempt.client == client, CommentAttempt.at <= since)
    )
    recent = session.scalars(
        select(CommentAttempt.at)
        .where(CommentAttempt.client == client, CommentAttempt.at > since)
        .order_by(CommentAttempt.at)
    ).all()
    wait = COMMENTS.wait(recent, now)
    if wait is None:
        session.add(CommentAttempt(client=client, at=now))
    return wait


def receive(
    session: Session,
    nomination: Nomination,
    *,
    name: str,
    phone: str,
    address: str,
    content: str,
    now: datetime,
) -> PublicComment:
    """Store a checked comment with its audit event, in the caller's transaction;
    CommentRefused when the nomination's window is not open."""
    refusal = publicity.closed_reason(nomination, now)
    if refusal is not None:
        raise CommentRefused(refusal)
    received = PublicComment(
        nomination_id=nomination.id,
        org_code=nomination.current_org,
        name=name,
        phone=phone,
        address=address,
        content=content,
        created_at=now,
    )
    session.add(received)
    session.flush()
    instance_id = session.scalar(
        select(Instance.id).where(Instance.business_key == nomination.business_key)
    )
    # The trail records that a comment came and a digest of it, never who sent it.
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                "public",
                "comment.received",
                instance_id,
                payload={
                    "nomination": nomination.id,
                    "org": nomination.current_org,
                    "comment": received.id,
                    "content_sha256": hashlib.sha256(content.encode()).hexdigest(),
                },
            )
        ],
    )
    return received
