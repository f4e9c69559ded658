"""The audit chain check for auditors and admins: events checked, the chain head, OK or the
first broken link; whether the chain still extends every anchor the server recorded outside
the database, and how old the newest is; and anchors pasted or uploaded here (the JSON lines
of an anchor file, or noted from the public board)."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import ValidationError

from engine import audit
from web import anchors as anchor_check
from web.pages.common import bp, render, signed_in
from web.pages.stats import overseer
from web.schemas.anchors import MAX_ANCHORS_BYTES, AnchorsForm


def _submitted() -> str:
    """The anchors' text: the uploaded file's (read no further than the limit), else the
    pasted text's."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_ANCHORS_BYTES + 1)
        return data.decode("utf-8", errors="replace")
    return request.form.get("anchors", "")


def _page(anchors_text: str = "", status: int = 200) -> Any:
    anchors: list[audit.Anchor] = []
    error = ""
    try:
        anchors = AnchorsForm().load({"anchors": anchors_text})["anchors"]
    except ValidationError as exc:
        messages: Any = exc.normalized_messages()  # type: ignore[no-untyped-call]
        error, status = str(messages["anchors"][0]), 400
        anchors_text = anchors_text[:MAX_ANCHORS_BYTES]
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
    return _page(_submitted())
