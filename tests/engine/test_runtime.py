"""The engine end to end on real SpiffWorkflow and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from engine.clock import FixedClock
from engine.errors import Conflict, InvalidTaskData, NotAllowed, NotWaiting
from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow
from engine.runtime import Engine as Laurel
from engine.runtime import InstanceView
from tests.engine.support import T0, files


def audit_actions(db: Engine) -> list[str]:
    with db.connect() as conn:
        return list(conn.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def only_task(view: InstanceView) -> str:
    assert len(view.ready_tasks) == 1, view.ready_tasks
    return view.ready_tasks[0].id


def test_user_tasks_and_gateway_run_to_the_approved_end(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start(
        "approval", "N-1", {"requester": "Lan", "org_id": "TRUONG_A"}, actor="alice"
    )
    submit = view.ready_tasks[0]
    assert (submit.bpmn_id, submit.lane, submit.org_scope) == ("submit", "clerk", "TRUONG_A")
    assert submit.title == "Submit the request"

    view = laurel.complete_task(submit.id, "alice", {})
    review = view.ready_tasks[0]
    assert (review.bpmn_id, review.lane) == ("review", "manager")

    view = laurel.complete_task(review.id, "bob", {"decision": "approve"})
    assert view.status == "completed"
    assert view.ready_tasks == []
    assert view.data["outcome"] == "approved"
    assert view.data["greeting"] == "Hello Lan"

    with db.connect() as conn:
        rows = conn.execute(
            select(TaskRow.bpmn_id, TaskRow.state, TaskRow.completed_by).order_by(
                TaskRow.created_at, TaskRow.bpmn_id
            )
        ).all()
    assert sorted(rows) == [("review", "completed", "bob"), ("submit", "completed", "alice")]
    assert audit_actions(db) == [
        "definition.deployed",
        "instance.started",
        "task.completed",
        "task.completed",
        "instance.completed",
    ]


def test_the_default_flow_is_taken_when_no_condition_holds(laurel: Laurel) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-2", {"requester": "Lan"}, actor="alice")
    view = laurel.complete_task(only_task(view), "alice", {})
    view = laurel.complete_task(only_task(view), "bob", {"decision": "reject"})
    assert view.status == "completed"
    assert "outcome" not in view.data


def _snapshot(db: Engine) -> tuple[object, ...]:
    with db.connect() as conn:
        return (
            conn.execute(select(Instance.state, Instance.lock_version, Instance.status)).all(),
            conn.execute(select(TaskRow.id, TaskRow.state)).all(),
            conn.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_a_person_without_the_lane_role_is_refused_and_nothing_changes(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-3", {"requester": "Lan"}, actor="alice")
    before = _snapshot(db)
    with pytest.raises(NotAllowed, match="bob does not hold the role clerk"):
        laurel.complete_task(only_task(view), "bob", {})
    assert _snapshot(db) == before


def test_invalid_task_data_is_refused_with_field_errors_and_nothing_changes(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-4", {"requester": "Lan"}, actor="alice")
    view = laurel.complete_task(only_task(view), "alice", {})
    before = _snapshot(db)
    with pytest.raises(InvalidTaskData) as refused:
        laurel.complete_task(only_task(view), "bob", {"decision": "maybe"})
    assert refused.value.errors == {"decision": "choose approve or reject"}
    assert _snapshot(db) == before


def test_completing_a_task_twice_is_a_conflict(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-5", {"requester": "Lan"}, actor="alice")
    task_id = only_task(view)
    laurel.complete_task(task_id, "alice", {})
    before = _snapshot(db)
    with pytest.raises(Conflict, match=r"task_not_ready.*state=completed, by=alice"):
        laurel.complete_task(task_id, "alice", {})
    assert _snapshot(db) == before


def test_a_business_key_starts_one_instance_only(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    laurel.start("approval", "N-6", {"requester": "Lan"}, actor="alice")
    with pytest.raises(Conflict, match="N-6"):
        laurel.start("approval", "N-6", {"requester": "Lan"}, actor="alice")
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Instance)) == 1


def test_a_non_interrupting_boundary_timer_marks_the_task_overdue(
    laurel: Laurel, clock: FixedClock, db: Engine
) -> None:
    laurel.deploy(files("timer.bpmn"), deployed_by="admin")
    view = laurel.start("sla", "N-7", {"sla_duration": "PT2H"}, actor="bob")
    review = view.ready_tasks[0]
    assert review.due_at == T0 + timedelta(hours=2)
    with db.connect() as conn:
        assert conn.scalar(select(Instance.next_timer_at)) == T0 + timedelta(hours=2)

    assert laurel.fire_due_timers(as_of=T0 + timedelta(hours=1)) == 0
    assert laurel.fire_due_timers(as_of=T0 + timedelta(hours=3)) == 1
    view = laurel.get_instance(view.id)
    assert view.status == "active"
    assert [t.bpmn_id for t in view.ready_tasks] == ["review"]  # still open: non-interrupting
    assert "timer.fired" in audit_actions(db)
    with db.connect() as conn:
        assert conn.scalar(select(Instance.next_timer_at)) is None
    assert laurel.fire_due_timers(as_of=T0 + timedelta(hours=4)) == 0

    clock.advance(hours=5)
    view = laurel.complete_task(review.id, "bob", {"decision": "approve"})
    assert view.status == "completed"
    assert view.data.get("overdue") is True


def test_a_message_interrupts_the_task_it_is_attached_to(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("message.bpmn"), deployed_by="admin")
    view = laurel.start("withdrawable", "N-8", {}, actor="alice")
    task_id = only_task(view)

    before = _snapshot(db)
    with pytest.raises(NotWaiting, match=r"instance_not_waiting_for.*message=revoke"):
        laurel.deliver_message("N-8", "revoke", actor="alice")
    assert _snapshot(db) == before

    view = laurel.deliver_message("N-8", "withdraw", {"reason": "moved"}, actor="alice")
    assert view.status == "completed"
    assert view.data["status"] == "withdrawn"
    with db.connect() as conn:
        assert conn.scalar(select(TaskRow.state).where(TaskRow.id == task_id)) == "cancelled"
    with pytest.raises(NotWaiting, match="completed"):
        laurel.deliver_message("N-8", "withdraw", actor="alice")


def test_an_intermediate_message_catch_receives_the_payload(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("message_catch.bpmn"), deployed_by="admin")
    view = laurel.start("outside", "N-8b", {}, actor="bob")
    assert (view.status, view.ready_tasks) == ("active", [])
    view = laurel.deliver_message(
        "N-8b", "outside_outcome", {"decision_no": "123/QĐ-TTg"}, actor="bob"
    )
    assert view.status == "completed"
    assert view.data["decision_no"] == "123/QĐ-TTg"
    assert audit_actions(db)[-2:] == ["message.delivered", "instance.completed"]


def test_a_call_activity_runs_the_called_process_tasks(laurel: Laurel) -> None:
    laurel.deploy(files("call_activity.bpmn"), deployed_by="admin")
    view = laurel.start("outer", "N-9", {"org_id": "SO_GD"}, actor="alice")
    task = view.ready_tasks[0]
    assert (task.bpmn_id, task.lane, task.org_scope) == ("legal_check", "manager", "SO_GD")
    view = laurel.complete_task(task.id, "carol", {})
    assert view.status == "completed"


@pytest.mark.parametrize(
    ("award", "votes_for", "result"),
    [("CSTD", 9, "passed"), ("CSTD", 8, "failed"), ("BK", 8, "passed"), ("LDTT", 5, "passed")],
)
def test_a_dmn_table_supplies_the_threshold(
    laurel: Laurel, award: str, votes_for: int, result: str
) -> None:
    laurel.deploy(files("rules.bpmn", "thresholds.dmn"), deployed_by="admin")
    view = laurel.start(
        "tally", "N-10", {"award": award, "votes_for": votes_for, "members": 10}, actor="bob"
    )
    assert view.status == "completed"
    assert view.data["result"] == result


def test_a_loop_through_a_user_task_runs_each_round(laurel: Laurel) -> None:
    laurel.deploy(files("loop.bpmn"), deployed_by="admin")
    view = laurel.start("rework", "N-11", {"rounds": 0, "done": False}, actor="alice")
    for _ in range(3):
        view = laurel.complete_task(only_task(view), "alice", {"done": False})
    view = laurel.complete_task(only_task(view), "alice", {"done": True})
    assert view.status == "completed"
    assert view.data["rounds"] == 4


def test_an_engine_loop_past_the_tree_depth_limit_is_an_error_not_completed(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("spin.bpmn"), deployed_by="admin")
    assert laurel.start("spin", "N-12", {"n": 0, "limit": 20}, actor="bob").data["n"] == 20

    view = laurel.start("spin", "N-13", {"n": 0, "limit": 10**6}, actor="bob")
    assert view.status == "error"
    assert "task tree" in (view.error_message or "")
    assert audit_actions(db)[-1] == "instance.error"


def test_a_runaway_script_is_stopped_by_the_step_budget(laurel: Laurel, db: Engine) -> None:
    laurel.deploy(files("runaway.bpmn"), deployed_by="admin")
    view = laurel.start("runaway", "N-13b", {"n": 0, "limit": 1}, actor="bob")
    assert (view.status, view.error_element) == ("error", "step")
    assert "step budget" in (view.error_message or "")
    assert audit_actions(db)[-1] == "instance.error"


def test_a_failing_script_puts_the_instance_in_error_and_retry_resumes_it(
    laurel: Laurel, db: Engine
) -> None:
    laurel.deploy(files("gateway.bpmn"), deployed_by="admin")
    view = laurel.start("approval", "N-14", {}, actor="alice")  # no requester: greet() fails
    view = laurel.complete_task(only_task(view), "alice", {"note": "kept"})
    view = laurel.complete_task(only_task(view), "bob", {"decision": "approve"})
    assert view.status == "error"
    assert view.error_element == "mark_approved"
    assert "requester" in (view.error_message or "")
    with db.connect() as conn:
        completed = conn.scalars(select(TaskRow.bpmn_id).where(TaskRow.state == "completed"))
        assert sorted(completed) == ["review", "submit"]  # the reviewer's work is not lost

    with pytest.raises(
        NotWaiting, match=r"instance_waits_for_nothing.*status=instance_status_error"
    ):
        laurel.deliver_message("N-14", "anything", actor="alice")

    view = laurel.retry(view.id, "admin", {"requester": "Lan"})
    assert view.status == "completed"
    assert view.data["greeting"] == "Hello Lan"
    assert view.data["note"] == "kept"
    actions = audit_actions(db)
    assert actions[-3:] == ["instance.error", "instance.retried", "instance.completed"]


def test_running_instances_keep_their_version(laurel: Laurel, db: Engine) -> None:
    v1 = files("gateway.bpmn")
    v2 = {"gateway.bpmn": v1["gateway.bpmn"].replace(b"Review the request", b"Review (v2)")}
    assert laurel.deploy(v1, deployed_by="admin").version.version == 1
    old = laurel.start("approval", "N-15", {"requester": "Lan"}, actor="alice")
    assert laurel.deploy(v2, deployed_by="admin").version.version == 2
    assert laurel.deploy(v2, deployed_by="admin").created is False
    new = laurel.start("approval", "N-16", {"requester": "Lan"}, actor="alice")

    old = laurel.complete_task(only_task(old), "alice", {})
    new = laurel.complete_task(only_task(new), "alice", {})
    assert (old.definition_version, old.ready_tasks[0].title) == (1, "Review the request")
    assert (new.definition_version, new.ready_tasks[0].title) == (2, "Review (v2)")
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(DefinitionVersion)) == 2
