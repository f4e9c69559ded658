"""Shared fixtures: a fresh, migrated database per test, on SQLite and (when configured) PostgreSQL.

`LAUREL_TEST_POSTGRES_URL` (e.g. postgresql+psycopg://laurel@127.0.0.1:5433/postgres) adds a
PostgreSQL run of every database test; `.ci/run` starts a throw-away cluster and sets it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from engine.db import create_db_engine, make_session_factory
from web.cli import main
from workflows.demo import install
from workflows.schema import migrate

DEMO_NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # a Monday, 10:00 in Hà Nội
POSTGRES_URL = os.environ.get("LAUREL_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]

if os.environ.get("LAUREL_REQUIRE_POSTGRES") and not POSTGRES_URL:
    raise RuntimeError("LAUREL_REQUIRE_POSTGRES is set but LAUREL_TEST_POSTGRES_URL is not")


class _Templates:
    """Template databases per backend and content, copied for each test (fast, and each
    test is alone): "empty" is just migrated, "demo" also holds the demo installation."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sqlite_templates: dict[str, Path] = {}
        self.pg_templates: dict[str, str] = {}

    def sqlite(self, content: str = "empty") -> str:
        if content not in self.sqlite_templates:
            path = self.workdir / f"template-{content}.db"
            _fill(f"sqlite:///{path}", content)
            self.sqlite_templates[content] = path
        target = self.workdir / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.sqlite_templates[content], target)
        return f"sqlite:///{target}"

    def postgresql(self, content: str = "empty") -> str:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                if content not in self.pg_templates:
                    name = f"laurel_tpl_{content}_{uuid.uuid4().hex[:8]}"
                    conn.execute(text(f"CREATE DATABASE {name}"))
                    _fill(_pg_url(name), content)
                    self.pg_templates[content] = name
                db = f"laurel_t_{uuid.uuid4().hex[:12]}"
                conn.execute(text(f"CREATE DATABASE {db} TEMPLATE {self.pg_templates[content]}"))
        finally:
            admin.dispose()
        return _pg_url(db)


def _pg_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def _fill(url: str, content: str) -> None:
    engine = create_db_engine(url)
    migrate(engine)
    if content == "demo":
        install(make_session_factory(engine), DEMO_NOW)
    engine.dispose()  # on SQLite the last connection to close checkpoints the WAL into the file


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    return _Templates(tmp_path_factory.mktemp("db"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, _templates: _Templates) -> str:
    """The URL of a fresh, fully migrated database of each backend under test."""
    return _templates.sqlite() if request.param == "sqlite" else _templates.postgresql()


@pytest.fixture(params=BACKENDS)
def demo_database_url(request: pytest.FixtureRequest, _templates: _Templates) -> str:
    """A fresh database of each backend holding the demo installation made at DEMO_NOW."""
    if request.param == "sqlite":
        return _templates.sqlite("demo")
    return _templates.postgresql("demo")


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The `laurel` command against a migrated SQLite file in the test's directory."""
    monkeypatch.setenv("LAUREL_DATABASE_URL", f"sqlite:///{tmp_path / 'laurel.db'}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def tamper(db: Engine, *statements: str, params: dict[str, object] | None = None) -> None:
    """Change audit rows behind the app's back, as someone with database access could:
    drop the append-only triggers first, then run `statements`."""
    with db.begin() as conn:
        if db.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
        for statement in statements:
            conn.execute(text(statement), params or {})
