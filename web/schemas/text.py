"""What every text field refuses: a NUL, which PostgreSQL cannot store (a 500 otherwise)."""

from __future__ import annotations

from marshmallow import validate

NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Invalid value.")  # mm_invalid_value: said in words


def without_nul(value: str) -> str:
    """A typed value with its NULs dropped: where a page has always removed them quietly."""
    return value.replace("\x00", "")
