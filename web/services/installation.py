"""Changing the installation's reference data, for the admin pages and the API alike:
organisations, people and roles, campaigns, awards and their rule versions, calendar days.

Each change is one write transaction of its own: the domain's checks and its `admin.*` audit
event run inside it (workflows.installation), and what the route shows of the result is read
there too, so it is what was stored. A refusal is the domain's `inst.Refused` (nothing was
stored), its problems worded by `message` for the route to map: a problem document or
field errors on the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from web import context
from web.i18n import t
from workflows import installation as inst
from workflows import orgs
from workflows.access import Principal
from workflows.models import Award, AwardRule, CalendarDay, Campaign, Organisation, Person

Refused = inst.Refused
_T = TypeVar("_T")


@dataclass(frozen=True)
class PlacedOrg:
    """An organisation and its depth below the top of the admin's scope."""

    org: Organisation
    depth: int


@dataclass(frozen=True)
class PersonRoles:
    """A person and the (role, organisation) pairs they hold."""

    person: Person
    roles: list[tuple[str, str]]


@dataclass(frozen=True)
class AwardRules:
    """An award and its rule versions, oldest first."""

    award: Award
    rules: list[AwardRule]


def message(problem: inst.Problem) -> str:
    """A refusal's problem in the reader's language."""
    return t(f"inst_{problem.key}", **problem.params)


def scope_of(who: Principal) -> inst.Scope:
    """What `who` administers; Refused (forbidden) if they are no admin."""
    return inst.Scope.of(context.read(), who)


def _change(change: Callable[[Session], _T]) -> _T:
    with context.write() as session:
        return change(session)


def _depth(session: Session, scope: inst.Scope, code: str) -> int:
    return sum(1 for c in orgs.ancestors(session, code)[1:] if c in scope.orgs)


def _placed(session: Session, scope: inst.Scope, org: Organisation) -> PlacedOrg:
    return PlacedOrg(org, _depth(session, scope, org.code))


def _with_roles(session: Session, person: Person) -> PersonRoles:
    return PersonRoles(person, orgs.roles_of(session, person.username))


# --- organisations, people and roles ----------------------------------------------------


def create_org(scope: inst.Scope, values: Mapping[str, Any]) -> PlacedOrg:
    return _change(lambda s: _placed(s, scope, inst.create_org(s, scope, context.now(), values)))


def update_org(scope: inst.Scope, code: str, values: Mapping[str, Any]) -> PlacedOrg:
    return _change(
        lambda s: _placed(s, scope, inst.update_org(s, scope, context.now(), code, values))
    )


def create_person(scope: inst.Scope, values: Mapping[str, Any]) -> PersonRoles:
    return _change(lambda s: _with_roles(s, inst.create_person(s, scope, context.now(), values)))


def update_person(scope: inst.Scope, username: str, values: Mapping[str, Any]) -> PersonRoles:
    return _change(
        lambda s: _with_roles(s, inst.update_person(s, scope, context.now(), username, values))
    )


def grant_role(scope: inst.Scope, username: str, role: Any, org: Any) -> PersonRoles:
    def grant(session: Session) -> PersonRoles:
        inst.grant_role(session, scope, context.now(), username, role, org)
        return _with_roles(session, inst.person(session, scope, username))

    return _change(grant)


def revoke_role(scope: inst.Scope, username: str, role: str, org: str) -> None:
    _change(lambda s: inst.revoke_role(s, scope, context.now(), username, role, org))


# --- campaigns, awards and rules --------------------------------------------------------


def create_campaign(scope: inst.Scope, values: Mapping[str, Any]) -> Campaign:
    return _change(lambda s: inst.create_campaign(s, scope, context.now(), values))


def update_campaign(scope: inst.Scope, code: str, values: Mapping[str, Any]) -> Campaign:
    return _change(lambda s: inst.update_campaign(s, scope, context.now(), code, values))


def _with_rules(session: Session, award: Award) -> AwardRules:
    return AwardRules(award, inst.rules_of(session, award.code))


def create_award(scope: inst.Scope, values: Mapping[str, Any]) -> AwardRules:
    return _change(lambda s: _with_rules(s, inst.create_award(s, scope, context.now(), values)))


def update_award(scope: inst.Scope, code: str, values: Mapping[str, Any]) -> AwardRules:
    return _change(
        lambda s: _with_rules(s, inst.update_award(s, scope, context.now(), code, values))
    )


def add_rule(scope: inst.Scope, award: str, values: Mapping[str, Any]) -> AwardRule:
    """A new rule version of `award`; parameters left out are carried over."""
    return _change(lambda s: inst.add_rule(s, scope, context.now(), award, values))


def delete_rule(scope: inst.Scope, award: str, rule_id: int) -> None:
    """Withdraw a rule version not yet in force."""
    _change(lambda s: inst.delete_rule(s, scope, context.now(), award, rule_id))


# --- calendar ---------------------------------------------------------------------------


def add_day(scope: inst.Scope, values: Mapping[str, Any]) -> CalendarDay:
    return _change(lambda s: inst.add_day(s, scope, context.now(), values))


def remove_day(scope: inst.Scope, day: date) -> None:
    _change(lambda s: inst.remove_day(s, scope, context.now(), day))
