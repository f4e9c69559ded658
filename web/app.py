"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from engine.anchoring import AnchorFile
from engine.clock import SystemClock
from engine.db import create_db_engine, make_read_session_factory, make_session_factory
from engine.models import AuditEvent
from engine.ports import Clock
from web import api, i18n, pages, transfers
from web.api.problems import refuse_deep_json
from web.settings import Settings
from workflows.pipeline import build_engine

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
    i18n.init_app(app)
    app.before_request(refuse_deep_json)  # before any parser can recurse into the body
    transfers.configure(app, settings)  # files stream into checks, not into memory
    api.register(app)
    pages.register(app)

    # `/` is the pages' inbox (or the landing page for visitors); this is for monitoring, so
    # it answers in constant time: the database reached, and the audit chain's head by its
    # primary key (no count that grows with the data).
    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        with read() as session:
            head = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        return {"status": "ok", "audit_head": head or 0}

    return app
