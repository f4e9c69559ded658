"""A per-session CSRF token: put in every POST form, checked on every POST to the pages.

SameSite=Lax cookies already keep most cross-site posts out; the token also covers old
browsers and same-site subdomains.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_KEY = "csrf"


def token() -> str:
    """This session's token, made on first use."""
    if _KEY not in session:
        session[_KEY] = secrets.token_urlsafe(32)
    value: str = session[_KEY]
    return value


def check() -> None:
    """Refuse (400) a POST whose token is missing or is not this session's."""
    if request.method != "POST":
        return
    # Forms carry the token as a field; the modeler's script sends it as a header.
    sent = request.form.get(FIELD) or request.headers.get(HEADER, "")
    expected = session.get(_KEY)
    if not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        abort(400, description="csrf")
