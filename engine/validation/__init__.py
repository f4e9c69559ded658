"""Deploy-time validation of BPMN/DMN definitions.

`validate_definition` reports every problem it can find in one go, each tied to the element
it concerns, so a modeller can fix a diagram in one round trip. Besides XML safety, the
BPMN/DMN schemas and SpiffWorkflow's own parser, it refuses what would otherwise fail or
misbehave only at run time, including constructs SpiffWorkflow 3.2 silently ignores:

* a human task (user, manual or plain task; SpiffWorkflow waits for a person on all three)
  that is not in a lane named after a known role. The role is the lane's `name` attribute;
  lane ids are never used as roles, and a name with spaces around it is refused because the
  runtime sees the lane name untrimmed;
* call activities and business rule tasks whose process or decision is not in the files;
* scripts, conditions, timers and DMN cells that do not compile in the sandbox;
* complex gateways, service tasks, non-Python scripts, choreographies, conversations, data
  stores, event definitions SpiffWorkflow drops (link, compensation, signal end events,
  error/escalation start events...), conditions on flows that never evaluate them, flow
  nodes no path from a start event reaches, DMN hit policies it does not implement.

One module per seam: `files` (XML safety, BPMN or DMN), `schema` (XSD), `bpmn`, `timers`,
`dmn`, `specs` (after SpiffWorkflow's parser); `report` and `elements` are shared by them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.errors import DefinitionRejected, Problem
from engine.parsing import (
    ParsedDefinition,
    choose_start_process,
    dmn_schema,
    is_executable,
    parse_definition,
)
from engine.validation.bpmn import BpmnChecker
from engine.validation.dmn import check_dmn, decision_index
from engine.validation.elements import BPMN, Element
from engine.validation.files import load_files
from engine.validation.report import Report
from engine.validation.schema import schema_problems
from engine.validation.specs import check_spec_forms, check_spec_lanes

__all__ = ["validate_definition"]


def validate_definition(
    files: Mapping[str, bytes],
    roles: Collection[str],
    process_id: str | None = None,
    *,
    forms: Collection[str] | None = None,
) -> ParsedDefinition:
    """Check a definition (filename → bytes) and return it parsed, or raise every problem.

    `roles` are the role codes a human-task lane may name; `forms`, when given, the forms a
    user task may show. Without `process_id` the process
    to start is the only executable one that no call activity calls.
    """
    report = Report()
    bpmn_roots, dmn_roots = load_files(files, report)
    file_level_ok = not report.problems

    for filename, root in bpmn_roots.items():
        report.extend(schema_problems(root, filename, VALIDATOR.validator, "BPMN"))
    for filename, root in dmn_roots.items():
        schema = dmn_schema(etree.QName(root).namespace or "")
        if schema is not None:
            report.extend(schema_problems(root, filename, schema, "DMN"))

    decisions = decision_index(dmn_roots, report)
    processes = {
        process.get("id", ""): process
        for root in bpmn_roots.values()
        for process in root.iterfind(f"{BPMN}process")
    }
    known_roles = frozenset(roles)
    for filename, root in bpmn_roots.items():
        BpmnChecker(filename, root, known_roles, processes, decisions, report).run()
    for filename, root in dmn_roots.items():
        check_dmn(filename, root, report)

    start = _start_process(bpmn_roots, processes, process_id, report) if file_level_ok else None
    if start is None:
        raise DefinitionRejected(report.problems)

    # Run SpiffWorkflow's parser even when problems were found, for anything only it notices;
    # its single error is dropped when it concerns an element already reported.
    try:
        parsed = parse_definition(files, start)
    except DefinitionRejected as exc:
        for problem in exc.problems:
            if not report.problems or (problem.element_id and not report.flagged(problem)):
                report.add(problem)
        raise DefinitionRejected(report.problems) from None

    check_spec_lanes(parsed, known_roles, report)
    if forms is not None:
        check_spec_forms(parsed, frozenset(forms), report)
    if report.problems:
        raise DefinitionRejected(report.problems)
    return parsed


def _start_process(
    bpmn_roots: Mapping[str, Element],
    processes: Mapping[str, Element],
    process_id: str | None,
    report: Report,
) -> str | None:
    if process_id is None:
        try:
            return choose_start_process(bpmn_roots)
        except DefinitionRejected as exc:
            report.extend(exc.problems)
            return None
    process = processes.get(process_id)
    if process is None or not is_executable(process):
        report.add(Problem("", f'There is no executable process with id "{process_id}".'))
        return None
    return process_id
