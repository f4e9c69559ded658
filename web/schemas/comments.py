"""A public comment as a person signs it: name, phone, address and content."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, pre_load, validate

from web.i18n import t
from web.schemas.text import without_nul

# Digits after an optional +84 or 0, spaces allowed between them. A pattern marshmallow
# checks and the OpenAPI document states, so generated clients validate the same way.
_PHONE = r"^ *(?:\+84|0)?(?: *[0-9]){9,11} *$"
_NOT_BLANK = r"[\s\S]*\S"  # some character that is not a space (ECMA and Python alike)


class _Length(validate.Length):
    # Our own message: marshmallow's "Length must be between" has no Vietnamese translation;
    # formatted at validation time, in the request's language.
    def _format_error(self, value: Any, message: str) -> str:
        return t("length_between", low=self.min, high=self.max)


class _Pattern(validate.Regexp):
    def __init__(self, pattern: str, message: str, longest: int) -> None:
        super().__init__(pattern)
        self.message = message
        self.longest = longest

    def __call__(self, value: Any) -> Any:
        # Past its length limit a value is refused by that; the pattern need not run on it.
        return value if len(value) > self.longest else super().__call__(value)

    def _format_error(self, value: Any) -> str:
        return t(self.message)


def _text(low: int, high: int) -> list[validate.Validator]:
    return [_Length(low, high), _Pattern(_NOT_BLANK, "blank", high)]


class CommentIn(Schema):
    name = fields.String(required=True, validate=_text(2, 200))
    phone = fields.String(
        required=True,
        validate=[validate.Length(max=30), _Pattern(_PHONE, "phone_invalid", 30)],
        metadata={"example": "0912 345 678"},
    )
    address = fields.String(required=True, validate=_text(2, 200))
    content = fields.String(required=True, validate=_text(10, 5000))

    @pre_load
    def drop_nul(self, data: Any, **_: Any) -> Any:
        # PostgreSQL cannot store a NUL; a person never means one, so it is dropped.
        if not isinstance(data, dict):
            return data
        return {k: without_nul(v) if isinstance(v, str) else v for k, v in data.items()}

    @post_load
    def tidy(self, data: dict[str, str], **_: Any) -> dict[str, str]:
        tidied = {key: value.strip() for key, value in data.items()}
        tidied["phone"] = " ".join(tidied["phone"].split())
        return tidied
