"""The required-documents checklist as the API answers it (workflows.checklist)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class ChecklistFile(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    proposal_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Set when the file is the tờ trình's, not the nomination's"},
    )


class ChecklistItemOut(Schema):
    """A document the dossier must hold (the award rule in force), attached or missing."""

    name = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "Its legal basis"})
    attached = fields.Boolean(
        required=True,
        metadata={"description": "A file on the nomination or its tờ trình is this document"},
    )
    files = fields.List(fields.Nested(ChecklistFile), required=True)


def checklist_field() -> fields.List[Any]:
    return fields.List(
        fields.Nested(ChecklistItemOut),
        required=True,
        metadata={
            "description": "Each required document (Luật TĐKT 2022 Art. 84; the simplified "
            "procedure's list, Art. 85, when the nomination follows it), attached or missing"
        },
    )
