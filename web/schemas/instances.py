"""An administrator's actions on a process instance: the reason for suspending it and the
corrected data of a retry, as the API takes them and the instance page posts them (the page
types the data as JSON text)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from web import json_input
from web.i18n import t
from web.schemas.text import NO_NUL

MAX_REASON = 2000
MAX_RETRY_DATA = 20_000  # characters of JSON typed on the page


class SuspendArgs(Schema):
    reason = fields.String(load_default="", validate=[validate.Length(max=MAX_REASON), NO_NUL])


class RetryArgs(Schema):
    data = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "Corrected data merged into the failed task"},
    )


class JsonObjectText(fields.Field[dict[str, Any]]):
    """A JSON object typed as text: bounded, without NUL, not nested too deep."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else None
        if text == "":
            return {}
        if text is None or len(text) > MAX_RETRY_DATA or "\x00" in text:
            raise ValidationError(t("retry_data_invalid"))
        try:
            loaded = json_input.loads(text)
        except ValueError:
            raise ValidationError(t("retry_data_invalid")) from None
        if not isinstance(loaded, dict):
            raise ValidationError(t("retry_data_invalid"))
        return loaded


class RetryForm(Schema):
    """The instance page's retry: the same corrected data, typed as a JSON object."""

    data = JsonObjectText(load_default=dict)
