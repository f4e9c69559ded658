"""Scenario tests: the real bpmn/ pipeline driven through the engine on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import InvalidTaskData, NotAllowed
from engine.models import AuditEvent, TaskRow
from tests.workflows.world import World, make_world
from web.i18n import say
from workflows.calendar import TIMEZONE
from workflows.comments import CommentRefused, receive
from workflows.models import (
    BallotBox,
    BallotReceipt,
    CalendarDay,
    Decision,
    Nomination,
    PastAward,
    PublicComment,
    RoleAssignment,
    Tally,
)


@pytest.fixture
def world(db: Engine) -> World:
    return make_world(db)


def rows(world: World, model: type, nomination: Nomination) -> list:
    with Session(world.db) as session:
        return list(
            session.scalars(
                select(model).where(model.nomination_id == nomination.id).order_by(model.id)
            )
        )


def test_ldtt_is_decided_at_the_base_unit(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    world.pass_level(n)
    view = world.decide(n, "award", decision_no="15/QĐ-CĐCS", decision_date="2026-03-02")

    assert view.status == "completed"
    assert world.stage(n) == ("awarded", "awarded", "TRUONG_A")
    [decision] = rows(world, Decision, n)
    assert (decision.decision, decision.decision_no, decision.org_code) == (
        "award",
        "15/QĐ-CĐCS",
        "TRUONG_A",
    )
    assert decision.rule_id is not None and decision.definition_version == 1
    [tally] = rows(world, Tally, n)
    assert (tally.votes_for, tally.members_total, tally.passed) == (3, 3, True)
    with Session(world.db) as session:
        history = session.scalars(select(PastAward.decision_no)).all()
        assert history == ["15/QĐ-CĐCS"]
        assert audit.verify(session.connection()).ok


def test_a_bang_khen_climbs_from_l1_through_l2_to_l3(world: World) -> None:
    n = world.nominate("BK_BO_TINH")
    world.submit(n)
    for org, parent in (("TRUONG_A", "CDGD_NB"), ("CDGD_NB", "CDGDVN")):
        assert world.stage(n) == ("open", "appraise", org)
        world.pass_level(n)
        with pytest.raises(InvalidTaskData) as refused:  # above this level's authority
            world.decide(n, "award", decision_no="1", decision_date="2026-03-02")
        assert "vượt thẩm quyền" in say(refused.value.errors["decision"])
        world.decide(n, "forward")
        assert world.stage(n) == ("open", "appraise", parent)

    world.pass_level(n)
    world.decide(n, "award", decision_no="2345/QĐ-CĐGDVN", decision_date="2026-03-02")
    assert world.stage(n) == ("awarded", "awarded", "CDGDVN")
    tallies = rows(world, Tally, n)
    assert [t.org_code for t in tallies] == ["TRUONG_A", "CDGD_NB", "CDGDVN"]
    assert {t.threshold for t in tallies} == {0.8}
    decisions = [(d.org_code, d.decision) for d in rows(world, Decision, n)]
    assert decisions == [
        ("TRUONG_A", "forward"),
        ("CDGD_NB", "forward"),
        ("CDGDVN", "award"),
    ]


def test_an_incomplete_dossier_goes_back_with_the_whole_list(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    missing = ["Biên bản họp bình xét", "Báo cáo thành tích có xác nhận của thủ trưởng"]
    world.appraise(n, result="incomplete", missing=missing)

    assert world.stage(n) == ("open", "prepare_dossier", "TRUONG_A")
    [task] = world.tasks(n, "prepare_dossier")
    assert task.org_scope == "TRUONG_A"
    view = world.engine.get_instance(world.row(n).id)
    assert view.ready_tasks[0].data["missing"] == missing

    world.submit(n)
    assert world.stage(n) == ("open", "appraise", "TRUONG_A")
    world.pass_level(n)
    world.decide(n, "award", decision_no="16/QĐ", decision_date="2026-03-02")
    assert world.stage(n)[0] == "awarded"


def test_a_vote_under_the_threshold_rejects(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    world.vote(n, "for", "against", "against")

    assert world.stage(n) == ("rejected", "rejected", "TRUONG_A")
    [tally] = rows(world, Tally, n)
    assert (tally.votes_for, tally.votes_against, tally.passed) == (1, 2, False)


def test_ballots_are_secret_and_receipts_say_who_voted(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    world.vote(n, "for", "against", "for")

    receipts = rows(world, BallotReceipt, n)
    assert sorted(r.username for r in receipts) == ["hd1.truong_a", "hd2.truong_a", "hd3.truong_a"]
    with Session(world.db) as session:
        [box] = session.scalars(select(BallotBox).where(BallotBox.nomination_id == n.id))
    assert (box.votes_for, box.votes_against) == (2, 1)
    with Session(world.db) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["ballot.cast", "task.completed"]))
        ).all()
    cast = [e for e in events if e.action == "ballot.cast"]
    assert len(cast) == 3 and all(len(e.data["hash"]) == 64 for e in cast)
    # No event, and no stored workflow state, holds a member's choice.
    assert not any('"against"' in e.payload or '"vote":' in e.payload for e in events)
    with world.db.connect() as conn:
        stored = conn.exec_driver_sql("SELECT state FROM instances").scalar_one()
    assert '"against"' not in stored


def test_a_public_comment_leads_to_a_revote_that_passes(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    world.vote(n, "for", "for", "against")
    assert world.stage(n)[1] == "publicity"
    with Session(world.db) as session, session.begin():
        receive(
            session,
            session.get_one(Nomination, n.id),
            name="Trần Văn Bình",
            phone="0912345678",
            address="Ninh Bình",
            content="Đề nghị xem xét lại thành tích năm học.",
            now=world.clock.now(),
        )
    world.end_publicity(n)
    assert world.stage(n)[1] == "review_comments"
    world.do(n, "review_comments", "tk.truong_a", {"outcome": "revote", "note": "Cần bỏ phiếu lại"})

    assert world.stage(n)[1] == "vote"
    world.vote(n, "for", "for", "for")
    assert world.stage(n)[1] == "publicity"
    world.end_publicity(n)  # the comment was handled: no second review
    world.decide(n, "award", decision_no="17/QĐ", decision_date="2026-03-02")
    assert world.stage(n)[0] == "awarded"
    assert [(t.round, t.passed) for t in rows(world, Tally, n)] == [(1, True), (2, True)]
    [comment] = rows(world, PublicComment, n)
    assert (comment.handling, comment.handled_by) == ("revote", "tk.truong_a")


def test_comments_are_refused_outside_the_window(world: World) -> None:
    n = world.nominate("LDTT")
    with Session(world.db) as session, pytest.raises(CommentRefused, match="comments_not_open"):
        receive(
            session,
            session.get_one(Nomination, n.id),
            name="A",
            phone="1",
            address="B",
            content="C",
            now=world.clock.now(),
        )


def test_a_withdrawal_ends_the_nomination_from_any_stage(world: World) -> None:
    n = world.nominate("BK_BO_TINH")
    world.submit(n)
    world.appraise(n)
    assert len(world.tasks(n, "vote")) == 3

    with pytest.raises(NotAllowed):
        world.nominations.withdraw(n.id, "tk.truong_a")
    view = world.nominations.withdraw(n.id, "cb.truong_a", "Cá nhân xin rút")

    assert view.status == "completed"
    assert world.stage(n) == ("withdrawn", "withdrawn", "TRUONG_A")
    assert world.tasks(n) == []
    with Session(world.db) as session:
        states = session.scalars(
            select(TaskRow.state).where(TaskRow.business_key == n.business_key)
        ).all()
    assert sorted(set(states)) == ["cancelled", "completed"]


def test_a_withdrawal_is_checked_and_made_in_one_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    engine = world.nominations.engine
    opened: list[Session] = []

    def counted() -> Session:
        session = real()
        opened.append(session)
        return session

    real = engine.sessions
    monkeypatch.setattr(engine, "sessions", counted)
    with pytest.raises(NotAllowed):
        world.nominations.withdraw(n.id, "tk.truong_a")
    assert len(opened) == 1
    world.nominations.withdraw(n.id, "cb.truong_a", "Cá nhân xin rút")
    assert len(opened) == 2  # who may withdraw is checked in the change's own session
    assert world.stage(n) == ("withdrawn", "withdrawn", "TRUONG_A")


def test_a_withdrawal_wins_over_a_deadline_that_fell_due_meanwhile(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    [task] = world.tasks(n, "appraise")
    assert task.due_at is not None
    world.clock.at = task.due_at + timedelta(days=1)  # due, but no timer sweep has run yet
    view = world.nominations.withdraw(n.id, "cb.truong_a", "Cá nhân xin rút")
    assert view.status == "completed"
    assert world.stage(n) == ("withdrawn", "withdrawn", "TRUONG_A")


def test_each_ballot_carries_the_voting_deadline(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    ballots = world.tasks(n, "vote")
    assert len(ballots) == 3
    assert all(b.due_at is not None and b.due_at > world.clock.now() for b in ballots)


def test_a_huan_chuong_climbs_to_l4_and_is_recorded_from_outside(world: World) -> None:
    n = world.nominate("HCLD3")
    world.submit(n)
    for org in ("TRUONG_A", "CDGD_NB", "CDGDVN", "TLD"):
        assert world.stage(n) == ("open", "appraise", org)
        world.pass_level(n)
        world.decide(n, "forward")
    assert world.stage(n) == ("open", "record_outside_decision", "TLD")

    world.do(
        n,
        "record_outside_decision",
        "tk.tld",
        {
            "outcome": "awarded",
            "decision_no": "1234/QĐ-CTN",
            "decision_date": "2026-08-20",
            "issuer": "Chủ tịch nước",
        },
    )
    assert world.stage(n) == ("awarded", "awarded", "TLD")
    decision = rows(world, Decision, n)[-1]
    assert (decision.decision, decision.issuer) == ("awarded", "Chủ tịch nước")


def test_an_overdue_appraisal_is_marked_and_stays_open(world: World) -> None:
    n = world.nominate("LDTT")
    world.submit(n)
    [task] = world.tasks(n, "appraise")
    assert task.due_at is not None and task.due_at > world.clock.now() + timedelta(days=13)

    world.clock.at = task.due_at + timedelta(hours=1)
    assert world.engine.fire_due_timers() == 1
    view = world.engine.get_instance(world.row(n).id)
    assert [t.bpmn_id for t in view.ready_tasks] == ["appraise"]
    assert view.data["appraisal_overdue"] is True
    with Session(world.db) as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "timer.fired")
            )
            == 1
        )


def test_a_union_whose_parent_skips_l2_escalates_straight_to_l3(world: World) -> None:
    n = world.nominate("BK_BO_TINH", org="DH_HL")
    world.submit(n)
    world.pass_level(n)
    world.decide(n, "forward")
    assert world.stage(n) == ("open", "appraise", "CDGDVN")


def test_meeting_mode_records_the_tally_from_the_minutes(world: World) -> None:
    n = world.nominate("BK_BO_TINH", org="TRUONG_S")
    world.submit(n)
    world.pass_level(n)
    world.decide(n, "forward")
    world.appraise(n)
    assert world.stage(n) == ("open", "record_meeting", "SO")
    with pytest.raises(InvalidTaskData) as refused:
        world.do(
            n,
            "record_meeting",
            "tk.so",
            {"members_total": 7, "for": 6, "against": 3, "minutes_no": "BB-01"},
        )
    assert "vượt quá" in say(refused.value.errors["for"])
    world.do(
        n,
        "record_meeting",
        "tk.so",
        {"members_total": 7, "for": 6, "against": 1, "minutes_no": "BB-01"},
    )
    assert world.stage(n)[1] == "publicity"
    tally = rows(world, Tally, n)[-1]
    assert (tally.mode, tally.minutes_no, tally.votes_for, tally.passed) == (
        "meeting",
        "BB-01",
        6,
        True,
    )


def test_separation_of_duties(world: World) -> None:
    with Session(world.db) as session, session.begin():
        # The nominee sits on the council, and a colleague both proposes and appraises.
        session.add(RoleAssignment(username="gv.a", role="council", org_code="TRUONG_A"))
        session.add(RoleAssignment(username="gv.a", role="head", org_code="TRUONG_A"))
        session.add(RoleAssignment(username="cb.truong_a", role="secretary", org_code="TRUONG_A"))
    n = world.nominate("LDTT")
    world.submit(n)
    [appraise] = world.tasks(n, "appraise")
    with pytest.raises(NotAllowed, match="preparer_may_not_appraise"):
        world.nominations.complete(appraise.id, "cb.truong_a", {"result": "complete"})
    world.appraise(n)
    voters = sorted(t.assignee for t in world.tasks(n, "vote"))
    assert "gv.a" not in voters  # the nominee gets no ballot on their own nomination
    world.vote(n, "for", "for", "for")
    with Session(world.db) as session:
        assert rows(world, Tally, n)[0].members_total == 4  # but counts among all members
    world.end_publicity(n)
    [decide] = world.tasks(n, "decide")
    with pytest.raises(NotAllowed, match="nominee_may_not_judge"):
        world.nominations.complete(decide.id, "gv.a", {"decision": "award"})
    with pytest.raises(NotAllowed, match=r"role_not_held.*role=role_head"):
        world.nominations.complete(decide.id, "hd1.truong_a", {"decision": "award"})


def _publicity_deadline(world: World) -> datetime:
    n = world.nominate("LDTT")
    world.submit(n)
    world.appraise(n)
    world.vote(n, "for", "for", "for")
    until = world.row(n).publicity_until
    assert until is not None
    return until


def test_a_holiday_inside_the_publicity_window_extends_it(world: World) -> None:
    # Votes on Monday 27/4/2026: five working days would end on Monday 4/5 — but 30/4 and
    # 1/5 are public holidays, so the window runs to the end of Wednesday 6/5.
    world.clock.at = datetime(2026, 4, 27, 3, 0, tzinfo=UTC)
    until = _publicity_deadline(world)
    assert until.astimezone(TIMEZONE).date() == date(2026, 5, 7)  # midnight ending 6/5


def test_an_admin_day_off_extends_the_window_too(world: World) -> None:
    with Session(world.db) as session, session.begin():
        session.add(CalendarDay(day=date(2026, 3, 4), kind="off", note="Nghỉ bù"))
    until = _publicity_deadline(world)  # Monday 2/3 + 5 working days, one of them off
    assert until.astimezone(TIMEZONE).date() == date(2026, 3, 11)
