"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string
from sqlalchemy import func, select

from engine.anchoring import AnchorFile
from engine.clock import SystemClock
from engine.db import create_db_engine, make_read_session_factory, make_session_factory
from engine.models import AuditEvent, DefinitionVersion, Instance
from engine.ports import Clock
from web import api, pages
from web.api.problems import refuse_deep_json
from web.settings import Settings
from workflows.pipeline import build_engine

_STATUS_PAGE = """<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Laurel — Xét duyệt thi đua, khen thưởng</title></head>
<body>
<main>
<h1>Laurel</h1>
<p>Hệ thống xét duyệt hồ sơ thi đua, khen thưởng.</p>
<p><strong>Bộ máy quy trình đang hoạt động.</strong> <span lang="en">(The engine is up.)</span></p>
<ul>
  <li>Quy trình đã triển khai (deployed definition versions): {{ definitions }}</li>
  <li>Hồ sơ đang xử lý (running instances): {{ running }}</li>
  <li>Sự kiện nhật ký kiểm toán (audit events): {{ events }}</li>
</ul>
</main>
</body>
</html>"""


MAX_REQUEST_BYTES = 6 * 1024 * 1024  # a 5 MB definition plus its JSON envelope


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    db = create_db_engine(settings.database_url)
    read = make_read_session_factory(db)
    sessions = make_session_factory(db)
    clock = clock or SystemClock()
    anchors = AnchorFile(settings.anchor_path)
    app.extensions.update(
        {
            "laurel.db": db,
            "laurel.sessions": sessions,
            "laurel.read_sessions": read,
            "laurel.clock": clock,
            "laurel.anchors": anchors,
            "laurel.engine": build_engine(sessions, clock=clock, anchors=anchors),
        }
    )
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.before_request(refuse_deep_json)  # before any parser can recurse into the body
    api.register(app)
    pages.register(app)

    def counts() -> dict[str, Any]:
        with read() as session:
            return {
                "definitions": session.scalar(select(func.count()).select_from(DefinitionVersion)),
                "running": session.scalar(
                    select(func.count()).select_from(Instance).where(Instance.status == "active")
                ),
                "events": session.scalar(select(func.count()).select_from(AuditEvent)),
            }

    @app.get("/")
    def index() -> str:
        return render_template_string(_STATUS_PAGE, **counts())

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", **counts()}

    return app
