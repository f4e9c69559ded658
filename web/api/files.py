"""A nomination's files: list them, add one (multipart/form-data), read one's metadata and
content.

Whoever may read the nomination may read its files; a nomination the caller may not read
is 404, as elsewhere. Only a proposer of the unit that opened it adds files, while the
dossier is in the unit's hands (being prepared, or returned as incomplete). A refused file
is a problem document naming what is wrong, and leaves nothing stored.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from web import context, transfers
from web.api.auth import BEARER, me
from web.api.nominations import visible
from web.api.problems import problem
from web.i18n import t
from web.services import files
from workflows import limits
from workflows.files import intake
from workflows.files.intake import Refused

blp = Blueprint("files", __name__, url_prefix="", description="Tệp hồ sơ — dossier files")

NOMINATION = "/nominations/<int(max=2147483647):nomination_id>/files"
ONE = f"{NOMINATION}/<int(max=2147483647):file_id>"
# The HTTP status of each refusal; any other is 422.
STATUS = {
    "file_too_large": 413,
    "file_total_exceeded": 413,
    "file_type": 415,
    "file_type_mismatch": 415,
    "file_not_proposer": 403,
    "file_not_editable": 409,
    "file_duplicate": 409,
}
LIMITS = (
    f"At most {limits.MAX_FILE_BYTES // limits.MIB} MB a file and "
    f"{limits.MAX_NOMINATION_BYTES // limits.MIB} MB for all files of a nomination; "
    f"{intake.ALLOWED_LABELS} only, judged from the content."
)


class FileUpload(Schema):
    file = Upload(required=True, metadata={"description": LIMITS})
    document = fields.String(
        metadata={
            "description": "Optional: the required document the file is, by its name in the "
            "nomination's `checklist` (for a tờ trình's file: in its nominations' checklists); "
            "422 if it is not one of them"
        }
    )


class FileOut(Schema):
    id = fields.Integer(required=True)
    nomination_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As sent, cleaned"})
    media_type = fields.String(required=True, metadata={"description": "From the content"})
    size = fields.Integer(required=True)
    sha256 = fields.String(
        required=True, metadata={"description": "Also in the audit event that added it"}
    )
    added_by = fields.String(required=True)
    added_at = fields.DateTime(required=True)
    org = fields.String(required=True)
    inline = fields.Boolean(
        required=True, metadata={"description": "Shown in the browser (PDF, images)"}
    )
    retired_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When it was replaced or taken out of the dossier (kept)"},
    )
    replaced_by = fields.Integer(
        allow_none=True, metadata={"description": "The file that replaced it, if any"}
    )
    document = fields.String(
        allow_none=True,
        metadata={"description": "The required document it was said to be, if any"},
    )


_CONTENT = {
    "description": "The file's bytes with its stored media type",
    "content": {
        kind.media_type: {"schema": {"type": "string", "format": "binary"}}
        for kind in intake.KINDS.values()
    },
}


def refusal(refused: Refused) -> Response:
    message = t(refused.code, **refused.params)
    status = STATUS.get(refused.code, 422)
    return problem(status, message, errors={transfers.FIELD: [message]})


transfers.streamed("files.add_file", refusal)


@blp.get(NOMINATION)
@blp.response(200, FileOut(many=True))
@blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name, description="No such nomination")
@blp.doc(security=BEARER)
def list_files(nomination_id: int) -> Any:
    """The nomination's files, oldest first."""
    session = context.read()
    return files.listing(session, visible(session, nomination_id).id)


@blp.post(NOMINATION)
@blp.response(201, FileOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.alt_response(409, response="CONFLICT", description="Not open for files now; a duplicate")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="File or total too big")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not an allowed type")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Damaged, zip bomb, name")
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": FileUpload}}},
)
def add_file(nomination_id: int) -> Any:
    """Attach one file (the `file` part) to a nomination being prepared or returned as
    incomplete. The type is judged from the content, sizes while it streams in; a name
    with a folder path is refused. Stored once by its sha256, which the audit event of the
    addition carries too."""
    nomination = visible(context.read(), nomination_id)
    try:
        files.check_may_add(me(), nomination)  # before reading the body
        spool, name = transfers.upload()
        return files.add(me(), nomination, spool, name, transfers.document())
    except Refused as refused:
        return refusal(refused)


@blp.get(ONE)
@blp.response(200, FileOut)
@blp.alt_response(404, response="NOT_FOUND", description="No such file on this nomination")
@blp.doc(security=BEARER)
def get_file(nomination_id: int, file_id: int) -> Any:
    """One file's metadata."""
    session = context.read()
    nomination = visible(session, nomination_id)
    row = files.find(session, nomination.id, file_id)
    if row is None:
        return problem(404, t("file_not_found"))
    return files.item(row)


@blp.get(f"{ONE}/content")
@blp.alt_response(404, response="NOT_FOUND", description="No such file on this nomination")
@blp.doc(security=BEARER, responses={"200": _CONTENT})
def file_content(nomination_id: int, file_id: int) -> Any:
    """The file itself: PDF and images inline, DOCX and XLSX as attachments, never
    sniffed or run by the browser. An auditor's reading is logged."""
    session = context.read()
    nomination = visible(session, nomination_id)
    row = files.find(session, nomination.id, file_id)
    if row is None:
        return problem(404, t("file_not_found"))
    stream = files.open_to_read(me(), nomination, row)
    return transfers.send(
        stream, name=row.name, media_type=row.media_type, size=row.size, sha256=row.sha256
    )
