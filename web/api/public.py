"""The public board, without signing in: nominations in their publicity window and comments
on them (domain.md §4.4).

The board shows what the notice itself publishes — nominee, award, organisation,
achievements, deadline — and nothing else. Comments are limited per client address and
hour (workflows.comments).
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from flask import request
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from engine import anchoring
from engine.errors import NotFound
from web import anchors, context
from web.api.common import PageArgs, page_schema
from web.i18n import t
from web.queries import board as board_queries
from web.schemas.comments import CommentIn
from web.services import comments
from workflows import limits

blp = Blueprint("public", __name__, url_prefix="", description="Công khai — public board")


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
    return board_queries.notices(
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
    client = limits.client_key(request.remote_addr)
    try:
        received = comments.submit(nomination_id, data, client, now)
    except comments.TooManyComments as refused:
        abort(
            429,
            message=t("comment_rate_limited", count=math.ceil(refused.retry_after_s / 60)),
            headers={"Retry-After": str(refused.retry_after_s)},
        )
    return {"id": received, "received_at": now}


@blp.get("/public/anchor")
@blp.response(200, PublishedAnchorSchema)
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No anchor yet")
def anchor() -> Any:
    """The newest anchor of the audit log: its chain head as recorded outside the database.
    Note it down to check later that the log still extends it. No sign-in."""
    newest = anchors.sink().newest()
    if newest is None:
        raise NotFound("anchor_not_found")
    return {"seq": newest.seq, "hash": newest.hash, "at": anchoring.parse_at(newest.at)}
