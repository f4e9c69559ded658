"""Anchors an auditor pastes or uploads on the integrity page: the JSON lines of an anchor
file, or one noted from the public board."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields

from engine import anchoring, audit
from web.i18n import t

MAX_ANCHORS_BYTES = 1_000_000


class AnchorLines(fields.Field[list[audit.Anchor]]):
    """JSON lines, each an anchor (blank lines skipped); the first line that is not one is
    named by its number."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[audit.Anchor]:
        if not isinstance(value, str):
            raise ValidationError(t("integrity_bad_anchor", line=1))
        if len(value.encode()) > MAX_ANCHORS_BYTES:
            raise ValidationError(t("integrity_too_big"))
        anchors = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                anchors.append(anchoring.parse_line(line))
            except ValueError:
                raise ValidationError(t("integrity_bad_anchor", line=number)) from None
        return anchors


class AnchorsForm(Schema):
    anchors = AnchorLines(load_default=list)
