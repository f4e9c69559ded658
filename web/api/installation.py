"""The installation's reference data for admins: organisations, people and roles, campaigns,
the award catalogue with its date-effective rule versions, the working-day calendar.

Every endpoint needs the `admin` role (403 otherwise). Organisations, people and roles are
managed within the subtrees where the caller holds `admin`; outside, they answer 404 as if
they did not exist (as an auditor's history does). Campaigns, awards, rules and the calendar
are installation-wide. Each change is checked whole, stored with its `admin.*` audit event in
one transaction, or refused with nothing stored (workflows/installation.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http import HTTPStatus
from typing import Any

from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from engine.errors import Conflict, NotAllowed, NotFound
from web import context
from web.api.auth import BEARER, me
from web.api.common import PageArgs, page_schema
from web.api.reference import (
    AwardEntrySchema,
    CampaignSchema,
    OrganisationSchema,
    RuleSchema,
)
from web.i18n import t
from web.paging import page_of
from web.schemas.installation import (
    AwardCreate,
    AwardUpdate,
    CalendarDaySchema,
    CampaignCreate,
    CampaignUpdate,
    GrantSchema,
    OrgCreate,
    OrgUpdate,
    PersonCreate,
    PersonUpdate,
    RuleCreate,
    text_field,
)
from web.services import installation
from workflows import installation as inst
from workflows import orgs
from workflows.models import Award, AwardRule, Campaign, Organisation, Person

blp = Blueprint(
    "installation",
    __name__,
    url_prefix="/installation",
    description="Quản trị danh mục — the installation's reference data (admins)",
)
_NOT_FOUND = HTTPStatus.NOT_FOUND.name
_CONFLICT = HTTPStatus.CONFLICT.name


@contextmanager
def _answers() -> Iterator[None]:
    """A refused change as problem+json: 422 with field errors, 409, 403 or 404."""
    try:
        yield
    except installation.Refused as refused:
        if refused.status == "invalid":
            errors: dict[str, list[str]] = {}
            for problem in refused.problems:
                errors.setdefault(problem.field, []).append(installation.message(problem))
            abort(422, messages={"json": errors})
        said = (f"inst_{refused.problems[0].key}",)
        if refused.status == "conflict":
            raise Conflict(*said, **refused.problems[0].params) from None
        if refused.status == "forbidden":
            raise NotAllowed(*said, **refused.problems[0].params) from None
        raise NotFound(*said, **refused.problems[0].params) from None


def _scope() -> inst.Scope:
    with _answers():
        return installation.scope_of(me())


# --- schemas ----------------------------------------------------------------------------


class AdminOrgSchema(OrganisationSchema):
    depth = fields.Integer(required=True, metadata={"description": "0 at a top of your scope"})


class AdminPersonSchema(Schema):
    """A person and their roles; never the password nor its hash."""

    username = fields.String(required=True)
    full_name = fields.String(required=True)
    active = fields.Boolean(required=True)
    roles = fields.List(fields.Nested(GrantSchema), required=True)


class PeopleArgs(PageArgs):
    q = text_field(100, metadata={"description": "Part of the username or the name"})


class RuleVersionSchema(RuleSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("superseded", "in_force", "future")),
        metadata={"description": "superseded, in_force (today) or future"},
    )


class CatalogueAwardSchema(AwardEntrySchema):
    rules = fields.List(fields.Nested(RuleVersionSchema), required=True)


class PublicHolidaySchema(Schema):
    day = fields.Date(required=True)
    name = fields.String(required=True)


class CalendarYearSchema(Schema):
    year = fields.Integer(required=True)
    holidays = fields.List(fields.Nested(PublicHolidaySchema), required=True)
    official_workdays = fields.List(fields.Date(), required=True)
    days = fields.List(fields.Nested(CalendarDaySchema), required=True)


def _plain(row: Any, schema: type[Schema]) -> dict[str, Any]:
    """The row's values the schema shows, read while its session is open."""
    return {name: getattr(row, name) for name in schema().fields}


# --- organisations ----------------------------------------------------------------------


def _org_view(org: Organisation, depth: int) -> dict[str, Any]:
    return {
        **{k: getattr(org, k) for k in ("code", "name", "level", "parent_code", "voting")},
        "depth": depth,
    }


def _placed_view(placed: installation.PlacedOrg) -> dict[str, Any]:
    return _org_view(placed.org, placed.depth)


@blp.get("/organizations")
@blp.response(200, AdminOrgSchema(many=True))
@blp.doc(security=BEARER)
def list_orgs() -> Any:
    """The organisations you administer, as a tree walked depth first."""
    scope = _scope()
    return [_org_view(org, depth) for org, depth in inst.org_tree(context.read(), scope)]


@blp.post("/organizations")
@blp.arguments(OrgCreate)
@blp.response(201, AdminOrgSchema)
@blp.alt_response(409, response=_CONFLICT, description="The code is taken")
@blp.doc(security=BEARER)
def create_org(body: dict[str, Any]) -> Any:
    """Add an organisation below one you administer (an admin at a top organisation may add a
    new top one, and becomes its admin)."""
    scope = _scope()
    with _answers():
        return _placed_view(installation.create_org(scope, body))


@blp.patch("/organizations/<code>")
@blp.arguments(OrgUpdate)
@blp.response(200, AdminOrgSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def update_org(body: dict[str, Any], code: str) -> Any:
    """Change an organisation's name, level, parent or voting mode. A parent that would make
    a loop, or levels out of order with the parent or the units below, are refused."""
    scope = _scope()
    with _answers():
        return _placed_view(installation.update_org(scope, code, body))


# --- people and roles -------------------------------------------------------------------


def _person_view(found: installation.PersonRoles) -> dict[str, Any]:
    return {
        "username": found.person.username,
        "full_name": found.person.full_name,
        "active": found.person.active,
        "roles": [{"role": r, "org": o} for r, o in found.roles],
    }


def _read_person(session: Any, person: Person) -> installation.PersonRoles:
    return installation.PersonRoles(person, orgs.roles_of(session, person.username))


@blp.get("/people")
@blp.arguments(PeopleArgs, location="query")
@blp.response(200, page_schema(AdminPersonSchema, "InstallationPersonPage"))
@blp.doc(security=BEARER)
def list_people(args: dict[str, Any]) -> Any:
    """People holding a role within your administration (or no role yet), by username."""
    scope = _scope()
    session = context.read()
    page = page_of(
        session, inst.people(session, scope, args.get("q") or ""), args["page"], args["per_page"]
    )
    page["items"] = [_person_view(_read_person(session, p)) for p in page["items"]]
    return page


@blp.post("/people")
@blp.arguments(PersonCreate)
@blp.response(201, AdminPersonSchema)
@blp.alt_response(409, response=_CONFLICT, description="The username is taken")
@blp.doc(security=BEARER)
def create_person(body: dict[str, Any]) -> Any:
    """Add a person with a password (stored as an Argon2 hash), optionally with a first role
    at an organisation you administer."""
    scope = _scope()
    with _answers():
        return _person_view(installation.create_person(scope, body))


@blp.get("/people/<username>")
@blp.response(200, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def get_person(username: str) -> Any:
    scope = _scope()
    session = context.read()
    with _answers():
        return _person_view(_read_person(session, inst.person(session, scope, username)))


@blp.patch("/people/<username>")
@blp.arguments(PersonUpdate)
@blp.response(200, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def update_person(body: dict[str, Any], username: str) -> Any:
    """Change a person's name, password or whether the account is active (not your own)."""
    scope = _scope()
    with _answers():
        return _person_view(installation.update_person(scope, username, body))


@blp.post("/people/<username>/roles")
@blp.arguments(GrantSchema)
@blp.response(201, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.alt_response(409, response=_CONFLICT, description="Already held")
@blp.doc(security=BEARER)
def grant_role(body: dict[str, Any], username: str) -> Any:
    """Grant a role at an organisation you administer."""
    scope = _scope()
    with _answers():
        return _person_view(installation.grant_role(scope, username, body["role"], body["org"]))


@blp.delete("/people/<username>/roles/<role>/<org>")
@blp.response(204)
@blp.alt_response(404, response=_NOT_FOUND, description="No such role within your administration")
@blp.alt_response(409, response=_CONFLICT, description="Your own last admin role")
@blp.doc(security=BEARER)
def revoke_role(username: str, role: str, org: str) -> Any:
    """Revoke a role; your own last `admin` role cannot be revoked."""
    scope = _scope()
    with _answers():
        installation.revoke_role(scope, username, role, org)
    return "", 204


# --- campaigns --------------------------------------------------------------------------


@blp.get("/campaigns")
@blp.response(200, CampaignSchema(many=True))
@blp.doc(security=BEARER)
def list_campaigns() -> Any:
    _scope()
    return context.read().scalars(select(Campaign).order_by(Campaign.starts.desc())).all()


@blp.post("/campaigns")
@blp.arguments(CampaignCreate)
@blp.response(201, CampaignSchema)
@blp.alt_response(409, response=_CONFLICT, description="The code is taken")
@blp.doc(security=BEARER)
def create_campaign(body: dict[str, Any]) -> Any:
    scope = _scope()
    with _answers():
        return _plain(installation.create_campaign(scope, body), CampaignSchema)


@blp.patch("/campaigns/<code>")
@blp.arguments(CampaignUpdate)
@blp.response(200, CampaignSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="No such campaign")
@blp.doc(security=BEARER)
def update_campaign(body: dict[str, Any], code: str) -> Any:
    scope = _scope()
    with _answers():
        return _plain(installation.update_campaign(scope, code, body), CampaignSchema)


# --- awards and rules -------------------------------------------------------------------


def _award_view(found: installation.AwardRules) -> dict[str, Any]:
    award, rules = found.award, found.rules
    today = inst.local_today(context.now())
    in_force = max((r.effective_from for r in rules if r.effective_from <= today), default=None)
    return {
        **{k: getattr(award, k) for k in AwardEntrySchema().fields},
        "rules": [_rule_view(r, in_force, today) for r in rules],
    }


def _rule_view(rule: AwardRule, in_force: date | None, today: date) -> dict[str, Any]:
    if rule.effective_from > today:
        status = "future"
    else:
        status = "in_force" if rule.effective_from == in_force else "superseded"
    names = [str(f.attribute or f.name) for f in RuleSchema().fields.values()]
    return {**{name: getattr(rule, name) for name in names}, "status": status}


@blp.get("/awards")
@blp.response(200, CatalogueAwardSchema(many=True))
@blp.doc(security=BEARER)
def list_awards() -> Any:
    """The catalogue with every rule version, oldest first, and which one is in force."""
    _scope()
    session = context.read()
    return [
        _award_view(installation.AwardRules(a, inst.rules_of(session, a.code)))
        for a in session.scalars(select(Award).order_by(Award.code))
    ]


@blp.post("/awards")
@blp.arguments(AwardCreate)
@blp.response(201, CatalogueAwardSchema)
@blp.alt_response(409, response=_CONFLICT, description="The code is taken")
@blp.doc(security=BEARER)
def create_award(body: dict[str, Any]) -> Any:
    """Add an award to the catalogue; it needs a rule version before nominations can use it."""
    scope = _scope()
    with _answers():
        return _award_view(installation.create_award(scope, body))


@blp.patch("/awards/<code>")
@blp.arguments(AwardUpdate)
@blp.response(200, CatalogueAwardSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="No such award")
@blp.doc(security=BEARER)
def update_award(body: dict[str, Any], code: str) -> Any:
    """Change an award's name, kind or criteria (its subject never changes)."""
    scope = _scope()
    with _answers():
        return _award_view(installation.update_award(scope, code, body))


@blp.post("/awards/<code>/rules")
@blp.arguments(RuleCreate)
@blp.response(201, RuleVersionSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="No such award")
@blp.alt_response(409, response=_CONFLICT, description="A version from that day exists")
@blp.doc(security=BEARER)
def add_rule(body: dict[str, Any], code: str) -> Any:
    """A new version of the award's rule parameters, effective from a day after today, with
    its legal basis. Versions in force are never edited: a later version supersedes them."""
    scope = _scope()
    with _answers():
        rule = installation.add_rule(scope, code, body)
    return _rule_view(rule, None, inst.local_today(context.now()))


@blp.delete("/awards/<code>/rules/<int(max=2147483647):rule_id>")
@blp.response(204)
@blp.alt_response(404, response=_NOT_FOUND, description="No such rule version")
@blp.alt_response(409, response=_CONFLICT, description="Already in force")
@blp.doc(security=BEARER)
def delete_rule(code: str, rule_id: int) -> Any:
    """Withdraw a rule version that has not taken effect yet."""
    scope = _scope()
    with _answers():
        installation.delete_rule(scope, code, rule_id)
    return "", 204


# --- calendar ---------------------------------------------------------------------------


@blp.get("/calendar/<int(min=2000, max=2100):year>")
@blp.response(200, CalendarYearSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="A year outside 2000–2100")
@blp.doc(security=BEARER)
def calendar(year: int) -> Any:
    """A year's public holidays, the official make-up weekend days and the admin's
    exceptions (extra days off, make-up working days)."""
    _scope()
    found = inst.calendar_year(context.read(), year)
    return {
        "year": year,
        "holidays": [{"day": d, "name": n or t("inst_kind_off")} for d, n in found.holidays],
        "official_workdays": found.official_workdays,
        "days": found.days,
    }


@blp.post("/calendar/days")
@blp.arguments(CalendarDaySchema)
@blp.response(201, CalendarDaySchema)
@blp.alt_response(409, response=_CONFLICT, description="That day is already an exception")
@blp.doc(security=BEARER)
def add_day(body: dict[str, Any]) -> Any:
    """Add an extra day off or a make-up working day (today or later)."""
    scope = _scope()
    with _answers():
        return _plain(installation.add_day(scope, body), CalendarDaySchema)


@blp.delete("/calendar/days/<day>")
@blp.response(204)
@blp.alt_response(404, response=_NOT_FOUND, description="Not an exception")
@blp.doc(security=BEARER)
def remove_day(day: str) -> Any:
    """Remove an exception (YYYY-MM-DD), today or later."""
    scope = _scope()
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise NotFound("inst_day_not_found", day=day[:20]) from None
    with _answers():
        installation.remove_day(scope, parsed)
    return "", 204
