"""What every installation change shares: refusals, the checks that gather them, the admin's
scope, audit events and the text and code fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import audit
from workflows import orgs
from workflows.access import Principal
from workflows.calendar import TIMEZONE
from workflows.installation import events
from workflows.models import LEVELS, Organisation, RoleAssignment
from workflows.vocabulary import is_code

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


def refuse(status: str, fld: str, key: str, **params: Any) -> Refused:
    return Refused(status, [Problem(fld, key, params)])


class Check:
    """Collects field problems so one answer lists them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, fld: str, key: str, **params: Any) -> None:
        self.problems.append(Problem(fld, key, params))

    def done(self) -> None:
        if self.problems:
            raise Refused("invalid", self.problems)


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
            raise refuse("forbidden", "_", "admin_required")
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
            raise refuse("not_found", "_", "org_not_found", code=code)
        return found

    def sees(self, session: Session, username: str) -> bool:
        """A person is visible to this admin if they hold a role in scope, or none at all."""
        held = set(
            session.scalars(
                select(RoleAssignment.org_code).where(RoleAssignment.username == username)
            )
        )
        return not held or bool(held & self.orgs)


def audit_event(
    session: Session, now: datetime, actor: str, action: str, payload: dict[str, Any]
) -> None:
    # Scoped to the organisation the change concerns, so its subtree's auditors read it.
    scope = events.concerned_org(session, actor, payload)
    audit.append(
        session,
        now,
        [audit.PendingEvent(actor=actor, action=action, payload=payload, org_scope=scope)],
    )


def flush_or_refuse(session: Session, fld: str, key: str, **params: Any) -> None:
    """Flush, turning a unique-key clash with a concurrent writer into a conflict."""
    try:
        session.flush()
    except IntegrityError:
        raise refuse("conflict", fld, key, **params) from None


_CONTROL = {chr(c) for c in range(32)} - {"\n", "\r", "\t"} | {"\x7f"}


def clean(value: Any, most: int = 100) -> bool:
    """Whether `value` is text the database takes as a key: short, no control characters."""
    return isinstance(value, str) and 0 < len(value) <= most and not (set(value) & _CONTROL)


def text_field(
    check: Check, values: Mapping[str, Any], name: str, *, required: bool, most: int = 300
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


def code_field(check: Check, values: Mapping[str, Any], name: str, most: int) -> str:
    code = text_field(check, values, name, required=True, most=most) or ""
    if code and not is_code(code):
        check.add(name, "code_invalid", most=most)
        return ""
    return code


def local_today(now: datetime) -> date:
    return now.astimezone(TIMEZONE).date()
