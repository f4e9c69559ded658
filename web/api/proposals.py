"""Proposals (tờ trình đề nghị): open one, add rows to its list (typed, or imported from the
XLSX template), submit the list, read one with its rows; the template itself.

A list is stored whole or not at all: a refused list is a 422 problem whose `errors.rows`
names each problem by its row (the spreadsheet's row number) and column, and nothing is
stored. A proposal the caller may not read is 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields

from engine.errors import NotFound
from web import context, transfers
from web.api.auth import BEARER, me
from web.api.common import page_schema
from web.api.files import STATUS as FILE_STATUS
from web.api.files import FileUpload, refusal
from web.api.nominations import NominationSummary
from web.api.problems import problem
from web.i18n import describe, t, translate_errors
from web.paging import page_of
from web.queries import unit_dossiers
from web.schemas.proposals import (
    CarriedBy,
    ProposalArgs,
    ProposalFileOut,
    ProposalIn,
    ProposalOut,
    ProposalRowsIn,
    UnitArgs,
    WaitingOut,
)
from web.services import proposals
from workflows import limits
from workflows.files import intake, proposal_files
from workflows.files.intake import Refused
from workflows.pipeline import Nominee
from workflows.proposals import Header, Row, RowsRefused, SubmitRefused

blp = Blueprint(
    "proposals", __name__, url_prefix="", description="Tờ trình đề nghị — proposals and lists"
)
ONE = "/proposals/<int(max=2147483647):proposal_id>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ListUpload(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "The filled template (XLSX, at most "
            f"{limits.MAX_FILE_BYTES // limits.MIB} MB, values only, no formulas)"
        },
    )


class ProposalDetailOut(ProposalOut):
    nominations = fields.List(fields.Nested(NominationSummary), required=True)


def rows_refused(refused: RowsRefused) -> Response:
    rows = [
        {"row": p.line, "column": p.column, "message": proposals.problem_text(p)}
        for p in refused.problems
    ]
    return problem(422, t("import_refused", count=len(rows)), errors={"rows": rows})


def file_refused(refused: Refused) -> Response:
    message = proposals.refusal_text(refused)
    status = {**FILE_STATUS, "import_not_xlsx": 415}.get(refused.code, 422)
    return problem(status, message, errors={transfers.FIELD: [message]})


transfers.streamed("proposals.import_list", file_refused)
transfers.streamed("proposals.create_with_import", file_refused)


@blp.post("/proposals")
@blp.arguments(ProposalIn)
@blp.response(201, ProposalDetailOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer at this unit")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Field errors")
@blp.doc(security=BEARER)
def create(body: dict[str, Any]) -> Any:
    """Open a draft proposal (tờ trình: số, ngày, người ký) at the caller's unit."""
    header = Header(
        body["org"], body["campaign"], body["number"], body["signed_on"], body["signer"]
    )
    proposal_id = proposals.open_proposal(me(), header)
    return proposals.fresh_detail(me(), proposal_id)


class ProposalUpload(ListUpload, ProposalIn):
    pass


@blp.post("/proposals/import")
@blp.response(201, ProposalDetailOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer at this unit")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="File too big")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not an XLSX")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Rows refused; none stored")
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": ProposalUpload}}},
)
def create_with_import() -> Any:
    """Open a proposal with its list from a filled template (the `file` part, the tờ
    trình's fields beside it), both or neither: every bad row is named with its row and
    column, and then there is no proposal either."""
    try:
        spool, name = transfers.upload()
        body = ProposalIn().load({k: v for k, v in request.form.items() if k != "file"})
        header = Header(
            body["org"], body["campaign"], body["number"], body["signed_on"], body["signer"]
        )
        proposal_id, _ = proposals.create_with_import(me(), header, spool, name)
    except ValidationError as invalid:
        return problem(422, t("invalid"), errors=translate_errors(invalid.messages))
    except Refused as refused:
        return file_refused(refused)
    except RowsRefused as refused:
        return rows_refused(refused)
    return proposals.fresh_detail(me(), proposal_id), 201


@blp.get("/proposals")
@blp.arguments(ProposalArgs, location="query")
@blp.response(200, page_schema(ProposalOut, "ProposalPage"))
@blp.doc(security=BEARER)
def list_proposals(args: dict[str, Any]) -> Any:
    """Proposals of the units the caller works at, or sent to them (and, for auditors and
    admins, of the units below them); newest first."""
    session = context.read()
    query = proposals.listing(session, me(), args.get("org"))
    page = page_of(session, query, args["page"], args["per_page"])
    return {**page, "items": proposals.items(session, page["items"])}


@blp.get("/proposals/template.xlsx")
@blp.doc(
    security=BEARER,
    responses={"200": {"description": "The list template", "content": {XLSX: {}}}},
)
def template() -> Any:
    """The list template: Vietnamese headers (English with Accept-Language: en), an example
    row, the kinds and the awards offered as choices."""
    me()  # for people signed in: its award list is the installation's
    response = Response(proposals.template(), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{proposals.TEMPLATE_NAME}"'
    return response


@blp.get(ONE)
@blp.response(200, ProposalDetailOut)
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.doc(security=BEARER)
def get_proposal(proposal_id: int) -> Any:
    """One proposal with its list, in order."""
    session = context.read()
    return proposals.detail(session, proposals.visible(session, me(), proposal_id))


@blp.post(f"{ONE}/rows")
@blp.arguments(ProposalRowsIn)
@blp.response(201, ProposalDetailOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Rows refused; none stored")
@blp.doc(security=BEARER)
def add_rows(body: dict[str, Any], proposal_id: int) -> Any:
    """Add typed rows to a draft's list (row numbers in problems count from 1)."""
    proposals.visible(context.read(), me(), proposal_id)
    rows = [
        Row(
            number,
            Nominee(r["kind"], r["name"], r["position"], r["unit"]),
            r["award"],
            r["achievements"],
            r["simplified"],
        )
        for number, r in enumerate(body["rows"], start=1)
    ]
    try:
        proposals.add_rows(me(), proposal_id, rows)
    except RowsRefused as refused:
        return rows_refused(refused)
    return proposals.fresh_detail(me(), proposal_id)


@blp.post(f"{ONE}/import")
@blp.response(201, ProposalDetailOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="File too big")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not an XLSX")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Rows refused; none stored")
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": ListUpload}}},
)
def import_list(proposal_id: int) -> Any:
    """Add the rows of a filled template (the `file` part) to a draft's list, all or none:
    every bad row is named with its row and column."""
    proposals.visible(context.read(), me(), proposal_id)
    try:
        spool, name = transfers.upload()
        proposals.import_rows(me(), proposal_id, spool, name)
    except Refused as refused:
        return file_refused(refused)
    except RowsRefused as refused:
        return rows_refused(refused)
    return proposals.fresh_detail(me(), proposal_id)


@blp.post(f"{ONE}/submit")
@blp.response(200, ProposalDetailOut)
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.alt_response(409, response="CONFLICT", description="A row refused; none submitted")
@blp.doc(security=BEARER)
def submit(proposal_id: int) -> Any:
    """Submit every row's dossier, all or none: a refused row (changed meanwhile, say) is
    named in `errors.rows` by its nomination, and nothing is submitted."""
    proposals.visible(context.read(), me(), proposal_id)
    try:
        proposals.submit(me(), proposal_id)
    except SubmitRefused as refused:
        rows = [
            {"nomination": n, "message": describe(e, "conflict")}
            for n, e in refused.problems.items()
        ]
        return problem(409, t("proposal_submit_refused", count=len(rows)), errors={"rows": rows})
    return proposals.fresh_detail(me(), proposal_id)


class UnitNominationOut(NominationSummary):
    waiting = fields.List(fields.Nested(WaitingOut), required=True)
    proposal = fields.Nested(CarriedBy, allow_none=True)


@blp.get("/units/<string(maxlength=50):org>/nominations")
@blp.arguments(UnitArgs, location="query")
@blp.response(200, page_schema(UnitNominationOut, "UnitNominationPage"))
@blp.alt_response(404, response="NOT_FOUND", description="Not a unit of the caller")
@blp.doc(security=BEARER)
def unit_nominations(args: dict[str, Any], org: str) -> Any:
    """Hồ sơ của đơn vị: the nominations the unit opened, newest first, with their stage,
    whom each waits for and until when, and the tờ trình that carried it; by campaign,
    award, stage, and part of a name with or without diacritics."""
    session = context.read()
    if not unit_dossiers.may_read(session, me(), org):
        raise NotFound("not_found")
    return unit_dossiers.page(session, org, args, args["page"], args["per_page"])


FILES = f"{ONE}/files"
FILE_CONTENT = {
    "description": "The file's bytes with its stored media type",
    "content": {k: {"schema": {"type": "string", "format": "binary"}} for k in intake.KINDS},
}
ONE_FILE = f"{FILES}/<int(max=2147483647):file_id>"
transfers.streamed("proposals.add_proposal_file", refusal)


@blp.get(FILES)
@blp.response(200, ProposalFileOut(many=True))
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.doc(security=BEARER)
def list_proposal_files(proposal_id: int) -> Any:
    """The proposal's own files (the tờ trình's scan, the meeting minutes), oldest first."""
    session = context.read()
    return proposals.files_of(session, proposals.visible(session, me(), proposal_id).id)


@blp.post(FILES)
@blp.response(201, ProposalFileOut)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such proposal, or not visible")
@blp.alt_response(409, response="CONFLICT", description="Submitted already; a duplicate")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description="File or total too big")
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description="Not an allowed type")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Damaged, zip bomb, name")
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": FileUpload}}},
)
def add_proposal_file(proposal_id: int) -> Any:
    """Attach one file (the `file` part) to a draft proposal, checked as a nomination's
    files are: type from the content, sizes while it streams, a name without a path."""
    proposal = proposals.visible(context.read(), me(), proposal_id)
    try:
        proposal_files.check_may_add(me(), proposal)  # before reading the body
        spool, name = transfers.upload()
        return proposals.add_file(me(), proposal, spool, name, transfers.document())
    except Refused as refused:
        return refusal(refused)


@blp.get(ONE_FILE)
@blp.response(200, ProposalFileOut)
@blp.alt_response(404, response="NOT_FOUND", description="No such file on this proposal")
@blp.doc(security=BEARER)
def get_proposal_file(proposal_id: int, file_id: int) -> Any:
    """One file's metadata."""
    session = context.read()
    proposal = proposals.visible(session, me(), proposal_id)
    row = proposal_files.find(session, proposal.id, file_id)
    if row is None:
        return problem(404, t("file_not_found"))
    return proposals.file_item(row)


@blp.get(f"{ONE_FILE}/content")
@blp.alt_response(404, response="NOT_FOUND", description="No such file on this proposal")
@blp.doc(security=BEARER, responses={"200": FILE_CONTENT})
def proposal_file_content(proposal_id: int, file_id: int) -> Any:
    """The file itself, served as a nomination's files are (PDF and images inline in a
    sandbox, office files downloaded); an auditor's reading is logged."""
    session = context.read()
    proposal = proposals.visible(session, me(), proposal_id)
    row = proposal_files.find(session, proposal.id, file_id)
    if row is None:
        return problem(404, t("file_not_found"))
    stream = proposals.open_file(me(), proposal, row)
    return transfers.send(
        stream, name=row.name, media_type=row.media_type, size=row.size, sha256=row.sha256
    )
