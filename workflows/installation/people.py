"""People and their roles at organisations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflows import auth, orgs
from workflows.installation.common import (
    Check,
    Scope,
    audit_event,
    clean,
    flush_or_refuse,
    refuse,
    text_field,
)
from workflows.models import Organisation, Person, RoleAssignment
from workflows.passwords import hash_password
from workflows.roles import ROLES
from workflows.search import contains

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
        stmt = stmt.where(or_(contains(Person.username, query), contains(Person.full_name, query)))
    return stmt.order_by(Person.username)


def person(session: Session, scope: Scope, username: str) -> Person:
    found = session.get(Person, username) if clean(username) else None
    if found is None or not scope.sees(session, username):
        raise refuse("not_found", "_", "person_not_found", username=username)
    return found


def _check_password(check: Check, password: Any) -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        check.add("password", "password_short", least=PASSWORD_MIN)
    elif len(password) > PASSWORD_MAX:
        check.add("password", "too_long", most=PASSWORD_MAX)


def create_person(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Person:
    check = Check()
    username = (text_field(check, values, "username", required=True, most=100) or "").lower()
    if username and (set(username) - USERNAME_CHARS or not username[0].isalnum()):
        check.add("username", "username_invalid")
        username = ""
    full_name = text_field(check, values, "full_name", required=True, most=200)
    password = values.get("password")
    _check_password(check, password)
    role, org = values.get("role") or None, values.get("org") or None
    if role is not None or org is not None:
        _check_grant(session, scope, check, role, org)
    if username and session.get(Person, username) is not None:
        raise refuse("conflict", "username", "username_taken", username=username)
    check.done()
    found = Person(
        username=username,
        full_name=full_name,
        password_hash=hash_password(str(password)),
        active=True,
    )
    session.add(found)
    flush_or_refuse(session, "username", "username_taken", username=username)
    payload: dict[str, Any] = {
        "username": username,
        "after": {"full_name": full_name, "active": True},
    }
    if role is not None and org is not None:
        session.add(RoleAssignment(username=username, role=role, org_code=org))
        session.flush()
        payload["roles"] = [{"role": role, "org": org}]
        payload["org"] = org
    audit_event(session, now, scope.who.username, "admin.person.create", payload)
    return found


def update_person(
    session: Session, scope: Scope, now: datetime, username: str, values: Mapping[str, Any]
) -> Person:
    found = person(session, scope, username)
    outside = sorted({o for _, o in orgs.roles_of(session, username)} - scope.orgs)
    if outside:
        raise refuse(
            "forbidden", "_", "person_outside_scope", username=username, orgs=", ".join(outside)
        )
    check = Check()
    before = {"full_name": found.full_name, "active": found.active}
    full_name = found.full_name
    if "full_name" in values:
        full_name = text_field(check, values, "full_name", required=True, most=200) or ""
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
    if password is not None or "active" in changed:
        # Whoever held the old password (or a session of the closed account) is out now,
        # not when their token expires; a reactivated account starts with no old tokens.
        auth.end_sessions(session, username)
    audit_event(session, now, scope.who.username, "admin.person.update", payload)
    return found


def _check_grant(session: Session, scope: Scope, check: Check, role: Any, org: Any) -> None:
    if not isinstance(role, str) or role not in ROLES:
        check.add("role", "choose_one", options=", ".join(ROLES))
    if not clean(org) or org not in scope.orgs or session.get(Organisation, org) is None:
        check.add("org", "org_not_in_scope", code=org or "")


def grant_role(
    session: Session, scope: Scope, now: datetime, username: str, role: Any, org: Any
) -> RoleAssignment:
    person(session, scope, username)
    check = Check()
    _check_grant(session, scope, check, role, org)
    check.done()
    if orgs.holds(session, username, role, org):
        raise refuse("conflict", "role", "role_already_held", username=username, role=role, org=org)
    assignment = RoleAssignment(username=username, role=role, org_code=org)
    session.add(assignment)
    flush_or_refuse(session, "role", "role_already_held", username=username, role=role, org=org)
    audit_event(
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
        raise refuse("not_found", "_", "role_not_found", username=username, role=role, org=org)
    held = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.username == username,
            RoleAssignment.role == role,
            RoleAssignment.org_code == org,
        )
    ).first()
    if held is None:
        raise refuse("not_found", "_", "role_not_found", username=username, role=role, org=org)
    if username == scope.who.username and role == "admin" and len(scope.who.orgs("admin")) <= 1:
        raise refuse("conflict", "role", "last_admin_role")
    session.delete(held)
    session.flush()
    # Every session of the person ends (the simplest rule that leaves no page or token
    # holding what the role gave); they sign in again with the roles they still have.
    auth.end_sessions(session, username)
    audit_event(
        session,
        now,
        scope.who.username,
        "admin.person.role_revoke",
        {"username": username, "role": role, "org": org},
    )
