"""Reference data every signed-in user reads: organisations, awards with the rules in force,
campaigns."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from web import context
from web.api.auth import BEARER, me
from workflows.models import Award, Campaign, Organisation
from workflows.pipeline import local_today
from workflows.rules import rule_in_force

blp = Blueprint("reference", __name__, url_prefix="", description="Danh mục — reference data")


class OrganisationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True)
    parent = fields.String(allow_none=True, attribute="parent_code")
    voting = fields.String(required=True)


class RequiredDocumentOut(Schema):
    name = fields.String(required=True)
    basis = fields.String(required=True, metadata={"description": "The legal basis"})
    applies = fields.String(
        required=True, metadata={"description": "full, simplified or both (the procedures)"}
    )


class RuleSchema(Schema):
    id = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    deciding_level = fields.String(required=True)
    vote_threshold = fields.Float(required=True)
    vote_base = fields.String(required=True)
    publicity_working_days = fields.Integer(required=True)
    appraisal_sla_days = fields.Integer(required=True)
    vote_sla_days = fields.Integer(required=True)
    quota_ratio = fields.Float(allow_none=True)
    prerequisites = fields.Raw(required=True, attribute="prerequisite_list")
    documents = fields.List(
        fields.Nested(RequiredDocumentOut),
        required=True,
        attribute="document_list",
        metadata={"description": "The documents a dossier must hold, each with its legal basis"},
    )
    basis = fields.String(required=True)


class AwardEntrySchema(Schema):
    """An award of the catalogue, without its rules."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    subject = fields.String(required=True)
    kind = fields.String(required=True)
    criteria = fields.String(required=True)


class AwardSchema(AwardEntrySchema):
    rule = fields.Nested(RuleSchema, allow_none=True)


class CampaignSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    starts = fields.Date(required=True)
    ends = fields.Date(required=True)


@blp.get("/organizations")
@blp.response(200, OrganisationSchema(many=True))
@blp.doc(security=BEARER)
def organisations() -> Any:
    """The organisation tree, as a flat list with each one's parent."""
    me()
    return context.read().scalars(select(Organisation).order_by(Organisation.code)).all()


@blp.get("/awards")
@blp.response(200, AwardSchema(many=True))
@blp.doc(security=BEARER)
def awards() -> Any:
    """The award catalogue, each with the rule parameters in force today."""
    me()
    session = context.read()
    today = local_today()
    result = []
    for award in session.scalars(select(Award).order_by(Award.code)):
        try:
            rule = rule_in_force(session, award.code, today)
        except LookupError:
            rule = None
        result.append(
            {**{c: getattr(award, c) for c in AwardSchema().fields if c != "rule"}, "rule": rule}
        )
    return result


@blp.get("/campaigns")
@blp.response(200, CampaignSchema(many=True))
@blp.doc(security=BEARER)
def campaigns() -> Any:
    """Emulation campaigns and rounds."""
    me()
    return context.read().scalars(select(Campaign).order_by(Campaign.starts.desc())).all()
