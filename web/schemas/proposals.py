"""What a proposal (tờ trình đề nghị) takes and gives, for the API and the pages alike: its
number, date and signer; rows typed into its list; the list as the API returns it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas.nominations import KINDS, text
from workflows.proposals import LENGTHS, MAX_ROWS


class ProposalIn(Schema):
    org = text(50, 1, required=True, metadata={"description": "The proposing unit"})
    campaign = text(50, 1, required=True)
    number = text(50, 1, required=True, metadata={"description": "Số tờ trình"})
    signed_on = fields.Date(required=True, metadata={"description": "Ngày ký"})
    signer = text(200, 1, required=True, metadata={"description": "Người ký"})


class ProposalRowIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = text(LENGTHS["name"], 1, required=True)
    position = text(LENGTHS["position"], load_default="")
    unit = text(LENGTHS["unit"], load_default="")
    award = text(300, 1, required=True, metadata={"description": "Award code or name"})
    achievements = text(LENGTHS["achievements"], 1, required=True)
    simplified = fields.Boolean(
        load_default=False,
        metadata={"description": "Follows the simplified procedure (Luật TĐKT 2022 Art. 85)"},
    )


class ProposalRowsIn(Schema):
    rows = fields.List(
        fields.Nested(ProposalRowIn), required=True, validate=validate.Length(min=1, max=MAX_ROWS)
    )


class ProposalOrg(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class ProposalOut(Schema):
    id = fields.Integer(required=True)
    org = fields.Nested(ProposalOrg, required=True)
    to_org = fields.Nested(ProposalOrg, allow_none=True)
    campaign = fields.String(required=True)
    campaign_name = fields.String(required=True)
    kind = fields.String(
        required=True, metadata={"description": "unit: a unit's list; forward: a level's"}
    )
    number = fields.String(required=True)
    signed_on = fields.Date(required=True)
    signer = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "draft | submitted"})
    created_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    rows = fields.Integer(required=True, metadata={"description": "Nominations on the list"})


class ProposalArgs(Schema):
    org = text(50, 1)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class RowProblemOut(Schema):
    row = fields.Integer(required=True, metadata={"description": "Spreadsheet row or list row"})
    column = fields.String(required=True)
    message = fields.String(required=True)


class UnitArgs(Schema):
    campaign = text(50, 1)
    award = text(30, 1)
    stage = text(40, 1)
    q = text(200, 1, metadata={"description": "Part of a name, with or without diacritics"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class WaitingOut(Schema):
    role = fields.String(required=True, metadata={"description": "The lane: a role code"})
    org = fields.Nested(ProposalOrg, required=True)
    due_at = fields.DateTime(allow_none=True)


class CarriedBy(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    signed_on = fields.Date(required=True)


class ProposalFileOut(Schema):
    id = fields.Integer(required=True)
    proposal_id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"description": "As sent, cleaned"})
    media_type = fields.String(required=True, metadata={"description": "From the content"})
    size = fields.Integer(required=True)
    sha256 = fields.String(
        required=True, metadata={"description": "Also in the audit event that added it"}
    )
    added_by = fields.String(required=True)
    added_at = fields.DateTime(required=True)
    inline = fields.Boolean(required=True)
    document = fields.String(
        allow_none=True,
        metadata={"description": "The required document it was said to be, if any"},
    )
