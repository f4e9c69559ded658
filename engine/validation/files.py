"""Reading the uploaded files safely and sorting them into BPMN and DMN documents."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from engine.errors import DefinitionRejected, Problem
from engine.parsing import DMN_NAMESPACES, file_kind
from engine.validation.elements import BPMN, Element
from engine.validation.report import Report
from engine.xmlsafety import parse_xml


def load_files(
    files: Mapping[str, bytes], report: Report
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
        if kind == "bpmn" and root.tag == f"{BPMN}definitions":
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
