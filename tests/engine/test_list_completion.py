"""A list of tasks completed as one change: every row recorded, or none and each refused row
named (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from engine import audit
from engine.clock import FixedClock
from engine.errors import Conflict, InvalidTaskData, ListRefused, NotAllowed, NotFound
from engine.models import AuditEvent, Instance, TaskRow
from engine.ports import TaskCompletion
from engine.runtime import Engine as Laurel
from engine.runtime import InstanceView
from tests.engine.support import files, make_engine


def started(laurel: Laurel, count: int) -> list[InstanceView]:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    return [
        laurel.start("approval", f"N-{n}", {"requester": f"Người {n}"}, actor="alice")
        for n in range(count)
    ]


def snapshot(db: Engine) -> tuple[object, ...]:
    with db.connect() as conn:
        return (
            conn.execute(select(Instance.id, Instance.lock_version).order_by(Instance.id)).all(),
            conn.execute(select(TaskRow.id, TaskRow.state).order_by(TaskRow.id)).all(),
            conn.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_every_row_is_recorded_in_one_change_with_its_events_in_the_chain(
    laurel: Laurel, db: Engine
) -> None:
    views = started(laurel, 3)
    items = [TaskCompletion(v.ready_tasks[0].id, {}) for v in views]
    done = laurel.complete_tasks(items, "alice")
    assert [v.business_key for v in done] == ["N-0", "N-1", "N-2"]
    assert all(v.ready_tasks[0].bpmn_id == "review" for v in done)
    with db.connect() as conn:
        completed = conn.execute(
            select(AuditEvent.instance_id)
            .where(AuditEvent.action == "task.completed")
            .order_by(AuditEvent.seq)
        ).all()
        assert [row[0] for row in completed] == [v.id for v in views]
        assert audit.verify(conn).ok
    # A second list on the same instances goes on from where the first left them.
    reviews = [TaskCompletion(v.ready_tasks[0].id, {"decision": "approve"}) for v in done]
    assert {v.status for v in laurel.complete_tasks(reviews, "bob")} == {"completed"}


def test_one_bad_row_records_nothing_and_every_bad_row_is_named(laurel: Laurel, db: Engine) -> None:
    views = started(laurel, 4)
    laurel.complete_tasks([TaskCompletion(v.ready_tasks[0].id, {}) for v in views], "alice")
    with db.connect() as conn:
        review_ids = list(
            conn.scalars(
                select(TaskRow.id)
                .where(TaskRow.bpmn_id == "review", TaskRow.state == "ready")
                .order_by(TaskRow.business_key)
            )
        )
    before = snapshot(db)
    items = [
        TaskCompletion(review_ids[0], {"decision": "approve"}),
        TaskCompletion(review_ids[1], {"decision": "maybe"}),  # not a choice
        TaskCompletion(review_ids[2], {"decision": "reject"}),
        TaskCompletion("00000000-0000-0000-0000-000000000000", {"decision": "approve"}),
    ]
    with pytest.raises(ListRefused) as refused:
        laurel.complete_tasks(items, "bob")
    problems = refused.value.problems
    assert list(problems) == [review_ids[1], "00000000-0000-0000-0000-000000000000"]
    assert isinstance(problems[review_ids[1]], InvalidTaskData)
    assert isinstance(problems["00000000-0000-0000-0000-000000000000"], NotFound)
    assert snapshot(db) == before  # the good rows were not recorded either
    with db.connect() as conn:
        assert audit.verify(conn).ok


def test_a_row_changed_since_it_was_read_is_a_conflict_and_nothing_is_recorded(
    laurel: Laurel, db: Engine
) -> None:
    views = started(laurel, 2)
    with db.connect() as conn:
        seen = dict(conn.execute(select(Instance.business_key, Instance.lock_version)).all())
    # Someone completes N-1's task between the page being read and the list being sent.
    laurel.complete_task(views[1].ready_tasks[0].id, "alice", {})
    before = snapshot(db)
    items = [
        TaskCompletion(v.ready_tasks[0].id, {}, expected_version=seen[v.business_key])
        for v in views
    ]
    with pytest.raises(ListRefused) as refused:
        laurel.complete_tasks(items, "alice")
    [(task_id, why)] = refused.value.problems.items()
    assert task_id == views[1].ready_tasks[0].id
    assert isinstance(why, Conflict) and why.message.code == "task_not_ready"
    assert snapshot(db) == before

    # The instance moved on without this task (a timer, a comment): its version says so.
    other = started_again(laurel)
    stale = TaskCompletion(other.ready_tasks[0].id, {}, expected_version=other_version(db) - 1)
    with pytest.raises(ListRefused) as refused:
        laurel.complete_tasks([stale], "alice")
    assert refused.value.problems[stale.task_id].message.code == "instance_changed"


def started_again(laurel: Laurel) -> InstanceView:
    return laurel.start("approval", "N-late", {"requester": "Lan"}, actor="alice")


def other_version(db: Engine) -> int:
    with db.connect() as conn:
        version: int = conn.scalar(
            select(Instance.lock_version).where(Instance.business_key == "N-late")
        )
    return version


def test_a_row_the_actor_may_not_complete_refuses_the_list(laurel: Laurel, db: Engine) -> None:
    views = started(laurel, 2)
    before = snapshot(db)
    with pytest.raises(ListRefused) as refused:
        laurel.complete_tasks([TaskCompletion(v.ready_tasks[0].id, {}) for v in views], "bob")
    assert all(isinstance(e, NotAllowed) for e in refused.value.problems.values())
    assert len(refused.value.problems) == 2
    assert snapshot(db) == before


def test_a_batch_is_one_transaction_with_its_events_chained_at_its_end(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    with laurel.batch():
        first = laurel.start("approval", "B-1", {"requester": "An"}, actor="alice")
        laurel.start("approval", "B-2", {"requester": "Bình"}, actor="alice")
        laurel.complete_task(first.ready_tasks[0].id, "alice", {})
        if db.dialect.name == "postgresql":  # (SQLite lets no reader in meanwhile)
            with db.connect() as conn:  # nothing is visible, nor chained, before the end
                assert conn.scalar(select(func.count()).select_from(Instance)) == 0
    with db.connect() as conn:
        actions = conn.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[-3:] == ["instance.started", "instance.started", "task.completed"]
        assert audit.verify(conn).ok
    before = snapshot(db)
    try:
        with laurel.batch():
            laurel.start("approval", "B-3", {"requester": "Chi"}, actor="alice")
            raise RuntimeError("the caller's own check failed")
    except RuntimeError:
        pass
    assert snapshot(db) == before  # rolled back whole, events included


def test_a_batch_does_not_hold_the_chain_while_it_runs(
    laurel: Laurel, db: Engine, clock: FixedClock
) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite serialises every writer anyway")
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    other = make_engine(db, clock)
    with laurel.batch():
        laurel.start("approval", "B-1", {"requester": "An"}, actor="alice")
        # Another writer chains its change while the batch is still open.
        with ThreadPoolExecutor(1) as pool:
            done = pool.submit(
                other.start, "approval", "O-1", {"requester": "Đông"}, actor="bob"
            ).result(timeout=10)
        assert done.business_key == "O-1"
    with db.connect() as conn:
        assert audit.verify(conn).ok
