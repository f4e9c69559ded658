"""The reviewers' pages: the task inbox, a task's form with its dossier, and a council
member's ballot list. Completion goes through the task service the API uses too, so a page
and a client change the same things in the same way."""

from __future__ import annotations

import math
from typing import Any

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidTaskData, NotAllowed, NotFound, Suspended
from engine.models import Instance, TaskRow
from web import context
from web.i18n import describe, say_fields, t
from web.pages import auth, checklist, confirm
from web.pages.common import arg, bp, me, page_number, render, signed_in, user
from web.pages.lists import LISTS
from web.queries import inbox as inbox_queries
from web.queries import nominations as nomination_queries
from web.queries.inbox import TaskItem
from web.services.tasks import TASK_ID_LENGTH, complete_task
from workflows.access import WORKING_ROLES, Principal
from workflows.forms import FORMS
from workflows.models import Campaign, Nomination, Organisation
from workflows.pipeline import TASK_STAGES

PER_PAGE = 20
MAX_BALLOTS = 100
_OVERDUE = {"yes": True, "no": False}


@bp.get("/")
def inbox() -> Any:
    if me() is None:
        return auth.landing()
    return _inbox(user())


def _inbox(who: Principal) -> Any:
    session, now = context.read(), context.now()
    filters: dict[str, Any] = {
        "stage": arg("stage"),
        "campaign": arg("campaign"),
        "org": arg("org"),
        "overdue": _OVERDUE.get(arg("overdue")),
        "q": arg("q"),  # a name, with or without diacritics
    }
    page = inbox_queries.inbox(session, who, now, filters, page_number(), PER_PAGE)
    names = _org_names(session, {i["org"] for i in page["items"]} | who.orgs(*WORKING_ROLES))
    return render(
        "inbox.html",
        page=page,
        pages=max(1, math.ceil(page["total"] / PER_PAGE)),
        counts=inbox_queries.stage_counts(session, who),
        filters={k: arg(k) for k in ("stage", "campaign", "org", "overdue", "q")},
        campaigns=session.execute(
            select(Campaign.code, Campaign.name).order_by(Campaign.starts.desc())
        ).all(),
        units=sorted(who.orgs(*WORKING_ROLES)),
        work_lists=[
            (org, which)
            for which, (_form, role, _page) in LISTS.items()
            for org in sorted(who.orgs(role))
        ],
        names=names,
        stages=TASK_STAGES,
    )


def _org_names(session: Session, codes: set[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    rows = session.execute(
        select(Organisation.code, Organisation.name).where(Organisation.code.in_(wanted))
    ).all()
    return {code: name for code, name in rows}


def _task_or_404(task_id: str) -> TaskItem:
    if len(task_id) > TASK_ID_LENGTH or "\x00" in task_id:
        abort(404)
    item = inbox_queries.my_task(context.read(), context.engine(), user(), task_id, context.now())
    if item is None:
        abort(404)
    return item


@bp.get("/tasks/<task_id>")
@signed_in
def task(task_id: str) -> Any:
    item = _task_or_404(task_id)
    status = context.read().scalar(
        select(Instance.status)
        .join(TaskRow, TaskRow.instance_id == Instance.id)
        .where(TaskRow.id == task_id)
    )
    if status == "suspended":
        flash(t("instance_suspended"), "warning")
    return _task_page(item, values={}, errors={})


def _task_page(
    item: TaskItem, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Any:
    session = context.read()
    nomination = session.get_one(Nomination, item["nomination"]["id"])
    dossier = nomination_queries.detail(session, context.engine(), nomination, context.now())
    return render(
        "task.html",
        status,
        item=item,
        dossier=dossier,
        values=values,
        errors=errors,
        names=_org_names(session, {item["org"], nomination.current_org}),
        authority=_authority(item),
    )


def _authority(item: TaskItem) -> str:
    """For the head's decision: whether the award is within this level's authority, as the
    route table answered it ("decide", "forward" or "outside"; "" for other tasks)."""
    if item["form_key"] != "decide" or item["state"] != "ready":
        return ""
    instance_id = context.read().scalar(select(TaskRow.instance_id).where(TaskRow.id == item["id"]))
    if instance_id is None:
        return ""
    view = context.engine().get_instance(instance_id)
    route = next((task.data.get("route") for task in view.ready_tasks if task.id == item["id"]), "")
    return str(route or "")


def form_data(form: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The submitted form as the task takes it, and as it was typed (to show again)."""
    data: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    for field in inbox_queries.form_of(form):
        name, kind = field["name"], field["type"]
        raw = request.form.get(name, "")
        typed[name] = raw
        if kind == "list":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                data[name] = lines
        elif kind == "integer":
            stripped = raw.strip()
            if stripped:
                # Not a number stays text, so the form's own message explains it.
                data[name] = int(stripped) if stripped.isdigit() else stripped
        elif raw.strip():
            data[name] = raw.strip()
    return data, typed


@bp.post("/tasks/<task_id>")
@signed_in
def complete(task_id: str) -> Any:
    who = user()
    if len(task_id) > TASK_ID_LENGTH or "\x00" in task_id:
        abort(404)
    form = context.read().scalar(select(TaskRow.form).where(TaskRow.id == task_id))
    if form is None or form not in FORMS:
        abort(404)
    data, typed = form_data(form)
    checklist.take_ticked(form, data, typed)  # the documents ticked missing at appraisal
    if confirm.needed(form, data) and not confirm.confirmed():
        # An ending choice is sent only once confirmed (web/pages/confirm.py): nothing changes.
        item = _task_or_404(task_id)
        return _task_page(item, typed, {confirm.FIELD: t("confirm_required")}, 422)
    try:
        complete_task(who, task_id, data)
    except Suspended:
        return redirect(url_for("pages.task", task_id=task_id))  # which says why
    except Conflict as exc:
        # Sent twice, or a colleague took it meanwhile: say so, not an error page.
        flash(describe(exc, "conflict"), "warning")
        return redirect(url_for("pages.inbox"))
    except (NotFound, NotAllowed):
        abort(404)  # another organisation's task is not told to exist
    except InvalidTaskData as exc:
        context.close_read()
        item = _task_or_404(task_id)
        return _task_page(item, typed, say_fields(exc.errors), 422)
    flash(t("task_saved"), "success")
    return redirect(url_for("pages.inbox"))


@bp.get("/council/<org>")
@signed_in
def council(org: str) -> Any:
    """The ballot sheet's old address."""
    return redirect(url_for("pages.work_list", org=org, which="bieu-quyet"))
