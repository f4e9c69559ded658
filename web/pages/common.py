"""What every page shares: the blueprint, the signed-in person, dates and labels, error
pages. Reads and writes go through the same services as the API (web.queries,
web.services, web.context)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from engine.errors import NotAllowed, NotFound
from web import context
from web.i18n import LANGUAGES, describe, known, language, t
from web.pages import csrf
from workflows import auth
from workflows.access import Principal, principal
from workflows.calendar import TIMEZONE

bp = Blueprint("pages", __name__, template_folder="templates")
log = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])
MAX_ARG = 100


def me() -> Principal | None:
    """The person signed in on this browser session, if their token is still good."""
    if "laurel_page_user" not in g:
        token = session.get("token")
        username = auth.user_of(context.read(), token, context.now()) if token else None
        g.laurel_page_user = principal(context.read(), username) if username else None
    who: Principal | None = g.laurel_page_user
    return who


def signed_in(view: View) -> View:
    """Send anonymous visitors to the sign-in page, and back here afterwards."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if me() is None:
            flash(t("login_needed"), "info")
            return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(View, wrapper)


def user() -> Principal:
    who = me()
    assert who is not None  # behind @signed_in
    return who


def admin() -> Principal:
    """The signed-in person, who must be an admin somewhere (a definition, an instance and
    the engine serve every organisation): 403 for anyone else."""
    who = user()
    if not who.orgs("admin"):
        raise NotAllowed("admin_required")
    return who


def definition_key(key: str) -> str:
    """A definition key from a URL, or 404 for one no definition can have."""
    if len(key) > 100 or "\x00" in key:
        abort(404)
    return key


def arg(name: str) -> str:
    """A query or form value the database can take: short, without NUL, stripped."""
    value = request.values.get(name, "")
    return "" if len(value) > MAX_ARG or "\x00" in value else value.strip()


def page_number() -> int:
    value = arg("page")
    return int(value) if value.isdigit() and 0 < int(value) <= 100_000 else 1


def local(value: datetime | None, with_time: bool = False) -> str:
    """dd/mm/yyyy (and hh:mm) in Vietnam's time."""
    if value is None:
        return ""
    moment = value.astimezone(TIMEZONE)
    return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def local_due(value: datetime | None) -> str:
    """A deadline's last day: one that ends at midnight is due the day before it."""
    if value is None:
        return ""
    moment = value.astimezone(TIMEZONE)
    if moment.time() == time(0):
        moment -= timedelta(minutes=1)
    return moment.strftime("%d/%m/%Y")


def label(prefix: str, code: str | None) -> str:
    """The message `prefix_code`, or the code itself when there is none."""
    key = f"{prefix}_{code}"
    return t(key) if known(key) else (code or "")


def task_name(task: Mapping[str, Any]) -> str:
    """A task as people call it: the pipeline's own stage name, or the title an admin gave a
    task they added (which may reuse a form, so the form's name would mislead)."""
    key = f"stage_{task['bpmn_id']}"
    if task["bpmn_id"] == task.get("form_key") and known(key):
        return t(key)
    return str(task.get("title") or task["bpmn_id"])


def level_name(level: str) -> str:
    return label("level", level)


def render(template: str, status: int = 200, **values: Any) -> tuple[str, int]:
    return render_template(f"pages/{template}", **values), status


def error_page(status: int, message: str) -> tuple[str, int]:
    return render("error.html", status, error_status=status, message=message)


@bp.app_template_global()
def lang() -> str:
    return language()


@bp.app_template_global()
def other_language() -> str:
    return LANGUAGES[1] if language() == LANGUAGES[0] else LANGUAGES[0]


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {
        "t": t,
        "csrf_token": csrf.token,
        "csrf_field": csrf.FIELD,
        "local": local,
        "local_due": local_due,
        "label": label,
        "task_name": task_name,
        "level_name": level_name,
        "page_user": me,
    }


@bp.before_request
def _before() -> Response | None:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    csrf.check()
    return None


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if status == 400 and error.description == "csrf":
        return error_page(400, t("csrf_failed"))
    key = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return error_page(status, t(key.get(status, "server_error")))


@bp.errorhandler(NotFound)
def _not_found(_: NotFound) -> tuple[str, int]:
    return error_page(404, t("not_found"))


@bp.errorhandler(NotAllowed)
def _not_allowed(error: NotAllowed) -> tuple[str, int]:
    return error_page(403, describe(error, "forbidden"))


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error on a page", exc_info=error)
    return error_page(500, t("server_error"))
