"""Turning definition files into SpiffWorkflow specs.

The one place that does it, used both by deploy-time validation and by the runtime's spec
cache, so a definition that validated is parsed the same way when it runs. Every file passes
through `xmlsafety.parse_xml` first; SpiffWorkflow never sees raw bytes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

from lxml import etree
from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as SPIFF_DMN_SCHEMAS
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SPIFFWORKFLOW_NSMAP

from engine import xmlsafety
from engine.errors import DefinitionRejected, Problem

BPMN_NS: str = BPMN_MODEL_NS
SPIFF_NS: str = SPIFFWORKFLOW_NSMAP["spiffworkflow"]
# DMN 1.1, 1.2 and 1.3: the versions SpiffWorkflow's DMN parser knows.
DMN_NAMESPACES: frozenset[str] = frozenset(SPIFF_DMN_SCHEMAS)

FileKind = Literal["bpmn", "dmn"]

# lxml keeps a schema's error log on the schema object, so concurrent validations with the
# shared SpiffWorkflow schemas would mix up their errors.
SCHEMA_LOCK = threading.Lock()


@dataclass(frozen=True)
class ParsedDefinition:
    """A parsed definition, ready for `BpmnWorkflow(spec, subprocess_specs)`."""

    process_id: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    # SpiffWorkflow 3.2 ignores isInterrupting: the runtime applies it for these.
    interrupting_event_subprocesses: frozenset[str] = frozenset()


def file_kind(filename: str) -> FileKind | None:
    """'bpmn' or 'dmn' by file extension (case-insensitive), None for anything else."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".bpmn":
        return "bpmn"
    if suffix == ".dmn":
        return "dmn"
    return None


@functools.cache
def dmn_schema(namespace: str) -> etree.XMLSchema | None:
    """The compiled XSD for a DMN namespace, or None if SpiffWorkflow's copy does not load.

    SpiffWorkflow 3.2 bundles a broken DMN 1.2 schema (DMNDI12.xsd has the wrong target
    namespace), so DMN 1.2 files are parsed without schema validation.
    """
    path = SPIFF_DMN_SCHEMAS.get(namespace)
    if path is None:
        return None
    try:
        return etree.XMLSchema(etree.parse(path))
    except etree.XMLSchemaParseError:
        return None


def _usable_dmn_schemas() -> dict[str, str]:
    return {ns: path for ns, path in SPIFF_DMN_SCHEMAS.items() if dmn_schema(ns) is not None}


def is_executable(process: etree._Element) -> bool:
    """SpiffWorkflow's reading of isExecutable: absent means executable."""
    return process.get("isExecutable", "true") == "true"


def start_process_candidates(bpmn_roots: Iterable[etree._Element]) -> list[str]:
    """Executable processes that no call activity calls, in document order."""
    roots = list(bpmn_roots)
    called = {
        activity.get("calledElement")
        for root in roots
        for activity in root.iter(f"{{{BPMN_NS}}}callActivity")
    }
    return [
        process.get("id", "")
        for root in roots
        for process in root.iterfind(f"{{{BPMN_NS}}}process")
        if is_executable(process) and process.get("id") not in called
    ]


def choose_start_process(bpmn_roots: Mapping[str, etree._Element]) -> str:
    """The single process to start, or `DefinitionRejected` asking which one is meant."""
    candidates = start_process_candidates(bpmn_roots.values())
    if len(candidates) == 1:
        return candidates[0]
    file = next(iter(bpmn_roots), "") if len(bpmn_roots) == 1 else ""
    if not candidates:
        message = (
            "No executable process to start: mark the main process as executable "
            '(isExecutable="true") and make sure it is not only called by a call activity.'
        )
    else:
        message = (
            f"Several processes could be the one to start ({', '.join(candidates)}); "
            "say which one with a key / process id."
        )
    raise DefinitionRejected([Problem(element_id="", message=message, file=file)])


def parse_definition(
    files: Mapping[str, bytes],
    process_id: str | None = None,
    *,
    validate_xsd: bool = False,
) -> ParsedDefinition:
    """Parse BPMN and DMN files (filename → bytes) into the spec of one process.

    Without `process_id`, the process started is the only executable one no call activity
    calls. Any refusal, from the XML loader or from SpiffWorkflow, is a `DefinitionRejected`.
    """
    if not files:
        raise DefinitionRejected([Problem("", "No definition files were given.")])
    roots = load_roots(files)
    parser = _new_parser(validate_xsd)
    # Order does not matter: decisions and called processes are resolved in get_spec.
    for filename, root in roots.items():
        try:
            if file_kind(filename) == "dmn":
                parser.add_dmn_xml(root, filename)
            else:
                parser.add_bpmn_xml(root, filename)
        except Exception as exc:
            raise DefinitionRejected([spiff_problem(exc, roots, filename)]) from exc

    if process_id is None:
        bpmn_roots = {n: r for n, r in roots.items() if file_kind(n) == "bpmn"}
        process_id = choose_start_process(bpmn_roots)
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except Exception as exc:
        raise DefinitionRejected([spiff_problem(exc, roots)]) from exc
    return ParsedDefinition(
        process_id, spec, dict(subprocess_specs), interrupting_event_subprocesses(roots)
    )


def interrupting_event_subprocesses(roots: Mapping[str, etree._Element]) -> frozenset[str]:
    """Ids of event subprocesses whose start event interrupts (BPMN's default)."""
    found = set()
    for root in roots.values():
        for sub in root.iterfind(f".//{{{BPMN_NS}}}subProcess[@triggeredByEvent='true']"):
            for start in sub.iterfind(f"{{{BPMN_NS}}}startEvent"):
                if start.get("isInterrupting", "true") != "false":
                    found.add(sub.get("id", ""))
    return frozenset(found)


def load_roots(files: Mapping[str, bytes]) -> dict[str, etree._Element]:
    """Safely parse every file, reporting unknown extensions and unsafe XML all at once."""
    roots: dict[str, etree._Element] = {}
    problems: list[Problem] = []
    for filename, source in files.items():
        if file_kind(filename) is None:
            problems.append(
                Problem("", "Unknown file type: only .bpmn and .dmn files are accepted.", filename)
            )
            continue
        try:
            roots[filename] = xmlsafety.parse_xml(source, filename)
        except DefinitionRejected as exc:
            problems.extend(exc.problems)
    if problems:
        raise DefinitionRejected(problems)
    return roots


def _new_parser(validate_xsd: bool) -> Any:
    if not validate_xsd:
        return SpiffBpmnParser()
    return _LockedSpiffBpmnParser(validator=VALIDATOR, dmn_schemas=_usable_dmn_schemas())


class _LockedSpiffBpmnParser(SpiffBpmnParser):  # type: ignore[misc]
    """Holds SCHEMA_LOCK while SpiffWorkflow validates against its shared schema."""

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        with SCHEMA_LOCK:
            super().add_bpmn_xml(bpmn, filename)

    def add_dmn_xml(self, node: Any, filename: str | None = None) -> None:
        with SCHEMA_LOCK:
            super().add_dmn_xml(node, filename)


def form_of(spec: Any) -> str:
    """The form a user task shows: its `form` property (spiffworkflow:property), so an admin
    can add a task that reuses a known form; the BPMN id when it has none."""
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return str(properties.get("form") or spec.bpmn_id or spec.name)


def find_element(root: etree._Element, element_id: str) -> etree._Element | None:
    """The element with this id attribute, if any (the id is passed as an XPath variable)."""
    found = root.xpath("//*[@id=$id]", id=element_id)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def source_line(element: etree._Element) -> int | None:
    """The element's line in its file (lxml-stubs mistype `sourceline`)."""
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def spiff_problem(
    exc: BaseException, roots: Mapping[str, etree._Element], default_file: str = ""
) -> Problem:
    """Turn an exception SpiffWorkflow raised while parsing into a Problem."""
    if isinstance(exc, ValidationException):
        message = str(exc.args[0]) if exc.args else "Invalid definition."
        element_id = str(getattr(exc, "id", "") or "")
        file = str(getattr(exc, "file_name", "") or "") or default_file
        line = getattr(exc, "line_number", "") or ""
        tag = str(getattr(exc, "tag", "") or "")
    else:
        message = f"SpiffWorkflow could not read the definition: {type(exc).__name__}: {exc}"
        element_id, file, line, tag = "", default_file, "", ""

    if "RecursionError" in message:
        # SpiffWorkflow parses each path recursively; a few hundred nodes in a row exhaust it.
        message = (
            "The process has too many steps in a row for SpiffWorkflow's parser; "
            "split it into smaller processes with call activities"
        )
    if element_id:
        # SpiffWorkflow often leaves out the file and always the line: find the element.
        search = [file] if file in roots else list(roots)
        for name in search:
            element = find_element(roots[name], element_id)
            if element is not None:
                file, line = name, line or source_line(element) or ""
                break

    details = [d for d in (tag, f"line {line}" if line else "") if d]
    if details:
        message = f"{message.rstrip('. ')} ({', '.join(details)})."
    return Problem(element_id=element_id, message=message, file=file)
