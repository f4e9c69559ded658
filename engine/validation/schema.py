"""Checking documents against the BPMN and DMN XML schemas (XSD)."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.errors import Problem
from engine.parsing import BPMN_NS, DMN_NAMESPACES, SCHEMA_LOCK, SPIFF_NS, source_line
from engine.validation.elements import Element, nearest_id

_MAX_SCHEMA_ERRORS = 50

_SHORT_NAMESPACES = {
    BPMN_NS: "bpmn:",
    SPIFF_NS: "spiffworkflow:",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi:",
    "http://www.omg.org/spec/DD/20100524/DC": "dc:",
    "http://www.omg.org/spec/DD/20100524/DI": "di:",
    **dict.fromkeys(DMN_NAMESPACES, "dmn:"),
}


def _short(text: str) -> str:
    """Replace well-known {namespace} prefixes with their usual short prefix."""
    for namespace, prefix in _SHORT_NAMESPACES.items():
        text = text.replace(f"{{{namespace}}}", prefix)
    return text


def schema_problems(
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
                nearest_id(target),
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
