"""Signing in and out of the pages. A session holds a bearer token of workflows.auth, so
the pages share the API's expiry, revocation and limit on failed logins."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from flask import flash, redirect, request, session, url_for
from marshmallow import ValidationError
from werkzeug.urls import iri_to_uri

from web import context
from web.i18n import t
from web.pages.common import bp, me, render
from web.schemas.auth import Credentials
from web.schemas.text import without_nul
from workflows import auth, limits
from workflows.access import Principal, principal

MAX_CREDENTIAL = 200
MAX_NEXT = 2000
MAX_DECODINGS = 3
TASK_ROLES = ("proposer", "secretary", "council", "head")


def _safe_next(target: str) -> str:
    """Where to go after signing in: `target` when it is a path on this site, else ""
    (the signed-in person's home page, chosen by their roles once they are known)."""
    return _same_site_path(target) or ""


def home_of(who: Principal | None) -> str:
    """Where a person's work is: reviewers' tasks in the inbox, an auditor's in the search,
    an admin's on the admin home (a person with tasks lands on the inbox first)."""
    if who is None or who.orgs(*TASK_ROLES) or not who.roles:
        return url_for("pages.inbox")
    if who.orgs("admin"):
        return url_for("pages.admin_index")
    return url_for("pages.audit_search")


def _same_site_path(target: str) -> str | None:
    """`target` (non-ASCII percent-encoded) when every browser and URL parser reads it as a
    path on this site; None otherwise.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, and
    Python's urlsplit (which werkzeug applies to Location) drops tabs and newlines too: so
    `next=/%09/evil.example` arrives as a slash, a tab, a slash, and leaves as
    `//evil.example`, another host. So only printable ASCII is taken, and the path must
    still be a plain same-site path after each percent-decoding, in case something
    downstream decodes it again.
    """
    encoded = "".join(c if c.isascii() else quote(c) for c in target)
    if not 0 < len(encoded) <= MAX_NEXT or any(not " " < c < "\x7f" for c in encoded):
        return None
    path = re.split(r"[?#]", encoded, maxsplit=1)[0]
    for _ in range(MAX_DECODINGS):
        if not _plain_path(path):
            return None
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    else:
        return None  # still encoded after that many rounds: nothing legitimate is
    sent = urlsplit(iri_to_uri(encoded))  # what the Location header will say
    if sent.scheme or sent.netloc or not sent.path.startswith("/"):
        return None
    return encoded


def _plain_path(path: str) -> bool:
    """Starts with one slash, no backslash, no control or space character."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and all(unicodedata.category(c)[0] not in "CZ" for c in path)
    )


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    next_url = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return render("login.html", next_url=next_url, username="", error=None)
    typed = {name: request.form.get(name, "") for name in ("username", "password")}
    username = without_nul(typed["username"]).strip()[:MAX_CREDENTIAL]  # shown again
    error = None
    try:
        # Credentials the API would refuse (blank, too long, a NUL) are refused as a wrong
        # password is: a login form tells nobody which part was wrong.
        credentials = Credentials().load(typed)
        client = limits.client_key(request.remote_addr)
        issued = auth.login(
            context.write,
            credentials["username"],
            credentials["password"],
            client,
            context.now(),
        )
    except (ValidationError, auth.LoginRefused):
        error, status = t("login_refused"), 401
    except auth.TooManyAttempts as exc:
        error, status = t("too_many_attempts", count=exc.retry_after_s), 429
    if error is not None:
        return render("login.html", status, next_url=next_url, username=username, error=error)
    chosen = session.get("lang")
    session.clear()  # a new session (and CSRF token) for the signed-in person
    if chosen:
        session["lang"] = chosen
    session["token"] = issued.token
    return redirect(next_url or home_of(principal(context.read(), credentials["username"])))


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
