"""Oversight: a nomination's full history, a search over the audit trail, the chain check.

For auditors, and admins too. Each sees the nominations that started in the subtree of an
organisation where they hold one of those roles (roles they also hold for working
nominations do not widen it). Read only: there is no write endpoint here. Ballot choices are
never in the trail — a ballot event carries only its salted hash — and are dropped here
again should a diagram ever put one in task data.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import anchoring
from engine.errors import NotAllowed, NotFound
from web import anchors, context
from web.api.auth import BEARER, me
from web.api.common import DecisionSchema, PageArgs, TallySchema, page_schema
from web.paging import page_of
from web.queries import audit as audit_queries
from workflows.access import MAX_ID, OVERSIGHT_ROLES, Principal, readable
from workflows.calendar import TIMEZONE

blp = Blueprint("auditor", __name__, url_prefix="", description="Thanh tra — oversight")


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    actor_name = fields.String(allow_none=True)
    action = fields.String(required=True)
    nomination_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    bpmn_id = fields.String(allow_none=True)
    lane = fields.String(allow_none=True, metadata={"description": "The role of the step"})
    org = fields.String(allow_none=True)
    org_level = fields.String(allow_none=True)
    data = fields.Dict(keys=fields.String(), required=True)
    definition_key = fields.String(allow_none=True)
    definition_version = fields.Integer(allow_none=True)
    rule_id = fields.Integer(allow_none=True)


class HistorySchema(Schema):
    nomination_id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    nominee_name = fields.String(required=True)
    award_code = fields.String(required=True)
    origin_org = fields.String(required=True)
    current_org = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    instance_status = fields.String(allow_none=True)
    definition_key = fields.String(allow_none=True)
    definition_version = fields.Integer(allow_none=True)
    events = fields.List(fields.Nested(EventSchema), required=True)
    decisions = fields.List(fields.Nested(DecisionSchema), required=True)
    tallies = fields.List(fields.Nested(TallySchema), required=True)


class EventArgs(PageArgs):
    actor = fields.String(validate=validate.Length(max=100))
    action = fields.String(validate=validate.Length(max=100))
    org = fields.String(
        validate=validate.Length(max=50),
        metadata={
            "description": "Events at this organisation or below; events of no organisation "
            "of their own (timers, errors) count for the nomination's origin"
        },
    )
    nomination = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    from_ = fields.AwareDateTime(data_key="from", default_timezone=TIMEZONE)
    to = fields.AwareDateTime(default_timezone=TIMEZONE)
    after = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "Only events after this seq"},
    )


class AnchorSchema(Schema):
    seq = fields.Integer(required=True)
    hash = fields.String(required=True)
    at = fields.DateTime(required=True)


class VerifySchema(Schema):
    ok = fields.Boolean(required=True)
    checked = fields.Integer(required=True)
    head_hash = fields.String(required=True)
    broken_seq = fields.Integer(allow_none=True)
    problem = fields.String(required=True, metadata={"description": "What broke, in words"})
    code = fields.String(
        required=True,
        metadata={
            "description": "What broke: missing, out_of_order, bad_link, changed, "
            "anchor_rewritten, anchor_removed, anchor_file_damaged; empty when ok"
        },
    )
    anchors_checked = fields.Integer(
        required=True,
        metadata={"description": "Anchors (kept outside the database) the chain must extend"},
    )
    newest_anchor = fields.Nested(AnchorSchema, allow_none=True, required=True)
    newest_anchor_age_s = fields.Integer(allow_none=True, required=True)
    newest_anchor_text = fields.String(
        required=True, metadata={"description": "How old the newest anchor is, in words"}
    )
    unanchored = fields.Integer(
        required=True, metadata={"description": "Events after the newest anchor"}
    )
    warning = fields.String(
        required=True,
        metadata={"description": "No anchor at all, or an old one with events after it"},
    )


def _overseer() -> Principal:
    """The caller with only the roles that grant oversight; 403 without one."""
    who = me()
    roles = tuple((role, org) for role, org in who.roles if role in OVERSIGHT_ROLES)
    if not roles:
        raise NotAllowed("auditor_required")
    return Principal(who.username, who.full_name, roles)


@blp.get("/nominations/<int(max=2147483647):nomination_id>/history")
@blp.response(200, HistorySchema)
@blp.alt_response(
    404, response=HTTPStatus.NOT_FOUND.name, description="Unknown or outside your scope"
)
@blp.doc(security=BEARER)
def history(nomination_id: int) -> Any:
    """Every audited step of a nomination in order — who, in which role, at which
    organisation, when, with what data, under which process version and rule — and its
    tallies and decisions."""
    who = _overseer()
    session = context.read()
    nomination = readable(session, who, nomination_id)
    if nomination is None:
        raise NotFound("nomination_not_found", id=nomination_id)
    return audit_queries.history(session, nomination)


@blp.get("/audit/events")
@blp.arguments(EventArgs, location="query")
@blp.response(200, page_schema(EventSchema, "AuditEventPage"))
@blp.doc(security=BEARER)
def events(args: dict[str, Any]) -> Any:
    """The audit trail in chain order (seq), limited to your scope: the nominations, and the
    admin changes (`admin.*`) of the organisations in your subtree — campaigns, awards, rules
    and the calendar are installation-wide, read by every auditor and admin — and, for
    admins, the definition deployments; with filters."""
    who = _overseer()
    session = context.read()
    query = audit_queries.events_query(session, who, args)
    page = page_of(session, query, args["page"], args["per_page"])
    page["items"] = audit_queries.views(session, page["items"])
    return page


@blp.get("/audit/verify")
@blp.response(200, VerifySchema)
@blp.doc(security=BEARER)
def verify() -> Any:
    """Walk the whole audit chain, check that it still extends every anchor recorded outside
    the database, and name the first event that does not hold; say how old the newest anchor
    is and warn when there is none or it is old."""
    _overseer()
    checked = anchors.check()
    result, newest = checked.result, checked.newest
    problems = anchors.problems(checked)
    return {
        "ok": checked.ok,
        "checked": result.checked,
        "head_hash": result.head_hash,
        "broken_seq": result.broken_seq,
        "problem": "; ".join(problems),
        "code": result.code or ("anchor_file_damaged" if checked.bad_lines else ""),
        "anchors_checked": checked.anchors,
        "newest_anchor": None
        if newest is None
        else {"seq": newest.seq, "hash": newest.hash, "at": anchoring.parse_at(newest.at)},
        "newest_anchor_age_s": None if checked.age is None else int(checked.age.total_seconds()),
        "newest_anchor_text": anchors.newest(checked),
        "unanchored": checked.unanchored,
        "warning": anchors.warning(checked),
    }
