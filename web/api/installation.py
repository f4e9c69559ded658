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
from marshmallow import Schema, ValidationError, fields, validate
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
from web.i18n import lazy_t, t
from web.paging import page_of
from workflows import installation as inst
from workflows import orgs
from workflows.models import (
    LEVELS,
    SUBJECTS,
    VOTING_MODES,
    Award,
    AwardRule,
    Campaign,
    Organisation,
    Person,
)
from workflows.roles import ROLES
from workflows.vocabulary import (
    AWARD_CODE_MOST,
    AWARD_KINDS,
    CALENDAR_KINDS,
    CAMPAIGN_CODE_MOST,
    CODE,
    ORG_CODE_MOST,
    VOTE_BASES,
)

blp = Blueprint(
    "installation",
    __name__,
    url_prefix="/installation",
    description="Quản trị danh mục — the installation's reference data (admins)",
)
_NOT_FOUND = HTTPStatus.NOT_FOUND.name
_CONFLICT = HTTPStatus.CONFLICT.name


def message(problem: inst.Problem) -> str:
    """A refusal in the reader's language."""
    return t(f"inst_{problem.key}", **problem.params)


@contextmanager
def _answers() -> Iterator[None]:
    """A refused change as problem+json: 422 with field errors, 409, 403 or 404."""
    try:
        yield
    except inst.Refused as refused:
        if refused.status == "invalid":
            errors: dict[str, list[str]] = {}
            for problem in refused.problems:
                errors.setdefault(problem.field, []).append(message(problem))
            abort(422, messages={"json": errors})
        said = (f"inst_{refused.problems[0].key}",)
        if refused.status == "conflict":
            raise Conflict(*said, **refused.problems[0].params) from None
        if refused.status == "forbidden":
            raise NotAllowed(*said, **refused.problems[0].params) from None
        raise NotFound(*said, **refused.problems[0].params) from None


def _scope() -> inst.Scope:
    with _answers():
        return inst.Scope.of(context.read(), me())


def _no_control(value: str) -> None:
    if value and not inst.clean(value.replace("\n", " ").replace("\t", " "), most=len(value)):
        raise ValidationError(t("inst_text_invalid"))


def _text(most: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=most), _no_control], **kwargs)


def _code(most: int, **kwargs: Any) -> fields.String:
    return fields.String(
        validate=[
            validate.Length(min=1, max=most),
            validate.Regexp(CODE, error=lazy_t("inst_code_invalid", most=most)),
        ],
        **kwargs,
    )


def _day(**kwargs: Any) -> fields.Date:
    def in_range(value: date) -> None:
        if not inst.YEAR_RANGE[0] <= value.year <= inst.YEAR_RANGE[1]:
            raise ValidationError(t("inst_date_invalid"))

    return fields.Date(validate=in_range, **kwargs)


# --- schemas ----------------------------------------------------------------------------


class OrgCreate(Schema):
    code = _code(ORG_CODE_MOST, required=True)
    name = _text(300, required=True)
    level = fields.String(required=True, validate=validate.OneOf(inst.ORG_LEVELS))
    parent = _text(50, allow_none=True, metadata={"description": "None: a new top organisation"})
    voting = fields.String(load_default="ballot", validate=validate.OneOf(VOTING_MODES))


class OrgUpdate(Schema):
    name = _text(300)
    level = fields.String(validate=validate.OneOf(inst.ORG_LEVELS))
    parent = _text(50, allow_none=True)
    voting = fields.String(validate=validate.OneOf(VOTING_MODES))


class AdminOrgSchema(OrganisationSchema):
    depth = fields.Integer(required=True, metadata={"description": "0 at a top of your scope"})


class GrantSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(list(ROLES)))
    org = _text(50, required=True)


class PersonCreate(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    full_name = _text(200, required=True)
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    role = fields.String(validate=validate.OneOf(list(ROLES)))
    org = _text(50)


class PersonUpdate(Schema):
    full_name = _text(200)
    password = fields.String(validate=validate.Length(min=8, max=200))
    active = fields.Boolean()


class AdminPersonSchema(Schema):
    """A person and their roles; never the password nor its hash."""

    username = fields.String(required=True)
    full_name = fields.String(required=True)
    active = fields.Boolean(required=True)
    roles = fields.List(fields.Nested(GrantSchema), required=True)


class PeopleArgs(PageArgs):
    q = _text(100, metadata={"description": "Part of the username or the name"})


class CampaignCreate(Schema):
    code = _code(CAMPAIGN_CODE_MOST, required=True)
    name = _text(300, required=True)
    starts = _day(required=True)
    ends = _day(required=True)


class CampaignUpdate(Schema):
    name = _text(300)
    starts = _day()
    ends = _day()


class Prerequisite(Schema):
    award = _code(AWARD_CODE_MOST, required=True)
    consecutive_years = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    count = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    within_years = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))


class RuleCreate(Schema):
    """Parameters left out are carried over from the version in force the day before."""

    effective_from = _day(required=True, metadata={"description": "After today"})
    basis = _text(5000, required=True, metadata={"description": "The legal basis"})
    deciding_level = fields.String(validate=validate.OneOf(LEVELS))
    vote_threshold = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False))
    vote_base = fields.String(validate=validate.OneOf(VOTE_BASES))
    publicity_working_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=60))
    appraisal_sla_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=365))
    vote_sla_days = fields.Integer(strict=True, validate=validate.Range(min=1, max=365))
    quota_ratio = fields.Float(
        allow_none=True, validate=validate.Range(min=0, max=1, min_inclusive=False)
    )
    prerequisites = fields.List(fields.Nested(Prerequisite), validate=validate.Length(max=20))


class RuleVersionSchema(RuleSchema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(("superseded", "in_force", "future")),
        metadata={"description": "superseded, in_force (today) or future"},
    )


class AwardCreate(Schema):
    code = _code(AWARD_CODE_MOST, required=True)
    name = _text(300, required=True)
    subject = fields.String(required=True, validate=validate.OneOf(SUBJECTS))
    kind = fields.String(required=True, validate=validate.OneOf(AWARD_KINDS))
    criteria = _text(10_000, load_default="")


class AwardUpdate(Schema):
    name = _text(300)
    kind = fields.String(validate=validate.OneOf(AWARD_KINDS))
    criteria = _text(10_000)


class CatalogueAwardSchema(AwardEntrySchema):
    rules = fields.List(fields.Nested(RuleVersionSchema), required=True)


class CalendarDaySchema(Schema):
    day = _day(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(CALENDAR_KINDS),
        metadata={"description": "off: an extra day off; work: a make-up working day"},
    )
    note = _text(300, load_default="")


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


@blp.get("/organizations")
@blp.response(200, AdminOrgSchema(many=True))
@blp.doc(security=BEARER)
def list_orgs() -> Any:
    """The organisations you administer, as a tree walked depth first."""
    scope = _scope()
    return [_org_view(org, depth) for org, depth in inst.org_tree(context.read(), scope)]


def _depth(session: Any, scope: inst.Scope, code: str) -> int:
    return sum(1 for c in orgs.ancestors(session, code)[1:] if c in scope.orgs)


@blp.post("/organizations")
@blp.arguments(OrgCreate)
@blp.response(201, AdminOrgSchema)
@blp.alt_response(409, response=_CONFLICT, description="The code is taken")
@blp.doc(security=BEARER)
def create_org(body: dict[str, Any]) -> Any:
    """Add an organisation below one you administer (an admin at a top organisation may add a
    new top one, and becomes its admin)."""
    scope = _scope()
    with _answers(), context.write() as session:
        org = inst.create_org(session, scope, context.now(), body)
        return _org_view(org, _depth(session, scope, org.code))


@blp.patch("/organizations/<code>")
@blp.arguments(OrgUpdate)
@blp.response(200, AdminOrgSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def update_org(body: dict[str, Any], code: str) -> Any:
    """Change an organisation's name, level, parent or voting mode. A parent that would make
    a loop, or levels out of order with the parent or the units below, are refused."""
    scope = _scope()
    with _answers(), context.write() as session:
        org = inst.update_org(session, scope, context.now(), code, body)
        return _org_view(org, _depth(session, scope, code))


# --- people and roles -------------------------------------------------------------------


def _person_view(session: Any, person: Person) -> dict[str, Any]:
    return {
        "username": person.username,
        "full_name": person.full_name,
        "active": person.active,
        "roles": [{"role": r, "org": o} for r, o in orgs.roles_of(session, person.username)],
    }


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
    page["items"] = [_person_view(session, p) for p in page["items"]]
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
    with _answers(), context.write() as session:
        return _person_view(session, inst.create_person(session, scope, context.now(), body))


@blp.get("/people/<username>")
@blp.response(200, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def get_person(username: str) -> Any:
    scope = _scope()
    session = context.read()
    with _answers():
        return _person_view(session, inst.person(session, scope, username))


@blp.patch("/people/<username>")
@blp.arguments(PersonUpdate)
@blp.response(200, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.doc(security=BEARER)
def update_person(body: dict[str, Any], username: str) -> Any:
    """Change a person's name, password or whether the account is active (not your own)."""
    scope = _scope()
    with _answers(), context.write() as session:
        return _person_view(
            session, inst.update_person(session, scope, context.now(), username, body)
        )


@blp.post("/people/<username>/roles")
@blp.arguments(GrantSchema)
@blp.response(201, AdminPersonSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="Not within your administration")
@blp.alt_response(409, response=_CONFLICT, description="Already held")
@blp.doc(security=BEARER)
def grant_role(body: dict[str, Any], username: str) -> Any:
    """Grant a role at an organisation you administer."""
    scope = _scope()
    with _answers(), context.write() as session:
        inst.grant_role(session, scope, context.now(), username, body["role"], body["org"])
        found = session.get(Person, username)
        assert found is not None
        return _person_view(session, found)


@blp.delete("/people/<username>/roles/<role>/<org>")
@blp.response(204)
@blp.alt_response(404, response=_NOT_FOUND, description="No such role within your administration")
@blp.alt_response(409, response=_CONFLICT, description="Your own last admin role")
@blp.doc(security=BEARER)
def revoke_role(username: str, role: str, org: str) -> Any:
    """Revoke a role; your own last `admin` role cannot be revoked."""
    scope = _scope()
    with _answers(), context.write() as session:
        inst.revoke_role(session, scope, context.now(), username, role, org)
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
    with _answers(), context.write() as session:
        found = inst.create_campaign(session, scope, context.now(), body)
        return _plain(found, CampaignSchema)


@blp.patch("/campaigns/<code>")
@blp.arguments(CampaignUpdate)
@blp.response(200, CampaignSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="No such campaign")
@blp.doc(security=BEARER)
def update_campaign(body: dict[str, Any], code: str) -> Any:
    scope = _scope()
    with _answers(), context.write() as session:
        return _plain(
            inst.update_campaign(session, scope, context.now(), code, body), CampaignSchema
        )


# --- awards and rules -------------------------------------------------------------------


def _award_view(session: Any, award: Award) -> dict[str, Any]:
    today = inst.local_today(context.now())
    rules = inst.rules_of(session, award.code)
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
    return [_award_view(session, a) for a in session.scalars(select(Award).order_by(Award.code))]


@blp.post("/awards")
@blp.arguments(AwardCreate)
@blp.response(201, CatalogueAwardSchema)
@blp.alt_response(409, response=_CONFLICT, description="The code is taken")
@blp.doc(security=BEARER)
def create_award(body: dict[str, Any]) -> Any:
    """Add an award to the catalogue; it needs a rule version before nominations can use it."""
    scope = _scope()
    with _answers(), context.write() as session:
        return _award_view(session, inst.create_award(session, scope, context.now(), body))


@blp.patch("/awards/<code>")
@blp.arguments(AwardUpdate)
@blp.response(200, CatalogueAwardSchema)
@blp.alt_response(404, response=_NOT_FOUND, description="No such award")
@blp.doc(security=BEARER)
def update_award(body: dict[str, Any], code: str) -> Any:
    """Change an award's name, kind or criteria (its subject never changes)."""
    scope = _scope()
    with _answers(), context.write() as session:
        return _award_view(session, inst.update_award(session, scope, context.now(), code, body))


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
    with _answers(), context.write() as session:
        rule = inst.add_rule(session, scope, context.now(), code, body)
        return _rule_view(rule, None, inst.local_today(context.now()))


@blp.delete("/awards/<code>/rules/<int(max=2147483647):rule_id>")
@blp.response(204)
@blp.alt_response(404, response=_NOT_FOUND, description="No such rule version")
@blp.alt_response(409, response=_CONFLICT, description="Already in force")
@blp.doc(security=BEARER)
def delete_rule(code: str, rule_id: int) -> Any:
    """Withdraw a rule version that has not taken effect yet."""
    scope = _scope()
    with _answers(), context.write() as session:
        inst.delete_rule(session, scope, context.now(), code, rule_id)
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
    with _answers(), context.write() as session:
        return _plain(inst.add_day(session, scope, context.now(), body), CalendarDaySchema)


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
    with _answers(), context.write() as session:
        inst.remove_day(session, scope, context.now(), parsed)
    return "", 204
