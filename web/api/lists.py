"""Lists acted on at once (Danh sách): the ready rows of a stage at an organisation grouped by
the tờ trình that carried them, and one submit for the whole list — the secretary's
appraisal, a council member's ballot sheet, the head's decision. Every row is recorded, or
none and the 409 problem names each refused row (`errors`, by task id)."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web import context
from web.api.auth import BEARER, me
from web.queries import lists as list_queries
from web.schemas.checklist import checklist_field
from web.schemas.lists import DecisionListIn, ListIn
from web.services import lists
from workflows import forwarding
from workflows.calendar import TIMEZONE
from workflows.checklist import checklists_of

blp = Blueprint("lists", __name__, url_prefix="/lists", description="Danh sách — lists")
STAGES = {
    "appraisals": ("appraise", "secretary"),
    "ballots": ("vote", "council"),
    "decisions": ("decide", "head"),
}


class CarrierOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    signed_on = fields.Date(required=True)
    org = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "unit | forward"})


class RowOut(Schema):
    task = fields.String(required=True)
    nomination = fields.Integer(required=True)
    nominee = fields.String(required=True)
    award = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "send it back with the row"})
    route = fields.String(
        required=True, metadata={"description": "decide | forward | outside, decisions only"}
    )
    checklist = checklist_field()  # appraisals only; empty for ballots and decisions


class GroupOut(Schema):
    carrier = fields.Nested(CarrierOut, allow_none=True, required=True)
    rows = fields.List(fields.Nested(RowOut), required=True)


class ListOut(Schema):
    groups = fields.List(fields.Nested(GroupOut), required=True)


class DoneOut(Schema):
    recorded = fields.Integer(required=True)
    receipts = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "ballots only: receipt by nomination id"},
    )


def _stage(org: str, stage: str) -> str:
    found = STAGES.get(stage)
    if found is None or not me().holds(found[1], org):
        abort(404)
    return found[0]


@blp.get("/<org>/<stage>")
@blp.response(200, ListOut)
@blp.doc(security=BEARER)
def read_list(org: str, stage: str) -> Any:
    """My ready rows of a stage (appraisals, ballots, decisions) at an organisation."""
    form = _stage(org, stage)
    today = context.now().astimezone(TIMEZONE).date()
    groups = list_queries.groups(context.read(), me(), context.now(), form, org, today)
    ids = [row["task"]["nomination"]["id"] for group in groups for row in group["rows"]]
    # The required documents, attached or missing, of each dossier to appraise.
    documents = checklists_of(context.read(), ids, today) if form == "appraise" else {}
    return {
        "groups": [
            {
                "carrier": group["carrier"],
                "rows": [
                    {
                        "task": row["task"]["id"],
                        "nomination": row["task"]["nomination"]["id"],
                        "nominee": row["task"]["nomination"]["nominee_name"],
                        "award": row["task"]["nomination"]["award_name"],
                        "version": row["version"],
                        "route": row["route"],
                        "checklist": documents.get(row["task"]["nomination"]["id"], []),
                    }
                    for row in group["rows"]
                ],
            }
            for group in groups
        ]
    }


def _rows(body: dict[str, Any]) -> list[lists.Row]:
    return [lists.Row(r["task"], r["data"], r["version"]) for r in body["rows"]]


@blp.post("/<org>/appraisals")
@blp.arguments(ListIn)
@blp.response(200, DoneOut)
@blp.alt_response(
    409, response="CONFLICT", description="Rows refused, by task id; nothing recorded"
)
@blp.doc(security=BEARER)
def appraise(body: dict[str, Any], org: str) -> Any:
    """Appraise a list: each row's `data` as the appraise form takes it."""
    _stage(org, "appraisals")
    return {"recorded": len(lists.appraise(me(), _rows(body)))}


@blp.post("/<org>/ballots")
@blp.arguments(ListIn)
@blp.response(200, DoneOut)
@blp.alt_response(
    409, response="CONFLICT", description="Rows refused, by task id; nothing recorded"
)
@blp.doc(security=BEARER)
def vote(body: dict[str, Any], org: str) -> Any:
    """Vote a ballot sheet: each row's `data` is {"vote": "for" | "against"}; every ballot
    is secret and gets its own receipt."""
    _stage(org, "ballots")
    receipts = lists.vote(me(), org, _rows(body))
    return {"recorded": len(receipts), "receipts": {str(k): v for k, v in receipts.items()}}


@blp.post("/<org>/decisions")
@blp.arguments(DecisionListIn)
@blp.response(200, DoneOut)
@blp.alt_response(
    409, response="CONFLICT", description="Rows refused, by task id; nothing recorded"
)
@blp.doc(security=BEARER)
def decide(body: dict[str, Any], org: str) -> Any:
    """Decide a list: rows awarded share `decision_no` and `decision_date`; rows forwarded
    go up as this level's tờ trình (`forward_no`, `forward_date`, `forward_signer`)."""
    _stage(org, "decisions")
    forward = None
    if body.get("forward_no"):
        forward = forwarding.Header(
            body["forward_no"],
            body.get("forward_date") or context.now().astimezone(TIMEZONE).date(),
            body.get("forward_signer") or me().username,
        )
    shared = lists.Decision(body.get("decision_no", ""), body.get("decision_date"), forward)
    return {"recorded": len(lists.decide(me(), org, _rows(body), shared))}
