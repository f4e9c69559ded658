"""Reads of the audit trail shared by the auditor API and the auditor pages: events as
readable views (person, organisation and level, process and rule versions, never a ballot's
choice), a nomination's history, the SQL conditions that scope them and the auditor's
search."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, DefinitionVersion, Instance, TaskRow
from web import diagram
from workflows import orgs
from workflows.access import OVERSIGHT_ROLES, Principal, nomination_filter
from workflows.installation.events import DEPLOYED, admin_changes_for
from workflows.models import Decision, Nomination, Organisation, Person, Tally
from workflows.search import contains, name_contains

DONE_ACTIONS = ("task.completed", "timer.fired")
SECRET_KEYS = frozenset({"vote", "choice"})
HEADER_KEYS = frozenset({"bpmn_id", "lane", "org_scope"})


class EventView(TypedDict):
    """An audit event as a person reads it."""

    seq: int
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    nomination_id: int | None
    instance_id: int | None
    task_id: str | None
    bpmn_id: str | None
    lane: str | None
    org: str | None
    org_level: str | None
    data: dict[str, Any]  # the event's own payload, open by nature; never a ballot's choice
    definition_key: str | None
    definition_version: int | None
    rule_id: int | None


class History(TypedDict):
    """A nomination's audited steps in order, with its tallies and decisions."""

    nomination_id: int
    business_key: str
    nominee_name: str
    award_code: str
    origin_org: str
    current_org: str
    status: str
    stage: str
    instance_status: str | None
    definition_key: str | None
    definition_version: int | None
    events: list[EventView]
    decisions: Sequence[Decision]
    tallies: Sequence[Tally]


def instances(condition: ColumnElement[bool]) -> Select[int]:
    """Ids of the instances of the nominations matching `condition`."""
    return (
        select(Instance.id)
        .join(Nomination, Nomination.business_key == Instance.business_key)
        .where(condition)
    )


def at_org(subtree: set[str]) -> ColumnElement[bool]:
    """Events of a task scoped in `subtree`, or of no task, of nominations started there;
    and the admin changes scoped there (they belong to no nomination)."""
    task = TaskRow.id == AuditEvent.task_id
    return or_(
        and_(AuditEvent.instance_id.is_(None), AuditEvent.org_scope.in_(subtree)),
        exists().where(task, TaskRow.org_scope.in_(subtree)),
        and_(
            ~exists().where(task),
            AuditEvent.instance_id.in_(instances(Nomination.origin_org.in_(subtree))),
        ),
    )


def views(session: Session, events: Iterable[AuditEvent]) -> list[EventView]:
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
) -> EventView:
    payload = event.data
    data = payload.get("data")
    if not isinstance(data, dict):
        data = {k: v for k, v in payload.items() if k not in HEADER_KEYS}
    data = {k: v for k, v in data.items() if k not in SECRET_KEYS}
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


def path_of(session: Session, instance_id: int, events: Iterable[EventView]) -> diagram.Path:
    """How far an instance got with each element of its diagram: done (completed tasks and
    fired timers, from its audit `events` as `views` gives them, and the task projection),
    active (its open tasks) and error (the element it failed at, while in error)."""
    events = list(events)
    done = {e["bpmn_id"] for e in events if e["action"] in DONE_ACTIONS and e["bpmn_id"]}
    error = {e["bpmn_id"] for e in events if "error" in e["action"] and e["bpmn_id"]}
    active: set[str] = set()
    for bpmn_id, state in session.execute(
        select(TaskRow.bpmn_id, TaskRow.state).where(TaskRow.instance_id == instance_id)
    ):
        if state == "completed":
            done.add(bpmn_id)
        elif state == "ready":
            active.add(bpmn_id)
    failed = session.execute(
        select(Instance.status, Instance.error_element).where(Instance.id == instance_id)
    ).first()
    if failed is not None and failed.status == "error" and failed.error_element:
        error.add(failed.error_element)
    started = any(e["action"] == "instance.started" for e in events)
    return diagram.Path(done=done, active=active, error=error, started=started)


def _rule_id(payload: Mapping[str, Any], data: Mapping[str, Any]) -> int | None:
    """The award rule an event was taken under, where the event says so."""
    for source in (payload, data, data.get("rules"), data.get("tally")):
        if isinstance(source, Mapping) and isinstance(source.get("rule_id"), int):
            rule_id: int = source["rule_id"]
            return rule_id
    return None


def history(session: Session, nomination: Nomination) -> History:
    """A nomination's audited steps in order, with its tallies and decisions."""
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
        "events": views(session, events),
        "decisions": session.scalars(
            select(Decision).where(Decision.nomination_id == nomination.id).order_by(Decision.id)
        ).all(),
        "tallies": session.scalars(
            select(Tally).where(Tally.nomination_id == nomination.id).order_by(Tally.id)
        ).all(),
    }


def events_query(session: Session, who: Principal, args: Mapping[str, Any]) -> Select[Any]:
    """The audit events in `who`'s scope matching the filters, in chain order."""
    scope: ColumnElement[bool] = or_(
        AuditEvent.instance_id.in_(instances(nomination_filter(session, who))),
        # The installation admins' changes belong to no nomination: they are read by the
        # auditors and admins of the organisation they concern.
        admin_changes_for(session, who, *OVERSIGHT_ROLES),
    )
    if who.orgs("admin"):
        scope = or_(scope, AuditEvent.action == DEPLOYED)
    query = select(AuditEvent).where(scope).order_by(AuditEvent.seq)
    if args.get("actor"):
        query = query.where(AuditEvent.actor == args["actor"])
    if args.get("action"):
        query = query.where(AuditEvent.action == args["action"])
    if args.get("nomination"):
        query = query.where(
            AuditEvent.instance_id.in_(instances(Nomination.id == args["nomination"]))
        )
    if args.get("org"):
        query = query.where(at_org(orgs.subtree(session, args["org"])))
    if args.get("from_"):
        query = query.where(AuditEvent.at >= args["from_"])
    if args.get("to"):
        query = query.where(AuditEvent.at <= args["to"])
    if args.get("after") is not None:
        query = query.where(AuditEvent.seq > args["after"])
    return query


# --- the auditor pages' search -----------------------------------------------------------

SEARCH_FIELDS = ("nominee", "award", "org", "campaign", "decision_no", "person", "action")
# What happens to a nomination, as the search offers it (its events are the ones searched).
NOMINATION_ACTIONS = (
    "instance.started",
    "task.completed",
    "ballot.cast",
    "comment.received",
    "timer.fired",
    "message.delivered",
    "instance.completed",
    "instance.suspended",
    "instance.resumed",
    "instance.error",
    "instance.retried",
    "instance.migrated",
)


def search_query(
    session: Session,
    who: Principal,
    filters: Mapping[str, str],
    since: datetime | None = None,
    until: datetime | None = None,
    origins: Collection[str] | None = None,
) -> Select[AuditEvent, Nomination]:
    """Events of the nominations in `who`'s scope, with their nomination, in chain order,
    narrowed by the nomination's and the event's fields (text filters match parts) and, when
    `origins` is given, to the nominations started at one of those organisations."""
    query = (
        select(AuditEvent, Nomination)
        .join(Instance, Instance.id == AuditEvent.instance_id)
        .join(Nomination, Nomination.business_key == Instance.business_key)
        .where(nomination_filter(session, who))
        .order_by(AuditEvent.seq)
    )
    if filters.get("nominee"):
        query = query.where(name_contains(Nomination.nominee_folded, filters["nominee"]))
    if filters.get("award"):
        query = query.where(Nomination.award_code == filters["award"])
    if origins is not None:
        query = query.where(Nomination.origin_org.in_(origins))
    if filters.get("campaign"):
        query = query.where(Nomination.campaign_code == filters["campaign"])
    if filters.get("decision_no"):
        query = query.where(
            exists().where(
                Decision.nomination_id == Nomination.id,
                contains(Decision.decision_no, filters["decision_no"]),
            )
        )
    if filters.get("person"):
        people = select(Person.username).where(contains(Person.full_name, filters["person"]))
        query = query.where(
            or_(AuditEvent.actor == filters["person"], AuditEvent.actor.in_(people))
        )
    if filters.get("action"):
        query = query.where(AuditEvent.action == filters["action"])
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query
