"""What supplementing a dossier takes: the fields a proposer may change (each optional, with
the limits of a new nomination), and a note on how a public comment was handled."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas.nominations import MAX_DOCUMENTS, text


class DossierEdit(Schema):
    name = text(200, 1)
    position = text(200)
    unit = text(200)
    achievements = text(20_000, 1)
    documents = fields.List(text(300, 1), validate=validate.Length(max=MAX_DOCUMENTS))


class CommentNoteIn(Schema):
    note = text(2000, 1, required=True)
