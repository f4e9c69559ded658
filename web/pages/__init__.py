"""Server-rendered pages, Vietnamese first: sign in, the task inbox and forms, the council's
ballot list, nominations, and the public board. Same services as the API (web.queries)."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response

from web import names
from web.pages import (
    admin_awards,
    admin_instances,
    auditor,
    auth,
    confirm,
    dossiers,
    files,
    help,
    inbox,
    installation,
    integrity,
    lists,
    nominations,
    processes,
    proposals,
    public,
    security,
    stats,
)
from web.pages.common import bp

__all__ = ["auth", "bp", "inbox", "nominations", "public", "register"]
__all__ += ["integrity", "stats"]
__all__ += ["auditor"]
__all__ += ["processes"]
__all__ += ["admin_awards", "installation"]
__all__ += ["admin_instances"]
__all__ += ["help"]
__all__ += ["files"]
__all__ += ["confirm", "dossiers"]
__all__ += ["proposals"]
__all__ += ["lists"]


def register(app: Flask) -> None:
    security.configure(app)
    names.register(app)
    app.register_blueprint(bp)

    @app.after_request
    def _headers(response: Response) -> Response:
        return security.add_headers(response, request.path)
