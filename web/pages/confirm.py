"""Confirming an irreversible step (a withdrawal, a refusal or rejection): the page asks,
and the server refuses a post that does not carry the confirmation, changing nothing.

The form carries a checkbox `confirm` (the fallback without script); web/static/confirm.js
asks in a dialog instead of submitting a form marked `data-confirm` unticked, and ticks it
when the person agrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from web.pages.common import bp

FIELD = "confirm"
# The task choices that end a nomination (a form's field and the value that ends it).
IRREVERSIBLE = {
    "appraise": ("result", "refused"),
    "decide": ("decision", "reject"),
    "review_comments": ("outcome", "reject"),
    "record_outside_decision": ("outcome", "rejected"),
}


def confirmed() -> bool:
    return request.form.get(FIELD) == "yes"


def needed(form: str, data: Mapping[str, Any]) -> bool:
    """Whether completing `form` with `data` ends the nomination, and so needs confirming."""
    choice = IRREVERSIBLE.get(form)
    return choice is not None and data.get(choice[0]) == choice[1]


@bp.app_template_global()
def irreversible(form: str) -> tuple[str, str] | None:
    """The choice of the task form `form` that ends the nomination, if it has one."""
    return IRREVERSIBLE.get(form)
