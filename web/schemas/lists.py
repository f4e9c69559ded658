"""What a list action takes, for the pages and the API alike: each row's task, choice and
version seen, and what the head's decision on a list shares (decision number and date, the
level's tờ trình for the forwarded rows)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas.installation import Day, text_field

ROWS_MOST = 500


class DecisionHeader(Schema):
    decision_no = text_field(100)
    decision_date = Day()
    forward_no = text_field(50)
    forward_date = Day()
    forward_signer = text_field(200)


class ListRowIn(Schema):
    task = fields.String(required=True, validate=validate.Length(min=1, max=36))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    version = fields.Integer(
        load_default=None,
        metadata={
            "description": "the process version the list showed; a row changed since is refused"
        },
    )


class ListIn(Schema):
    rows = fields.List(
        fields.Nested(ListRowIn), required=True, validate=validate.Length(min=1, max=ROWS_MOST)
    )


class DecisionListIn(ListIn, DecisionHeader):
    pass
