"""The public board, without signing in: nominations in their publicity window grouped by
organisation and award, and a signed comment form for each (domain.md §4.4).

Comments are loaded by the API's schema and go through the API's comment service (the same
limit per client address), so a page and a script get the same answer. A filled honeypot
field (a form robot) is thanked and dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from engine.errors import NotFound
from web import anchors, context
from web.i18n import t
from web.pages.common import bp, page_number, render
from web.queries import board as board_queries
from web.queries.board import Notice
from web.schemas.comments import CommentIn
from web.services import comments
from workflows import limits
from workflows.comments import CommentRefused

PER_PAGE = 50
HONEYPOT = "website"
COMMENT_FIELDS = ("name", "phone", "address", "content")


def _grouped(items: Iterable[Notice]) -> list[tuple[str, list[tuple[str, list[Notice]]]]]:
    """Notices by organisation, then award, each in name order."""
    ordered = sorted(items, key=lambda n: (n["org_name"], n["award_name"], n["nominee_name"]))
    return [
        (
            org,
            [(award, list(rows)) for award, rows in groupby(group, key=lambda n: n["award_name"])],
        )
        for org, group in groupby(ordered, key=lambda n: n["org_name"])
    ]


def _board(
    status: int = 200,
    target: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Any:
    page = board_queries.notices(
        context.read(), context.now(), page=page_number(), per_page=PER_PAGE
    )
    return render(
        "board.html",
        status,
        groups=_grouped(page["items"]),
        page=page,
        pages=max(1, math.ceil(page["total"] / PER_PAGE)),
        target=target,
        values=values or {},
        errors=errors or {},
        honeypot=HONEYPOT,
        anchor=anchors.sink().newest(),
        anchor_time=anchors.when,
    )


@bp.get("/cong-khai")
def board() -> Any:
    return _board()


@bp.post("/cong-khai/<int(max=2147483647):nomination_id>/y-kien")
def comment(nomination_id: int) -> Any:
    back = url_for("pages.board", _anchor=f"hs-{nomination_id}")
    if request.form.get(HONEYPOT):
        # A person never sees the field; answering as usual tells a robot nothing.
        flash(t("comment_received"), "success")
        return redirect(back)
    typed = {name: request.form.get(name, "") for name in COMMENT_FIELDS}
    try:
        data = CommentIn().load(typed)
    except ValidationError as exc:
        messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
        errors = {k: str(v[0] if isinstance(v, list) else v) for k, v in messages.items()}
        return _board(422, nomination_id, typed, errors)
    client = limits.client_key(request.remote_addr)
    try:
        comments.submit(nomination_id, data, client, context.now())
    except comments.TooManyComments as refused:
        minutes = math.ceil(refused.retry_after_s / 60)
        flash(t("comment_rate_limited", count=minutes), "warning")
        return _board(429, nomination_id, typed, {})
    except NotFound:
        flash(t("notice_not_found"), "warning")
        return redirect(back)
    except CommentRefused:
        flash(t("comment_closed"), "warning")
        return redirect(back)
    flash(t("comment_received"), "success")
    return redirect(back)
