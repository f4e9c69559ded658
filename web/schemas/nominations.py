"""What a nomination takes, for the API and the pages alike: the nominee, the award, the
campaign, the achievements and the documents listed; a withdrawal's reason."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from web.schemas.text import NO_NUL

KINDS = ("individual", "collective")
MAX_DOCUMENTS = 100


def text(max_length: int, min_length: int = 0, **kwargs: Any) -> fields.String:
    """A string field the database can store."""
    length = validate.Length(min=min_length, max=max_length)
    return fields.String(validate=[length, NO_NUL], **kwargs)


class NomineeIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    name = text(200, 1, required=True)
    position = text(200, load_default="")
    unit = text(200, load_default="")
    username = text(100, 1, load_default=None)


class NominationIn(Schema):
    org = text(50, 1, required=True)
    award_code = text(30, 1, required=True)
    campaign = text(50, 1, required=True)
    nominee = fields.Nested(NomineeIn, required=True)
    achievements = text(20_000, 1, required=True)
    documents = fields.List(
        text(300, 1), load_default=list, validate=validate.Length(max=MAX_DOCUMENTS)
    )
    simplified = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Follows the simplified procedure (Luật TĐKT 2022 Art. 85): the "
            "award rule's shorter list of required documents applies"
        },
    )


class WithdrawIn(Schema):
    # Required in substance (the domain refuses a blank one, after checking who may
    # withdraw, so an unrelated caller still gets its 403/404 first).
    reason = text(2000, load_default="", metadata={"description": "Why; required"})
