"""Signing in and out of the pages. A session holds a bearer token of workflows.auth, so
the pages share the API's expiry, revocation and limit on failed logins."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, session, url_for

from web.api import context
from web.i18n import t
from web.pages.common import bp, me, render
from workflows import auth

MAX_CREDENTIAL = 200


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.inbox")


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    next_url = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return render("login.html", next_url=next_url, username="", error=None)
    username = request.form.get("username", "").strip()[:MAX_CREDENTIAL]
    password = request.form.get("password", "")[:MAX_CREDENTIAL]
    error = None
    try:
        with context.write() as db:
            issued = auth.login(db, username, password, context.now())
    except auth.LoginRefused:
        with context.write() as db:
            auth.record_failure(db, username, context.now())
        error, status = t("login_refused"), 401
    except auth.TooManyAttempts as exc:
        error, status = t("too_many_attempts", seconds=exc.retry_after_s), 429
    if error is not None:
        return render("login.html", status, next_url=next_url, username=username, error=error)
    chosen = session.get("lang")
    session.clear()  # a new session (and CSRF token) for the signed-in person
    if chosen:
        session["lang"] = chosen
    session["token"] = issued.token
    return redirect(next_url)


@bp.post("/dang-xuat")
def logout() -> Any:
    token = session.get("token")
    if token:
        with context.write() as db:
            auth.revoke(db, token, context.now())
    chosen = session.get("lang")
    session.clear()
    if chosen:
        session["lang"] = chosen
    flash(t("logged_out"), "info")
    return redirect(url_for("pages.login"))


def landing() -> Any:
    """The home page of someone not signed in."""
    return render("landing.html", who=me())
