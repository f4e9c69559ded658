"""The required-documents checklist on the appraisal pages (workflows.checklist): the
secretary ticks the documents missing from a dossier and, when returning it as incomplete,
the ticked ones head its missing list, free text following."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import request

from web import context
from web.pages.common import bp
from web.schemas.forms import tidy
from workflows.calendar import TIMEZONE
from workflows.checklist import ChecklistItem, checklists_of

TICKED = "missing_item"  # the task page's checkboxes; the list page's are `mi-<task id>`
INCOMPLETE = "incomplete"


def merged(ticked: Iterable[str], typed: Sequence[str]) -> list[str]:
    """The ticked documents first, then the lines typed, each once, blanks left out."""
    found: list[str] = []
    for item in [*ticked, *typed]:
        item = tidy(item)
        if item and item not in found:
            found.append(item)
    return found


def ticked(name: str) -> list[str]:
    return [tidy(v) for v in request.form.getlist(name) if tidy(v)]


def take_ticked(form: str, data: dict[str, Any], typed: dict[str, Any]) -> None:
    """On the task page: the ticked documents join the missing list of an incomplete
    appraisal (and are kept ticked if the page is shown again)."""
    if form != "appraise":
        return
    chosen = ticked(TICKED)
    typed[TICKED] = chosen
    if data.get("result") == INCOMPLETE and chosen:
        data["missing"] = merged(chosen, data.get("missing", []))


def row_missing(task_id: str, choice: str, typed: Mapping[str, str]) -> list[str]:
    """On the list page: a row's missing items, its ticked documents (when returned as
    incomplete) and the lines typed in its `m-` box."""
    lines = typed.get(f"m-{task_id}", "").splitlines()
    return merged(ticked(f"mi-{task_id}") if choice == INCOMPLETE else [], lines)


@bp.app_template_global()
def appraisal_checklists(groups: Iterable[Mapping[str, Any]]) -> dict[int, list[ChecklistItem]]:
    """The checklist of every row of an appraisal list, by nomination id (in one go)."""
    ids = [row["task"]["nomination"]["id"] for group in groups for row in group["rows"]]
    return checklists_of(context.read(), ids, context.now().astimezone(TIMEZONE).date())
