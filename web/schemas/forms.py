"""A browser form through an input schema: what a page posts, read by the same schema the API
loads JSON with, and its refusals as one message per field for the page to show beside it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from web.i18n import t, translate_errors

MAX_FIELD = 10_000  # characters kept of a posted field; each schema has its own, lower limit


def tidy(value: str) -> str:
    """A posted text without NUL (which PostgreSQL refuses), stripped and bounded."""
    return value.replace("\x00", "").strip()[:MAX_FIELD]


def posted(form: Mapping[str, str], names: Collection[str]) -> dict[str, str]:
    """The posted fields among `names`, tidied: what the page shows again if refused."""
    return {name: tidy(form[name]) for name in names if name in form}


def load(
    schema: Schema, values: Mapping[str, Any], *, blank_is_absent: Collection[str] = ()
) -> dict[str, Any]:
    """`values` as `schema` loads them. A blank field is None where the schema allows None
    (an organisation without a parent), left out for `blank_is_absent` (a parameter kept as
    before, a password not changed), and otherwise the blank text, for the schema or the
    domain to refuse. ValidationError as the schema refuses (see `field_errors`)."""
    given: dict[str, Any] = {}
    for name, value in values.items():
        if name not in schema.fields:
            continue
        if value == "":
            if name in blank_is_absent:
                continue
            if schema.fields[name].allow_none:
                value = None
        given[name] = value
    loaded: dict[str, Any] = schema.load(given)
    return loaded


def field_errors(error: ValidationError) -> dict[str, str]:
    """The first message for each field; a row's of a list (a table on the page) under the
    list's name, saying which row."""
    messages: Any = error.normalized_messages()  # type: ignore[no-untyped-call]
    return {name: _first(found) for name, found in messages.items()}


def _first(found: Any) -> str:
    if isinstance(found, list):
        return _first(found[0])
    if isinstance(found, dict):
        index, inner = next(iter(found.items()))
        if isinstance(index, int):
            return t("form_row", row=index + 1, message=_first(inner))
        return _first(inner)
    return str(translate_errors(found))  # marshmallow's own English, if a schema left it
