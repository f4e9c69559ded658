"""Checks on the parsed workflow specs: what SpiffWorkflow itself will wait on."""

from __future__ import annotations

from collections.abc import Iterator

from engine.errors import Problem
from engine.parsing import ParsedDefinition, form_of
from engine.validation.report import Report


def _iter_task_specs(parsed: ParsedDefinition) -> Iterator[tuple[str, object]]:
    for spec in (parsed.spec, *parsed.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            yield str(getattr(spec, "file", "") or ""), task_spec


def check_spec_lanes(parsed: ParsedDefinition, roles: frozenset[str], report: Report) -> None:
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


def check_spec_forms(parsed: ParsedDefinition, forms: frozenset[str], report: Report) -> None:
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
