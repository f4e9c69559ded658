"""The readable difference between definition versions, on variants of the real nomination
process and its routing table."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.diff import Change, Detail, VersionDiff, diff_versions

ROOT = Path(__file__).parents[2] / "bpmn"
BPMN = (ROOT / "nomination.bpmn").read_text(encoding="utf-8")
DMN = (ROOT / "route.dmn").read_text(encoding="utf-8")
V1 = {"nomination.bpmn": BPMN, "route.dmn": DMN}


def variant(*edits: tuple[str, str], dmn: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    bpmn, table = BPMN, DMN
    for old, new in edits:
        assert old in bpmn, old
        bpmn = bpmn.replace(old, new, 1)
    for old, new in dmn:
        assert old in table, old
        table = table.replace(old, new, 1)
    return {"nomination.bpmn": bpmn, "route.dmn": table}


def by_id(diff: VersionDiff) -> dict[str, Change]:
    return {c.element_id: c for c in diff.changes}


def test_the_same_sources_have_no_difference() -> None:
    diff = diff_versions(V1, dict(V1))
    assert diff.unchanged and not diff.layout_only


def test_moving_shapes_only_is_layout_only() -> None:
    moved = variant(('<dc:Bounds x="520" y="290"', '<dc:Bounds x="540" y="300"'))
    diff = diff_versions(V1, moved)
    assert diff.changes == [] and diff.layout_only


def test_an_added_task_with_its_flows_lane_and_form() -> None:
    check = (
        '<bpmn:userTask id="check" name="Kiểm tra">'
        "<bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="form" value="appraise"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>"
        "</bpmn:userTask>"
        '<bpmn:sequenceFlow id="f_checked" sourceRef="check" targetRef="appraise"/>'
    )
    v2 = variant(
        ('<bpmn:userTask id="appraise"', check + '<bpmn:userTask id="appraise"'),
        (
            '<bpmn:sequenceFlow id="f_to_appraise" sourceRef="enter_level" targetRef="appraise"/>',
            '<bpmn:sequenceFlow id="f_to_appraise" sourceRef="enter_level" targetRef="check"/>',
        ),
        (
            "<bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>",
        ),
    )
    changes = by_id(diff_versions(V1, v2))
    assert set(changes) == {"check", "f_checked", "f_to_appraise"}
    added = changes["check"]
    assert (added.kind, added.element_type, added.name) == ("added", "userTask", "Kiểm tra")
    assert Detail("lane", "", "secretary") in added.details
    assert Detail("form", "", "appraise") in added.details
    flow = changes["f_checked"]
    assert flow.kind == "added"
    assert {Detail("source", "", "check"), Detail("target", "", "appraise")} <= set(flow.details)
    assert changes["f_to_appraise"].kind == "changed"
    assert changes["f_to_appraise"].details == (Detail("target", "appraise", "check"),)


def test_a_renamed_task_and_a_changed_type() -> None:
    v2 = variant(
        ('name="Thẩm định hồ sơ"', 'name="Thẩm định hồ sơ đề nghị"'),
        ('<bpmn:userTask id="record_meeting"', '<bpmn:manualTask id="record_meeting"'),
    )
    start = v2["nomination.bpmn"].index('<bpmn:manualTask id="record_meeting"')
    end = v2["nomination.bpmn"].index("</bpmn:userTask>", start)
    text = v2["nomination.bpmn"]
    v2["nomination.bpmn"] = (
        text[:end] + "</bpmn:manualTask>" + text[end + len("</bpmn:userTask>") :]
    )
    changes = by_id(diff_versions(V1, v2))
    assert changes["appraise"].details == (
        Detail("name", "Thẩm định hồ sơ", "Thẩm định hồ sơ đề nghị"),
    )
    assert changes["record_meeting"].details == (Detail("type", "userTask", "manualTask"),)


def test_a_changed_condition_a_removed_flow_and_a_script() -> None:
    v2 = variant(
        ('result == "incomplete"', 'result in ("incomplete", "partial")'),
        (
            '<bpmn:sequenceFlow id="f_complete" name="Đủ hồ sơ" sourceRef="appraisal_result" '
            'targetRef="open_vote"/>',
            "",
        ),
        ("appraisal_overdue = True", "appraisal_overdue = True\nlate_count = 1"),
    )
    changes = by_id(diff_versions(V1, v2))
    assert changes["f_incomplete"].details == (
        Detail("condition", 'result == "incomplete"', 'result in ("incomplete", "partial")'),
    )
    assert changes["f_complete"].kind == "removed"
    assert changes["f_complete"].name == "Đủ hồ sơ"
    script = changes["mark_appraisal_overdue"].details
    assert script == (
        Detail("script", "appraisal_overdue = True", "appraisal_overdue = True\nlate_count = 1"),
    )


def test_timer_decision_and_lane_changes() -> None:
    v2 = variant(
        ('rules["appraisal_sla_days"]', 'rules["appraisal_sla_days"] + 5'),
        (
            "<spiffworkflow:calledDecisionId>route</spiffworkflow:calledDecisionId>",
            "<spiffworkflow:calledDecisionId>route2</spiffworkflow:calledDecisionId>",
        ),
        ('<bpmn:lane id="lane_head" name="head">', '<bpmn:lane id="lane_head" name="leader">'),
    )
    diff = diff_versions(V1, v2)
    changes = by_id(diff)
    timer = changes["appraisal_sla"].details
    assert timer == (
        Detail(
            "timer",
            'timeDate: working_days_after(rules["appraisal_sla_days"])',
            'timeDate: working_days_after(rules["appraisal_sla_days"] + 5)',
        ),
    )
    assert changes["route_decision"].details == (Detail("decision", "route", "route2"),)
    assert changes["lane_head"].element_type == "lane"
    assert changes["lane_head"].details == (Detail("name", "head", "leader"),)
    assert Detail("lane", "head", "leader") in changes["decide"].details  # its tasks moved


def test_dmn_rows_added_removed_and_changed() -> None:
    v2 = variant(
        dmn=(
            (
                '<outputEntry id="route_forward_out"><text>"forward"</text>',
                '<outputEntry id="route_forward_out"><text>"decide"</text>',
            ),
            ('<rule id="route_outside">', '<rule id="route_outside_new">'),
            ('label="Có cấp trên trong hệ thống"', 'label="Có cấp trên"'),
        )
    )
    changes = {(c.element_type, c.element_id): c for c in diff_versions(V1, v2).changes}
    forward = changes["rule", "route_forward"]
    assert forward.kind == "changed" and forward.parent == "route"
    assert forward.details == (Detail("outputs", '"forward"', '"decide"'),)
    assert changes["rule", "route_outside"].kind == "removed"
    assert changes["rule", "route_outside_new"].kind == "added"
    assert changes["input", "route_in_parent"].details == (
        Detail("label", "Có cấp trên trong hệ thống", "Có cấp trên"),
    )


@pytest.mark.parametrize("bad", ["<not xml", '<!DOCTYPE x [<!ENTITY a "b">]><x/>', ""])
def test_unreadable_sources_are_no_elements_not_a_crash(bad: str) -> None:
    diff = diff_versions(V1, {"nomination.bpmn": bad, "route.dmn": DMN})
    assert {c.kind for c in diff.changes} == {"removed"}
