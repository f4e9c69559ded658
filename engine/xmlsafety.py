"""Loading untrusted definition files as XML without letting them attack the server.

Uploaded BPMN/DMN comes from users, so every file passes through `parse_xml` before anything
else looks at it: a size cap, no DOCTYPE at all (which rules out entity expansion bombs and
external entities reading local files or the network), and a parser that would not resolve
entities, load DTDs or touch the network even if the up-front checks were bypassed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from engine.errors import DefinitionRejected, Problem

MAX_DEFINITION_BYTES = 5 * 1024 * 1024

# A DOCTYPE may only come after an optional BOM, the XML declaration, comments and
# processing instructions; looking only there keeps a script that builds an HTML page (a
# literal "<!DOCTYPE html>" inside CDATA) from being refused. Possessive quantifiers: the
# regex never backtracks, so a hostile prolog cannot make it slow.
_PROLOG_DOCTYPE = re.compile(
    rb"(?:\xef\xbb\xbf)?"
    rb"(?:[ \t\r\n]++|<\?(?:[^?]++|\?(?!>))*+\?>|<!--(?:[^-]++|-(?!->))*+-->)*+"
    rb"<!DOCTYPE"
)
_LXML_POSITION = re.compile(r",\s*line \d+, column \d+$")

_DTD_MESSAGE = (
    "DOCTYPE and entity declarations are not allowed in definition files; "
    "remove the <!DOCTYPE ...> block."
)


def _reject(filename: str, message: str) -> DefinitionRejected:
    return DefinitionRejected([Problem(element_id="", message=message, file=filename)])


def _too_big_message(size: int) -> str:
    return (
        f"The file is {size:,} bytes; definition files may be at most "
        f"{MAX_DEFINITION_BYTES:,} bytes."
    )


def check_size(path: Path) -> None:
    """Refuse a file over the size limit by looking at its size only, never its content."""
    size = path.stat().st_size
    if size > MAX_DEFINITION_BYTES:
        raise _reject(path.name, _too_big_message(size))


def _is_utf8(source: bytes) -> bool:
    """UTF-8 without NUL bytes. Definitions are stored as UTF-8 text, and refusing UTF-16/32
    here (every UTF-16/32 '<' contains a NUL byte) keeps the byte-level prolog scan sound."""
    if b"\x00" in source:
        return False
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _new_parser() -> etree.XMLParser:
    # A parser per call: lxml parsers keep state and are not safe to share across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(source: bytes, filename: str) -> etree._Element:
    """Parse one untrusted definition file and return its root element.

    Raises `DefinitionRejected` (one problem, tied to `filename`) for a file that is too big,
    empty, not UTF-8, declares a DOCTYPE/DTD/entities, or is not well-formed XML.
    """
    if len(source) > MAX_DEFINITION_BYTES:
        raise _reject(filename, _too_big_message(len(source)))
    if not source.strip():
        raise _reject(filename, "The file is empty.")
    if not _is_utf8(source):
        raise _reject(filename, "The file is not UTF-8 text; save it with UTF-8 encoding.")
    if _PROLOG_DOCTYPE.match(source):
        raise _reject(filename, _DTD_MESSAGE)

    try:
        root = etree.fromstring(source, _new_parser())
    except etree.XMLSyntaxError as exc:
        detail = _LXML_POSITION.sub("", exc.msg or "").strip() or "syntax error"
        line, column = exc.position
        raise _reject(
            filename,
            f"The file is not well-formed XML (line {line}, column {column}): {detail}.",
        ) from None

    # Any: lxml-stubs lack `doctype` and claim the DTDs are never None.
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _reject(filename, _DTD_MESSAGE)
    return root
