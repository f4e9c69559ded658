"""Shared fixtures: a fresh, migrated database per test, on SQLite and (when configured) PostgreSQL.

`LAUREL_TEST_POSTGRES_URL` (e.g. postgresql+psycopg://laurel@127.0.0.1:5433/postgres) adds a
PostgreSQL run of every database test; `.ci/run` starts a throw-away cluster and sets it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from engine.db import create_db_engine
from workflows.schema import migrate

POSTGRES_URL = os.environ.get("LAUREL_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]

if os.environ.get("LAUREL_REQUIRE_POSTGRES") and not POSTGRES_URL:
    raise RuntimeError("LAUREL_REQUIRE_POSTGRES is set but LAUREL_TEST_POSTGRES_URL is not")


class _Templates:
    """A migrated template per backend, copied for each test (fast, and each test is alone)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sqlite_template: Path | None = None
        self.pg_template: str | None = None

    def sqlite(self) -> str:
        if self.sqlite_template is None:
            self.sqlite_template = self.workdir / "template.db"
            engine = create_db_engine(f"sqlite:///{self.sqlite_template}")
            migrate(engine)
            engine.dispose()  # the last connection to close checkpoints the WAL into the file
        target = self.workdir / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.sqlite_template, target)
        return f"sqlite:///{target}"

    def postgresql(self) -> str:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                if self.pg_template is None:
                    name = f"laurel_tpl_{uuid.uuid4().hex[:8]}"
                    conn.execute(text(f"CREATE DATABASE {name}"))
                    url = make_url(POSTGRES_URL).set(database=name)
                    engine = create_db_engine(url.render_as_string(hide_password=False))
                    migrate(engine)
                    engine.dispose()
                    self.pg_template = name
                db = f"laurel_t_{uuid.uuid4().hex[:12]}"
                conn.execute(text(f"CREATE DATABASE {db} TEMPLATE {self.pg_template}"))
        finally:
            admin.dispose()
        return make_url(POSTGRES_URL).set(database=db).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    return _Templates(tmp_path_factory.mktemp("db"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, _templates: _Templates) -> str:
    """The URL of a fresh, fully migrated database of each backend under test."""
    return _templates.sqlite() if request.param == "sqlite" else _templates.postgresql()


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()
