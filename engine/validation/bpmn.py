"""Structural checks of BPMN documents: lanes, called processes and decisions, scripts,
conditions, timers, refused elements and unreachable nodes."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from engine.errors import Problem
from engine.parsing import is_executable
from engine.validation.elements import (
    BPMN,
    SPIFF,
    Element,
    Mode,
    compile_problem,
    describe,
    display_name,
    kind_of,
    local_name,
    nearest_id,
    owner_of,
    spiff_extension,
    text_of,
)
from engine.validation.report import Report
from engine.validation.timers import TIMER_HINT, TIMER_KINDS, timer_value_problem

_MAX_ROLES_LISTED = 12

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


class BpmnChecker:
    """Structural checks of one BPMN document; adds problems to the shared report."""

    def __init__(
        self,
        filename: str,
        root: Element,
        roles: frozenset[str],
        processes: Mapping[str, Element],
        decisions: Mapping[str, str],
        report: Report,
    ) -> None:
        self.filename = filename
        self.root = root
        self.roles = roles
        self.processes = processes
        self.decisions = decisions
        self.report = report
        # Like SpiffWorkflow: flow node id → lane, over the whole document, innermost lane last.
        self.lanes: dict[str, Element] = {}
        for ref in root.iter(f"{BPMN}flowNodeRef"):
            parent = ref.getparent()
            if ref.text is not None and parent is not None:
                self.lanes[ref.text] = parent
        # Indexes keep the checks linear in the document size, even for hostile uploads.
        self.by_id: dict[str, Element] = {}
        self.outgoing: dict[str, list[Element]] = {}
        for element in root.iter(etree.Element):
            if element.get("id"):
                self.by_id.setdefault(element.get("id", ""), element)
            if local_name(element) == "sequenceFlow":
                self.outgoing.setdefault(element.get("sourceRef", ""), []).append(element)

    def problem(self, element: Element | str, message: str, code: str = "", **params: str) -> None:
        element_id = element if isinstance(element, str) else nearest_id(element)
        self.report.add(
            Problem(element_id, message, self.filename, code, tuple(sorted(params.items())))
        )

    def run(self) -> None:
        for element in self.root.iter(etree.Element):
            local = local_name(element)
            if local in _REFUSED_ELEMENTS and self._in_executable(element, local):
                self.problem(owner_of(element), f"{describe(element)}: {_REFUSED_ELEMENTS[local]}")
        for process in self.root.iterfind(f"{BPMN}process"):
            if is_executable(process):
                self._check_process(process)
        # Message and signal payloads live outside processes, in bpmn:message and friends.
        for name in ("messagePayload", "payloadExpression"):
            for payload in self.root.iter(f"{SPIFF}{name}"):
                owner = owner_of(payload)
                self._expression(owner, payload.text, f"The {name}", "eval", required=True)

    def _in_executable(self, element: Element, local: str) -> bool:
        # Choreographies, conversations and data stores sit outside processes: refused
        # anywhere. Flow elements only matter in a process that can run.
        if local not in ("complexGateway", "serviceTask", "eventDefinitionRef"):
            return True
        process = next(element.iterancestors(f"{BPMN}process"), None)
        return process is None or is_executable(process)

    def _check_process(self, process: Element) -> None:
        for element in process.iter(etree.Element):
            local = local_name(element)
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
                completion = element.find(f"{BPMN}completionCondition")
                if completion is not None:
                    self._expression(
                        element, completion.text, "The completion condition", "eval", True
                    )
            for name in ("preScript", "postScript"):
                script = spiff_extension(element, name)
                if script is not None and (script.text or "").strip():
                    self._expression(element, script.text, f"The {name}", "exec", True)
        self._check_reachable(process)

    # --- human tasks and lanes -------------------------------------------------------------

    def _lane_of(self, element: Element) -> Element | None:
        """The lane SpiffWorkflow gives the task: an enclosing subprocess's lane wins."""
        scope = next(
            (a for a in element.iterancestors() if local_name(a) in _SCOPES),
            None,
        )
        if scope is not None and local_name(scope) != "process":
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
                f"{describe(task)} is not in any lane; put it in the lane of the role that "
                f"should do it{why if local_name(task) == 'task' else ''}.",
                "no_lane",
                task=display_name(task),
            )
            return
        name = lane.get("name")
        if name is None or not name.strip():
            self.problem(
                task,
                f'{describe(task)} is in lane "{lane.get("id", "")}", which has no name; '
                "name the lane after the role that does its tasks.",
                "lane_unnamed",
                task=display_name(task),
                lane=lane.get("id", ""),
            )
        elif name.strip() not in self.roles:
            listed = sorted(self.roles)[:_MAX_ROLES_LISTED]
            more = ", ..." if len(self.roles) > _MAX_ROLES_LISTED else ""
            known = ", ".join(listed) + more if listed else "none are defined"
            self.problem(
                task,
                f'{describe(task)} is in lane "{name.strip()}", which is not a known role '
                f"(known roles: {known}).",
                "lane_not_role",
                task=display_name(task),
                lane=name.strip(),
                roles=known,
            )
        elif name != name.strip():
            # The runtime reads the lane name as SpiffWorkflow gives it, spaces included.
            self.problem(
                task,
                f'{describe(task)} is in lane "{name}", whose name has spaces around it; '
                f'rename the lane to exactly "{name.strip()}".',
            )

    # --- tasks -------------------------------------------------------------------------------

    def _check_script_task(self, task: Element) -> None:
        script_format = (task.get("scriptFormat") or "").strip()
        if script_format and "python" not in script_format.lower():
            self.problem(
                task,
                f'{describe(task)} is written in "{script_format}"; only Python scripts can run.',
            )
            return
        # SpiffWorkflow runs the text of the last <script> child.
        scripts = task.findall(f"{BPMN}script")
        source = scripts[-1].text if scripts else None
        self._expression(task, source, "The script", "exec", required=True)

    def _check_call_activity(self, activity: Element) -> None:
        called = activity.get("calledElement")
        if not called:
            self.problem(activity, f"{describe(activity)} does not say which process to call.")
            return
        process = self.processes.get(called)
        if process is None:
            self.problem(
                activity,
                f'{describe(activity)} calls process "{called}", which is not in the uploaded '
                "files.",
            )
        elif not is_executable(process):
            self.problem(
                activity,
                f'{describe(activity)} calls process "{called}", which is not executable '
                '(isExecutable="false").',
            )

    def _check_business_rule_task(self, task: Element) -> None:
        decision_id = text_of(spiff_extension(task, "calledDecisionId"))
        if not decision_id:
            self.problem(
                task,
                f"{describe(task)} does not say which decision to call "
                "(spiffworkflow:calledDecisionId).",
            )
        elif decision_id not in self.decisions:
            self.problem(
                task,
                f'{describe(task)} calls decision "{decision_id}", which is not in the uploaded '
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
            child = loop.find(f"{BPMN}{name}")
            if child is not None:
                self._expression(activity, child.text, what, "eval", required=True)

    # --- flows and gateways ------------------------------------------------------------------

    def _check_sequence_flow(self, flow: Element) -> None:
        condition = flow.find(f"{BPMN}conditionExpression")
        if condition is None:
            return
        source = self.by_id.get(flow.get("sourceRef", ""))
        if source is None:
            return  # a dangling sourceRef is SpiffWorkflow's (and the schema's) to report
        if local_name(source) not in _CONDITIONAL_GATEWAYS:
            self.problem(
                flow,
                f"{describe(flow)} has a condition, but it leaves "
                f"{describe(source, capital=False)}; SpiffWorkflow only evaluates conditions on "
                "flows leaving an exclusive or inclusive gateway, so it would be ignored.",
            )
        elif source.get("default") == flow.get("id"):
            self.problem(
                flow,
                f"{describe(flow)} is the default flow of {describe(source, capital=False)} but "
                "has a condition, which would be ignored; remove the condition.",
            )
        else:
            self._expression(flow, condition.text, "The condition", "eval", required=True)

    def _check_gateway(self, gateway: Element) -> None:
        outgoing = self.outgoing.get(gateway.get("id", ""), [])
        if len(outgoing) < 2:
            return  # a single unconditional flow is taken as the default
        for flow in outgoing:
            has_condition = text_of(flow.find(f"{BPMN}conditionExpression")) is not None
            if not has_condition and flow.get("id") != gateway.get("default"):
                self.problem(
                    flow,
                    f"{describe(flow)} leaves {describe(gateway, capital=False)} without a "
                    "condition and is not its default flow; give it a condition or make it "
                    "the default.",
                )

    # --- events ------------------------------------------------------------------------------

    def _check_event(self, event: Element, local: str) -> None:
        supported = _SUPPORTED_EVENT_DEFINITIONS[local]
        for child in event:
            match = _EVENT_DEFINITION.fullmatch(local_name(child))
            if match is None:
                continue
            kind = match.group(1)
            if kind not in supported:
                self.problem(
                    event,
                    f"{describe(event)}: SpiffWorkflow does not support {kind} event definitions "
                    f"on {kind_of(event).lower()}s and would silently ignore this one.",
                )
            elif kind == "timer":
                self._check_timer(event, child)
            elif kind == "conditional":
                condition = child.find(f"{BPMN}condition")
                self._expression(event, text_of(condition), "The event condition", "eval", True)

    def _check_timer(self, event: Element, timer: Element) -> None:
        # SpiffWorkflow reads only the first of date, duration and cycle, in that order.
        present = [
            (kind, child)
            for kind in TIMER_KINDS
            if (child := timer.find(f"{BPMN}{kind}")) is not None
        ]
        if not present:
            self.problem(event, f"{describe(event)} has a timer without a date, duration or cycle.")
            return
        kind, child = present[0]
        what = f"The timer {TIMER_KINDS[kind]}"
        if self._expression(event, child.text, what, "eval", True, hint=TIMER_HINT):
            message = timer_value_problem(kind, (child.text or "").strip())
            if message:
                self.problem(event, f"{what} of {describe(event, capital=False)} {message}")

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
                self.problem(owner, f"{what} of {describe(owner, capital=False)} is empty.")
            return False
        error = compile_problem(source, mode)
        if error is None:
            return True
        message = f"{what} of {describe(owner, capital=False)} does not compile: {error}"
        if hint:
            message = f"{message.rstrip('. ')}. {hint}"
        self.problem(owner, message)
        return False

    # --- reachability ------------------------------------------------------------------------

    def _check_reachable(self, scope: Element) -> None:
        """Flow nodes no path from a start event reaches: SpiffWorkflow silently drops them."""
        nodes = {e.get("id", ""): e for e in scope if local_name(e) in _FLOW_NODES}
        for node in nodes.values():
            if local_name(node) in _SCOPES:
                self._check_reachable(node)
        if local_name(scope) == "adHocSubProcess":
            return  # any activity in an ad hoc subprocess may be started
        successors: dict[str, list[str]] = {}
        for flow in scope.iterfind(f"{BPMN}sequenceFlow"):
            successors.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
        for node_id, node in nodes.items():
            attached = node.get("attachedToRef")
            if local_name(node) == "boundaryEvent" and attached:
                successors.setdefault(attached, []).append(node_id)

        todo = [
            node_id
            for node_id, node in nodes.items()
            if local_name(node) == "startEvent" or node.get("triggeredByEvent") == "true"
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
                    f"{describe(node)} is not connected to a start event, so it would never run.",
                )
