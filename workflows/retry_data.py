"""What an admin may correct when retrying an instance in error (docs/process-contract.md).

Retry data goes straight into the workflow, so it is not free. The keys the application
owns — the nomination's status, its organisations, who gets a task, the tally, the decision,
and every other key the pipeline, its scripts or its forms set — are always refused. Any
other key must be declared by the element that failed, in its `retry_data` property (a
comma-separated list of keys): the diagram's author says what a person may supply there.
The shipped pipeline declares none; its errors are fixed by a change to the installation
(an award rule, a council) and a retry without data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import DefinitionRejected
from engine.models import DefinitionVersion, Instance
from engine.parsing import SPIFF_NS, file_kind, find_element
from engine.xmlsafety import parse_xml
from workflows.forms import FORMS

# Set when a nomination starts (workflows/pipeline.py, Nominations.create).
START_KEYS = frozenset(
    {
        "nomination_id",
        "award",
        "origin_org",
        "current_org",
        "org_id",
        "vote_round",
        "returns",
        "final_status",
    }
)
# Set by the shipped diagram's scripts and decision table (bpmn/nomination.bpmn, route.dmn).
SCRIPT_KEYS = frozenset(
    {
        "rules",
        "appraisal_overdue",
        "rejected_reason",
        "members",
        "mode",
        "vote_overdue",
        "tally",
        "publicity_until",
        "comments",
        "org_level",
        "has_parent",
        "deciding_level",
        "route",
    }
)
# Read by the engine and the domain whatever the diagram says: a task's organisation and
# person, a nomination's status.
ENGINE_KEYS = frozenset({"org_id", "assignee", "status"})
FORM_KEYS = frozenset(
    field.data_key or name for form in FORMS.values() for name, field in form().fields.items()
) | frozenset(name for form in FORMS.values() for name in form().fields)
OWNED_KEYS = START_KEYS | SCRIPT_KEYS | ENGINE_KEYS | FORM_KEYS
PROPERTY = "retry_data"


class RetryDataRefused(Exception):
    """Retry data with keys that may not be corrected; nothing was changed.

    `problems` maps each refused key to a message code (`retry_key_owned`,
    `retry_key_undeclared`); `element` is the failed element, `declared` what it allows."""

    def __init__(self, problems: dict[str, str], element: str, declared: frozenset[str]):
        self.problems = problems
        self.element = element
        self.declared = declared
        super().__init__("; ".join(f"{key}: {code}" for key, code in problems.items()))


def check(session: Session, instance_id: int, data: Mapping[str, Any]) -> None:
    """Refuse `data` unless every key is declared by the failed element and none is owned."""
    if not data:
        return
    element, declared = declared_keys(session, instance_id)
    problems = {
        key: "retry_key_owned" if key in OWNED_KEYS else "retry_key_undeclared"
        for key in data
        if key in OWNED_KEYS or key not in declared
    }
    if problems:
        raise RetryDataRefused(problems, element, declared - OWNED_KEYS)


def declared_keys(session: Session, instance_id: int) -> tuple[str, frozenset[str]]:
    """The element an instance failed at and the keys its `retry_data` property declares."""
    found = session.execute(
        select(Instance.error_element, DefinitionVersion.sources)
        .join(DefinitionVersion, DefinitionVersion.id == Instance.definition_id)
        .where(Instance.id == instance_id)
    ).first()
    if found is None or not found[0]:
        return "", frozenset()
    element_id, sources = found
    for name, text in sources.items():
        if file_kind(name) != "bpmn":
            continue
        try:
            root = parse_xml(text.encode("utf-8"), name)  # deployed, so it parses
        except DefinitionRejected:
            continue
        element = find_element(root, element_id)
        if element is not None:
            return element_id, _declared(element)
    return element_id, frozenset()


def _declared(element: etree._Element) -> frozenset[str]:
    keys: set[str] = set()
    for found in element.iterfind(f"./{{*}}extensionElements//{{{SPIFF_NS}}}property"):
        if found.get("name") == PROPERTY:
            keys |= {k.strip() for k in (found.get("value") or "").split(",") if k.strip()}
    return frozenset(keys)
