"""The web app answers, in Vietnamese, on a migrated database."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import AuditEvent
from web.app import create_app
from web.settings import Settings
from workflows.pipeline import pipeline_files


def test_the_home_page_says_the_engine_is_up(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, mode="test"))
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Bộ máy quy trình đang hoạt động" in page
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"


def test_healthz_reports_the_chain_head_without_counting(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, mode="test"))
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "audit_head": 0}
    app.extensions["laurel.engine"].deploy(pipeline_files(), deployed_by="quantri")
    with app.extensions["laurel.db"].connect() as conn:
        head = conn.scalar(select(func.max(AuditEvent.seq)))
    assert head and client.get("/healthz").get_json() == {"status": "ok", "audit_head": head}
