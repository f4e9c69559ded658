"""The pages on a real database holding the demo installation, at a fixed time."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.clock import FixedClock
from engine.db import create_db_engine
from engine.models import TaskRow
from tests.conftest import DEMO_NOW as NOW
from web.app import create_app
from web.settings import Settings
from workflows.models import Nomination

PASSWORD = "laurel-demo"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    app: Flask
    client: FlaskClient
    clock: FixedClock
    db: Engine

    def get(self, path: str, **kwargs: object) -> TestResponse:
        return self.client.get(path, **kwargs)  # type: ignore[arg-type]

    def csrf(self, path: str = "/dang-nhap") -> str:
        """The session's CSRF token, as a form on `path` carries it."""
        found = _CSRF.search(self.get(path).get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(
        self, path: str, data: Mapping[str, str | list[str]], csrf_from: str | None = None
    ) -> TestResponse:
        return self.client.post(path, data={**data, "csrf_token": self.csrf(csrf_from or path)})

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        return self.post("/dang-nhap", {"username": username, "password": password})

    def task_id(self, business_key_nominee: str, bpmn_id: str) -> str:
        with Session(self.db) as session:
            found = session.scalar(
                select(TaskRow.id)
                .join(Nomination, Nomination.business_key == TaskRow.business_key)
                .where(
                    Nomination.nominee_name == business_key_nominee,
                    TaskRow.bpmn_id == bpmn_id,
                    TaskRow.state == "ready",
                )
            )
        assert found is not None
        return found

    def nomination_id(self, nominee: str) -> int:
        with Session(self.db) as session:
            found = session.scalar(select(Nomination.id).where(Nomination.nominee_name == nominee))
        assert found is not None
        return found


@pytest.fixture
def browser(
    demo_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Browser]:
    monkeypatch.setenv("LAUREL_SECRET_KEY", "test-secret-key-for-pages")
    db = create_db_engine(demo_database_url)
    clock = FixedClock(NOW)
    # An anchor file of the test's own: anchors belong to one database.
    settings = Settings(demo_database_url, "test", anchor_file=tmp_path / "anchors.jsonl")
    app = create_app(settings, clock=clock)
    app.config["TESTING"] = True
    yield Browser(app, app.test_client(), clock, db)
    app.extensions["laurel.db"].dispose()
    db.dispose()


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)
