"""Schemas and helpers shared by the API's blueprints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Raw()


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
        name=name,
    )


class DecisionSchema(Schema):
    org = fields.String(required=True, attribute="org_code")
    decision = fields.String(required=True)
    decision_no = fields.String(allow_none=True)
    decision_date = fields.Date(allow_none=True)
    issuer = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_by = fields.String(required=True)
    rule_id = fields.Integer(allow_none=True)
    definition_version = fields.Integer(allow_none=True)
    at = fields.DateTime(required=True)


class TallySchema(Schema):
    """Counts only: ballots, and who cast which, are never part of any answer."""

    org = fields.String(required=True, attribute="org_code")
    round = fields.Integer(required=True)
    mode = fields.String(required=True)
    members_total = fields.Integer(required=True)
    votes_for = fields.Integer(required=True)
    votes_against = fields.Integer(required=True)
    threshold = fields.Float(required=True)
    passed = fields.Boolean(required=True)
    minutes_no = fields.String(allow_none=True)
    rule_id = fields.Integer(allow_none=True)
    at = fields.DateTime(required=True)
