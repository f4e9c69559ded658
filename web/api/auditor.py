"""Oversight: a nomination's full history, a search over the audit trail, the chain check.

For auditors, and admins too. Each sees the nominations that started in the subtree of an
organisation where they hold one of those roles (roles they also hold for working
nominations do not widen it). Read only: there is no write endpoint here. Ballot choices are
never in the trail — a ballot event carries only its salted hash — and are dropped here
again should a diagram ever put one in task data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import NotAllowed, NotFound
from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow
from web.api import context
from web.api.auth import BEARER
from web.api.common import DecisionSchema, PageArgs, TallySchema, page_of, page_schema
from web.i18n import t
from workflows import orgs
from workflows.access import OVERSIGHT_ROLES, Principal, can_read, nomination_filter
from workflows.calendar import TIMEZONE
from workflows.models import Decision, Nomination, Organisation, Person, Tally

blp = Blueprint("auditor", __name__, url_prefix="", description="Thanh tra — oversight")

_SECRET_KEYS = frozenset({"vote", "choice"})
_HEADER_KEYS = frozenset({"bpmn_id", "lane", "org_scope"})
_MAX_ID = 2**31 - 1  # ids and seqs are 32-bit integers in the database


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
    nomination = fields.Integer(validate=validate.Range(min=1, max=_MAX_ID))
    from_ = fields.AwareDateTime(data_key="from", default_timezone=TIMEZONE)
    to = fields.AwareDateTime(default_timezone=TIMEZONE)
    after = fields.Integer(
        validate=validate.Range(min=0, max=_MAX_ID),
        metadata={"description": "Only events after this seq"},
    )


class VerifySchema(Schema):
    ok = fields.Boolean(required=True)
    checked = fields.Integer(required=True)
    head_hash = fields.String(required=True)
    broken_seq = fields.Integer(allow_none=True)
    problem = fields.String(required=True)


def _overseer() -> Principal:
    """The caller with only the roles that grant oversight; 403 without one."""
    who = context.me()
    roles = tuple((role, org) for role, org in who.roles if role in OVERSIGHT_ROLES)
    if not roles:
        raise NotAllowed(t("auditor_required"))
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
    nomination = session.get(Nomination, nomination_id)
    if nomination is None or not can_read(session, who, nomination_id):
        raise NotFound(t("nomination_not_found", id=nomination_id))
    instance = session.execute(
        select(Instance.id, Instance.status, DefinitionVersion.key, DefinitionVersion.version)
        .join(DefinitionVersion, DefinitionVersion.id == Instance.definition_id)
        .where(Instance.business_key == nomination.business_key)
    ).first()
    events: Sequence[AuditEvent] = []
    if instance is not None:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.seq)
        ).all()
    return {
        "nomination_id": nomination.id,
        "business_key": nomination.business_key,
        "nominee_name": nomination.nominee_name,
        "award_code": nomination.award_code,
        "origin_org": nomination.origin_org,
        "current_org": nomination.current_org,
        "status": nomination.status,
        "stage": nomination.stage,
        "instance_status": instance.status if instance else None,
        "definition_key": instance.key if instance else None,
        "definition_version": instance.version if instance else None,
        "events": _views(session, events),
        "decisions": session.scalars(
            select(Decision).where(Decision.nomination_id == nomination.id).order_by(Decision.id)
        ).all(),
        "tallies": session.scalars(
            select(Tally).where(Tally.nomination_id == nomination.id).order_by(Tally.id)
        ).all(),
    }


@blp.get("/audit/events")
@blp.arguments(EventArgs, location="query")
@blp.response(200, page_schema(EventSchema, "AuditEventPage"))
@blp.doc(security=BEARER)
def events(args: dict[str, Any]) -> Any:
    """The audit trail in chain order (seq), limited to the nominations in your scope (and,
    for admins, the definition deployments), with filters."""
    who = _overseer()
    session = context.read()
    scope: ColumnElement[bool] = AuditEvent.instance_id.in_(
        _instances(nomination_filter(session, who))
    )
    if who.orgs("admin"):
        scope = or_(scope, AuditEvent.action == "definition.deployed")
    query = select(AuditEvent).where(scope).order_by(AuditEvent.seq)
    if args.get("actor"):
        query = query.where(AuditEvent.actor == args["actor"])
    if args.get("action"):
        query = query.where(AuditEvent.action == args["action"])
    if args.get("nomination"):
        query = query.where(
            AuditEvent.instance_id.in_(_instances(Nomination.id == args["nomination"]))
        )
    if args.get("org"):
        query = query.where(_at_org(orgs.subtree(session, args["org"])))
    if args.get("from_"):
        query = query.where(AuditEvent.at >= args["from_"])
    if args.get("to"):
        query = query.where(AuditEvent.at <= args["to"])
    if args.get("after") is not None:
        query = query.where(AuditEvent.seq > args["after"])
    page = page_of(session, query, args["page"], args["per_page"])
    page["items"] = _views(session, page["items"])
    return page


@blp.get("/audit/verify")
@blp.response(200, VerifySchema)
@blp.doc(security=BEARER)
def verify() -> Any:
    """Walk the whole audit chain and name the first event that does not hold."""
    _overseer()
    return audit.verify(context.read().connection())


def _instances(condition: ColumnElement[bool]) -> Any:
    """Ids of the instances of the nominations matching `condition`."""
    return (
        select(Instance.id)
        .join(Nomination, Nomination.business_key == Instance.business_key)
        .where(condition)
    )


def _at_org(subtree: set[str]) -> ColumnElement[bool]:
    """Events of a task scoped in `subtree`, or of no task, of nominations started there."""
    task = TaskRow.id == AuditEvent.task_id
    return or_(
        exists().where(task, TaskRow.org_scope.in_(subtree)),
        and_(
            ~exists().where(task),
            AuditEvent.instance_id.in_(_instances(Nomination.origin_org.in_(subtree))),
        ),
    )


def _views(session: Session, events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    events = list(events)
    instance_ids = {e.instance_id for e in events if e.instance_id is not None}
    instances = {
        instance_id: (nomination_id, key, version)
        for instance_id, nomination_id, key, version in session.execute(
            select(Instance.id, Nomination.id, DefinitionVersion.key, DefinitionVersion.version)
            .join(DefinitionVersion, DefinitionVersion.id == Instance.definition_id)
            .outerjoin(Nomination, Nomination.business_key == Instance.business_key)
            .where(Instance.id.in_(instance_ids))
        )
    }
    names = {
        username: full_name
        for username, full_name in session.execute(
            select(Person.username, Person.full_name).where(
                Person.username.in_({e.actor for e in events})
            )
        )
    }
    levels = {
        code: level
        for code, level in session.execute(select(Organisation.code, Organisation.level))
    }
    return [_view(e, instances, names, levels) for e in events]


def _view(
    event: AuditEvent,
    instances: Mapping[int, tuple[int | None, str, int]],
    names: Mapping[str, str],
    levels: Mapping[str, str],
) -> dict[str, Any]:
    payload = event.data
    data = payload.get("data")
    if not isinstance(data, dict):
        data = {k: v for k, v in payload.items() if k not in _HEADER_KEYS}
    data = {k: v for k, v in data.items() if k not in _SECRET_KEYS}
    org = payload.get("org_scope") or payload.get("org")
    nomination_id, key, version = (
        instances.get(event.instance_id, (None, None, None))
        if event.instance_id is not None
        else (None, payload.get("key"), payload.get("version"))
    )
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "actor_name": names.get(event.actor),
        "action": event.action,
        "nomination_id": nomination_id,
        "instance_id": event.instance_id,
        "task_id": event.task_id,
        "bpmn_id": payload.get("bpmn_id"),
        "lane": payload.get("lane"),
        "org": org if isinstance(org, str) else None,
        "org_level": levels.get(org) if isinstance(org, str) else None,
        "data": data,
        "definition_key": key,
        "definition_version": version,
        "rule_id": _rule_id(payload, data),
    }


def _rule_id(payload: Mapping[str, Any], data: Mapping[str, Any]) -> int | None:
    """The award rule an event was taken under, where the event says so."""
    for source in (payload, data, data.get("rules"), data.get("tally")):
        if isinstance(source, Mapping) and isinstance(source.get("rule_id"), int):
            rule_id: int = source["rule_id"]
            return rule_id
    return None
