"""The API on a real database holding the demo installation, at a fixed time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.clock import FixedClock
from engine.db import create_db_engine
from tests.conftest import DEMO_NOW as NOW
from web.app import create_app
from web.settings import Settings
from workflows import auth
from workflows.models import Nomination


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
            # Tokens are minted directly: Argon2 is slow on purpose, and test_auth covers
            # signing in with a password over HTTP.
            with Session(self.db) as session, session.begin():
                issued = auth.issue_token(session, username, self.clock.now())
            self._tokens[username] = issued.token
        return {"Authorization": f"Bearer {self._tokens[username]}", **extra}

    def sign_out_everyone(self) -> None:
        self._tokens.clear()

    def call(self, method: str, path: str, username: str | None = None, **kwargs: object) -> object:
        headers = self.headers(username, **kwargs.pop("headers", {}))  # type: ignore[arg-type]
        return self.client.open(path, method=method, headers=headers, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def api(demo_database_url: str, tmp_path: Path) -> Iterator[Api]:
    db = create_db_engine(demo_database_url)
    clock = FixedClock(NOW)
    # An anchor file of the test's own: anchors belong to one database.
    settings = Settings(demo_database_url, "test", anchor_file=tmp_path / "anchors.jsonl")
    app = create_app(settings, clock=clock)
    yield Api(app, app.test_client(), clock, db, {})
    app.extensions["laurel.db"].dispose()
    db.dispose()


ApiCall = Callable[..., object]


# A comment as a member of the public signs it (name, phone, address: the law asks for all).
COMMENT = {
    "name": "Trần Văn Bình",
    "phone": "0912 345 678",
    "address": "Hoa Lư, Ninh Bình",
    "content": "Tôi xác nhận thành tích của cô là đúng sự thật.",
}


def nomination_named(api: Api, nominee: str) -> Nomination:
    with Session(api.db) as session:
        return session.scalars(select(Nomination).where(Nomination.nominee_name == nominee)).one()
