"""The API on a real database holding the demo installation, at a fixed time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from engine.clock import FixedClock
from engine.db import create_db_engine
from tests.conftest import DEMO_NOW as NOW
from web.app import create_app
from web.settings import Settings
from workflows.demo import PASSWORD


@dataclass
class Api:
    app: Flask
    client: FlaskClient
    clock: FixedClock
    db: Engine
    _tokens: dict[str, str]

    def headers(self, username: str | None, **extra: str) -> dict[str, str]:
        """Authorization headers for `username` (signing in once), or none for None."""
        if username is None:
            return dict(extra)
        if username not in self._tokens:
            response = self.client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 201, response.get_json()
            self._tokens[username] = response.get_json()["token"]
        return {"Authorization": f"Bearer {self._tokens[username]}", **extra}

    def call(self, method: str, path: str, username: str | None = None, **kwargs: object) -> object:
        headers = self.headers(username, **kwargs.pop("headers", {}))  # type: ignore[arg-type]
        return self.client.open(path, method=method, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def api(demo_database_url: str) -> Iterator[Api]:
    db = create_db_engine(demo_database_url)
    clock = FixedClock(NOW)
    app = create_app(Settings(demo_database_url, "test"), clock=clock)
    yield Api(app, app.test_client(), clock, db, {})
    app.extensions["laurel.db"].dispose()
    db.dispose()


ApiCall = Callable[..., object]
