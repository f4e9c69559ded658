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
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any, Literal

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.errors import DefinitionRejected, Problem
from engine.parsing import (
    BPMN_NS,
    DMN_NAMESPACES,
    SCHEMA_LOCK,
    SPIFF_NS,
    ParsedDefinition,
    choose_start_process,
    dmn_schema,
    file_kind,
    form_of,
    is_executable,
    parse_definition,
    source_line,
)
from engine.sandbox import compile_error
from engine.xmlsafety import parse_xml

Element = etree._Element
Mode = Literal["exec", "eval"]
_DmnProblem = Callable[[Element | None, str], None]

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_MAX_SCHEMA_ERRORS = 50
_MAX_ROLES_LISTED = 12
# SpiffWorkflow's '?' substitution in a DMN cell is quadratic in the cell's length.
_MAX_DMN_CELL = 2_000

# Tasks SpiffWorkflow marks `manual`: an instance waits on them until a person completes them.
HUMAN_TASKS = frozenset({"userTask", "manualTask", "task"})

_SCOPES = frozenset({"process", "subProcess", "transaction", "adHocSubProcess"})
_FLOW_NODES = frozenset(
    [
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "adHocSubProcess",
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    ]
)
_CONDITIONAL_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})

_NO_CHOREOGRAPHY = (
    "Choreographies and conversations cannot be run; remove them from the definition."
)
_REFUSED_ELEMENTS = {
    "complexGateway": (
        "Complex gateways are not supported by SpiffWorkflow; use an exclusive, inclusive or "
        "parallel gateway."
    ),
    "serviceTask": (
        "Service tasks are not supported: Laurel has no service integrations. "
        "Use a script task or a user task."
    ),
    "dataStore": "Data stores are not supported; keep data in the process variables.",
    "eventDefinitionRef": (
        "References to shared event definitions are ignored by SpiffWorkflow; define the "
        "event inside the event itself."
    ),
    **dict.fromkeys(
        [
            "choreography",
            "choreographyTask",
            "subChoreography",
            "callChoreography",
            "globalChoreographyTask",
            "conversation",
            "subConversation",
            "callConversation",
            "globalConversation",
            "conversationLink",
        ],
        _NO_CHOREOGRAPHY,
    ),
}

# The event definitions SpiffWorkflow's parser reads for each kind of event; it silently
# turns any other definition into a plain (none) event.
_SUPPORTED_EVENT_DEFINITIONS = {
    "startEvent": {"message", "signal", "timer", "conditional"},
    "endEvent": {"message", "cancel", "error", "escalation", "terminate"},
    "intermediateCatchEvent": {"message", "signal", "timer", "conditional"},
    "intermediateThrowEvent": {"escalation", "message", "signal"},
    "boundaryEvent": {"cancel", "error", "escalation", "message", "signal", "timer", "conditional"},
}
_EVENT_DEFINITION = re.compile(r"(\w+)EventDefinition")

_TIMER_KINDS = {"timeDate": "date and time", "timeDuration": "duration", "timeCycle": "cycle"}
_TIMER_HINT = 'Timer expressions are Python: write ISO 8601 values in quotes, e.g. "P3D".'
_BARE_ISO = re.compile(
    r"(?=.*\d)(?:R\d*/)?P(?:\d+(?:[.,]\d+)?[YMWD])*(?:T(?:\d+(?:[.,]\d+)?[HMS])+)?",
    re.IGNORECASE,
)

_HIT_POLICIES = frozenset({"UNIQUE", "FIRST", "ANY", "COLLECT"})
# SpiffWorkflow's DMNEngine turns '?' outside quotes into the input value.
_DMN_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^\'\"]|[\'\"][^\'\"]*[\'\"])*$)")

_SHORT_NAMESPACES = {
    BPMN_NS: "bpmn:",
    SPIFF_NS: "spiffworkflow:",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi:",
    "http://www.omg.org/spec/DD/20100524/DC": "dc:",
    "http://www.omg.org/spec/DD/20100524/DI": "di:",
    **dict.fromkeys(DMN_NAMESPACES, "dmn:"),
}


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
    report = _Report()
    bpmn_roots, dmn_roots = _load(files, report)
    file_level_ok = not report.problems

    for filename, root in bpmn_roots.items():
        report.extend(_schema_problems(root, filename, VALIDATOR.validator, "BPMN"))
    for filename, root in dmn_roots.items():
        schema = dmn_schema(etree.QName(root).namespace or "")
        if schema is not None:
            report.extend(_schema_problems(root, filename, schema, "DMN"))

    decisions = _decision_index(dmn_roots, report)
    processes = {
        process.get("id", ""): process
        for root in bpmn_roots.values()
        for process in root.iterfind(f"{_B}process")
    }
    known_roles = frozenset(roles)
    for filename, root in bpmn_roots.items():
        _BpmnChecker(filename, root, known_roles, processes, decisions, report).run()
    for filename, root in dmn_roots.items():
        _check_dmn(filename, root, report)

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

    _check_spec_lanes(parsed, known_roles, report)
    if forms is not None:
        _check_spec_forms(parsed, frozenset(forms), report)
    if report.problems:
        raise DefinitionRejected(report.problems)
    return parsed


class _Report:
    """Problems found so far, plus which elements they concern (to avoid piling on)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._elements: set[tuple[str, str]] = set()

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.element_id:
            self._elements.add((problem.file, problem.element_id))

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def flagged(self, problem: Problem) -> bool:
        """Whether the element was already reported, in any file (SpiffWorkflow may omit it)."""
        return any(element_id == problem.element_id for _, element_id in self._elements)

    def is_flagged(self, filename: str, element_id: str) -> bool:
        return (filename, element_id) in self._elements


def _load(
    files: Mapping[str, bytes], report: _Report
) -> tuple[dict[str, Element], dict[str, Element]]:
    """Safely parse each file and sort it into BPMN or DMN, reporting what is neither."""
    bpmn: dict[str, Element] = {}
    dmn: dict[str, Element] = {}
    if not files:
        report.add(Problem("", "No definition files were given."))
    for filename, source in files.items():
        kind = file_kind(filename)
        if kind is None:
            report.add(
                Problem("", "Unknown file type: only .bpmn and .dmn files are accepted.", filename)
            )
            continue
        try:
            root = parse_xml(source, filename)
        except DefinitionRejected as exc:
            report.extend(exc.problems)
            continue
        qname = etree.QName(root)
        if kind == "bpmn" and root.tag == f"{_B}definitions":
            bpmn[filename] = root
        elif (
            kind == "dmn"
            and qname.localname == "definitions"
            and qname.namespace in (DMN_NAMESPACES)
        ):
            dmn[filename] = root
        else:
            expected = (
                "bpmn:definitions (BPMN 2.0)" if kind == "bpmn" else "DMN 1.1-1.3 definitions"
            )
            report.add(
                Problem(
                    "",
                    f"This is not a {kind.upper()} file: its root element is "
                    f"<{qname.localname}> (namespace {qname.namespace or 'none'}), "
                    f"expected {expected}.",
                    filename,
                )
            )
    if files and not bpmn and not report.problems:
        report.add(Problem("", "No BPMN file was given; a definition needs a .bpmn file."))
    return bpmn, dmn


def _short(text: str) -> str:
    """Replace well-known {namespace} prefixes with their usual short prefix."""
    for namespace, prefix in _SHORT_NAMESPACES.items():
        text = text.replace(f"{{{namespace}}}", prefix)
    return text


def _schema_problems(
    root: Element, filename: str, schema: etree.XMLSchema, language: str
) -> list[Problem]:
    """Every XSD error, with its line and the id of the element it is on (if it has one)."""
    with SCHEMA_LOCK:
        if language == "BPMN":
            # bpmn.io writes correlation expressions in a shape the schema rejects;
            # SpiffWorkflow rewrites them the same way before validating.
            VALIDATOR.preprocess(root)
        if schema.validate(root):
            return []
        # Any: lxml-stubs do not declare the error log iterable.
        error_log: Any = schema.error_log
        errors = list(error_log)

    # libxml2 names the failing node by the same path lxml's getpath gives; the line is the
    # fallback when it does not.
    tree = root.getroottree()
    by_path: dict[str, Element] = {}
    by_line: dict[int, Element] = {}
    for element in root.iter(etree.Element):
        by_path[tree.getpath(element)] = element
        line = source_line(element)
        if line is not None:
            by_line.setdefault(line, element)
    problems = []
    for error in errors[:_MAX_SCHEMA_ERRORS]:
        target = by_path.get(error.path or "")
        if target is None:
            target = by_line.get(error.line)
        problems.append(
            Problem(
                _nearest_id(target),
                f"Line {error.line}: does not match the {language} schema: {_short(error.message)}",
                filename,
            )
        )
    if len(errors) > _MAX_SCHEMA_ERRORS:
        problems.append(
            Problem(
                "",
                f"{len(errors) - _MAX_SCHEMA_ERRORS} more schema errors not shown.",
                filename,
            )
        )
    return problems


def _nearest_id(element: Element | None) -> str:
    while element is not None:
        if element.get("id"):
            return element.get("id", "")
        element = element.getparent()
    return ""


def _local(element: Element) -> str:
    tag = element.tag
    return tag[len(_B) :] if isinstance(tag, str) and tag.startswith(_B) else ""


def _name(element: Element) -> str:
    """What people call an element: its name, else its id."""
    return (element.get("name") or "").strip() or element.get("id", "")


def _kind(element: Element) -> str:
    """'User task' for a bpmn:userTask."""
    local = _local(element) or etree.QName(element).localname
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower().capitalize()


def _label(element: Element, *, capital: bool = True) -> str:
    """'User task "Approve"': what the element is, then its name (or id)."""
    name = (element.get("name") or "").strip() or element.get("id", "")
    kind = _kind(element) if capital else _kind(element).lower()
    return f'{kind} "{name}"'


def _owner(element: Element) -> Element:
    """The element itself or its nearest ancestor with an id, to report a problem on."""
    for candidate in (element, *element.iterancestors()):
        if candidate.get("id"):
            return candidate
    return element


def _text(element: Element | None) -> str | None:
    return None if element is None else element.text


def _spiff_extension(element: Element, name: str) -> Element | None:
    """The spiffworkflow extension SpiffWorkflow would read (the last one of that name)."""
    found = element.findall(f"{_B}extensionElements/{_S}{name}")
    return found[-1] if found else None


def _compile_problem(source: str, mode: Mode) -> str | None:
    """compile_error, but a hostile expression (absurdly nested, say) must not crash
    validation itself: whatever the compiler raises becomes the problem."""
    try:
        return compile_error(source, mode)
    except Exception as exc:
        return f"cannot be compiled ({type(exc).__name__})"


def _decision_index(dmn_roots: Mapping[str, Element], report: _Report) -> dict[str, str]:
    """Decision id → DMN file. SpiffWorkflow registers a DMN file by its first decision."""
    index: dict[str, str] = {}
    for filename, root in dmn_roots.items():
        first = root.find(f"{{{etree.QName(root).namespace}}}decision")
        if first is None or not first.get("id"):
            continue
        decision_id = first.get("id", "")
        if decision_id in index:
            report.add(
                Problem(
                    decision_id,
                    f'Decision "{decision_id}" is defined in both {index[decision_id]} and '
                    f"{filename}; decision ids must be unique.",
                    filename,
                )
            )
        index[decision_id] = filename
    return index


def _start_process(
    bpmn_roots: Mapping[str, Element],
    processes: Mapping[str, Element],
    process_id: str | None,
    report: _Report,
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


class _BpmnChecker:
    """Structural checks of one BPMN document; adds problems to the shared report."""

    def __init__(
        self,
        filename: str,
        root: Element,
        roles: frozenset[str],
        processes: Mapping[str, Element],
        decisions: Mapping[str, str],
        report: _Report,
    ) -> None:
        self.filename = filename
        self.root = root
        self.roles = roles
        self.processes = processes
        self.decisions = decisions
        self.report = report
        # Like SpiffWorkflow: flow node id → lane, over the whole document, innermost lane last.
        self.lanes: dict[str, Element] = {}
        for ref in root.iter(f"{_B}flowNodeRef"):
            parent = ref.getparent()
            if ref.text is not None and parent is not None:
                self.lanes[ref.text] = parent
        # Indexes keep the checks linear in the document size, even for hostile uploads.
        self.by_id: dict[str, Element] = {}
        self.outgoing: dict[str, list[Element]] = {}
        for element in root.iter(etree.Element):
            if element.get("id"):
                self.by_id.setdefault(element.get("id", ""), element)
            if _local(element) == "sequenceFlow":
                self.outgoing.setdefault(element.get("sourceRef", ""), []).append(element)

    def problem(self, element: Element | str, message: str, code: str = "", **params: str) -> None:
        element_id = element if isinstance(element, str) else _nearest_id(element)
        self.report.add(
            Problem(element_id, message, self.filename, code, tuple(sorted(params.items())))
        )

    def run(self) -> None:
        for element in self.root.iter(etree.Element):
            local = _local(element)
            if local in _REFUSED_ELEMENTS and self._in_executable(element, local):
                self.problem(_owner(element), f"{_label(element)}: {_REFUSED_ELEMENTS[local]}")
        for process in self.root.iterfind(f"{_B}process"):
            if is_executable(process):
                self._check_process(process)
        # Message and signal payloads live outside processes, in bpmn:message and friends.
        for name in ("messagePayload", "payloadExpression"):
            for payload in self.root.iter(f"{_S}{name}"):
                owner = _owner(payload)
                self._expression(owner, payload.text, f"The {name}", "eval", required=True)

    def _in_executable(self, element: Element, local: str) -> bool:
        # Choreographies, conversations and data stores sit outside processes: refused
        # anywhere. Flow elements only matter in a process that can run.
        if local not in ("complexGateway", "serviceTask", "eventDefinitionRef"):
            return True
        process = next(element.iterancestors(f"{_B}process"), None)
        return process is None or is_executable(process)

    def _check_process(self, process: Element) -> None:
        for element in process.iter(etree.Element):
            local = _local(element)
            if local in HUMAN_TASKS:
                self._check_lane(element)
            elif local == "scriptTask":
                self._check_script_task(element)
            elif local == "callActivity":
                self._check_call_activity(element)
            elif local == "businessRuleTask":
                self._check_business_rule_task(element)
            elif local == "sequenceFlow":
                self._check_sequence_flow(element)
            elif local in _CONDITIONAL_GATEWAYS:
                self._check_gateway(element)
            elif local in _SUPPORTED_EVENT_DEFINITIONS:
                self._check_event(element, local)
            elif local in ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics"):
                self._check_loop(element)
            elif local == "adHocSubProcess":
                completion = element.find(f"{_B}completionCondition")
                if completion is not None:
                    self._expression(
                        element, completion.text, "The completion condition", "eval", True
                    )
            for name in ("preScript", "postScript"):
                script = _spiff_extension(element, name)
                if script is not None and (script.text or "").strip():
                    self._expression(element, script.text, f"The {name}", "exec", True)
        self._check_reachable(process)

    # --- human tasks and lanes -------------------------------------------------------------

    def _lane_of(self, element: Element) -> Element | None:
        """The lane SpiffWorkflow gives the task: an enclosing subprocess's lane wins."""
        scope = next(
            (a for a in element.iterancestors() if _local(a) in _SCOPES),
            None,
        )
        if scope is not None and _local(scope) != "process":
            inherited = self._lane_of(scope)
            if inherited is not None and inherited.get("name") is not None:
                return inherited
        return self.lanes.get(element.get("id", ""))

    def _check_lane(self, task: Element) -> None:
        lane = self._lane_of(task)
        if lane is None:
            why = " (SpiffWorkflow waits for a person to complete a plain task)"
            self.problem(
                task,
                f"{_label(task)} is not in any lane; put it in the lane of the role that "
                f"should do it{why if _local(task) == 'task' else ''}.",
                "no_lane",
                task=_name(task),
            )
            return
        name = lane.get("name")
        if name is None or not name.strip():
            self.problem(
                task,
                f'{_label(task)} is in lane "{lane.get("id", "")}", which has no name; '
                "name the lane after the role that does its tasks.",
                "lane_unnamed",
                task=_name(task),
                lane=lane.get("id", ""),
            )
        elif name.strip() not in self.roles:
            listed = sorted(self.roles)[:_MAX_ROLES_LISTED]
            more = ", ..." if len(self.roles) > _MAX_ROLES_LISTED else ""
            known = ", ".join(listed) + more if listed else "none are defined"
            self.problem(
                task,
                f'{_label(task)} is in lane "{name.strip()}", which is not a known role '
                f"(known roles: {known}).",
                "lane_not_role",
                task=_name(task),
                lane=name.strip(),
                roles=known,
            )
        elif name != name.strip():
            # The runtime reads the lane name as SpiffWorkflow gives it, spaces included.
            self.problem(
                task,
                f'{_label(task)} is in lane "{name}", whose name has spaces around it; '
                f'rename the lane to exactly "{name.strip()}".',
            )

    # --- tasks -------------------------------------------------------------------------------

    def _check_script_task(self, task: Element) -> None:
        script_format = (task.get("scriptFormat") or "").strip()
        if script_format and "python" not in script_format.lower():
            self.problem(
                task,
                f'{_label(task)} is written in "{script_format}"; only Python scripts can run.',
            )
            return
        # SpiffWorkflow runs the text of the last <script> child.
        scripts = task.findall(f"{_B}script")
        source = scripts[-1].text if scripts else None
        self._expression(task, source, "The script", "exec", required=True)

    def _check_call_activity(self, activity: Element) -> None:
        called = activity.get("calledElement")
        if not called:
            self.problem(activity, f"{_label(activity)} does not say which process to call.")
            return
        process = self.processes.get(called)
        if process is None:
            self.problem(
                activity,
                f'{_label(activity)} calls process "{called}", which is not in the uploaded files.',
            )
        elif not is_executable(process):
            self.problem(
                activity,
                f'{_label(activity)} calls process "{called}", which is not executable '
                '(isExecutable="false").',
            )

    def _check_business_rule_task(self, task: Element) -> None:
        decision_id = _text(_spiff_extension(task, "calledDecisionId"))
        if not decision_id:
            self.problem(
                task,
                f"{_label(task)} does not say which decision to call "
                "(spiffworkflow:calledDecisionId).",
            )
        elif decision_id not in self.decisions:
            self.problem(
                task,
                f'{_label(task)} calls decision "{decision_id}", which is not in the uploaded '
                "DMN files.",
            )

    def _check_loop(self, loop: Element) -> None:
        activity = loop.getparent()
        if activity is None:
            return
        for name, what in (
            ("loopCondition", "The loop condition"),
            ("loopCardinality", "The loop cardinality"),
            ("completionCondition", "The completion condition"),
        ):
            child = loop.find(f"{_B}{name}")
            if child is not None:
                self._expression(activity, child.text, what, "eval", required=True)

    # --- flows and gateways ------------------------------------------------------------------

    def _check_sequence_flow(self, flow: Element) -> None:
        condition = flow.find(f"{_B}conditionExpression")
        if condition is None:
            return
        source = self.by_id.get(flow.get("sourceRef", ""))
        if source is None:
            return  # a dangling sourceRef is SpiffWorkflow's (and the schema's) to report
        if _local(source) not in _CONDITIONAL_GATEWAYS:
            self.problem(
                flow,
                f"{_label(flow)} has a condition, but it leaves "
                f"{_label(source, capital=False)}; SpiffWorkflow only evaluates conditions on "
                "flows leaving an exclusive or inclusive gateway, so it would be ignored.",
            )
        elif source.get("default") == flow.get("id"):
            self.problem(
                flow,
                f"{_label(flow)} is the default flow of {_label(source, capital=False)} but "
                "has a condition, which would be ignored; remove the condition.",
            )
        else:
            self._expression(flow, condition.text, "The condition", "eval", required=True)

    def _check_gateway(self, gateway: Element) -> None:
        outgoing = self.outgoing.get(gateway.get("id", ""), [])
        if len(outgoing) < 2:
            return  # a single unconditional flow is taken as the default
        for flow in outgoing:
            has_condition = _text(flow.find(f"{_B}conditionExpression")) is not None
            if not has_condition and flow.get("id") != gateway.get("default"):
                self.problem(
                    flow,
                    f"{_label(flow)} leaves {_label(gateway, capital=False)} without a "
                    "condition and is not its default flow; give it a condition or make it "
                    "the default.",
                )

    # --- events ------------------------------------------------------------------------------

    def _check_event(self, event: Element, local: str) -> None:
        supported = _SUPPORTED_EVENT_DEFINITIONS[local]
        for child in event:
            match = _EVENT_DEFINITION.fullmatch(_local(child))
            if match is None:
                continue
            kind = match.group(1)
            if kind not in supported:
                self.problem(
                    event,
                    f"{_label(event)}: SpiffWorkflow does not support {kind} event definitions "
                    f"on {_kind(event).lower()}s and would silently ignore this one.",
                )
            elif kind == "timer":
                self._check_timer(event, child)
            elif kind == "conditional":
                condition = child.find(f"{_B}condition")
                self._expression(event, _text(condition), "The event condition", "eval", True)

    def _check_timer(self, event: Element, timer: Element) -> None:
        # SpiffWorkflow reads only the first of date, duration and cycle, in that order.
        present = [
            (kind, child)
            for kind in _TIMER_KINDS
            if (child := timer.find(f"{_B}{kind}")) is not None
        ]
        if not present:
            self.problem(event, f"{_label(event)} has a timer without a date, duration or cycle.")
            return
        kind, child = present[0]
        what = f"The timer {_TIMER_KINDS[kind]}"
        if self._expression(event, child.text, what, "eval", True, hint=_TIMER_HINT):
            message = _timer_value_problem(kind, (child.text or "").strip())
            if message:
                self.problem(event, f"{what} of {_label(event, capital=False)} {message}")

    # --- expressions -------------------------------------------------------------------------

    def _expression(
        self,
        owner: Element,
        source: str | None,
        what: str,
        mode: Mode,
        required: bool,
        hint: str = "",
    ) -> bool:
        """Compile one script or expression in the sandbox; True if it is fine."""
        if source is None or not source.strip():
            if required:
                self.problem(owner, f"{what} of {_label(owner, capital=False)} is empty.")
            return False
        error = _compile_problem(source, mode)
        if error is None:
            return True
        message = f"{what} of {_label(owner, capital=False)} does not compile: {error}"
        if hint:
            message = f"{message.rstrip('. ')}. {hint}"
        self.problem(owner, message)
        return False

    # --- reachability ------------------------------------------------------------------------

    def _check_reachable(self, scope: Element) -> None:
        """Flow nodes no path from a start event reaches: SpiffWorkflow silently drops them."""
        nodes = {e.get("id", ""): e for e in scope if _local(e) in _FLOW_NODES}
        for node in nodes.values():
            if _local(node) in _SCOPES:
                self._check_reachable(node)
        if _local(scope) == "adHocSubProcess":
            return  # any activity in an ad hoc subprocess may be started
        successors: dict[str, list[str]] = {}
        for flow in scope.iterfind(f"{_B}sequenceFlow"):
            successors.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
        for node_id, node in nodes.items():
            attached = node.get("attachedToRef")
            if _local(node) == "boundaryEvent" and attached:
                successors.setdefault(attached, []).append(node_id)

        todo = [
            node_id
            for node_id, node in nodes.items()
            if _local(node) == "startEvent" or node.get("triggeredByEvent") == "true"
        ]
        seen = set(todo)
        while todo:
            for target in successors.get(todo.pop(), []):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        for node_id, node in nodes.items():
            # Already-reported elements (a refused gateway, a link event) need no second line.
            if node_id not in seen and not self.report.is_flagged(self.filename, node_id):
                self.problem(
                    node,
                    f"{_label(node)} is not connected to a start event, so it would never run.",
                )


def _timer_value_problem(kind: str, source: str) -> str | None:
    """Check a timer written as a literal, the usual case; computed values are checked when run."""
    if _BARE_ISO.fullmatch(source):
        return f'looks like an ISO 8601 value without quotes; write it as "{source}".'
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None  # an expression computed when the timer starts
    if not isinstance(value, str):
        return "must be an ISO 8601 text value in quotes, not a number or list."
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
            raise ValueError("not a date and time")
    except Exception:
        examples = {"timeDate": '"2025-06-30T17:00:00"', "timeDuration": '"P3D"'}
        example = examples.get(kind, '"R3/PT1H"')
        return f'is "{value}", which is not a valid ISO 8601 {_TIMER_KINDS[kind]} (e.g. {example}).'
    return None


# --- DMN -------------------------------------------------------------------------------------


def _check_dmn(filename: str, root: Element, report: _Report) -> None:
    namespace = etree.QName(root).namespace or ""
    ns = f"{{{namespace}}}"

    def problem(element: Element | None, message: str) -> None:
        report.add(Problem(_nearest_id(element), message, filename))

    # SpiffWorkflow looks DMN elements up with the 'dmn' prefix or the default namespace.
    prefixes = dict(root.nsmap)
    if None in prefixes:
        prefixes["dmn"] = prefixes.pop(None)
    if prefixes.get("dmn") != namespace:
        problem(
            root,
            "SpiffWorkflow reads DMN elements only in the default namespace or with the "
            '"dmn" prefix; save the file with the DMN namespace as the default.',
        )
        return

    decisions = root.findall(f"{ns}decision")
    if not decisions:
        problem(root, "The file contains no decision.")
    elif len(decisions) > 1:
        problem(
            root,
            f"The file contains {len(decisions)} decisions; SpiffWorkflow reads one decision "
            "per DMN file, so put each decision in its own file.",
        )
    for decision in decisions:
        table = decision.find(f"{ns}decisionTable")
        if table is None:
            problem(
                decision,
                f'Decision "{decision.get("id", "")}" is not a decision table; '
                "only decision tables can run.",
            )
            continue
        _check_decision_table(table, ns, problem)


def _check_decision_table(table: Element, ns: str, problem: _DmnProblem) -> None:
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in _HIT_POLICIES:
        problem(
            table,
            f'Hit policy "{policy}" is not supported; use UNIQUE, FIRST, ANY or COLLECT.',
        )
    if table.get("aggregation"):
        problem(
            table,
            f'COLLECT with aggregation "{table.get("aggregation")}" is not supported; '
            "SpiffWorkflow would return the plain list.",
        )

    inputs, outputs, rules = [], [], []
    for child in table:
        if not isinstance(child.tag, str):
            # SpiffWorkflow's parser calls .endswith() on every child's tag: comments break it.
            problem(table, "SpiffWorkflow cannot read comments inside a decision table.")
            continue
        local = etree.QName(child).localname
        if local == "input":
            inputs.append(child)
        elif local == "output":
            outputs.append(child)
        elif local == "rule":
            rules.append(child)
        else:
            problem(child, f"SpiffWorkflow cannot read <{local}> inside a decision table.")

    for column in inputs:
        expression = column.find(f"{ns}inputExpression/{ns}text")
        label = column.get("label") or column.get("id", "")
        if expression is None or not (expression.text or "").strip():
            problem(column, f'Input column "{label}" has no input expression.')
            continue
        error = _compile_problem(expression.text or "", "eval")
        if error:
            problem(column, f'The expression of input column "{label}" does not compile: {error}')
    for column in outputs:
        if not (column.get("name") or column.get("label")):
            problem(column, "An output column has no name, so its result would be lost.")

    for number, rule in enumerate(rules, start=1):
        entries = {
            "input": rule.findall(f"{ns}inputEntry"),
            "output": rule.findall(f"{ns}outputEntry"),
        }
        columns = {"input": inputs, "output": outputs}
        for side, cells in entries.items():
            if len(cells) != len(columns[side]):
                problem(
                    rule,
                    f"Rule {number} has {len(cells)} {side} cells but the table has "
                    f"{len(columns[side])} {side} columns.",
                )
                continue
            for cell, column in zip(cells, columns[side], strict=True):
                text = _text(cell.find(f"{ns}text"))
                error = _input_cell_error(text) if side == "input" else _output_cell_error(text)
                if error:
                    label = column.get("label") or column.get("name") or column.get("id", "")
                    problem(
                        cell,
                        f'Rule {number}, {side} "{label}": the cell "{text}" does not '
                        f"compile: {error}",
                    )


def _input_cell_error(text: str | None) -> str | None:
    """Mirror DMNEngine: '-' or empty matches anything; else an expression or a test."""
    if text is None or text in ("", "-"):
        return None
    if len(text) > _MAX_DMN_CELL:
        return f"the cell is longer than {_MAX_DMN_CELL:,} characters"
    cell = _DMN_QUESTION_MARK.sub("dmninputexpr", text)
    if "dmninputexpr" in cell:
        return _compile_problem(cell, "eval")
    error = _compile_problem(cell, "eval")
    if error and _compile_problem(f"dmninputexpr {cell}", "eval") is None:
        return None  # a test such as '> 5' applied to the input value
    return error


def _output_cell_error(text: str | None) -> str | None:
    return _compile_problem(text, "eval") if text and text.strip() else None


# --- after parsing ---------------------------------------------------------------------------


def _iter_task_specs(parsed: ParsedDefinition) -> Iterator[tuple[str, object]]:
    for spec in (parsed.spec, *parsed.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            yield str(getattr(spec, "file", "") or ""), task_spec


def _check_spec_lanes(parsed: ParsedDefinition, roles: frozenset[str], report: _Report) -> None:
    """Belt and braces: every task SpiffWorkflow waits on for a person must map to a role."""
    for filename, task_spec in _iter_task_specs(parsed):
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if not getattr(task_spec, "manual", False) or not bpmn_id:
            continue
        lane = getattr(task_spec, "lane", None)
        if isinstance(lane, str) and lane in roles:
            continue
        if report.is_flagged(filename, bpmn_id):
            continue
        report.add(
            Problem(
                bpmn_id,
                f'Task "{bpmn_id}" waits for a person but its lane ({lane!r}) is not a known role.',
                filename,
            )
        )


def _check_spec_forms(parsed: ParsedDefinition, forms: frozenset[str], report: _Report) -> None:
    """A task a person completes must show a form the application has."""
    for filename, task_spec in _iter_task_specs(parsed):
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if not getattr(task_spec, "manual", False) or not bpmn_id:
            continue
        form = form_of(task_spec)
        if form in forms:
            continue
        name = getattr(task_spec, "bpmn_name", None) or bpmn_id
        known = ", ".join(sorted(forms)) or "none are defined"
        message = (
            f'Task "{name}" shows form "{form}", which is not a known form; set its "form" '
            f"property to one of: {known}."
        )
        params = (("form", form), ("forms", known), ("task", name))
        report.add(Problem(bpmn_id, message, filename, "form_unknown", params))
