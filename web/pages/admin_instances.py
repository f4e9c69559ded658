"""The administrators' pages over processes: each definition's versions (who deployed them,
when, why, how many instances run on each) with a readable difference against the version
before, and the process instances — a filtered list and one instance with its diagram
(done, waiting and failed elements highlighted) and the suspend, resume and retry actions.

Same reads as the admin API (web/queries/definitions.py and instances.py); changes go through
the engine.
Signed-in administrators only; anyone else gets 403. Instances are scoped as in the API: an
admin sees and acts on those whose nomination is now in their subtrees (others are 404), and
the version counts are of those instances."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import ColumnElement

from engine.errors import Conflict, MigrationRefused, NotFound
from engine.ports import InstanceView
from web import context, diagram
from web.definition_problems import problem_list
from web.i18n import describe, t
from web.pages.common import admin, arg, bp, definition_key, page_number, render, signed_in
from web.paging import page_of
from web.queries import definitions as definition_queries
from web.queries import instances as instance_queries
from web.schemas.instances import MAX_REASON, MAX_RETRY_DATA, RetryForm, SuspendArgs
from web.schemas.text import without_nul
from web.services import instances
from workflows import retry_data
from workflows.access import Principal
from workflows.admin_scope import instance_scope
from workflows.pipeline import TASK_STAGES

PER_PAGE = 30
FILTERS = ("definition", "version", "status", "stage", "org", "business_key")


def _scope(who: Principal) -> ColumnElement[bool]:
    return instance_scope(context.read(), who)


# -- versions -----------------------------------------------------------------------------


@bp.get("/quan-tri/quy-trinh")
@signed_in
def admin_versions() -> Any:
    who = admin()
    definitions = definition_queries.definitions_with_versions(context.read(), _scope(who))
    return render("admin_versions.html", definitions=definitions)


@bp.get("/quan-tri/quy-trinh/<key>/phien-ban/<int(max=2147483647):number>")
@signed_in
def admin_version(key: str, number: int) -> Any:
    who = admin()
    definition_key(key)
    against_arg = arg("against")
    against = int(against_arg) if against_arg.isdigit() and 0 < int(against_arg) < 2**31 else None
    session = context.read()
    row, other, diff = definition_queries.version_diff(session, key, number, against)
    scope = _scope(who)
    uses = definition_queries.uses(session, scope, row.id)[row.id]
    changes = [
        {
            "kind": change.kind,
            "title": definition_queries.change_title(change),
            "details": [definition_queries.detail_text(d) for d in change.details],
        }
        for change in (diff.changes if diff else [])
    ]
    numbers = [
        v["version"]
        for d in definition_queries.definitions_with_versions(session, scope)
        if d["key"] == key
        for v in d["versions"]
    ]
    return render(
        "admin_version.html",
        v=row,
        other=other,
        diff=diff,
        changes=changes,
        uses=uses,
        numbers=[n for n in numbers if n != number],
        files=sorted(row.sources),
    )


@bp.get("/quan-tri/quy-trinh/<key>/phien-ban/<int(max=2147483647):number>/tep/<name>")
@signed_in
def admin_version_file(key: str, number: int, name: str) -> Any:
    admin()
    definition_key(key)
    row, _, _ = definition_queries.version_diff(context.read(), key, number, number)
    text = row.sources.get(name)
    if not isinstance(text, str):
        abort(404)
    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "definition.xml"
    return Response(
        text,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


# -- instances ----------------------------------------------------------------------------


def _filters() -> dict[str, Any]:
    values: dict[str, Any] = {name: arg(name) for name in FILTERS}
    if values["status"] not in instance_queries.STATUSES:
        values["status"] = ""
    version = values["version"]
    values["version"] = int(version) if version.isdigit() and 0 < int(version) < 2**31 else ""
    return values


@bp.get("/quan-tri/phien-chay")
@signed_in
def admin_instances() -> Any:
    who = admin()
    session = context.read()
    scope = _scope(who)
    values = _filters()
    page = page_of(session, instance_queries.instance_query(values, scope), page_number(), PER_PAGE)
    items = instance_queries.instance_items(session, list(page["items"]))
    query = {k: v for k, v in values.items() if v != ""}
    return render(
        "admin_instances.html",
        items=items,
        values=values,
        query=query,
        total=page["total"],
        page=page["page"],
        pages=max(1, math.ceil(page["total"] / PER_PAGE)),
        statuses=instance_queries.STATUSES,
        definitions=definition_queries.definitions_with_versions(session, scope),
        stages=TASK_STAGES,
    )


@bp.get("/quan-tri/phien-chay/<int(max=2147483647):instance_id>")
@signed_in
def admin_instance(instance_id: int) -> Any:
    who = admin()
    found = instance_queries.instance_detail(context.read(), instance_id, _scope(who))
    if found is None:
        raise NotFound("instance_not_found", id=instance_id)
    svg = diagram.render_version(found["sources"], found["path"], t("instance_diagram"))
    return render(
        "admin_instance.html",
        i=found,
        diagram=Markup(svg),
        retry_data=request.args.get("data", "")[:MAX_RETRY_DATA],
        retry_hint=_retry_hint(instance_id) if found["status"] == "error" else "",
    )


def _retry_hint(instance_id: int) -> str:
    """Which keys the failed element lets an admin correct (retry_data property)."""
    element, declared = retry_data.declared_keys(context.read(), instance_id)
    keys = ", ".join(sorted(declared - retry_data.OWNED_KEYS)) or t("retry_nothing_declared")
    return t("instance_retry_keys", element=element or "—", keys=keys)


def _back(instance_id: int) -> Any:
    return redirect(url_for("pages.admin_instance", instance_id=instance_id))


@bp.post("/quan-tri/phien-chay/<int(max=2147483647):instance_id>/tam-dung")
@signed_in
def admin_suspend(instance_id: int) -> Any:
    who = admin()
    try:
        # NULs are dropped, as the page always has; the API refuses them instead.
        args = SuspendArgs().load({"reason": without_nul(request.form.get("reason", "")).strip()})
    except ValidationError:
        flash(t("instance_reason_too_long", most=MAX_REASON), "warning")
        return _back(instance_id)
    if _done(lambda: instances.suspend(who, instance_id, args["reason"])):
        flash(t("instance_suspended_done"), "success")
    return _back(instance_id)


@bp.post("/quan-tri/phien-chay/<int(max=2147483647):instance_id>/tiep-tuc")
@signed_in
def admin_resume(instance_id: int) -> Any:
    who = admin()
    if _done(lambda: instances.resume(who, instance_id)):
        flash(t("instance_resumed_done"), "success")
    return _back(instance_id)


@bp.post("/quan-tri/phien-chay/<int(max=2147483647):instance_id>/chuyen-phien-ban")
@signed_in
def admin_migrate(instance_id: int) -> Any:
    """To the newest version; the refusal's reasons are listed, one message each."""
    who = admin()
    try:
        view = instances.migrate(who, instance_id, None)
    except MigrationRefused as refused:
        flash(t("migration_refused"), "warning")
        for reason in problem_list(refused.problems):
            flash(reason["message"], "warning")
    except Conflict as exc:
        flash(describe(exc, "conflict"), "warning")
    else:
        flash(t("instance_migrated_done", version=view.definition_version), "success")
    return _back(instance_id)


@bp.post("/quan-tri/phien-chay/<int(max=2147483647):instance_id>/chay-lai")
@signed_in
def admin_retry(instance_id: int) -> Any:
    who = admin()
    try:
        data = RetryForm().load({"data": request.form.get("data", "")})["data"]
    except ValidationError as refused:
        messages: Any = refused.normalized_messages()  # type: ignore[no-untyped-call]
        flash(str(messages["data"][0]), "warning")
        return _back(instance_id)

    def retry() -> InstanceView | None:
        try:
            return instances.retry(who, instance_id, data)
        except retry_data.RetryDataRefused as refused:
            flash(t("retry_data_refused"), "warning")
            for message in instance_queries.retry_refusals(refused).values():
                flash(message, "warning")
            return None

    view = _done(retry)
    if view is not None:
        flash(t("instance_retried_done", status=t(f"instance_status_{view.status}")), "success")
    return _back(instance_id)


def _done(action: Callable[[], InstanceView | None]) -> InstanceView | None:
    """What an instance service returned; a refusal becomes a message on the instance page
    (why, or "changed meanwhile"), an instance outside the admin's scope a 404."""
    try:
        return action()
    except NotFound:
        abort(404)
    except Conflict as exc:
        flash(describe(exc, "conflict"), "warning")
        return None
