"""Suspend and resume on the real engine and database: a suspended instance refuses task
completion and messages, its timers wait, and resuming fires what fell due meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from engine.clock import FixedClock
from engine.errors import Conflict, NotFound, Suspended
from engine.models import AuditEvent, Instance, TaskRow
from engine.runtime import Engine as Laurel
from tests.engine.support import T0, files


def _events(db: Engine) -> list[tuple[str, str, str]]:
    with db.connect() as conn:
        return [
            (actor, action, payload)
            for actor, action, payload in conn.execute(
                select(AuditEvent.actor, AuditEvent.action, AuditEvent.payload).order_by(
                    AuditEvent.seq
                )
            )
        ]


def _instance(db: Engine) -> tuple[str, int]:
    with db.connect() as conn:
        status, lock = conn.execute(select(Instance.status, Instance.lock_version)).one()
    return status, lock


def test_a_suspended_instance_refuses_tasks_and_messages_until_resumed(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("message.bpmn"), deployed_by="admin")
    view = laurel.start("withdrawable", "N-1", {}, actor="alice")
    task_id = view.ready_tasks[0].id
    _, lock = _instance(db)

    laurel.suspend(view.id, "admin", "checking the dossier")
    assert _instance(db) == ("suspended", lock + 1)
    actor, action, payload = _events(db)[-1]
    assert (actor, action) == ("admin", "instance.suspended")
    assert "checking the dossier" in payload

    with pytest.raises(Suspended, match="suspended"):
        laurel.complete_task(task_id, "alice", {})
    with pytest.raises(Suspended, match="suspended"):
        laurel.deliver_message("N-1", "withdraw", actor="alice")
    with pytest.raises(Conflict, match=r"instance_not_active.*status=instance_status_suspended"):
        laurel.suspend(view.id, "admin")
    with db.connect() as conn:  # the task stays open, nothing ran
        assert conn.scalar(select(TaskRow.state).where(TaskRow.id == task_id)) == "ready"

    view = laurel.resume(view.id, "admin")
    assert view.status == "active"
    assert [t.id for t in view.ready_tasks] == [task_id]
    assert _events(db)[-1][:2] == ("admin", "instance.resumed")
    with pytest.raises(Conflict, match="instance_not_suspended"):
        laurel.resume(view.id, "admin")

    view = laurel.complete_task(task_id, "alice", {})
    assert view.status == "completed"


def test_due_timers_of_a_suspended_instance_wait_and_fire_on_resume(
    laurel: Laurel, clock: FixedClock, db: Engine
) -> None:
    laurel.deploy(files("timer.bpmn"), deployed_by="admin")
    view = laurel.start("sla", "N-2", {"sla_duration": "PT2H"}, actor="bob")
    laurel.suspend(view.id, "admin", "")

    clock.advance(hours=3)
    assert laurel.fire_due_timers() == 0
    assert "timer.fired" not in [a for _, a, _ in _events(db)]

    view = laurel.resume(view.id, "admin")
    assert view.status == "active"
    actions = [a for _, a, _ in _events(db)]
    assert actions[-2:] == ["instance.resumed", "timer.fired"]
    with db.connect() as conn:
        assert conn.scalar(select(Instance.next_timer_at)) is None
    assert laurel.fire_due_timers(as_of=T0 + timedelta(hours=4)) == 0


def test_only_active_instances_are_suspended(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-3", {}, actor="alice")  # no requester: fails later
    view = laurel.complete_task(view.ready_tasks[0].id, "alice", {})
    view = laurel.complete_task(view.ready_tasks[0].id, "bob", {"decision": "approve"})
    assert view.status == "error"
    with pytest.raises(Conflict, match=r"instance_not_active.*status=instance_status_error"):
        laurel.suspend(view.id, "admin")
    with pytest.raises(NotFound):
        laurel.suspend(999_999, "admin")
    with pytest.raises(NotFound):
        laurel.resume(999_999, "admin")
