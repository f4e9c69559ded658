"""A definition to deploy or dry-run: its files and options, as the API and the modeler send
them."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from web.i18n import t

MAX_FILES = 20
_KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")


def _valid_key(value: str) -> None:
    if not _KEY_PATTERN.fullmatch(value):
        raise ValidationError(t("definition_key_invalid"))


class DeployForm(Schema):
    key = fields.String(validate=_valid_key, metadata={"description": "Defaults to the process id"})
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class DeployJson(DeployForm):
    files = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=200)),
        values=fields.String(),
        required=True,
        metadata={
            "description": "File name (.bpmn or .dmn) → XML text",
            "minProperties": 1,
            "maxProperties": MAX_FILES,
        },
    )
