"""JSON typed by people or sent by clients, read without letting its nesting (or a NUL) hurt us.

Parsers and schemas recurse per level, so a value nested a few thousand deep ends in a
RecursionError (a 500) wherever it is read; none of ours needs more than a few levels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_JSON_DEPTH = 32  # arrays and objects within each other


class TooDeep(ValueError):
    """The JSON nests arrays and objects more than MAX_JSON_DEPTH levels."""


def loads(raw: str | bytes) -> Any:
    """json.loads, but a value nested deeper than MAX_JSON_DEPTH raises TooDeep (a
    ValueError, like any other JSON a person got wrong)."""
    if isinstance(raw, str):
        raw = raw.encode()
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return json.loads(raw)  # too few brackets to be too deep
    try:
        value = json.loads(raw)
    except RecursionError:
        raise TooDeep from None
    if _deeper_than(value, MAX_JSON_DEPTH):
        raise TooDeep
    return value


def _deeper_than(value: Any, most: int) -> bool:
    """Whether arrays and objects nest more than `most` levels; iterative, so a deep value
    cannot exhaust the stack here."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > most:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def has_nul(value: Any) -> bool:
    """Whether free-form JSON (a task's data) holds a NUL anywhere: PostgreSQL text cannot
    store one, so it is refused at the edge, never a 500 from the database."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False
