"""A readable difference between two versions of a definition (their `sources`).

Flow elements are compared by id: added, removed, changed, and for a change what changed —
name, type, lane, a flow's source, target and condition, a timer's expression, the `form`
property, the called decision, the script. Lanes are added, removed or renamed; DMN decision
tables gain, lose or change inputs, outputs and rules. The diagram's layout (BPMNDI) is not
compared: a version that only moved shapes is `layout_only`.

Each detail is structured (`what`, `old`, `new`) so the web layer can say it in words in the
reader's language. Sources are parsed as untrusted XML (`engine.xmlsafety`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.errors import DefinitionRejected
from engine.xmlsafety import parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_NOT_ELEMENTS = {"laneSet", "extensionElements", "documentation", "ioSpecification"}
_EVENT_DEFINITIONS = {
    "timerEventDefinition": "timer",
    "messageEventDefinition": "message",
    "signalEventDefinition": "signal",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
}
_TIMER_PARTS = ("timeDate", "timeDuration", "timeCycle")
# Details in the order a reader wants them.
WHATS = (
    "type",
    "name",
    "lane",
    "source",
    "target",
    "condition",
    "default",
    "event",
    "timer",
    "attached_to",
    "interrupting",
    "form",
    "property",
    "decision",
    "called_element",
    "script",
    "pre_script",
    "post_script",
    "documentation",
    "label",
    "expression",
    "inputs",
    "outputs",
    "description",
    "hit_policy",
)


@dataclass(frozen=True)
class Detail:
    """One thing that changed on an element: `what` (a key of WHATS), before and after."""

    what: str
    old: str = ""
    new: str = ""
    key: str = ""  # which one, for `property` (its name)


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    element_id: str
    element_type: str  # e.g. userTask, sequenceFlow, lane, decision, rule, input, output
    name: str = ""
    details: tuple[Detail, ...] = ()
    file: str = ""
    parent: str = ""  # the decision a rule, input or output belongs to


@dataclass
class VersionDiff:
    changes: list[Change] = field(default_factory=list)
    files_added: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    layout_only: bool = False  # the sources differ, but only in diagram layout

    @property
    def unchanged(self) -> bool:
        return not (self.changes or self.files_added or self.files_removed or self.layout_only)


def diff_versions(old: Mapping[str, Any], new: Mapping[str, Any]) -> VersionDiff:
    """What changed from `old` to `new` (file name → XML text, BPMN and DMN)."""
    result = VersionDiff(
        files_added=sorted(set(new) - set(old)), files_removed=sorted(set(old) - set(new))
    )
    result.changes += _compare(_bpmn_items(old), _bpmn_items(new))
    result.changes += _compare(_dmn_items(old), _dmn_items(new))
    if not result.changes and not result.files_added and not result.files_removed:
        result.layout_only = any(old[name] != new[name] for name in old)
    return result


# -- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    element_id: str
    element_type: str
    name: str
    file: str
    facts: Mapping[str, str]  # what → text; `property:<name>` for extension properties
    parent: str = ""


def _compare(old: Mapping[str, _Item], new: Mapping[str, _Item]) -> list[Change]:
    changes: list[Change] = []
    for key, item in new.items():
        before = old.get(key)
        if before is None:
            changes.append(_change("added", item, _facts_as_details(item.facts, added=True)))
            continue
        facts = {"type": before.element_type, **before.facts}
        after = {"type": item.element_type, **item.facts}
        details = [
            _detail(what, facts.get(what, ""), after.get(what, ""))
            for what in sorted({*facts, *after}, key=_order)
            if facts.get(what, "") != after.get(what, "")
        ]
        if details:
            changes.append(_change("changed", item, details))
    for key, item in old.items():
        if key not in new:
            changes.append(_change("removed", item, ()))
    return changes


def _change(kind: str, item: _Item, details: Any) -> Change:
    return Change(
        kind,
        item.element_id,
        item.element_type,
        item.name,
        tuple(details),
        item.file,
        item.parent,
    )


def _facts_as_details(facts: Mapping[str, str], added: bool) -> list[Detail]:
    shown = (
        "lane",
        "source",
        "target",
        "condition",
        "timer",
        "form",
        "decision",
        "expression",
        "inputs",
        "outputs",
    )
    return [_detail(what, "", facts[what]) for what in shown if facts.get(what)] if added else []


def _detail(what: str, old: str, new: str) -> Detail:
    if what.startswith("property:"):
        return Detail("property", old, new, key=what.split(":", 1)[1])
    return Detail(what, old, new)


def _order(what: str) -> tuple[int, str]:
    base = "property" if what.startswith("property:") else what
    return (WHATS.index(base) if base in WHATS else len(WHATS), what)


# -- BPMN ---------------------------------------------------------------------------------


def _parse(sources: Mapping[str, Any], suffix: str) -> Iterator[tuple[str, etree._Element]]:
    for name in sorted(sources):
        text = sources[name]
        if not name.lower().endswith(suffix) or not isinstance(text, str):
            continue
        try:
            yield name, parse_xml(text.encode("utf-8"), name)
        except DefinitionRejected:
            continue  # stored versions were validated; an unreadable file has no elements


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(str(part) for part in element.itertext()).split())


def _script(element: etree._Element | None) -> str:
    """Script text with its lines kept, but trailing spaces and blank edges dropped."""
    if element is None:
        return ""
    lines = [
        line.rstrip()
        for line in "".join(str(part) for part in element.itertext()).strip("\n").splitlines()
    ]
    return "\n".join(lines).strip()


def _bpmn_items(sources: Mapping[str, Any]) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for file, root in _parse(sources, ".bpmn"):
        lanes: dict[str, str] = {}
        for lane in root.iter(f"{{{BPMN}}}lane"):
            lane_id = lane.get("id") or ""
            lane_name = lane.get("name") or lane_id
            for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
                lanes[_text(ref)] = lane_name
            items[f"lane:{lane_id}"] = _Item(lane_id, "lane", lane_name, file, {"name": lane_name})
        for process in root.iter(f"{{{BPMN}}}process"):
            for element in _flow_elements(process):
                element_id = element.get("id") or ""
                facts = _bpmn_facts(element)
                if element_id in lanes:
                    facts["lane"] = lanes[element_id]
                items[element_id] = _Item(
                    element_id, _local(element), element.get("name") or "", file, facts
                )
    return items


def _flow_elements(container: etree._Element) -> Iterator[etree._Element]:
    for child in container:
        name = _local(child)
        if not name or name in _NOT_ELEMENTS or not child.get("id"):
            continue
        yield child
        if name in _CONTAINERS:
            yield from _flow_elements(child)


def _bpmn_facts(element: etree._Element) -> dict[str, str]:
    facts: dict[str, str] = {}
    if element.get("name"):
        facts["name"] = element.get("name") or ""
    for attribute, what in (
        ("sourceRef", "source"),
        ("targetRef", "target"),
        ("default", "default"),
        ("attachedToRef", "attached_to"),
        ("calledElement", "called_element"),
    ):
        if element.get(attribute):
            facts[what] = element.get(attribute) or ""
    if element.get("cancelActivity") is not None:
        facts["interrupting"] = element.get("cancelActivity") or ""
    condition = element.find(f"{{{BPMN}}}conditionExpression")
    if condition is not None:
        facts["condition"] = _text(condition)
    events = []
    for child in element:
        kind = _EVENT_DEFINITIONS.get(_local(child))
        if kind is None:
            continue
        reference = child.get("messageRef") or child.get("signalRef") or child.get("errorRef")
        events.append(f"{kind} {reference}" if reference else kind)
        if kind == "timer":
            for part in _TIMER_PARTS:
                found = child.find(f"{{{BPMN}}}{part}")
                if found is not None:
                    facts["timer"] = f"{part}: {_text(found)}"
    if events:
        facts["event"] = ", ".join(events)
    script = element.find(f"{{{BPMN}}}script")
    if script is not None:
        facts["script"] = _script(script)
    documentation = element.find(f"{{{BPMN}}}documentation")
    if documentation is not None and _text(documentation):
        facts["documentation"] = _text(documentation)
    extensions = element.find(f"{{{BPMN}}}extensionElements")
    if extensions is not None:
        for found in extensions.iter(f"{{{SPIFF}}}property"):
            key = found.get("name") or ""
            facts["form" if key == "form" else f"property:{key}"] = found.get("value") or ""
        for tag, what in (
            ("calledDecisionId", "decision"),
            ("preScript", "pre_script"),
            ("postScript", "post_script"),
        ):
            found = extensions.find(f"{{{SPIFF}}}{tag}")
            if found is not None:
                facts[what] = _script(found) if what != "decision" else _text(found)
    return facts


# -- DMN ----------------------------------------------------------------------------------


def _dmn(element: etree._Element, name: str) -> list[etree._Element]:
    """Children named `name` in the element's own (DMN version's) namespace."""
    namespace = etree.QName(element).namespace
    return element.findall(f"{{{namespace}}}{name}")


def _dmn_items(sources: Mapping[str, Any]) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for file, root in _parse(sources, ".dmn"):
        for decision in _dmn(root, "decision"):
            decision_id = decision.get("id") or ""
            decision_name = decision.get("name") or ""
            facts = {"name": decision_name} if decision_name else {}
            for table in _dmn(decision, "decisionTable"):
                facts["hit_policy"] = table.get("hitPolicy") or "UNIQUE"
                inputs = _dmn(table, "input")
                outputs = _dmn(table, "output")
                for index, column in enumerate(inputs):
                    expression = column.find(f"{{{etree.QName(column).namespace}}}inputExpression")
                    column_facts = {"label": column.get("label") or ""}
                    if expression is not None:
                        column_facts["expression"] = _text(expression)
                    items[f"input:{decision_id}:{column.get('id') or index}"] = _Item(
                        column.get("id") or str(index),
                        "input",
                        column.get("label") or "",
                        file,
                        column_facts,
                        decision_id,
                    )
                for index, column in enumerate(outputs):
                    label = column.get("label") or column.get("name") or ""
                    items[f"output:{decision_id}:{column.get('id') or index}"] = _Item(
                        column.get("id") or str(index),
                        "output",
                        label,
                        file,
                        {"label": label, "name": column.get("name") or ""},
                        decision_id,
                    )
                for index, rule in enumerate(_dmn(table, "rule")):
                    rule_facts = {
                        "inputs": " | ".join(_text(e) for e in _dmn(rule, "inputEntry")),
                        "outputs": " | ".join(_text(e) for e in _dmn(rule, "outputEntry")),
                    }
                    description = _dmn(rule, "description")
                    if description and _text(description[0]):
                        rule_facts["description"] = _text(description[0])
                    rule_id = rule.get("id") or f"#{index + 1}"
                    items[f"rule:{decision_id}:{rule_id}"] = _Item(
                        rule_id,
                        "rule",
                        rule_facts.get("description", ""),
                        file,
                        rule_facts,
                        decision_id,
                    )
            items[f"decision:{decision_id}"] = _Item(
                decision_id, "decision", decision_name, file, facts
            )
    return items
