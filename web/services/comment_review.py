"""Public comments as those who act on them read them (in full, within the access rules),
and the secretary's note on how each was handled; for the pages and the API alike."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy.orm import Session

from engine import audit
from web import context
from workflows import comment_review
from workflows.access import Principal
from workflows.files import attachments
from workflows.models import Nomination, PublicComment


class CommentItem(TypedDict):
    id: int
    org: str
    name: str
    phone: str
    address: str
    content: str
    created_at: datetime
    handling: str | None
    handled_by: str | None
    note: str | None
    noted_by: str | None
    noted_at: datetime | None
    may_note: bool


def item(who: Principal, nomination: Nomination, row: PublicComment) -> CommentItem:
    return {
        "id": row.id,
        "org": row.org_code,
        "name": row.name,
        "phone": row.phone,
        "address": row.address,
        "content": row.content,
        "created_at": row.created_at,
        "handling": row.handling,
        "handled_by": row.handled_by,
        "note": row.note,
        "noted_by": row.noted_by,
        "noted_at": row.noted_at,
        "may_note": comment_review.may_note(who, nomination, row),
    }


def listing(session: Session, who: Principal, nomination: Nomination) -> list[CommentItem]:
    """The comments `who` may read on `nomination` (which they may read), oldest first."""
    return [
        item(who, nomination, row) for row in comment_review.readable(session, who, nomination.id)
    ]


def read(who: Principal, nomination: Nomination) -> list[CommentItem]:
    """`listing` for an API client; an auditor's or admin's reading of the senders' details
    goes into the audit trail, as their reading of a history or a file does."""
    items = listing(context.read(), who, nomination)
    if items and attachments.overseen(context.read(), who, nomination):
        with context.write() as session:
            audit.append(
                session,
                context.now(),
                [
                    audit.PendingEvent(
                        who.username,
                        "record.read",
                        payload={"nomination_id": nomination.id, "view": "comments"},
                    )
                ],
            )
    return items


def note(who: Principal, nomination_id: int, comment_id: int, text: str) -> CommentItem:
    """Keep how comment `comment_id` of the nomination was handled; NotFound for a comment
    `who` may not read, NotAllowed/Conflict when they may not note it (now)."""
    with context.write() as session:
        row = comment_review.note(session, who, nomination_id, comment_id, text, context.now())
        return item(who, session.get_one(Nomination, row.nomination_id), row)
