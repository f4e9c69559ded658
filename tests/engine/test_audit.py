"""The audit chain: append-only in the database, and verify names the first broken link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import FixedClock
from engine.models import AuditEvent
from tests.conftest import tamper
from tests.engine.support import files, make_engine


@pytest.fixture
def history(db: Engine) -> Engine:
    """A few real events: a deploy, an instance started, two tasks completed."""
    laurel = make_engine(db, FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-1", {"requester": "Nguyễn Thị Lan"}, actor="alice")
    view = laurel.complete_task(view.ready_tasks[0].id, "alice", {"ghi_chú": "Hồ sơ đủ"})
    laurel.complete_task(view.ready_tasks[0].id, "bob", {"decision": "approve"})
    return db


def test_an_untouched_chain_verifies(history: Engine) -> None:
    with history.connect() as conn:
        result = audit.verify(conn)
    assert result.ok
    assert result.checked == 5
    assert len(result.head_hash) == 64


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"]
)
def test_the_database_refuses_to_change_audit_rows(history: Engine, statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), history.begin() as conn:
        conn.execute(text(statement))
    with history.connect() as conn:
        assert audit.verify(conn).ok


def test_a_changed_payload_is_named_by_its_seq(history: Engine) -> None:
    tamper(history, """UPDATE audit_events SET payload = '{"data": {}}' WHERE seq = 3""")
    with history.connect() as conn:
        result = audit.verify(conn)
    assert (result.ok, result.broken_seq, result.checked) == (False, 3, 2)
    assert "content does not match" in result.problem


def test_a_deleted_row_is_named(history: Engine) -> None:
    tamper(history, "DELETE FROM audit_events WHERE seq = 2")
    with history.connect() as conn:
        result = audit.verify(conn)
    assert (result.ok, result.broken_seq) == (False, 2)
    assert "missing" in result.problem


def test_a_rehashed_forgery_breaks_the_next_link(history: Engine) -> None:
    """Whoever rewrites an event and its hash still breaks the link to the event after it."""
    with Session(history) as session:
        event = session.get_one(AuditEvent, 4)
        forged = audit.chain_hash(
            event.prev_hash,
            event.seq,
            audit.at_text(event.at),
            "mallory",
            event.action,
            event.instance_id,
            event.task_id,
            event.payload,
        )
    tamper(history, f"UPDATE audit_events SET actor = 'mallory', hash = '{forged}' WHERE seq = 4")
    with history.connect() as conn:
        result = audit.verify(conn)
    assert (result.ok, result.broken_seq) == (False, 5)
    assert "prev_hash" in result.problem


def _rewrite_from(db: Engine, first: int) -> None:
    """A forger's full rewrite: change event `first` and re-hash it and everything after."""
    with Session(db) as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = audit.GENESIS
        updates = []
        for event in events:
            actor = "mallory" if event.seq == first else event.actor
            if event.seq >= first:
                digest = audit.chain_hash(
                    prev,
                    event.seq,
                    audit.at_text(event.at),
                    actor,
                    event.action,
                    event.instance_id,
                    event.task_id,
                    event.payload,
                )
                updates.append(
                    f"UPDATE audit_events SET actor = '{actor}', prev_hash = '{prev}', "
                    f"hash = '{digest}' WHERE seq = {event.seq}"
                )
                prev = digest
            else:
                prev = event.hash
    tamper(db, *updates)


def test_a_rewritten_chain_no_longer_extends_its_anchor(history: Engine) -> None:
    with history.connect() as conn:
        anchor = audit.head(conn, datetime(2026, 3, 2, tzinfo=UTC))
    assert anchor.seq == 5
    _rewrite_from(history, 3)
    with history.connect() as conn:
        assert audit.verify(conn).ok  # consistent on its own: only the anchor can tell
        result = audit.verify(conn, anchors=[audit.Anchor.from_json(anchor.to_json())])
    assert (result.ok, result.broken_seq) == (False, 5)
    assert "no longer extends the anchor" in result.problem


def test_events_removed_from_the_end_fall_short_of_an_anchor(history: Engine) -> None:
    with history.connect() as conn:
        anchor = audit.head(conn, datetime(2026, 3, 2, tzinfo=UTC))
    tamper(history, "DELETE FROM audit_events WHERE seq >= 4")
    with history.connect() as conn:
        assert audit.verify(conn).ok
        result = audit.verify(conn, anchors=[anchor])
    assert (result.ok, result.broken_seq) == (False, 4)
    assert "events were removed" in result.problem


def test_reordered_rows_are_named(history: Engine) -> None:
    """Two events swapped in place (every column but seq) break the chain at the first."""
    with Session(history) as session:
        two, three = (session.get_one(AuditEvent, seq) for seq in (2, 3))
        columns = ("actor", "action", "payload", "prev_hash", "hash")
        swap = [
            f"UPDATE audit_events SET {', '.join(f'{c} = :{c}{n}' for c in columns)} "
            f"WHERE seq = {n}"
            for n in (2, 3)
        ]
        params = {f"{c}2": getattr(three, c) for c in columns} | {
            f"{c}3": getattr(two, c) for c in columns
        }
    tamper(history, *swap, params=params)
    with history.connect() as conn:
        result = audit.verify(conn)
    assert (result.ok, result.broken_seq) == (False, 2)
