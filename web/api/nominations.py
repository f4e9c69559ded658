"""Nominations: open one, list and search what the caller may see, read one in full, withdraw.

A nomination the caller may not read is answered 404, never 403: its existence is not told.
"""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from web import context
from web.api.auth import BEARER, me
from web.api.common import DecisionSchema, PageArgs, TallySchema, page_schema
from web.paging import page_of
from web.queries import nominations as nomination_queries
from web.queries.nominations import Detail, summaries
from web.schemas.checklist import checklist_field
from web.schemas.nominations import NominationIn, WithdrawIn, text
from web.services import nominations
from workflows import orgs
from workflows.access import nomination_filter, readable
from workflows.models import Nomination
from workflows.pipeline import Nominee
from workflows.search import contains, name_contains

blp = Blueprint("nominations", __name__, url_prefix="", description="Hồ sơ đề nghị — nominations")


class NominationArgs(PageArgs):
    status = text(20)
    stage = text(40)
    org = text(50)
    subtree = fields.Boolean(load_default=False)
    award = text(30)
    campaign = text(50)
    q = text(200, 1, metadata={"description": "Nominee's name (diacritics optional) or key"})


class OrgRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class AwardRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class NomineeOut(Schema):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(required=True)
    unit = fields.String(required=True)


class OpenTask(Schema):
    id = fields.String(required=True)
    bpmn_id = fields.String(required=True)
    form_key = fields.String(
        required=True, metadata={"description": "The form the task shows (its stage)"}
    )
    title = fields.String(required=True)
    lane = fields.String(allow_none=True)
    org = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)


class FindingOut(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    basis = fields.String(required=True)


class NominationSummary(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    level = fields.String(required=True, metadata={"description": "level of the current org"})
    current_org = fields.Nested(OrgRef, required=True)
    origin_org = fields.Nested(OrgRef, required=True)
    award = fields.Nested(AwardRef, required=True)
    campaign = fields.String(required=True)
    nominee = fields.Nested(NomineeOut, required=True)
    created_at = fields.DateTime(required=True)
    publicity_until = fields.DateTime(allow_none=True)


class NominationDetail(NominationSummary):
    achievements = fields.String(required=True)
    documents = fields.List(fields.String(), required=True)
    open_tasks = fields.List(fields.Nested(OpenTask), required=True)
    findings = fields.List(fields.Nested(FindingOut), required=True)
    missing = fields.List(fields.String(), required=True)
    simplified = fields.Boolean(
        required=True, metadata={"description": "Follows the simplified procedure"}
    )
    checklist = checklist_field()
    decisions = fields.List(fields.Nested(DecisionSchema), required=True)
    tallies = fields.List(fields.Nested(TallySchema), required=True)


def visible(session: Session, nomination_id: int) -> Nomination:
    """The nomination if the caller may read it; otherwise 404, whether it exists or not."""
    nomination = readable(session, me(), nomination_id)
    if nomination is None:
        raise NotFound("nomination_not_found", id=nomination_id)
    return nomination


def detail(session: Session, nomination: Nomination) -> Detail:
    return nomination_queries.detail(session, context.engine(), nomination, context.now())


def fresh_detail(nomination_id: int) -> Detail:
    """The nomination as a change just left it: a new read session, not the request's
    snapshot taken before the change."""
    context.close_read()
    session = context.read()
    return detail(session, session.get_one(Nomination, nomination_id))


@blp.post("/nominations")
@blp.arguments(NominationIn)
@blp.response(201, NominationDetail)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer at this unit")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="Field errors")
@blp.doc(security=BEARER)
def create(body: dict[str, Any]) -> Any:
    """Open a nomination at the caller's unit; its first task is preparing the dossier."""
    nominee = body["nominee"]
    nomination = nominations.create(
        me(),
        org=body["org"],
        award=body["award_code"],
        campaign=body["campaign"],
        nominee=Nominee(
            nominee["kind"],
            nominee["name"],
            nominee["position"],
            nominee["unit"],
            nominee["username"],
        ),
        achievements=body["achievements"],
        documents=body["documents"],
        simplified=body["simplified"],
    )
    return fresh_detail(nomination.id)


@blp.get("/nominations")
@blp.arguments(NominationArgs, location="query")
@blp.response(200, page_schema(NominationSummary, "NominationPage"))
@blp.doc(security=BEARER)
def list_nominations(args: dict[str, Any]) -> Any:
    """Nominations the caller may see, newest first, with filters and a text search."""
    who = me()
    session = context.read()
    # Ids follow creation order and, unlike clocks, are the same for every process.
    query = select(Nomination).where(nomination_filter(session, who)).order_by(Nomination.id.desc())
    for name, column in (
        ("status", Nomination.status),
        ("stage", Nomination.stage),
        ("award", Nomination.award_code),
        ("campaign", Nomination.campaign_code),
    ):
        if name in args:
            query = query.where(column == args[name])
    if "org" in args:
        scope = orgs.subtree(session, args["org"]) if args["subtree"] else {args["org"]}
        query = query.where(
            or_(Nomination.origin_org.in_(scope), Nomination.current_org.in_(scope))
        )
    if "q" in args:
        query = query.where(
            or_(
                # With or without diacritics: "le thi hong nhung" finds "Lê Thị Hồng Nhung".
                name_contains(Nomination.nominee_folded, args["q"]),
                contains(Nomination.business_key, args["q"].strip().upper(), ignore_case=False),
            )
        )
    page = page_of(session, query, args["page"], args["per_page"])
    return {**page, "items": summaries(session, page["items"])}


@blp.get("/nominations/<int(max=2147483647):nomination_id>")
@blp.response(200, NominationDetail)
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.doc(security=BEARER)
def get_nomination(nomination_id: int) -> Any:
    """One nomination: stage, open tasks, eligibility findings, decisions and tallies."""
    session = context.read()
    return detail(session, visible(session, nomination_id))


@blp.post("/nominations/<int(max=2147483647):nomination_id>/withdraw")
@blp.arguments(WithdrawIn)
@blp.response(200, NominationDetail)
@blp.alt_response(403, response="FORBIDDEN", description="Not a proposer of the origin unit")
@blp.alt_response(404, response="NOT_FOUND", description="No such nomination, or not visible")
@blp.alt_response(409, response="CONFLICT", description="The nomination has already ended")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="No reason given")
@blp.doc(security=BEARER)
def withdraw(body: dict[str, str], nomination_id: int) -> Any:
    """Withdraw a nomination at any stage (a proposer of its origin unit), saying why: a
    blank `reason` is refused once the caller is known to be allowed."""
    visible(context.read(), nomination_id)
    nominations.withdraw(me(), nomination_id, body["reason"])
    return fresh_detail(nomination_id)
