"""Migration 0006 on a database signed into before it: the tokens of the time keep working
until the person's credentials change, failed logins keep counting, and it goes back down;
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from tests.test_migrations import blank, downgrade, upgrade  # noqa: F401 (blank: a fixture)
from workflows import auth

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_tokens_from_before_the_migration_last_until_the_credentials_change(
    blank: Engine,  # noqa: F811
) -> None:
    upgrade(blank, "0005_task_form")
    token = "token-from-before"
    with blank.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO people (username, full_name, password_hash, active) "
                "VALUES ('gv.a', 'Giáo viên A', 'x', :yes)"
            ),
            {"yes": True},
        )
        conn.execute(
            text(
                "INSERT INTO auth_tokens (token_hash, username, created_at, expires_at) "
                "VALUES (:hash, 'gv.a', :now, :later)"
            ),
            {"hash": auth._digest(token), "now": NOW, "later": NOW + timedelta(hours=1)},
        )
        conn.execute(
            text("INSERT INTO login_failures (username, at) VALUES ('gv.a', :now)"), {"now": NOW}
        )

    upgrade(blank, "0006_credentials")
    with Session(blank) as session:
        assert auth.user_of(session, token, NOW) == "gv.a"
    with blank.connect() as conn:
        assert conn.execute(text("SELECT client FROM login_failures")).scalar_one() == ""
    with Session(blank) as session, session.begin():
        auth.end_sessions(session, "gv.a")
    with Session(blank) as session:
        assert auth.user_of(session, token, NOW) is None

    downgrade(blank, "0005_task_form")
    with blank.connect() as conn:
        columns = {
            table: {c["name"] for c in inspect(conn).get_columns(table)}
            for table in ("people", "auth_tokens", "login_failures")
        }
        assert conn.execute(text("SELECT count(*) FROM login_failures")).scalar_one() == 1
    assert "credentials_generation" not in columns["people"]
    assert "generation" not in columns["auth_tokens"]
    assert "client" not in columns["login_failures"]
