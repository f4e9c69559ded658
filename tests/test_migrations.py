"""Migrations of issue 11 on databases holding data from before them: ballots become one
round's counts (0007), audit events get their organisation scope (0008), on SQLite and
PostgreSQL, and each goes back down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, MetaData, create_engine, insert, inspect, select, text
from sqlalchemy.exc import DatabaseError

from engine import audit, schema
from engine.db import create_db_engine
from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow, table_of
from tests.conftest import BACKENDS, POSTGRES_URL, _pg_url
from workflows.schema import DOMAIN_MIGRATIONS

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend, not migrated."""
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    name = f"laurel_m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine = create_db_engine(_pg_url(name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


def upgrade(engine: Engine, revision: str) -> None:
    schema.upgrade(engine, revision, extra_locations=DOMAIN_MIGRATIONS)


def downgrade(engine: Engine, revision: str) -> None:
    config = schema.alembic_config(DOMAIN_MIGRATIONS)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def tables(conn: Connection) -> MetaData:
    found = MetaData()
    found.reflect(conn)
    return found


def add_nomination(conn: Connection) -> int:
    """The rows a nomination needs, written as the schema of the time has them."""
    old = tables(conn)
    conn.execute(
        insert(old.tables["organisations"]),
        [{"code": "TRUONG_A", "name": "Trường A", "level": "L1", "voting": "ballot"}],
    )
    conn.execute(
        insert(old.tables["awards"]),
        [{"code": "LDTT", "name": "LĐTT", "subject": "individual", "kind": "x", "criteria": ""}],
    )
    conn.execute(
        insert(old.tables["campaigns"]),
        [{"code": "C", "name": "C", "starts": T0.date(), "ends": T0.date()}],
    )
    return int(
        conn.execute(
            insert(old.tables["nominations"]).returning(old.tables["nominations"].c.id),
            [
                {
                    "business_key": "HS-1",
                    "campaign_code": "C",
                    "award_code": "LDTT",
                    "nominee_kind": "individual",
                    "nominee_name": "Nguyễn Thị Lan",
                    "nominee_key": "lan",
                    "nominee_position": "",
                    "nominee_unit": "",
                    "achievements": "",
                    "documents": "[]",
                    "origin_org": "TRUONG_A",
                    "current_org": "TRUONG_A",
                    "status": "open",
                    "stage": "vote",
                    "created_by": "cb",
                    "created_at": T0.replace(tzinfo=None),
                    "year": 2026,
                }
            ],
        ).scalar_one()
    )


def test_ballots_become_their_rounds_counts_and_the_table_goes(blank: Engine) -> None:
    upgrade(blank, "0006_credentials")
    with blank.begin() as conn:
        nomination = add_nomination(conn)
        ballots = tables(conn).tables["ballots"]
        choices = [(1, "for"), (1, "against"), (1, "for"), (1, "for"), (1, "against"), (2, "for")]
        conn.execute(
            insert(ballots),
            [
                {
                    "id": uuid.uuid4().hex,
                    "nomination_id": nomination,
                    "org_code": "TRUONG_A",
                    "round": round_no,
                    "choice": choice,
                }
                for round_no, choice in choices
            ],
        )

    upgrade(blank, "0007_ballot_box")

    with blank.connect() as conn:
        assert "ballots" not in inspect(conn).get_table_names()
        boxes = conn.execute(
            text("SELECT round, votes_for, votes_against FROM ballot_boxes ORDER BY round")
        ).all()
    assert [tuple(b) for b in boxes] == [(1, 3, 2), (2, 1, 0)]

    downgrade(blank, "0006_credentials")
    with blank.connect() as conn:
        assert "ballot_boxes" not in inspect(conn).get_table_names()
        back = conn.execute(
            text("SELECT round, choice, count(*) FROM ballots GROUP BY round, choice")
        ).all()
    assert sorted(tuple(b) for b in back) == [(1, "against", 2), (1, "for", 3), (2, "for", 1)]


def chain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit rows as `engine.audit.append` wrote them before events had a scope."""
    rows, prev = [], audit.GENESIS
    for seq, event in enumerate(events, start=1):
        payload = audit.canonical_payload(event["payload"])
        digest = audit.chain_hash(
            prev,
            seq,
            audit.at_text(event["at"]),
            event["actor"],
            event["action"],
            event.get("instance_id"),
            event.get("task_id"),
            payload,
        )
        rows.append(
            {
                "seq": seq,
                "at": event["at"],
                "actor": event["actor"],
                "action": event["action"],
                "instance_id": event.get("instance_id"),
                "task_id": event.get("task_id"),
                "payload": payload,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return rows


def add_history(conn: Connection) -> None:
    """An instance that went from TRUONG_A up to CDGD_NB, and some admin changes."""
    conn.execute(
        insert(table_of(DefinitionVersion)),
        [
            {
                "id": 1,
                "key": "nomination",
                "version": 1,
                "process_id": "p",
                "sha256": "0" * 64,
                "sources": {},
                "deployed_by": "admin",
                "deployed_at": T0,
                "comment": "",
            }
        ],
    )
    conn.execute(
        insert(table_of(Instance)),
        [
            {
                "id": 1,
                "definition_id": 1,
                "business_key": "HS-1",
                "status": "active",
                "state": "{}",
                "created_at": T0,
                "updated_at": T0,
                "lock_version": 3,
            }
        ],
    )
    task = {"instance_id": 1, "business_key": "HS-1", "title": "t", "lane": "secretary"}
    conn.execute(
        insert(table_of(TaskRow)),
        [
            {**task, "id": "t1", "bpmn_id": "appraise", "form": "appraise", "org_scope": "TRUONG_A"}
            | {"state": "completed", "created_at": T0},
            {**task, "id": "t2", "bpmn_id": "appraise", "form": "appraise", "org_scope": "CDGD_NB"}
            | {"state": "ready", "created_at": T0 + timedelta(days=2)},
        ],
    )
    one = {"actor": "system", "instance_id": 1}
    events = [
        {**one, "at": T0, "action": "instance.started", "payload": {"business_key": "HS-1"}},
        {
            **one,
            "at": T0 + timedelta(hours=1),
            "action": "task.completed",
            "task_id": "t1",
            "payload": {"bpmn_id": "appraise", "org_scope": "TRUONG_A"},
        },
        {**one, "at": T0 + timedelta(days=1), "action": "timer.fired", "payload": {}},
        {**one, "at": T0 + timedelta(days=3), "action": "instance.suspended", "payload": {}},
        {
            "actor": "quantri",
            "at": T0 + timedelta(days=4),
            "action": "admin.person.role_grant",
            "payload": {"username": "lan", "role": "council", "org": "THPT_NK"},
        },
        {
            "actor": "quantri",
            "at": T0 + timedelta(days=4),
            "action": "admin.person.update",
            "payload": {"username": "lan", "password_changed": True},
        },
        {
            "actor": "quantri",
            "at": T0 + timedelta(days=4),
            "action": "admin.calendar.add",
            "payload": {"after": {"org": {"not": "a code"}}, "org": 7},
        },
    ]
    conn.execute(insert(table_of(AuditEvent)), chain(events))


def test_audit_events_get_their_scope_and_the_chain_still_verifies(blank: Engine) -> None:
    upgrade(blank, "0007_ballot_box")
    with blank.begin() as conn:
        add_history(conn)

    upgrade(blank, "0008_audit_scope")

    with blank.connect() as conn:
        scopes = conn.execute(
            select(AuditEvent.action, AuditEvent.org_scope).order_by(AuditEvent.seq)
        ).all()
        assert audit.verify(conn).ok
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("audit_events")}
    assert indexes["ix_audit_events_scope"] == ["org_scope", "seq"]
    assert [tuple(s) for s in scopes] == [
        ("instance.started", "TRUONG_A"),  # where the instance was then: its task of the time
        ("task.completed", "TRUONG_A"),  # as its payload says
        ("timer.fired", "TRUONG_A"),
        ("instance.suspended", "CDGD_NB"),  # after it climbed
        ("admin.person.role_grant", "THPT_NK"),
        ("admin.person.update", None),  # not in the payload: unknown
        ("admin.calendar.add", None),  # an `org` that is no code
    ]
    # The append-only triggers are back.
    for statement in ("UPDATE audit_events SET org_scope = 'X'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), blank.begin() as conn:
            conn.execute(text(statement))

    downgrade(blank, "0007_ballot_box")
    with blank.connect() as conn:
        assert "org_scope" not in {c["name"] for c in inspect(conn).get_columns("audit_events")}
        assert audit.verify(conn).ok
    with pytest.raises(DatabaseError, match="append-only"), blank.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
