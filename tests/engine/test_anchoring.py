"""Anchors outside the database: written after each deploy and by the background loop when
the head moved, only ever appended, and every one of them checked by verify."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine import anchoring, audit
from engine.anchoring import AnchorFile
from engine.clock import FixedClock
from engine.errors import DefinitionRejected
from engine.models import AuditEvent
from engine.runtime import Engine as Laurel
from engine.worker import TimerWorker
from tests.conftest import tamper
from tests.engine.support import files, make_engine


@pytest.fixture
def sink(tmp_path: Path) -> AnchorFile:
    return AnchorFile(tmp_path / "anchors.jsonl")


def _anchored(sink: AnchorFile) -> list[int]:
    anchors, bad = sink.read()
    assert bad == []
    return [a.seq for a in anchors]


def _head(db: Engine, clock: FixedClock) -> audit.Anchor:
    with db.connect() as conn:
        return audit.head(conn, clock.now())


def test_a_deploy_anchors_the_head_it_leaves(
    db: Engine, clock: FixedClock, sink: AnchorFile
) -> None:
    laurel = make_engine(db, clock, anchors=sink)
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    assert sink.read() == ([_head(db, clock)], [])
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")  # unchanged: no new version
    with pytest.raises(DefinitionRejected):
        laurel.deploy({"broken.bpmn": b"<definitions/>"}, deployed_by="admin")
    assert _anchored(sink) == [1]
    clock.advance(minutes=1)
    second = files("gateway.bpmn")["gateway.bpmn"].replace(b"Review the", b"Check the")
    laurel.deploy({"gateway.bpmn": second}, deployed_by="admin")
    newest = sink.newest()
    assert newest == _head(db, clock) and newest.seq == 2


def _loop(laurel: Laurel, sink: AnchorFile) -> TimerWorker:
    return TimerWorker(laurel, anchors=sink, anchor_every=timedelta(minutes=10))


def test_the_loop_anchors_at_its_interval_when_the_head_moved(
    laurel: Laurel, clock: FixedClock, sink: AnchorFile, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    loop = _loop(laurel, sink)
    loop.run_once()
    assert _anchored(sink) == [2]
    clock.advance(hours=3)
    loop.run_once()
    assert _anchored(sink) == [2]  # the head did not move: nothing written
    view = laurel.complete_task(view.ready_tasks[0].id, "alice", {})
    loop.run_once()
    assert _anchored(sink) == [2, 3]
    laurel.complete_task(view.ready_tasks[0].id, "bob", {"decision": "approve"})
    clock.advance(minutes=9)
    loop.run_once()
    assert _anchored(sink) == [2, 3]  # moved, but the newest anchor is 9 minutes old
    clock.advance(minutes=1)
    loop.run_once()
    assert _anchored(sink) == [2, 3, _head(db, clock).seq]
    assert sink.newest() == _head(db, clock)


def test_the_loop_does_not_anchor_a_chain_cut_short_behind_its_anchor(
    laurel: Laurel, clock: FixedClock, sink: AnchorFile, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    loop = _loop(laurel, sink)
    loop.run_once()
    tamper(db, "DELETE FROM audit_events WHERE seq = 2")
    clock.advance(hours=1)
    loop.run_once()
    assert _anchored(sink) == [2]  # the honest anchor stays the newest


@pytest.fixture
def append_only(sink: AnchorFile) -> Iterator[Path]:
    """The anchor file with the kernel's append-only flag, as the docs tell operators to set
    it: any write that is not an append fails."""
    sink.path.write_text(
        # An earlier anchor, then a line a crash cut short: both must stay as they are.
        '{"seq": 1, "hash": "' + "a" * 64 + '", "at": "2026-03-01T00:00:00.000000+00:00"}\n'
        '{"seq": 2, "hash": "b'
    )
    if subprocess.run(["chattr", "+a", str(sink.path)], capture_output=True).returncode:
        pytest.skip("chattr +a is not available here")
    try:
        yield sink.path
    finally:
        subprocess.run(["chattr", "-a", str(sink.path)], check=True)


def test_the_anchor_file_is_only_appended_to(
    db: Engine, clock: FixedClock, sink: AnchorFile, append_only: Path
) -> None:
    before = append_only.read_bytes()
    laurel = make_engine(db, clock, anchors=sink)
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")  # would fail on a rewrite
    laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    clock.advance(hours=1)
    assert _loop(laurel, sink).anchor()
    after = append_only.read_bytes()
    assert after.startswith(before)
    anchors, bad = sink.read()
    assert bad == [2]  # the cut line stays its own line, not glued to the next anchor
    assert [a.seq for a in anchors] == [1, 1, 2]  # the earlier one, the deploy, the loop
    assert anchors[-1] == _head(db, clock)


def test_an_anchor_appended_for_a_rewritten_chain_does_not_hide_the_honest_one(
    laurel: Laurel, clock: FixedClock, sink: AnchorFile, db: Engine
) -> None:
    """Someone who rewrites the newest event and can append to the anchor file appends an
    anchor of the forged head: the honest anchor at the same seq still fails it."""
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    assert _loop(laurel, sink).anchor()
    with Session(db) as session:
        event = session.get_one(AuditEvent, 2)
        forged = audit.chain_hash(
            event.prev_hash,
            2,
            audit.at_text(event.at),
            "mallory",
            event.action,
            event.instance_id,
            event.task_id,
            event.payload,
        )
    tamper(db, f"UPDATE audit_events SET actor = 'mallory', hash = '{forged}' WHERE seq = 2")
    sink.append(audit.Anchor(2, forged, audit.at_text(clock.now())))
    with db.connect() as conn:
        checked = anchoring.check(conn, sink, clock.now())
    assert not checked.ok
    assert (checked.result.broken_seq, checked.result.code) == (2, "anchor_rewritten")


def test_a_deleted_tail_fails_against_the_newest_anchor_and_says_how_old_it_is(
    laurel: Laurel, clock: FixedClock, sink: AnchorFile, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    laurel.complete_task(view.ready_tasks[0].id, "alice", {})
    assert _loop(laurel, sink).anchor()
    anchored_at = audit.at_text(clock.now())
    clock.advance(minutes=12)
    with db.connect() as conn:
        checked = anchoring.check(conn, sink, clock.now())
    assert checked.ok and checked.age == timedelta(minutes=12) and not checked.stale
    tamper(db, "DELETE FROM audit_events WHERE seq >= 2")
    with db.connect() as conn:
        assert audit.verify(conn).ok  # the chain alone cannot tell
        checked = anchoring.check(conn, sink, clock.now())
    assert not checked.ok
    assert checked.result.code == "anchor_removed"
    assert dict(checked.result.params) == {
        "ends": "1",
        "anchored_seq": "3",
        "anchored_at": anchored_at,
    }
    assert "the chain ends at event 1 but was anchored at event 3" in checked.result.problem


def test_no_anchor_or_an_old_one_with_events_after_it_is_stale(
    laurel: Laurel, clock: FixedClock, sink: AnchorFile, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    with db.connect() as conn:
        assert anchoring.check(conn, sink, clock.now()).stale  # events and no anchor
    assert _loop(laurel, sink).anchor()
    clock.advance(days=3)
    with db.connect() as conn:
        assert not anchoring.check(conn, sink, clock.now()).stale  # old, but nothing after it
    laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    with db.connect() as conn:
        checked = anchoring.check(conn, sink, clock.now())
    assert checked.ok and checked.stale and checked.unanchored == 1
