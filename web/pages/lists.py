"""The lists reviewers act on at once, grouped by the tờ trình that carried each nomination:
the secretary appraises a list, a council member votes a ballot sheet, the head decides a
list. One submit is one change: every row is recorded, or none and each refused row says
why beside it (web.services.lists)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from engine.errors import EngineError, InvalidTaskData, ListRefused, Message
from web import context
from web.i18n import describe, say_fields, t
from web.names import names
from web.pages import checklist
from web.pages.common import bp, render, signed_in, user
from web.queries import lists as list_queries
from web.schemas.forms import field_errors, posted
from web.schemas.lists import DecisionHeader
from web.services import lists
from workflows import forwarding
from workflows.calendar import TIMEZONE
from workflows.models import Nomination, Organisation

# Which stage each list is, who works it, and its page.
LISTS = {
    "tham-dinh": ("appraise", "secretary", "list_appraise.html"),
    "bieu-quyet": ("vote", "council", "list_vote.html"),
    "quyet-dinh": ("decide", "head", "list_decide.html"),
}
CONFIRM = "xac_nhan"


def _today() -> date:
    return context.now().astimezone(TIMEZONE).date()


def _list_or_404(org: str, which: str) -> tuple[str, str, str]:
    found = LISTS.get(which)
    if found is None or not user().holds(found[1], org):
        abort(404)
    return found


def _page(org: str, which: str, status: int = 200, **extra: Any) -> Any:
    form, _role, template = _list_or_404(org, which)
    session = context.read()
    groups = list_queries.groups(session, user(), context.now(), form, org, _today())
    organisation = session.get(Organisation, org)
    return render(
        template,
        status,
        org=org,
        org_name=organisation.name if organisation else org,
        which=which,
        groups=groups,
        values=extra.pop("values", {}),
        errors=extra.pop("errors", {}),
        row_errors=extra.pop("row_errors", {}),
        today=_today(),
        **extra,
    )


@bp.get("/danh-sach/<org>/<which>")
@signed_in
def work_list(org: str, which: str) -> Any:
    return _page(org, which, values={"forward_signer": names().person(user().username)})


@bp.post("/danh-sach/<org>/<which>")
@signed_in
def act_on_list(org: str, which: str) -> Any:
    form, _role, _template = _list_or_404(org, which)
    who = user()
    typed = posted(request.form, list(request.form))
    rows = _rows(form, typed)
    if not rows:
        flash(t("list_none_chosen"), "warning")
        return redirect(url_for("pages.work_list", org=org, which=which))
    try:
        if form == "appraise":
            lists.appraise(who, rows)
        elif form == "vote":
            receipts = lists.vote(who, org, rows)
            # Each receipt says whose ballot it is: a sheet of 30 bare hashes tells nothing.
            named = _nominees(receipts)
            for nomination, receipt in receipts.items():
                said = t("list_ballot_receipt", name=named[nomination], receipt=receipt[:16])
                flash(said, "info")
        else:
            if typed.get(CONFIRM) != "on":
                return _page(org, which, 422, values=typed, errors={CONFIRM: t("confirm_list")})
            lists.decide(who, org, rows, _shared(typed))
    except ValidationError as refused:
        return _page(org, which, 422, values=typed, errors=field_errors(refused))
    except InvalidTaskData as refused:  # a field the whole list shares
        return _page(org, which, 422, values=typed, errors=say_fields(refused.errors))
    except ListRefused as refused:
        flash(t("list_refused", count=len(refused.problems)), "warning")
        return _page(org, which, 409, values=typed, row_errors=_said(refused))
    flash(t("list_done", count=len(rows)), "success")
    return redirect(url_for("pages.work_list", org=org, which=which))


def _rows(form: str, typed: dict[str, str]) -> list[lists.Row]:
    """The rows given a choice: `c-<task>` the choice, `v-<task>` the version shown, and the
    row's own fields (`m-` missing items one per line, `mi-` the documents ticked missing,
    `r-` a reason)."""
    rows = []
    field = {"appraise": "result", "vote": "vote", "decide": "decision"}[form]
    for name, choice in typed.items():
        if not name.startswith("c-") or not choice:
            continue
        task_id = name[2:]
        data: dict[str, Any] = {field: choice}
        reason = typed.get(f"r-{task_id}", "")
        if reason:
            data["reason"] = reason
        # The documents ticked missing (when returned as incomplete), then the lines typed.
        missing = checklist.row_missing(task_id, choice, typed)
        if form == "appraise" and missing:
            data["missing"] = missing
        version = typed.get(f"v-{task_id}", "")
        rows.append(lists.Row(task_id, data, int(version) if version.isdigit() else None))
    return rows


def _nominees(nominations: Iterable[int]) -> dict[int, str]:
    found = context.read().execute(
        select(Nomination.id, Nomination.nominee_name).where(Nomination.id.in_(list(nominations)))
    )
    return {nomination: name for nomination, name in found}


def _shared(typed: dict[str, str]) -> lists.Decision:
    header = DecisionHeader().load(
        {k: v for k, v in typed.items() if k in DecisionHeader().fields and v}
    )
    forward = None
    if header.get("forward_no"):
        if not header.get("forward_signer"):
            raise InvalidTaskData({"forward_signer": Message("form_required")})
        forward = forwarding.Header(
            header["forward_no"], header.get("forward_date") or _today(), header["forward_signer"]
        )
    return lists.Decision(header.get("decision_no", ""), header.get("decision_date"), forward)


def _said(refused: ListRefused) -> dict[str, str]:
    said = {}
    for task_id, error in refused.problems.items():
        if isinstance(error, InvalidTaskData):
            said[task_id] = "; ".join(say_fields(error.errors).values())
        elif isinstance(error, EngineError):
            said[task_id] = describe(error, "conflict")
    return said
