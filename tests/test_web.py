"""The web app answers, in Vietnamese, on a migrated database."""

from __future__ import annotations

from web.app import create_app
from web.settings import Settings


def test_the_home_page_says_the_engine_is_up(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, mode="test"))
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Bộ máy quy trình đang hoạt động" in page
    assert app.test_client().get("/healthz").get_json()["status"] == "ok"
