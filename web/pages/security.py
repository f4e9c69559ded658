"""Session cookies and response headers for the pages.

The session cookie is signed with `LAUREL_SECRET_KEY`, or with a random key kept in
`instance/secret_key` (next to the embedded database) so that sessions survive a restart.
The file is made only when a page first keeps something in a session: the API and a
visit to the home page never create it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Request
from flask import Response as FlaskResponse
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers import Response

KEY_FILE = Path("instance") / "secret_key"
# The API signs requests with bearer tokens and its docs page needs inline scripts: neither
# has a session nor the pages' CSP.
API_PREFIX = "/api/"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def secret_key(create: bool = True) -> str | None:
    """The configured key, else the one in the instance folder (made on first use when
    `create`)."""
    configured = os.environ.get("LAUREL_SECRET_KEY")
    if configured:
        return configured
    if KEY_FILE.exists():
        return KEY_FILE.read_text(encoding="ascii").strip()
    if not create:
        return None
    KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created exclusively with owner-only permissions: the key signs every session.
    with os.fdopen(os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(key)
    return key


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, for page requests only, with the key found lazily
    and the Secure flag on except in debug, testing and the demo."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(API_PREFIX):
            return self.make_null_session(app)
        if not app.secret_key:
            app.secret_key = secret_key(create=False)
        if not app.secret_key:
            return self.session_class()  # nothing signed yet: no cookie can be valid
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: FlaskResponse) -> None:
        if not app.secret_key and session:
            app.secret_key = secret_key()  # the first session worth keeping makes the key
        super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        local = os.environ.get("LAUREL_MODE") in ("demo", "test")
        return not (app.debug or app.testing or local)


def configure(app: Flask) -> None:
    app.session_interface = PageSessions()
    app.config.update(
        SESSION_COOKIE_NAME="laurel_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if os.environ.get("LAUREL_SECRET_KEY"):
        app.secret_key = os.environ["LAUREL_SECRET_KEY"]


def add_headers(response: Response, path: str) -> Response:
    if not path.startswith(API_PREFIX):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
    return response
