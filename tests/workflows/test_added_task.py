"""An admin's change to the pipeline, with no code change: a "legal check" user task added
after the appraisal, showing the general `check` form. Nominations started before the deploy
finish on their version; new ones pass through the new task."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.errors import (
    Conflict,
    DefinitionRejected,
    InvalidTaskData,
    Message,
    MigrationRefused,
    NotAllowed,
)
from engine.models import AuditEvent, DefinitionVersion, Instance
from tests.workflows.world import World, make_world
from workflows.models import Nomination
from workflows.pipeline import pipeline_files

LEGAL_CHECK = """
    <bpmn:userTask id="legal_check" name="Kiểm tra pháp lý">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="{form}"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_complete</bpmn:incoming><bpmn:outgoing>f_checked</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_checked" sourceRef="legal_check" targetRef="open_vote"/>
"""


def with_legal_check(form: str = "check") -> dict[str, bytes]:
    """The shipped pipeline with `legal_check` between a complete appraisal and the vote,
    in the secretary's lane (layout left alone: the engine does not read it)."""
    files = pipeline_files()
    xml = files["nomination.bpmn"].decode()
    xml = xml.replace(
        'sourceRef="appraisal_result" targetRef="open_vote"/>',
        'sourceRef="appraisal_result" targetRef="legal_check"/>' + LEGAL_CHECK.format(form=form),
    )
    xml = re.sub(
        r'(<bpmn:lane id="lane_secretary" name="secretary">)',
        r"\1<bpmn:flowNodeRef>legal_check</bpmn:flowNodeRef>",
        xml,
    )
    assert "legal_check" in xml
    return {**files, "nomination.bpmn": xml.encode()}


@pytest.fixture
def world(db: Engine) -> World:
    return make_world(db)


def version_of(world: World, nomination: Nomination) -> int:
    with Session(world.db) as session:
        return session.scalar(
            select(DefinitionVersion.version)
            .join(Instance, Instance.definition_id == DefinitionVersion.id)
            .where(Instance.business_key == nomination.business_key)
        )


def test_an_added_check_task_runs_for_new_nominations_only(world: World) -> None:
    before = world.nominate()
    world.submit(before)

    deployed = world.engine.deploy(with_legal_check(), deployed_by="quantri", comment="pháp chế")
    assert deployed.version.version == 2

    after = world.nominate()
    world.submit(after)
    world.appraise(after)
    [check] = world.tasks(after)
    assert (check.bpmn_id, check.form, check.title) == ("legal_check", "check", "Kiểm tra pháp lý")
    assert (check.lane, check.org_scope) == ("secretary", "TRUONG_A")
    assert world.stage(after)[1] == "check"
    with pytest.raises(NotAllowed):  # the lane's role at the nomination's organisation
        world.do(after, "legal_check", "cb.truong_a", {"result": "passed"})
    with pytest.raises(InvalidTaskData) as refused:
        world.do(after, "legal_check", "tk.truong_a", {"result": "failed"})
    assert refused.value.errors == {"note": Message("form_required")}
    world.do(after, "legal_check", "tk.truong_a", {"result": "passed", "note": "Đủ căn cứ"})
    assert {t.bpmn_id for t in world.tasks(after)} == {"vote"}
    assert version_of(world, after) == 2

    # Started on version 1, it goes straight from the appraisal to the vote.
    world.appraise(before)
    assert {t.bpmn_id for t in world.tasks(before)} == {"vote"}
    assert version_of(world, before) == 1
    world.vote(before, "for", "for", "for")
    world.end_publicity(before)
    view = world.decide(before, "award", decision_no="7/QĐ", decision_date="2026-03-02")
    assert view.status == "completed"


def test_a_task_with_a_form_the_application_lacks_is_refused(world: World) -> None:
    with pytest.raises(DefinitionRejected) as refused:
        world.engine.deploy(with_legal_check("legal_opinion"), deployed_by="quantri")
    [problem] = refused.value.problems
    assert problem.element_id == "legal_check"
    assert '"legal_opinion", which is not a known form' in problem.message
    with Session(world.db) as session:
        assert session.scalars(select(DefinitionVersion.version)).all() == [1]


def instance_of(world: World, nomination: Nomination) -> Instance:
    with Session(world.db) as session:
        return session.scalars(
            select(Instance).where(Instance.business_key == nomination.business_key)
        ).one()


def test_a_running_nomination_moves_to_the_new_version_when_nothing_it_did_changed(
    world: World,
) -> None:
    waiting = world.nominate()
    world.submit(waiting)  # at the appraisal, which the new version keeps as it was
    world.engine.deploy(with_legal_check(), deployed_by="quantri")
    instance = instance_of(world, waiting)

    view = world.engine.migrate(instance.id, "quantri")
    assert (view.definition_version, view.status) == (2, "active")
    world.appraise(waiting)
    assert [t.bpmn_id for t in world.tasks(waiting)] == ["legal_check"]
    with Session(world.db) as session:
        moved = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "instance.migrated")
        ).one()
    assert (moved.actor, moved.instance_id) == ("quantri", instance.id)
    assert '"from_version":1' in moved.payload and '"to_version":2' in moved.payload
    with pytest.raises(Conflict, match=r"instance_on_version.*version=2"):
        world.engine.migrate(instance.id, "quantri")


def test_moving_is_refused_when_a_step_it_is_at_is_gone_or_changed(world: World) -> None:
    world.engine.deploy(with_legal_check(), deployed_by="quantri")
    at_check = world.nominate()
    world.submit(at_check)
    world.appraise(at_check)  # waiting at legal_check, on version 2
    files = pipeline_files()
    renamed = files["nomination.bpmn"].replace("Thẩm định hồ sơ".encode(), "Thẩm định".encode())
    world.engine.deploy({**files, "nomination.bpmn": renamed}, deployed_by="quantri")
    before = instance_of(world, at_check)

    with pytest.raises(MigrationRefused) as refused:
        world.engine.migrate(before.id, "quantri")
    assert [(p.element_id, p.code) for p in refused.value.problems] == [
        ("legal_check", "migration_ran_removed")
    ]
    after = instance_of(world, at_check)
    assert (after.definition_id, after.lock_version) == (before.definition_id, before.lock_version)

    at_appraisal = world.nominate()
    world.submit(at_appraisal)  # on version 3, whose appraisal version 2 names otherwise
    with pytest.raises(MigrationRefused) as refused:
        world.engine.migrate(instance_of(world, at_appraisal).id, "quantri", to_version=2)
    assert [(p.element_id, p.code) for p in refused.value.problems] == [
        ("appraise", "migration_live_changed")
    ]


def test_a_suspended_nomination_moves_and_stays_suspended(world: World) -> None:
    waiting = world.nominate()
    world.submit(waiting)
    instance = instance_of(world, waiting)
    world.engine.suspend(instance.id, "quantri", "chờ quy trình mới")
    world.engine.deploy(with_legal_check(), deployed_by="quantri")
    assert world.engine.migrate(instance.id, "quantri").status == "suspended"
    world.engine.resume(instance.id, "quantri")
    world.appraise(waiting)
    assert [t.bpmn_id for t in world.tasks(waiting)] == ["legal_check"]
