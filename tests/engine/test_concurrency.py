"""Two writers on one instance: one commits, the other gets a conflict, the state stays whole."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from engine import audit
from engine.clock import FixedClock
from engine.errors import Conflict
from engine.models import AuditEvent, TaskRow
from engine.ports import HumanTask
from tests.engine.support import ReviewForm, files, make_engine


class RendezvousForm(ReviewForm):
    """Holds each writer after it has loaded the instance until the other has too.

    On PostgreSQL both then write on the same loaded version and the optimistic lock
    decides; on SQLite the second writer cannot even begin until the first commits, so
    the rendezvous times out and the writers run one after the other.
    """

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2, timeout=2)

    def clean(self, task: HumanTask, data: Mapping[str, Any]) -> dict[str, Any]:
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()
        return super().clean(task, data)


def race(*calls: Callable[[], Any]) -> list[Any]:
    def attempt(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(attempt, calls))


def test_two_people_completing_one_task_at_once(db: Engine) -> None:
    laurel = make_engine(db, FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-1", {"requester": "Lan"}, actor="alice")
    view = laurel.complete_task(view.ready_tasks[0].id, "alice", {})
    review = view.ready_tasks[0].id
    laurel.validator = RendezvousForm()

    results = race(
        lambda: laurel.complete_task(review, "bob", {"decision": "approve"}),
        lambda: laurel.complete_task(review, "carol", {"decision": "reject"}),
    )

    conflicts = [r for r in results if isinstance(r, Conflict)]
    done = [r for r in results if not isinstance(r, Conflict)]
    assert len(conflicts) == 1 and len(done) == 1
    winner = "bob" if done[0].data.get("outcome") == "approved" else "carol"
    with db.connect() as conn:
        assert conn.scalar(select(TaskRow.completed_by).where(TaskRow.id == review)) == winner
        completions = conn.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.completed", AuditEvent.task_id == review)
        )
        assert completions == 1
        assert audit.verify(conn).ok
    assert laurel.get_instance(view.id).status == "completed"
