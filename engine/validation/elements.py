"""Reading BPMN elements: tag names, ids and the words used for them in problems."""

from __future__ import annotations

import re
from typing import Literal

from lxml import etree

from engine.parsing import BPMN_NS, SPIFF_NS
from engine.sandbox import compile_error

Element = etree._Element
Mode = Literal["exec", "eval"]

# The {namespace} prefixes of BPMN and spiffworkflow tags.
BPMN = f"{{{BPMN_NS}}}"
SPIFF = f"{{{SPIFF_NS}}}"


def nearest_id(element: Element | None) -> str:
    while element is not None:
        if element.get("id"):
            return element.get("id", "")
        element = element.getparent()
    return ""


def local_name(element: Element) -> str:
    tag = element.tag
    return tag[len(BPMN) :] if isinstance(tag, str) and tag.startswith(BPMN) else ""


def display_name(element: Element) -> str:
    """What people call an element: its name, else its id."""
    return (element.get("name") or "").strip() or element.get("id", "")


def kind_of(element: Element) -> str:
    """'User task' for a bpmn:userTask."""
    local = local_name(element) or etree.QName(element).localname
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower().capitalize()


def describe(element: Element, *, capital: bool = True) -> str:
    """'User task "Approve"': what the element is, then its name (or id)."""
    name = (element.get("name") or "").strip() or element.get("id", "")
    kind = kind_of(element) if capital else kind_of(element).lower()
    return f'{kind} "{name}"'


def owner_of(element: Element) -> Element:
    """The element itself or its nearest ancestor with an id, to report a problem on."""
    for candidate in (element, *element.iterancestors()):
        if candidate.get("id"):
            return candidate
    return element


def text_of(element: Element | None) -> str | None:
    return None if element is None else element.text


def spiff_extension(element: Element, name: str) -> Element | None:
    """The spiffworkflow extension SpiffWorkflow would read (the last one of that name)."""
    found = element.findall(f"{BPMN}extensionElements/{SPIFF}{name}")
    return found[-1] if found else None


def compile_problem(source: str, mode: Mode) -> str | None:
    """compile_error, but a hostile expression (absurdly nested, say) must not crash
    validation itself: whatever the compiler raises becomes the problem."""
    try:
        return compile_error(source, mode)
    except Exception as exc:
        return f"cannot be compiled ({type(exc).__name__})"
