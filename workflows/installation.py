"""The installation's reference data as admins change it: organisations, people and their
roles, campaigns, the award catalogue with date-effective rules, and the working-day calendar.

The API and the pages both call these functions inside one write transaction; each change is
checked whole before anything is written, and appends its audit event (`admin.*`, with what
changed before and after) in the same transaction, so a refused change stores nothing and a
stored change is always audited.

Scope: an admin manages organisations, people and roles inside the subtrees of the
organisations where they hold `admin`; an admin at the top of a chain (an organisation with no
parent) may also add a new chain. Campaigns, the award catalogue and the calendar are
installation-wide: any admin manages them (campaigns have no organisation of their own).

Refusals carry message keys (web/i18n_installation.py) and their parameters; the web layer
words them in the reader's language.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent
from workflows import orgs
from workflows.access import Principal
from workflows.calendar import TIMEZONE, WorkingCalendar
from workflows.models import (
    LEVELS,
    SUBJECTS,
    VOTING_MODES,
    Award,
    AwardRule,
    CalendarDay,
    Campaign,
    Organisation,
    Person,
    RoleAssignment,
)
from workflows.passwords import hash_password
from workflows.roles import ROLES
from workflows.seed import AWARD_KINDS, CALENDAR_KINDS, RULE_DEFAULTS, RULE_PARAMS, VOTE_BASES

CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
ORG_LEVELS = LEVELS[:4]  # L5 (the state) is outside the system: no organisation is at it
PREREQUISITE_COUNTS = ("consecutive_years", "count", "within_years")


@dataclass(frozen=True)
class Problem:
    """One refused field (or `_` for the change as a whole): a message key and its values."""

    field: str
    key: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class Refused(Exception):
    """A change refused whole; nothing was written.

    status: `invalid` (bad fields, 422), `conflict` (409), `forbidden` (403), `not_found` (404).
    """

    def __init__(self, status: str, problems: list[Problem]) -> None:
        self.status = status
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.key}" for p in problems))


def _refuse(status: str, fld: str, key: str, **params: Any) -> Refused:
    return Refused(status, [Problem(fld, key, params)])


class _Check:
    """Collects field problems so one answer lists them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, fld: str, key: str, **params: Any) -> None:
        self.problems.append(Problem(fld, key, params))

    def done(self) -> None:
        if self.problems:
            raise Refused("invalid", self.problems)


# --- scope ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What an admin manages: the organisations below those where they hold `admin`."""

    who: Principal
    orgs: frozenset[str]
    top: bool  # holds admin at an organisation with no parent: may add a new chain

    @classmethod
    def of(cls, session: Session, who: Principal) -> Scope:
        held = who.orgs("admin")
        if not held:
            raise _refuse("forbidden", "_", "admin_required")
        managed: set[str] = set()
        for code in held:
            managed |= orgs.subtree(session, code)
        roots = set(
            session.scalars(select(Organisation.code).where(Organisation.parent_code.is_(None)))
        )
        return cls(who, frozenset(managed), bool(held & roots))

    def org(self, session: Session, code: str) -> Organisation:
        """An organisation in scope; outside it, as if it did not exist."""
        found = session.get(Organisation, code) if code in self.orgs else None
        if found is None:
            raise _refuse("not_found", "_", "org_not_found", code=code)
        return found

    def sees(self, session: Session, username: str) -> bool:
        """A person is visible to this admin if they hold a role in scope, or none at all."""
        held = set(
            session.scalars(
                select(RoleAssignment.org_code).where(RoleAssignment.username == username)
            )
        )
        return not held or bool(held & self.orgs)


def _event(
    session: Session, now: datetime, actor: str, action: str, payload: dict[str, Any]
) -> None:
    audit.append(session, now, [audit.PendingEvent(actor=actor, action=action, payload=payload)])


def _flush(session: Session, fld: str, key: str, **params: Any) -> None:
    """Flush, turning a unique-key clash with a concurrent writer into a conflict."""
    try:
        session.flush()
    except IntegrityError:
        raise _refuse("conflict", fld, key, **params) from None


_CONTROL = {chr(c) for c in range(32)} - {"\n", "\r", "\t"} | {"\x7f"}


def clean(value: Any, most: int = 100) -> bool:
    """Whether `value` is text the database takes as a key: short, no control characters."""
    return isinstance(value, str) and 0 < len(value) <= most and not (set(value) & _CONTROL)


def _text(
    check: _Check, values: Mapping[str, Any], name: str, *, required: bool, most: int = 300
) -> str | None:
    value = values.get(name)
    if value is None:
        if required:
            check.add(name, "field_required")
        return None
    text = str(value).strip()
    if required and not text:
        check.add(name, "field_required")
    elif len(text) > most:
        check.add(name, "too_long", most=most)
    elif set(text) & _CONTROL:
        check.add(name, "text_invalid")
    return text


def _code(check: _Check, values: Mapping[str, Any], name: str, most: int) -> str:
    code = _text(check, values, name, required=True, most=most) or ""
    if code and not set(code) <= CODE_CHARS:
        check.add(name, "code_invalid", most=most)
        return ""
    return code


def local_today(now: datetime) -> date:
    return now.astimezone(TIMEZONE).date()


# --- organisations ----------------------------------------------------------------------


def org_tree(session: Session, scope: Scope) -> list[tuple[Organisation, int]]:
    """The organisations in scope, each after its parent, with its depth in the tree."""
    rows = session.scalars(
        select(Organisation).order_by(Organisation.name, Organisation.code)
    ).all()
    children: dict[str | None, list[Organisation]] = {}
    for row in rows:
        children.setdefault(row.parent_code, []).append(row)
    shown: list[tuple[Organisation, int]] = []

    def walk(row: Organisation, depth: int) -> None:
        shown.append((row, depth))
        for child in children.get(row.code, []):
            walk(child, depth + 1)

    for row in rows:
        # A top of the admin's scope: in scope, its parent not (or none).
        if row.code in scope.orgs and row.parent_code not in scope.orgs:
            walk(row, 0)
    return shown


def _org_dict(org: Organisation) -> dict[str, Any]:
    return {"name": org.name, "level": org.level, "parent": org.parent_code, "voting": org.voting}


def _check_place(
    session: Session,
    scope: Scope,
    check: _Check,
    code: str,
    level: str | None,
    parent: str | None,
) -> None:
    """The organisation `code` at `level` under `parent`: in scope, no loop, levels in order."""
    if parent is None:
        if not scope.top:
            check.add("parent", "org_parent_required")
        return
    upper = session.get(Organisation, parent) if parent in scope.orgs else None
    if upper is None:
        check.add("parent", "org_parent_unknown", code=parent)
        return
    if parent == code or code in orgs.ancestors(session, parent):
        check.add("parent", "org_parent_cycle", code=code, parent=parent)
        return
    if level in LEVELS and LEVELS.index(upper.level) <= LEVELS.index(level):
        check.add(
            "level", "org_level_not_below", level=level, parent=parent, parent_level=upper.level
        )


def create_org(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Organisation:
    check = _Check()
    code = _code(check, values, "code", 50)
    name = _text(check, values, "name", required=True)
    level = values.get("level")
    if level not in ORG_LEVELS:
        check.add("level", "choose_one", options=", ".join(ORG_LEVELS))
    voting = values.get("voting") or "ballot"
    if voting not in VOTING_MODES:
        check.add("voting", "choose_one", options=", ".join(VOTING_MODES))
    parent = values.get("parent") or None
    if parent is not None and not clean(parent):
        check.add("parent", "org_parent_unknown", code=str(parent)[:50])
        parent = None
    if code and session.get(Organisation, code) is not None:
        raise _refuse("conflict", "code", "org_code_taken", code=code)
    _check_place(session, scope, check, code, level, parent)
    check.done()
    org = Organisation(code=code, name=name, level=level, parent_code=parent, voting=voting)
    session.add(org)
    _flush(session, "code", "org_code_taken", code=code)
    payload: dict[str, Any] = {"org": code, "after": _org_dict(org)}
    if parent is None:
        # A new chain is outside every admin's scope: its creator becomes its admin.
        session.add(RoleAssignment(username=scope.who.username, role="admin", org_code=code))
        session.flush()
        payload["granted"] = {"username": scope.who.username, "role": "admin", "org": code}
    _event(session, now, scope.who.username, "admin.org.create", payload)
    return org


def update_org(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Organisation:
    org = scope.org(session, code)
    before = _org_dict(org)
    check = _Check()
    name = _text(check, values, "name", required=False) if "name" in values else org.name
    if "name" in values and not name:
        check.add("name", "field_required")
    level = values.get("level", org.level)
    if level not in ORG_LEVELS:
        check.add("level", "choose_one", options=", ".join(ORG_LEVELS))
    voting = values.get("voting", org.voting)
    if voting not in VOTING_MODES:
        check.add("voting", "choose_one", options=", ".join(VOTING_MODES))
    parent = (values.get("parent") or None) if "parent" in values else org.parent_code
    if parent != org.parent_code or level != org.level:
        if parent != org.parent_code:
            _check_place(session, scope, check, code, level, parent)
        elif parent is not None:
            upper = orgs.get_org(session, parent)
            if level in LEVELS and LEVELS.index(upper.level) <= LEVELS.index(level):
                check.add(
                    "level",
                    "org_level_not_below",
                    level=level,
                    parent=parent,
                    parent_level=upper.level,
                )
        if level in LEVELS:
            for child in session.scalars(
                select(Organisation).where(Organisation.parent_code == code)
            ):
                if LEVELS.index(child.level) >= LEVELS.index(level):
                    check.add(
                        "level",
                        "org_level_not_above",
                        level=level,
                        child=child.code,
                        child_level=child.level,
                    )
    check.done()
    org.name, org.level, org.voting, org.parent_code = name or org.name, level, voting, parent
    after = _org_dict(org)
    if after == before:
        return org
    session.flush()
    changed = {k: v for k, v in after.items() if before[k] != v}
    _event(
        session,
        now,
        scope.who.username,
        "admin.org.update",
        {"org": code, "before": {k: before[k] for k in changed}, "after": changed},
    )
    return org


# --- people and roles -------------------------------------------------------------------

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
PASSWORD_MIN = 8
PASSWORD_MAX = 200


def people(session: Session, scope: Scope, query: str = "") -> Any:
    """Select of the people visible to the admin (a role in scope, or none), by username."""
    in_scope = select(RoleAssignment.username).where(RoleAssignment.org_code.in_(scope.orgs))
    any_role = select(RoleAssignment.username)
    stmt = select(Person).where(
        or_(Person.username.in_(in_scope), Person.username.not_in(any_role))
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Person.username).like(like), func.lower(Person.full_name).like(like))
        )
    return stmt.order_by(Person.username)


def person(session: Session, scope: Scope, username: str) -> Person:
    found = session.get(Person, username) if clean(username) else None
    if found is None or not scope.sees(session, username):
        raise _refuse("not_found", "_", "person_not_found", username=username)
    return found


def _check_password(check: _Check, password: Any) -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        check.add("password", "password_short", least=PASSWORD_MIN)
    elif len(password) > PASSWORD_MAX:
        check.add("password", "too_long", most=PASSWORD_MAX)


def create_person(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Person:
    check = _Check()
    username = (_text(check, values, "username", required=True, most=100) or "").lower()
    if username and (set(username) - USERNAME_CHARS or not username[0].isalnum()):
        check.add("username", "username_invalid")
        username = ""
    full_name = _text(check, values, "full_name", required=True, most=200)
    password = values.get("password")
    _check_password(check, password)
    role, org = values.get("role") or None, values.get("org") or None
    if role is not None or org is not None:
        _check_grant(session, scope, check, role, org)
    if username and session.get(Person, username) is not None:
        raise _refuse("conflict", "username", "username_taken", username=username)
    check.done()
    found = Person(
        username=username,
        full_name=full_name,
        password_hash=hash_password(str(password)),
        active=True,
    )
    session.add(found)
    _flush(session, "username", "username_taken", username=username)
    payload: dict[str, Any] = {
        "username": username,
        "after": {"full_name": full_name, "active": True},
    }
    if role is not None and org is not None:
        session.add(RoleAssignment(username=username, role=role, org_code=org))
        session.flush()
        payload["roles"] = [{"role": role, "org": org}]
        payload["org"] = org
    _event(session, now, scope.who.username, "admin.person.create", payload)
    return found


def update_person(
    session: Session, scope: Scope, now: datetime, username: str, values: Mapping[str, Any]
) -> Person:
    found = person(session, scope, username)
    outside = sorted({o for _, o in orgs.roles_of(session, username)} - scope.orgs)
    if outside:
        raise _refuse(
            "forbidden", "_", "person_outside_scope", username=username, orgs=", ".join(outside)
        )
    check = _Check()
    before = {"full_name": found.full_name, "active": found.active}
    full_name = found.full_name
    if "full_name" in values:
        full_name = _text(check, values, "full_name", required=True, most=200) or ""
    active = values.get("active", found.active)
    if not isinstance(active, bool):
        check.add("active", "field_required")
    password = values.get("password") or None
    if password is not None:
        _check_password(check, password)
    if username == scope.who.username and active is False:
        check.add("active", "cannot_deactivate_self")
    check.done()
    found.full_name, found.active = full_name, bool(active)
    after = {"full_name": found.full_name, "active": found.active}
    changed = {k: v for k, v in after.items() if before[k] != v}
    payload: dict[str, Any] = {
        "username": username,
        "before": {k: before[k] for k in changed},
        "after": changed,
    }
    if password is not None:
        found.password_hash = hash_password(str(password))
        payload["password_changed"] = True  # never the password nor its hash
    if not changed and password is None:
        return found
    session.flush()
    _event(session, now, scope.who.username, "admin.person.update", payload)
    return found


def _check_grant(session: Session, scope: Scope, check: _Check, role: Any, org: Any) -> None:
    if not isinstance(role, str) or role not in ROLES:
        check.add("role", "choose_one", options=", ".join(ROLES))
    if not clean(org) or org not in scope.orgs or session.get(Organisation, org) is None:
        check.add("org", "org_not_in_scope", code=org or "")


def grant_role(
    session: Session, scope: Scope, now: datetime, username: str, role: Any, org: Any
) -> RoleAssignment:
    person(session, scope, username)
    check = _Check()
    _check_grant(session, scope, check, role, org)
    check.done()
    if orgs.holds(session, username, role, org):
        raise _refuse(
            "conflict", "role", "role_already_held", username=username, role=role, org=org
        )
    assignment = RoleAssignment(username=username, role=role, org_code=org)
    session.add(assignment)
    _flush(session, "role", "role_already_held", username=username, role=role, org=org)
    _event(
        session,
        now,
        scope.who.username,
        "admin.person.role_grant",
        {"username": username, "role": role, "org": org},
    )
    return assignment


def revoke_role(
    session: Session, scope: Scope, now: datetime, username: str, role: str, org: str
) -> None:
    person(session, scope, username)
    if org not in scope.orgs or not clean(role):
        raise _refuse("not_found", "_", "role_not_found", username=username, role=role, org=org)
    held = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.username == username,
            RoleAssignment.role == role,
            RoleAssignment.org_code == org,
        )
    ).first()
    if held is None:
        raise _refuse("not_found", "_", "role_not_found", username=username, role=role, org=org)
    if username == scope.who.username and role == "admin" and len(scope.who.orgs("admin")) <= 1:
        raise _refuse("conflict", "role", "last_admin_role")
    session.delete(held)
    session.flush()
    _event(
        session,
        now,
        scope.who.username,
        "admin.person.role_revoke",
        {"username": username, "role": role, "org": org},
    )


# --- campaigns --------------------------------------------------------------------------


def _campaign_dict(c: Campaign) -> dict[str, Any]:
    return {"name": c.name, "starts": c.starts.isoformat(), "ends": c.ends.isoformat()}


def _check_period(check: _Check, starts: Any, ends: Any) -> None:
    for name, value in (("starts", starts), ("ends", ends)):
        if not isinstance(value, date):
            check.add(name, "date_invalid")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        check.add(
            "ends", "ends_before_starts", starts=f"{starts:%d/%m/%Y}", ends=f"{ends:%d/%m/%Y}"
        )


def create_campaign(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Campaign:
    check = _Check()
    code = _code(check, values, "code", 50)
    name = _text(check, values, "name", required=True)
    starts, ends = values.get("starts"), values.get("ends")
    _check_period(check, starts, ends)
    if code and session.get(Campaign, code) is not None:
        raise _refuse("conflict", "code", "campaign_code_taken", code=code)
    check.done()
    found = Campaign(code=code, name=name, starts=starts, ends=ends)
    session.add(found)
    _flush(session, "code", "campaign_code_taken", code=code)
    _event(
        session,
        now,
        scope.who.username,
        "admin.campaign.create",
        {"campaign": code, "after": _campaign_dict(found)},
    )
    return found


def update_campaign(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Campaign:
    found = session.get(Campaign, code) if clean(code) else None
    if found is None:
        raise _refuse("not_found", "_", "campaign_not_found", code=code)
    before = _campaign_dict(found)
    check = _Check()
    name = _text(check, values, "name", required=True) if "name" in values else found.name
    starts, ends = values.get("starts", found.starts), values.get("ends", found.ends)
    _check_period(check, starts, ends)
    check.done()
    found.name, found.starts, found.ends = name or found.name, starts, ends
    after = _campaign_dict(found)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        session.flush()
        _event(
            session,
            now,
            scope.who.username,
            "admin.campaign.update",
            {"campaign": code, "before": {k: before[k] for k in changed}, "after": changed},
        )
    return found


# --- awards and their rules -------------------------------------------------------------


def _award_dict(a: Award) -> dict[str, Any]:
    return {"name": a.name, "subject": a.subject, "kind": a.kind, "criteria": a.criteria}


def create_award(session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]) -> Award:
    check = _Check()
    code = _code(check, values, "code", 30)
    name = _text(check, values, "name", required=True)
    subject, kind = values.get("subject"), values.get("kind")
    if subject not in SUBJECTS:
        check.add("subject", "choose_one", options=", ".join(SUBJECTS))
    if kind not in AWARD_KINDS:
        check.add("kind", "choose_one", options=", ".join(AWARD_KINDS))
    criteria = _text(check, values, "criteria", required=False, most=10_000) or ""
    if code and session.get(Award, code) is not None:
        raise _refuse("conflict", "code", "award_code_taken", code=code)
    check.done()
    found = Award(code=code, name=name, subject=subject, kind=kind, criteria=criteria)
    session.add(found)
    _flush(session, "code", "award_code_taken", code=code)
    _event(
        session,
        now,
        scope.who.username,
        "admin.award.create",
        {"award": code, "after": _award_dict(found)},
    )
    return found


def update_award(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Award:
    """Name, kind and criteria; the subject (individual or collective) never changes."""
    found = session.get(Award, code) if clean(code) else None
    if found is None:
        raise _refuse("not_found", "_", "award_not_found", code=code)
    before = _award_dict(found)
    check = _Check()
    name = _text(check, values, "name", required=True) if "name" in values else found.name
    kind = values.get("kind", found.kind)
    if kind not in AWARD_KINDS:
        check.add("kind", "choose_one", options=", ".join(AWARD_KINDS))
    criteria = (
        (_text(check, values, "criteria", required=False, most=10_000) or "")
        if "criteria" in values
        else found.criteria
    )
    check.done()
    found.name, found.kind, found.criteria = name or found.name, kind, criteria
    after = _award_dict(found)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        session.flush()
        _event(
            session,
            now,
            scope.who.username,
            "admin.award.update",
            {"award": code, "before": {k: before[k] for k in changed}, "after": changed},
        )
    return found


def rules_of(session: Session, award: str) -> list[AwardRule]:
    return list(
        session.scalars(
            select(AwardRule)
            .where(AwardRule.award_code == award)
            .order_by(AwardRule.effective_from)
        )
    )


def rule_values(rule: AwardRule) -> dict[str, Any]:
    return {
        "effective_from": rule.effective_from.isoformat(),
        **{k: getattr(rule, k) for k in RULE_PARAMS if k != "prerequisites"},
        "prerequisites": rule.prerequisite_list,
        "basis": rule.basis,
    }


def _check_rule_param(session: Session, check: _Check, key: str, value: Any) -> Any:
    if key == "deciding_level":
        if value not in LEVELS:
            check.add(key, "choose_one", options=", ".join(LEVELS))
        return value
    if key == "vote_base":
        if value not in VOTE_BASES:
            check.add(key, "choose_one", options=", ".join(VOTE_BASES))
        return value
    if key in ("vote_threshold", "quota_ratio"):
        if value is None and key == "quota_ratio":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            check.add(key, "ratio_invalid")
        return value
    if key in ("publicity_working_days", "appraisal_sla_days", "vote_sla_days"):
        low, high = (0, 60) if key == "publicity_working_days" else (1, 365)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            check.add(key, "number_between", low=low, high=high)
        return value
    # prerequisites: a list of {award, consecutive_years | count [, within_years]}
    found: list[dict[str, Any]] = []
    if not isinstance(value, list):
        check.add(key, "prerequisites_invalid")
        return "[]"
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"award", *PREREQUISITE_COUNTS}:
            check.add(key, "prerequisites_invalid")
            continue
        award = item.get("award")
        if not clean(award) or session.get(Award, award) is None:
            check.add(key, "award_not_found", code=str(award))
            continue
        rule: dict[str, Any] = {"award": award}
        for name in PREREQUISITE_COUNTS:
            if name in item:
                number = item[name]
                if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 50:
                    check.add(key, "prerequisites_invalid")
                rule[name] = number
        if ("consecutive_years" in rule) == ("count" in rule) or (
            "within_years" in rule and "count" not in rule
        ):
            check.add(key, "prerequisites_invalid")
        found.append(rule)
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


def add_rule(
    session: Session, scope: Scope, now: datetime, award: str, values: Mapping[str, Any]
) -> AwardRule:
    """A new version of an award's rule parameters from a later date; parameters left out are
    those of the version in force the day before. Versions in force are never edited."""
    if not clean(award) or session.get(Award, award) is None:
        raise _refuse("not_found", "_", "award_not_found", code=award)
    check = _Check()
    effective_from = values.get("effective_from")
    today = local_today(now)
    if not isinstance(effective_from, date):
        check.add("effective_from", "date_invalid")
    elif effective_from <= today:
        check.add("effective_from", "rule_not_future", today=f"{today:%d/%m/%Y}")
    basis = _text(check, values, "basis", required=True, most=5000)
    given = {k: _check_rule_param(session, check, k, values[k]) for k in RULE_PARAMS if k in values}
    earlier: AwardRule | None = None
    if isinstance(effective_from, date):
        earlier = session.scalars(
            select(AwardRule)
            .where(AwardRule.award_code == award, AwardRule.effective_from < effective_from)
            .order_by(AwardRule.effective_from.desc())
            .limit(1)
        ).first()
        clash = session.scalar(
            select(AwardRule.id).where(
                AwardRule.award_code == award, AwardRule.effective_from == effective_from
            )
        )
        if clash is not None:
            raise _refuse(
                "conflict",
                "effective_from",
                "rule_date_taken",
                award=award,
                day=f"{effective_from:%d/%m/%Y}",
            )
    if earlier is not None:
        merged = {k: getattr(earlier, k) for k in RULE_PARAMS} | given
    else:
        merged = {**RULE_DEFAULTS, **given}
        for k in RULE_PARAMS:
            if k not in merged:
                check.add(k, "rule_param_needed")
    check.done()
    rule = AwardRule(award_code=award, effective_from=effective_from, basis=basis, **merged)
    session.add(rule)
    _flush(session, "effective_from", "rule_date_taken", award=award, day=str(effective_from))
    payload: dict[str, Any] = {"award": award, "rule_id": rule.id, "after": rule_values(rule)}
    if earlier is not None:
        payload["supersedes"] = {"rule_id": earlier.id, **rule_values(earlier)}
    _event(session, now, scope.who.username, "admin.rule.create", payload)
    return rule


def delete_rule(session: Session, scope: Scope, now: datetime, award: str, rule_id: int) -> None:
    """Withdraw a version not yet in force (one in force has been used: it stays)."""
    rule = session.get(AwardRule, rule_id)
    if rule is None or rule.award_code != award:
        raise _refuse("not_found", "_", "rule_not_found", id=rule_id)
    if rule.effective_from <= local_today(now):
        raise _refuse("conflict", "_", "rule_in_force_kept", day=f"{rule.effective_from:%d/%m/%Y}")
    before = rule_values(rule)
    session.delete(rule)
    session.flush()
    _event(
        session,
        now,
        scope.who.username,
        "admin.rule.delete",
        {"award": award, "rule_id": rule_id, "before": before},
    )


# --- calendar ---------------------------------------------------------------------------

YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True)
class CalendarYear:
    year: int
    holidays: list[tuple[date, str]]  # official public holidays and substituted days off
    official_workdays: list[date]  # weekend days the government declared working days
    days: list[CalendarDay]  # the admin's exceptions


def calendar_year(session: Session, year: int) -> CalendarYear:
    official = WorkingCalendar()
    day, end = date(year, 1, 1), date(year, 12, 31)
    workdays = []
    while day <= end:
        if day.weekday() >= 5 and official.is_working_day(day):
            workdays.append(day)
        day += timedelta(days=1)
    admin_days = session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= end)
        .order_by(CalendarDay.day)
    ).all()
    return CalendarYear(year, official.holidays_in(year), workdays, list(admin_days))


def _day_dict(row: CalendarDay) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "kind": row.kind, "note": row.note}


def add_day(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> CalendarDay:
    check = _Check()
    day, kind = values.get("day"), values.get("kind")
    note = _text(check, values, "note", required=False) or ""
    if kind not in CALENDAR_KINDS:
        check.add("kind", "choose_one", options=", ".join(CALENDAR_KINDS))
    if not isinstance(day, date) or not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        check.add("day", "date_invalid")
    else:
        if day < local_today(now):
            check.add("day", "day_past")
        existing = session.get(CalendarDay, day)
        if existing is not None:
            raise _refuse("conflict", "day", "day_taken", day=f"{day:%d/%m/%Y}")
        working = WorkingCalendar.load(session).is_working_day(day)
        if kind == "work" and working:
            check.add("kind", "day_already_working", day=f"{day:%d/%m/%Y}")
        if kind == "off" and not working:
            check.add("kind", "day_already_off", day=f"{day:%d/%m/%Y}")
    check.done()
    row = CalendarDay(day=day, kind=kind, note=note)
    session.add(row)
    _flush(session, "day", "day_taken", day=str(day))
    _event(session, now, scope.who.username, "admin.calendar.add", {"after": _day_dict(row)})
    return row


def remove_day(session: Session, scope: Scope, now: datetime, day: date) -> None:
    row = session.get(CalendarDay, day)
    if row is None:
        raise _refuse("not_found", "_", "day_not_found", day=f"{day:%d/%m/%Y}")
    if day < local_today(now):
        raise _refuse("invalid", "day", "day_past")
    before = _day_dict(row)
    session.delete(row)
    session.flush()
    _event(session, now, scope.who.username, "admin.calendar.remove", {"before": before})


# What admins do through the engine rather than here: deploys and the handling of instances.
ENGINE_ADMIN_ACTIONS = (
    "definition.deployed",
    "instance.suspended",
    "instance.resumed",
    "instance.retried",
)


def recent_events(session: Session, limit: int = 20) -> list[AuditEvent]:
    """The latest admin changes, newest first (for the admin index page)."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(AuditEvent.action.like("admin.%"), AuditEvent.action.in_(ENGINE_ADMIN_ACTIONS))
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
    )
