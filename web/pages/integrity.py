"""The audit chain check for auditors and admins: events checked, the chain head, OK or the
first broken link; whether the chain still extends every anchor the server recorded outside
the database, and how old the newest is; and anchors pasted or uploaded here (the JSON lines
of an anchor file, or noted from the public board)."""

from __future__ import annotations

from typing import Any

from flask import request

from engine import anchoring, audit
from web import anchors as anchor_check
from web.i18n import t
from web.pages.common import bp, render, signed_in
from web.pages.stats import overseer

MAX_ANCHORS_BYTES = 1_000_000


def _anchors(text: str) -> list[audit.Anchor]:
    """The anchors in JSON-lines `text`; ValueError names the first line that is not one."""
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchors.append(anchoring.parse_line(line))
        except ValueError as exc:
            raise ValueError(t("integrity_bad_anchor", line=number)) from exc
    return anchors


def _submitted() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_ANCHORS_BYTES + 1)
        if len(data) > MAX_ANCHORS_BYTES:
            raise ValueError(t("integrity_too_big"))
        return data.decode("utf-8", errors="replace")
    return request.form.get("anchors", "")[:MAX_ANCHORS_BYTES]


def _page(anchors_text: str = "", error: str = "", status: int = 200) -> Any:
    anchors: list[audit.Anchor] = []
    if anchors_text and not error:
        try:
            anchors = _anchors(anchors_text)
        except ValueError as exc:
            error, status = str(exc), 400
    checked = anchor_check.check(anchors)
    return render(
        "integrity.html",
        status,
        checked=checked,
        result=checked.result,
        problems=anchor_check.problems(checked),
        newest=anchor_check.newest(checked),
        warning=anchor_check.warning(checked),
        anchors_text=anchors_text,
        error=error,
    )


@bp.get("/thanh-tra/toan-ven")
@signed_in
def integrity() -> Any:
    overseer()
    return _page()


@bp.post("/thanh-tra/toan-ven")
@signed_in
def integrity_check() -> Any:
    overseer()
    try:
        text = _submitted()
    except ValueError as exc:
        return _page(error=str(exc), status=400)
    return _page(text)
