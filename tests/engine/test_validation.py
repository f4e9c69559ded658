"""Deploy-time validation: what passes, and every refusal tied to the right element."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import DefinitionRejected, Problem
from engine.parsing import parse_definition
from engine.validation import validate_definition

FIXTURES = Path(__file__).parent / "bpmn"
ROLES = {"clerk", "manager"}

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def fixture(*names: str) -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes() for name in names}


VALID = ("valid_nomination.bpmn", "valid_award_level.dmn")


def bpmn(
    body: str,
    *,
    lanes: dict[str, list[str]] | None = None,
    process_id: str = "main",
    executable: str = "true",
    outside: str = "",
) -> bytes:
    """A one-process BPMN document; `lanes` maps lane names to the flow node ids in them."""
    lane_set = ""
    if lanes:
        lane_xml = "".join(
            f'<bpmn:lane id="lane_{i}" name="{name}">'
            + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
            + "</bpmn:lane>"
            for i, (name, refs) in enumerate(lanes.items())
        )
        lane_set = f'<bpmn:laneSet id="lanes_{process_id}">{lane_xml}</bpmn:laneSet>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:spiffworkflow="{SPIFF_NS}" '
        'id="defs" targetNamespace="http://laurel.test">\n'
        f"{outside}"
        f'<bpmn:process id="{process_id}" isExecutable="{executable}">\n'
        f"{lane_set}\n{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    ).encode()


def chain(*ids: str) -> str:
    """Sequence flows start → ... → end, with ids like f_start_end."""
    return "".join(
        f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
        for a, b in itertools.pairwise(ids)
    )


def around(task_xml: str, task_id: str, lane: str = "clerk") -> bytes:
    """start → the task → end, with the task in `lane`."""
    return bpmn(
        '<bpmn:startEvent id="start"/>'
        + task_xml
        + '<bpmn:endEvent id="end"/>'
        + chain("start", task_id, "end"),
        lanes={lane: [task_id]},
    )


def rejected(files: dict[str, bytes], roles: set[str] = ROLES, **kwargs: str) -> list[Problem]:
    with pytest.raises(DefinitionRejected) as info:
        validate_definition(files, roles, **kwargs)
    return info.value.problems


def problem_for(problems: list[Problem], element_id: str) -> Problem:
    found = [p for p in problems if p.element_id == element_id]
    assert found, f"no problem for {element_id!r} in {problems}"
    return found[0]


# --- what passes ---------------------------------------------------------------------------


def test_valid_definition_passes_and_runs() -> None:
    parsed = validate_definition(fixture(*VALID), ROLES)
    assert parsed.process_id == "nomination"

    def run(score: int) -> BpmnWorkflow:
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
        workflow.do_engine_steps()
        [submit] = workflow.get_tasks(state=TaskState.READY)
        assert submit.task_spec.bpmn_id == "submit"
        assert submit.task_spec.lane == "clerk"
        submit.data["score"] = score
        submit.run()
        workflow.do_engine_steps()
        return workflow

    national = run(95)
    [approve] = national.get_tasks(state=TaskState.READY)
    assert approve.task_spec.bpmn_id == "approve"
    assert approve.task_spec.lane == "manager"
    assert approve.data["level"] == "national"
    assert approve.data["summary"] == "Score 95: national"

    assert run(82).get_tasks(state=TaskState.READY)[0].data["level"] == "provincial"

    local = run(10)
    assert local.is_completed()
    assert local.data["level"] == "local"


def test_parse_definition_matches_validation() -> None:
    files = fixture(*VALID)
    assert parse_definition(files).process_id == "nomination"
    assert parse_definition(files, validate_xsd=True).process_id == "nomination"


def test_call_activity_across_files_and_inherited_subprocess_lane() -> None:
    files = fixture("valid_main_calls_review.bpmn", "valid_review.bpmn")
    parsed = validate_definition(files, ROLES)
    assert parsed.process_id == "main"  # the process nobody calls
    assert set(parsed.subprocess_specs) >= {"review", "check_sub"}
    nested = parsed.subprocess_specs["check_sub"].task_specs["check_inside"]
    assert nested.lane == "manager"  # inherited from the embedded subprocess's lane
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.do_engine_steps()
    ready = workflow.get_tasks(state=TaskState.READY)
    assert [t.task_spec.bpmn_id for t in ready] == ["review_task"]


@pytest.mark.parametrize(
    "namespace",
    [
        "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
        "http://www.omg.org/spec/DMN/20180521/MODEL/",
        "https://www.omg.org/spec/DMN/20191111/MODEL/",
    ],
)
def test_dmn_versions_spiffworkflow_reads_are_accepted(namespace: str) -> None:
    files = fixture(*VALID)
    dmn = files["valid_award_level.dmn"].decode()
    dmn = dmn.replace("https://www.omg.org/spec/DMN/20191111/MODEL/", namespace)
    dmn = dmn[: dmn.index("<dmndi:DMNDI>")] + "</definitions>\n"  # DI differs per version
    files["valid_award_level.dmn"] = dmn.encode()
    assert validate_definition(files, ROLES).process_id == "nomination"
    # SpiffWorkflow's bundled DMN 1.2 schema does not load; that version skips the XSD.
    assert parse_definition(files, validate_xsd=True).process_id == "nomination"


def test_explicit_process_id_picks_among_several() -> None:
    two = bpmn(
        '<bpmn:startEvent id="s1"/><bpmn:endEvent id="e1"/>' + chain("s1", "e1"),
        process_id="first",
    )
    other = bpmn(
        '<bpmn:startEvent id="s2"/><bpmn:endEvent id="e2"/>' + chain("s2", "e2"),
        process_id="second",
    )
    files = {"first.bpmn": two, "second.bpmn": other}
    [problem] = rejected(files)
    assert "first, second" in problem.message and "process id" in problem.message
    assert validate_definition(files, ROLES, process_id="second").process_id == "second"
    assert "no executable process" in rejected(files, process_id="nope")[0].message.lower()


def test_script_with_html_doctype_in_cdata_is_not_mistaken_for_a_dtd() -> None:
    script = '<![CDATA[page = "<!DOCTYPE html><p>ok</p>"]]>'
    files = {
        "m.bpmn": around(
            f'<bpmn:scriptTask id="s"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>', "s"
        )
    }
    validate_definition(files, ROLES)


# --- refusals, one element each -------------------------------------------------------------

USER_TASK = '<bpmn:userTask id="review" name="Review"/>'
FLOWS = chain("start", "review", "end")
START_END = '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'


def gateway(condition: str, *, source: str = "gw", default: str = "f_gw_end") -> bytes:
    """start → gw → (condition) end2 | default end."""
    default_attribute = f' default="{default}"' if default else ""
    return bpmn(
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:exclusiveGateway id="gw"{default_attribute}/>'
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="end2"/>'
        + chain("start", "gw", "end")
        + f'<bpmn:sequenceFlow id="f_cond" sourceRef="{source}" targetRef="end2">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def timer(kind: str, value: str) -> bytes:
    event = (
        f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td">'
        f"<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )
    return bpmn(START_END + event + chain("start", "wait", "end"))


def script(source: str, extra: str = "") -> bytes:
    return around(
        f'<bpmn:scriptTask id="calc"{extra}><bpmn:script>{source}</bpmn:script></bpmn:scriptTask>',
        "calc",
    )


REFUSALS = {
    "unknown lane role": (
        bpmn(START_END + USER_TASK + FLOWS, lanes={"director": ["review"]}),
        "review",
        'lane "director", which is not a known role',
    ),
    "user task outside lanes": (
        bpmn(START_END + USER_TASK + FLOWS, lanes={"clerk": ["start", "end"]}),
        "review",
        "not in any lane",
    ),
    "user task with no lanes at all": (
        bpmn(START_END + USER_TASK + FLOWS),
        "review",
        "not in any lane",
    ),
    "plain task outside lanes": (
        bpmn(START_END + '<bpmn:task id="review"/>' + FLOWS),
        "review",
        "waits for a person",
    ),
    "manual task in an unnamed lane": (
        bpmn(START_END + '<bpmn:manualTask id="review"/>' + FLOWS, lanes={"": ["review"]}),
        "review",
        "has no name",
    ),
    "lane name with spaces": (
        bpmn(START_END + USER_TASK + FLOWS, lanes={" clerk ": ["review"]}),
        "review",
        'exactly "clerk"',
    ),
    "missing call activity target": (
        around('<bpmn:callActivity id="call" calledElement="elsewhere"/>', "call"),
        "call",
        'process "elsewhere", which is not in the uploaded files',
    ),
    "missing decision": (
        around(
            '<bpmn:businessRuleTask id="rules"><bpmn:extensionElements>'
            "<spiffworkflow:calledDecisionId>nowhere</spiffworkflow:calledDecisionId>"
            "</bpmn:extensionElements></bpmn:businessRuleTask>",
            "rules",
        ),
        "rules",
        'decision "nowhere", which is not in the uploaded DMN files',
    ),
    "business rule task without decision": (
        around('<bpmn:businessRuleTask id="rules"/>', "rules"),
        "rules",
        "calledDecisionId",
    ),
    "script importing os": (script("import os"), "calc", "import"),
    "script syntax error": (script("total = (1 +"), "calc", "does not compile"),
    "script reaching for dunders": (script("x = ().__class__"), "calc", "__class__"),
    # Refused at deploy, since each would certainly be refused when it runs.
    "script opening a file": (script("x = open(path).read()"), "calc", "open() is not available"),
    "script formatting with str.format": (
        script("x = '{0}'.format(1)"),
        "calc",
        'attribute "format" is not allowed',
    ),
    "script reading a dunder through getattr": (
        script("x = getattr(total, '__class__')"),
        "calc",
        'attribute "__class__" is not allowed',
    ),
    "condition calling a builtin the sandbox never offers": (
        gateway("type(score) == int"),
        "f_cond",
        "type() is not available",
    ),
    "empty script": (script(""), "calc", "is empty"),
    "javascript": (script("x = 1", ' scriptFormat="javascript"'), "calc", "only Python"),
    "bad prescript": (
        around(
            '<bpmn:userTask id="review"><bpmn:extensionElements>'
            "<spiffworkflow:preScript>import sys</spiffworkflow:preScript>"
            "</bpmn:extensionElements></bpmn:userTask>",
            "review",
        ),
        "review",
        "preScript",
    ),
    "bad condition": (gateway("score &gt;&gt;= 3"), "f_cond", "does not compile"),
    "condition that is never evaluated": (
        bpmn(
            START_END
            + '<bpmn:task id="t"/>'
            + chain("start", "t")
            + '<bpmn:sequenceFlow id="f_cond" sourceRef="t" targetRef="end">'
            "<bpmn:conditionExpression>ok</bpmn:conditionExpression></bpmn:sequenceFlow>",
            lanes={"clerk": ["t"]},
        ),
        "f_cond",
        "would be ignored",
    ),
    "condition on the default flow": (
        gateway("ok", default="f_cond"),
        "f_cond",
        "default flow",
    ),
    "unconditional non-default gateway flow": (
        gateway("ok", default=""),
        "f_gw_end",
        "without a condition",
    ),
    "timer that does not compile": (timer("timeDuration", '"PT1H'), "wait", "in quotes"),
    "timer without quotes": (timer("timeDuration", "PT1H"), "wait", 'write it as "PT1H"'),
    "timer duration not ISO 8601": (timer("timeDuration", '"P1X"'), "wait", "ISO 8601 duration"),
    "timer date that is a duration": (timer("timeDate", '"P1D"'), "wait", "date and time"),
    "timer cycle not ISO 8601": (timer("timeCycle", '"every day"'), "wait", "ISO 8601 cycle"),
    "empty timer": (
        bpmn(
            START_END
            + '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="td"/>'
            "</bpmn:intermediateCatchEvent>" + chain("start", "wait", "end")
        ),
        "wait",
        "without a date, duration or cycle",
    ),
    "complex gateway": (
        bpmn(START_END + '<bpmn:complexGateway id="cx"/>' + chain("start", "cx", "end")),
        "cx",
        "Complex gateways are not supported",
    ),
    "unconnected complex gateway": (
        bpmn(START_END + '<bpmn:complexGateway id="cx"/>' + chain("start", "end")),
        "cx",
        "Complex gateways are not supported",
    ),
    "service task": (around('<bpmn:serviceTask id="svc"/>', "svc"), "svc", "service integrations"),
    "link events": (
        bpmn(
            START_END
            + '<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition id="l1" name="L"/>'
            "</bpmn:intermediateThrowEvent>"
            + chain("start", "jump")
            + '<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition id="l2" name="L"/>'
            "</bpmn:intermediateCatchEvent>" + chain("land", "end")
        ),
        "jump",
        "link event definitions",
    ),
    "signal end event": (
        bpmn(
            '<bpmn:startEvent id="start"/><bpmn:endEvent id="end">'
            '<bpmn:signalEventDefinition id="sd"/></bpmn:endEvent>' + chain("start", "end")
        ),
        "end",
        "signal event definitions",
    ),
    "error start event in an event subprocess": (
        bpmn(
            START_END
            + chain("start", "end")
            + '<bpmn:subProcess id="on_error" triggeredByEvent="true">'
            '<bpmn:startEvent id="caught"><bpmn:errorEventDefinition id="ed"/></bpmn:startEvent>'
            '<bpmn:endEvent id="handled"/>' + chain("caught", "handled") + "</bpmn:subProcess>"
        ),
        "caught",
        "error event definitions",
    ),
    "task nothing leads to": (
        bpmn(START_END + chain("start", "end") + USER_TASK, lanes={"clerk": ["review"]}),
        "review",
        "not connected to a start event",
    ),
    "bad loop cardinality": (
        around(
            '<bpmn:userTask id="review"><bpmn:multiInstanceLoopCharacteristics>'
            "<bpmn:loopCardinality>len(</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
            "review",
        ),
        "review",
        "loop cardinality",
    ),
    "conversation": (
        bpmn(
            START_END + chain("start", "end"),
            outside='<bpmn:collaboration id="collab"><bpmn:participant id="p" processRef="main"/>'
            '<bpmn:conversation id="talk"/></bpmn:collaboration>',
        ),
        "talk",
        "conversations cannot be run",
    ),
    "unknown attribute (schema)": (
        bpmn(
            START_END + '<bpmn:userTask id="review" colour="red"/>' + FLOWS,
            lanes={"clerk": ["review"]},
        ),
        "review",
        "does not match the BPMN schema",
    ),
    "unknown element (schema)": (
        bpmn(START_END + chain("start", "end") + '<bpmn:frobnicate id="frob"/>'),
        "frob",
        "does not match the BPMN schema",
    ),
    "two flows out of a task (SpiffWorkflow's own check)": (
        bpmn(
            '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/><bpmn:endEvent id="end2"/>'
            + '<bpmn:task id="fork"/>'
            + chain("start", "fork", "end")
            + chain("fork", "end2"),
            lanes={"clerk": ["fork"]},
        ),
        "fork",
        "Multiple outgoing flows",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_refusal_names_the_element(case: str) -> None:
    document, element_id, fragment = REFUSALS[case]
    problems = rejected({"case.bpmn": document})
    problem = problem_for(problems, element_id)
    assert fragment in problem.message
    assert problem.file == "case.bpmn"


def test_business_rule_task_runs_only_with_existing_decision() -> None:
    files = fixture(*VALID)
    files["valid_nomination.bpmn"] = files["valid_nomination.bpmn"].replace(
        b">award_level<", b">award_grade<"
    )
    problem = problem_for(rejected(files), "decide_level")
    assert 'decision "award_grade"' in problem.message


def test_schema_errors_come_with_line_numbers_and_structure_is_still_checked() -> None:
    document = bpmn(
        START_END + '<bpmn:userTask id="review" colour="red"/>' + FLOWS,
        lanes={"director": ["review"]},
    )
    problems = rejected({"case.bpmn": document})
    messages = [p.message for p in problems if p.element_id == "review"]
    assert any(m.startswith("Line ") and "colour" in m for m in messages)
    assert any("not a known role" in m for m in messages)


def test_several_problems_in_one_file_are_all_reported() -> None:
    problems = rejected(fixture("invalid_many_problems.bpmn"))
    expected = {
        "unassigned": "not in any lane",
        "approve": "not a known role",
        "compute": "does not compile",
        "call_missing": "not in the uploaded files",
        "rules": "not in the uploaded DMN files",
        "mixer": "Complex gateways",
        "flow_bad": "does not compile",
        "reminder": "ISO 8601",
        "notify": "service integrations",
    }
    for element_id, fragment in expected.items():
        assert fragment in problem_for(problems, element_id).message
    assert all(p.file == "invalid_many_problems.bpmn" for p in problems)


# --- DMN -----------------------------------------------------------------------------------


def test_bad_dmn_cells_are_all_reported() -> None:
    files = fixture("valid_nomination.bpmn", "invalid_award_level.dmn")
    problems = rejected(files)
    by_id = {p.element_id: p.message for p in problems}
    assert "does not compile" in by_id["Input_score"]  # input expression
    assert 'the cell ">== 90" does not compile' in by_id["UnaryTests_bad"]
    assert "output" in by_id["LiteralExpression_bad"]
    assert "Hit policy" in by_id["DecisionTable_award_level"]
    assert "2 input cells" in by_id["Rule_extra"]
    # '-', empty, '?'-ranges and unary tests like '>= 90' are all fine
    for fine in ("UnaryTests_any", "UnaryTests_empty", "UnaryTests_range", "UnaryTests_test"):
        assert fine not in by_id


def test_dmn_comment_in_table_and_absurd_cell_are_refused() -> None:
    files = fixture(*VALID)
    dmn = files["valid_award_level.dmn"].decode()
    dmn = dmn.replace('<output id="Output_level"', '<!-- note --><output id="Output_level"')
    dmn = dmn.replace("<text>&gt;= 90</text>", f"<text>{'?' * 3000}</text>")
    files["valid_award_level.dmn"] = dmn.encode()
    problems = rejected(files)
    assert "comments" in problem_for(problems, "DecisionTable_award_level").message
    assert "longer than" in problem_for(problems, "UnaryTests_national").message


def test_dmn_with_two_decisions_or_no_table_is_refused() -> None:
    dmn = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
        'namespace="http://laurel.test">'
        '<decision id="award_level" name="A"><literalExpression id="le"><text>1</text>'
        "</literalExpression></decision>"
        '<decision id="other" name="B"><literalExpression id="le2"><text>2</text>'
        "</literalExpression></decision></definitions>"
    )
    files = fixture("valid_nomination.bpmn")
    files["rules.dmn"] = dmn.encode()
    problems = rejected(files)
    assert "2 decisions" in problem_for(problems, "d").message
    assert "not a decision table" in problem_for(problems, "award_level").message


# --- files as a whole ----------------------------------------------------------------------


def test_unknown_extension_and_not_bpmn() -> None:
    xhtml = b'<html xmlns="http://www.w3.org/1999/xhtml"><body>hi</body></html>'
    problems = rejected(
        {"notes.txt": b"hello", "page.bpmn": xhtml, "rules.dmn": fixture(VALID[0])[VALID[0]]}
    )
    by_file = {p.file: p.message for p in problems}
    assert "only .bpmn and .dmn" in by_file["notes.txt"]
    assert "not a BPMN file" in by_file["page.bpmn"] and "<html>" in by_file["page.bpmn"]
    assert "not a DMN file" in by_file["rules.dmn"]


def test_broken_file_does_not_hide_problems_in_the_others() -> None:
    good_but_wrong = bpmn(START_END + USER_TASK + FLOWS, lanes={"director": ["review"]})
    problems = rejected({"broken.bpmn": b"<bpmn:definitions", "main.bpmn": good_but_wrong})
    assert problem_for(problems, "").file == "broken.bpmn"
    assert "not a known role" in problem_for(problems, "review").message


def test_no_files_no_bpmn_and_no_executable_process() -> None:
    assert "No definition files" in rejected({})[0].message
    assert "No BPMN file" in rejected(fixture("valid_award_level.dmn"))[0].message
    idle = bpmn(START_END + chain("start", "end"), executable="false")
    assert "No executable process" in rejected({"idle.bpmn": idle})[0].message


def test_very_long_chain_is_refused_not_crashed() -> None:
    ids = [f"t{i}" for i in range(600)]
    tasks = "".join(
        f'<bpmn:scriptTask id="{i}"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>' for i in ids
    )
    document = bpmn(START_END + tasks + chain("start", *ids, "end"))
    [problem] = rejected({"long.bpmn": document})
    assert "too many steps in a row" in problem.message


def test_parse_definition_reports_spiffworkflow_errors_as_problems() -> None:
    files = {
        "case.bpmn": bpmn(
            START_END + '<bpmn:complexGateway id="cx"/>' + chain("start", "cx", "end")
        )
    }
    with pytest.raises(DefinitionRejected) as info:
        parse_definition(files)
    [problem] = info.value.problems
    assert problem.element_id == "cx"
    assert problem.file == "case.bpmn"
    assert "line" in problem.message
