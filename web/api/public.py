"""The public board, without signing in: nominations in their publicity window and comments
on them (domain.md §4.4).

The board shows what the notice itself publishes — nominee, award, organisation,
achievements, deadline — and nothing else. Comments are limited per client address and
hour; the count lives in the database, because web processes scale out and any process may
take the next request.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, post_load, validate
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import anchoring, audit
from engine.errors import NotFound
from engine.models import Instance
from web import anchors, queries
from web.api import context
from web.api.common import PageArgs, page_schema
from web.i18n import t
from workflows import comments, limits
from workflows.models import CommentAttempt, Nomination

blp = Blueprint("public", __name__, url_prefix="", description="Công khai — public board")

MAX_COMMENTS_PER_WINDOW = 5
COMMENT_WINDOW = timedelta(hours=1)
COMMENTS = limits.Window(MAX_COMMENTS_PER_WINDOW, COMMENT_WINDOW)
_ATTEMPT_LOCK_CLASS = 0x1A0BE2  # PostgreSQL advisory locks of one client's comments
# Digits after an optional +84 or 0, spaces allowed between them. A pattern marshmallow
# checks and the OpenAPI document states, so generated clients validate the same way.
_PHONE = r"^ *(?:\+84|0)?(?: *[0-9]){9,11} *$"
_NOT_BLANK = r"[\s\S]*\S"  # some character that is not a space (ECMA and Python alike)


class _Length(validate.Length):
    # Our own message: marshmallow's "Length must be between" has no Vietnamese translation;
    # formatted at validation time, in the request's language.
    def _format_error(self, value: Any, message: str) -> str:
        return t("length_between", low=self.min, high=self.max)


class _Pattern(validate.Regexp):
    def __init__(self, pattern: str, message: str, longest: int) -> None:
        super().__init__(pattern)
        self.message = message
        self.longest = longest

    def __call__(self, value: Any) -> Any:
        # Past its length limit a value is refused by that; the pattern need not run on it.
        return value if len(value) > self.longest else super().__call__(value)

    def _format_error(self, value: Any) -> str:
        return t(self.message)


def _text(low: int, high: int) -> list[validate.Validator]:
    return [_Length(low, high), _Pattern(_NOT_BLANK, "blank", high)]


class NoticeArgs(PageArgs):
    org = fields.String(
        validate=validate.Length(max=50),
        metadata={"description": "Organisation code: notices of it and the units below it"},
    )
    award = fields.String(validate=validate.Length(max=30), metadata={"description": "Award"})


class NoticeSchema(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    nominee_name = fields.String(required=True)
    nominee_kind = fields.String(required=True)
    nominee_position = fields.String(required=True)
    nominee_unit = fields.String(required=True)
    award_code = fields.String(required=True)
    award_name = fields.String(required=True)
    org_code = fields.String(required=True)
    org_name = fields.String(required=True)
    org_level = fields.String(required=True)
    org_level_name = fields.String(required=True)
    achievements = fields.String(required=True)
    publicity_until = fields.DateTime(required=True)
    working_days_left = fields.Integer(required=True)


class CommentIn(Schema):
    name = fields.String(required=True, validate=_text(2, 200))
    phone = fields.String(
        required=True,
        validate=[validate.Length(max=30), _Pattern(_PHONE, "phone_invalid", 30)],
        metadata={"example": "0912 345 678"},
    )
    address = fields.String(required=True, validate=_text(2, 200))
    content = fields.String(required=True, validate=_text(10, 5000))

    @post_load
    def tidy(self, data: dict[str, str], **_: Any) -> dict[str, str]:
        tidied = {key: value.strip() for key, value in data.items()}
        tidied["phone"] = " ".join(tidied["phone"].split())
        return tidied


class CommentReceipt(Schema):
    id = fields.Integer(required=True)
    received_at = fields.DateTime(required=True)


class PublishedAnchorSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "The audit event it names"})
    hash = fields.String(required=True, metadata={"description": "That event's chain hash"})
    at = fields.DateTime(required=True, metadata={"description": "When it was recorded"})


@blp.get("/public/notices")
@blp.arguments(NoticeArgs, location="query")
@blp.response(200, page_schema(NoticeSchema, "NoticePage"))
def notices(args: dict[str, Any]) -> Any:
    """Nominations in their publicity window now, the deadline first, with the working days
    left to comment. No sign-in."""
    return queries.notices(
        context.read(),
        context.now(),
        args.get("org"),
        args.get("award"),
        args["page"],
        args["per_page"],
    )


@blp.post("/public/nominations/<int(max=2147483647):nomination_id>/comments")
@blp.arguments(CommentIn)
@blp.response(201, CommentReceipt)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="Not in a publicity window")
@blp.alt_response(409, response=HTTPStatus.CONFLICT.name, description="The window has closed")
@blp.alt_response(
    429,
    response=HTTPStatus.TOO_MANY_REQUESTS.name,
    description="Too many comments from this address",
)
def comment(data: dict[str, str], nomination_id: int) -> Any:
    """Comment on a nomination in its publicity window: name, phone, address and content are
    all required. At most 5 submissions per client address and hour. No sign-in."""
    now = context.now()
    retry_after = admit(now)
    if retry_after is not None:
        abort(
            429,
            message=t("comment_rate_limited", minutes=math.ceil(retry_after / 60)),
            headers={"Retry-After": str(retry_after)},
        )
    return {"id": receive(nomination_id, data, now), "received_at": now}


@blp.get("/public/anchor")
@blp.response(200, PublishedAnchorSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No anchor yet")
def anchor() -> Any:
    """The newest anchor of the audit log: its chain head as recorded outside the database.
    Note it down to check later that the log still extends it. No sign-in."""
    newest = anchors.sink().newest()
    if newest is None:
        raise NotFound(t("anchor_not_found"))
    return {"seq": newest.seq, "hash": newest.hash, "at": anchoring.parse_at(newest.at)}


def admit(now: datetime) -> int | None:
    """Count one comment submission from this request's client, in a transaction of its own;
    the seconds to wait when over the limit (the pages share this limit)."""
    with context.write() as session:
        return _admit(session, _client(), now)


def receive(nomination_id: int, data: dict[str, str], now: datetime) -> int:
    """Store a checked comment and its audit event; the comment's id. NotFound when the
    nomination is not in publicity, CommentRefused when its window has closed."""
    with context.write() as session:
        # Not locked FOR UPDATE: an engine change appends to the audit chain before it writes
        # the nomination row, so holding the row while appending below could deadlock. The
        # window's end is checked against the clock, and its timer fires only after it.
        nomination = session.get(Nomination, nomination_id)
        if nomination is None or nomination.stage != "publicity":
            raise NotFound(t("notice_not_found"))
        received = comments.add_comment(
            session,
            nomination,
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            content=data["content"],
            now=now,
        )
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
                        "content_sha256": hashlib.sha256(data["content"].encode()).hexdigest(),
                    },
                )
            ],
        )
        return received.id


def _client() -> str:
    return limits.client_key(request.remote_addr)


def _admit(session: Session, client: str, now: datetime) -> int | None:
    """Count one submission for `client`; the seconds to wait when over the limit."""
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
