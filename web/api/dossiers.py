"""Supplementing a dossier and reading its public comments.

A proposer of the unit edits a dossier's fields and replaces or takes out its files while it
is in the unit's hands (being prepared, or returned as incomplete); files are never deleted.
Each submission is kept as a version with the sha256 its audit event carries; `changes` says
what the latest submission changed since the version returned. Public comments are read in
full by those who act on them (the secretary and head where they were received or
above, auditors and admins over the nomination), never by the public or the proposer; the
secretary notes how each was handled while the review is open.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web import context, transfers
from web.api.auth import BEARER, me
from web.api.files import FileOut, FileUpload, refusal
from web.api.nominations import NominationDetail, fresh_detail, visible
from web.schemas.dossiers import CommentNoteIn, DossierEdit
from web.services import comment_review, dossiers, files
from workflows.files.intake import Refused

blp = Blueprint(
    "dossiers", __name__, url_prefix="", description="Bổ sung hồ sơ, ý kiến công khai — supplements"
)

NOMINATION = "/nominations/<int(max=2147483647):nomination_id>"
FILE = f"{NOMINATION}/files/<int(max=2147483647):file_id>"


class VersionFileOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    media_type = fields.String(required=True)


class VersionFieldsOut(Schema):
    name = fields.String(required=True)
    position = fields.String(required=True)
    unit = fields.String(required=True)
    achievements = fields.String(required=True)
    documents = fields.List(fields.String(), required=True)


class VersionOut(Schema):
    number = fields.Integer(required=True)
    sha256 = fields.String(
        required=True, metadata={"description": "Also in the submission's audit event"}
    )
    submitted_by = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    fields_ = fields.Nested(VersionFieldsOut, required=True, data_key="fields")
    files = fields.List(fields.Nested(VersionFileOut), required=True)


class FieldChangeOut(Schema):
    field = fields.String(required=True)
    before = fields.Raw(allow_none=True, metadata={"description": "Text, or a list of titles"})
    after = fields.Raw(allow_none=True, metadata={"description": "Text, or a list of titles"})


class ReplacementOut(Schema):
    before = fields.Nested(VersionFileOut, required=True)
    after = fields.Nested(VersionFileOut, required=True)


class FileChangesOut(Schema):
    added = fields.List(fields.Nested(VersionFileOut), required=True)
    replaced = fields.List(fields.Nested(ReplacementOut), required=True)
    removed = fields.List(fields.Nested(VersionFileOut), required=True)


class ChangesOut(Schema):
    since = fields.Integer(required=True, metadata={"description": "The version returned"})
    version = fields.Integer(required=True, metadata={"description": "The latest version"})
    submitted_by = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    fields_ = fields.List(fields.Nested(FieldChangeOut), required=True, data_key="fields")
    files = fields.Nested(FileChangesOut, required=True)


class ChangesEnvelope(Schema):
    changes = fields.Nested(
        ChangesOut,
        allow_none=True,
        required=True,
        metadata={"description": "None until a returned dossier was sent again"},
    )


class CommentOut(Schema):
    id = fields.Integer(required=True)
    org = fields.String(required=True, metadata={"description": "Where it was received"})
    name = fields.String(required=True)
    phone = fields.String(required=True)
    address = fields.String(required=True)
    content = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    handling = fields.String(allow_none=True, metadata={"description": "The review's outcome"})
    handled_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True, metadata={"description": "How it was handled"})
    noted_by = fields.String(allow_none=True)
    noted_at = fields.DateTime(allow_none=True)
    may_note = fields.Boolean(required=True)


@blp.patch(f"{NOMINATION}/dossier")
@blp.arguments(DossierEdit)
@blp.response(200, NominationDetail)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.alt_response(409, response="CONFLICT", description="Not in the unit's hands now")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Field errors")
@blp.doc(security=BEARER)
def edit_dossier(body: dict[str, Any], nomination_id: int) -> Any:
    """Change the dossier's fields (any of name, position, unit, achievements, documents)
    while it is being prepared or was returned as incomplete."""
    dossiers.edit(me(), visible(context.read(), nomination_id), body)
    return fresh_detail(nomination_id)


@blp.get(f"{NOMINATION}/versions")
@blp.response(200, VersionOut(many=True))
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.doc(security=BEARER)
def list_versions(nomination_id: int) -> Any:
    """Every submission of the dossier as it was sent, oldest first."""
    session = context.read()
    rows = dossiers.versions(session, visible(session, nomination_id).id)
    return [
        {
            "number": row.number,
            "sha256": row.sha256,
            "submitted_by": row.submitted_by,
            "submitted_at": row.submitted_at,
            **{("fields_" if k == "fields" else k): v for k, v in json.loads(row.content).items()},
        }
        for row in rows
    ]


@blp.get(f"{NOMINATION}/changes")
@blp.response(200, ChangesEnvelope)
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.doc(security=BEARER)
def get_changes(nomination_id: int) -> Any:
    """What the latest submission changed since the version returned: fields (before and
    after) and files (added, replaced, removed)."""
    session = context.read()
    found = dossiers.changes(session, visible(session, nomination_id).id)
    if found is None:
        return {"changes": None}
    return {"changes": {**found, "fields_": found["fields"]}}


transfers.streamed("dossiers.replace_file", refusal)


@blp.post(f"{FILE}/replace")
@blp.response(201, FileOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such file in the dossier")
@blp.alt_response(409, response="CONFLICT", description="Not open for files now; a duplicate")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="File or total too big")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not an allowed type")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Damaged, zip bomb, name")
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": FileUpload}}},
)
def replace_file(nomination_id: int, file_id: int) -> Any:
    """Add the uploaded file (the `file` part) in place of this one, which is kept as
    evidence and marked replaced; checked as any upload is."""
    nomination = visible(context.read(), nomination_id)
    try:
        files.check_may_add(me(), nomination)  # before reading the body
        spool, name = transfers.upload()
        return dossiers.replace(me(), nomination, file_id, spool, name)
    except Refused as refused:
        return refusal(refused)


@blp.post(f"{FILE}/remove")
@blp.response(200, FileOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such file in the dossier")
@blp.alt_response(409, response="CONFLICT", description="Not open for files now")
@blp.doc(security=BEARER)
def remove_file(nomination_id: int, file_id: int) -> Any:
    """Take the file out of the dossier; it stays stored, listed and readable as removed."""
    nomination = visible(context.read(), nomination_id)
    try:
        dossiers.remove(me(), nomination, file_id)
    except Refused as refused:
        return refusal(refused)
    context.close_read()
    row = files.find(context.read(), nomination_id, file_id)
    assert row is not None
    return files.item(row)


@blp.get(f"{NOMINATION}/comments")
@blp.response(200, CommentOut(many=True))
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such nomination")
@blp.doc(security=BEARER)
def list_comments(nomination_id: int) -> Any:
    """The public comments the caller may read on the nomination, in full, oldest first
    (none for a proposer or anyone without a role that acts on them). An auditor's or
    admin's reading is logged."""
    return comment_review.read(me(), visible(context.read(), nomination_id))


@blp.put(f"{NOMINATION}/comments/<int(max=2147483647):comment_id>/note")
@blp.arguments(CommentNoteIn)
@blp.response(200, CommentOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not the secretary where received")
@blp.alt_response(404, response="NOT_FOUND", description="No such comment, or not readable")
@blp.alt_response(409, response="CONFLICT", description="The review of comments is over")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Field errors")
@blp.doc(security=BEARER)
def note_comment(body: dict[str, str], nomination_id: int, comment_id: int) -> Any:
    """Note how the comment was handled (replacing an earlier note while the review is
    open); audited with the note's digest."""
    visible(context.read(), nomination_id)
    return comment_review.note(me(), nomination_id, comment_id, body["note"])
