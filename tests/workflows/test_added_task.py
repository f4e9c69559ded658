"""An admin's change to the pipeline, with no code change: a "legal check" user task added
after the appraisal, showing the general `check` form. Nominations started before the deploy
finish on their version; new ones pass through the new task."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.errors import DefinitionRejected, InvalidTaskData, NotAllowed
from engine.models import DefinitionVersion, Instance
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
    assert refused.value.errors == {"note": "Trường này là bắt buộc."}
    world.do(after, "legal_check", "tk.truong_a", {"result": "passed", "note": "Đủ căn cứ"})
    assert {t.bpmn_id for t in world.tasks(after)} == {"vote"}
    assert version_of(world, after) == 2

    # Started on version 1, it goes straight from the appraisal to the vote.
    world.appraise(before)
    assert {t.bpmn_id for t in world.tasks(before)} == {"vote"}
    assert version_of(world, before) == 1
    world.vote(before, "for", "for", "for")
    world.end_publicity(before)
    view = world.decide(before, "award", decision_no="7/QĐ", decision_date="2026-03-20")
    assert view.status == "completed"


def test_a_task_with_a_form_the_application_lacks_is_refused(world: World) -> None:
    with pytest.raises(DefinitionRejected) as refused:
        world.engine.deploy(with_legal_check("legal_opinion"), deployed_by="quantri")
    [problem] = refused.value.problems
    assert problem.element_id == "legal_check"
    assert '"legal_opinion", which is not a known form' in problem.message
    with Session(world.db) as session:
        assert session.scalars(select(DefinitionVersion.version)).all() == [1]
