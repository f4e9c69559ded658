"""The installation admin's pages (/quan-tri): organisations, people and roles, campaigns
and the working-day calendar (the award catalogue is in admin_awards.py).

Admins only (403 for anyone else); organisations and people outside the admin's subtrees
answer 404. The same checks and audit as the API (workflows/installation.py): a refused form
comes back with its field errors and nothing stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import context
from web.i18n import t
from web.pages.admin_forms import admin_only, change, form_values, level_options, store
from web.pages.common import bp, label, level_name, page_number, render
from web.paging import page_of
from web.schemas import forms
from web.schemas.installation import (
    CalendarDaySchema,
    CampaignCreate,
    CampaignUpdate,
    GrantSchema,
    OrgCreate,
    OrgUpdate,
    PersonCreate,
    PersonUpdate,
)
from web.services import installation
from workflows import installation as inst
from workflows import orgs
from workflows.models import VOTING_MODES, Campaign, Organisation, Person
from workflows.roles import ROLES
from workflows.vocabulary import CALENDAR_KINDS

PER_PAGE = 50
# Sections another page module provides: linked by path, not url_for.
OTHER_SECTIONS = (
    ("/quan-tri/quy-trinh", "inst_processes", "inst_processes_hint"),
    ("/quan-tri/phien-chay", "inst_instances", "inst_instances_hint"),
)


def _voting() -> list[tuple[str, str]]:
    return [(mode, t(f"inst_voting_{mode}")) for mode in VOTING_MODES]


def _options(pairs: Mapping[str, str] | list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(pairs.items()) if isinstance(pairs, Mapping) else pairs


# --- index ------------------------------------------------------------------------------


def _org_names(session: Session) -> dict[str, str]:
    return {
        code: name for code, name in session.execute(select(Organisation.code, Organisation.name))
    }


@bp.get("/quan-tri")
@admin_only
def admin_index(scope: inst.Scope) -> Any:
    session = context.read()
    names = _org_names(session)
    held = sorted(scope.who.orgs("admin"))
    recent = [
        {
            "at": e.at,
            "actor": e.actor,
            "action": label("audit_action", e.action),
            "data": e.data,
        }
        for e in inst.recent_events(session, scope.who)
    ]
    return render(
        "admin_index.html",
        scope_names=", ".join(names.get(c, c) for c in held),
        other_sections=OTHER_SECTIONS,
        recent=recent,
    )


# --- organisations ----------------------------------------------------------------------


def _orgs_page(scope: inst.Scope, values: dict[str, str], errors: dict[str, str]) -> Any:
    tree = inst.org_tree(context.read(), scope)
    return render(
        "admin_orgs.html",
        422 if errors else 200,
        tree=tree,
        parents=[(o.code, f"{'— ' * d}{o.name} ({level_name(o.level)})") for o, d in tree],
        top=scope.top,
        level_options=level_options(inst.ORG_LEVELS),
        voting_options=_voting(),
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/to-chuc")
@admin_only
def admin_orgs(scope: inst.Scope) -> Any:
    return _orgs_page(scope, {"voting": "ballot"}, {})


@bp.post("/quan-tri/to-chuc")
@admin_only
def admin_org_create(scope: inst.Scope) -> Any:
    values = form_values(OrgCreate())
    stored, errors = store(OrgCreate(), values, lambda v: installation.create_org(scope, v))
    if stored:
        return redirect(url_for("pages.admin_orgs"))
    return _orgs_page(scope, values, errors)


@bp.route("/quan-tri/to-chuc/<code>", methods=["GET", "POST"])
@admin_only
def admin_org(scope: inst.Scope, code: str) -> Any:
    session = context.read()
    if code not in scope.orgs or (org := session.get(Organisation, code)) is None:
        abort(404)
    values = {"name": org.name, "level": org.level, "parent": org.parent_code or ""}
    values["voting"] = org.voting
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = form_values(OrgUpdate())
        stored, errors = store(
            OrgUpdate(), values, lambda v: installation.update_org(scope, code, v)
        )
        if stored:
            return redirect(url_for("pages.admin_org", code=code))
    below = orgs.subtree(session, code)
    parents = [
        (o.code, f"{'— ' * d}{o.name} ({level_name(o.level)})")
        for o, d in inst.org_tree(session, scope)
        if o.code not in below
    ]
    return render(
        "admin_org.html",
        422 if errors else 200,
        org=org,
        parents=parents,
        top=scope.top or org.parent_code is None,
        level_options=level_options(inst.ORG_LEVELS),
        voting_options=_voting(),
        values=values,
        errors=errors,
    )


# --- people -----------------------------------------------------------------------------


def _role_orgs(scope: inst.Scope) -> list[tuple[str, str]]:
    return [(o.code, f"{'— ' * d}{o.name}") for o, d in inst.org_tree(context.read(), scope)]


def _people_page(scope: inst.Scope, values: dict[str, str], errors: dict[str, str]) -> Any:
    session = context.read()
    query = request.args.get("q", "").replace("\x00", "").strip()[:100]
    page = page_of(session, inst.people(session, scope, query), page_number(), PER_PAGE)
    return render(
        "admin_people.html",
        422 if errors else 200,
        page=page,
        roles_of={p.username: orgs.roles_of(session, p.username) for p in page["items"]},
        q=query,
        roles=[(role, t(f"role_{role}")) for role in ROLES],
        role_orgs=_role_orgs(scope),
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/nguoi-dung")
@admin_only
def admin_people(scope: inst.Scope) -> Any:
    return _people_page(scope, {}, {})


@bp.post("/quan-tri/nguoi-dung")
@admin_only
def admin_person_create(scope: inst.Scope) -> Any:
    values = form_values(PersonCreate())
    stored, errors = store(
        PersonCreate(),
        values,
        lambda v: installation.create_person(scope, v),
        blank_is_absent=("role", "org"),  # no first role
    )
    if stored:
        return redirect(url_for("pages.admin_person", username=values["username"].lower()))
    values.pop("password", None)  # never sent back
    return _people_page(scope, values, errors)


@bp.route("/quan-tri/nguoi-dung/<username>", methods=["GET", "POST"])
@admin_only
def admin_person(scope: inst.Scope, username: str) -> Any:
    session = context.read()
    try:
        found = inst.person(session, scope, username)
    except inst.Refused:
        abort(404)
    values: dict[str, Any] = {"full_name": found.full_name, "active": found.active}
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted: dict[str, Any] = form_values(PersonUpdate())
        posted["active"] = request.form.get("active") == "on"  # a checkbox sends only "on"
        stored, errors = store(
            PersonUpdate(),
            posted,
            lambda v: installation.update_person(scope, username, v),
            blank_is_absent=("password",),  # not changed
        )
        if stored:
            return redirect(url_for("pages.admin_person", username=username))
        values = {**posted, "password": ""}
    return _person_page(scope, username, values, errors)


def _person_page(
    scope: inst.Scope, username: str, values: dict[str, Any], errors: dict[str, str]
) -> Any:
    session = context.read()
    names = _org_names(session)
    return render(
        "admin_person.html",
        422 if errors else 200,
        username=username,
        held=[
            (r, o, names.get(o, o), o in scope.orgs) for r, o in orgs.roles_of(session, username)
        ],
        roles=[(role, t(f"role_{role}")) for role in ROLES],
        role_orgs=_role_orgs(scope),
        values=values,
        errors=errors,
    )


@bp.post("/quan-tri/nguoi-dung/<username>/vai-tro")
@admin_only
def admin_role_grant(scope: inst.Scope, username: str) -> Any:
    values = form_values(GrantSchema())
    stored, errors = store(
        GrantSchema(),
        values,
        lambda v: installation.grant_role(scope, username, v["role"], v["org"]),
    )
    if stored:
        return redirect(url_for("pages.admin_person", username=username))
    session = context.read()
    found = session.get(Person, username)
    current = {
        "full_name": found.full_name if found else "",
        "active": bool(found and found.active),
    }
    return _person_page(scope, username, {**current, **values}, errors)


@bp.post("/quan-tri/nguoi-dung/<username>/thu-hoi")
@admin_only
def admin_role_revoke(scope: inst.Scope, username: str) -> Any:
    # The role and organisation of a row of held roles, as the API's path names them.
    values = forms.posted(request.form, ("role", "org"))
    change(
        lambda: installation.revoke_role(
            scope, username, values.get("role", ""), values.get("org", "")
        )
    )
    return redirect(url_for("pages.admin_person", username=username))


# --- campaigns --------------------------------------------------------------------------


def _campaigns_page(values: dict[str, Any], errors: dict[str, str]) -> Any:
    session = context.read()
    return render(
        "admin_campaigns.html",
        422 if errors else 200,
        campaigns=session.scalars(select(Campaign).order_by(Campaign.starts.desc())).all(),
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/dot-thi-dua")
@admin_only
def admin_campaigns(scope: inst.Scope) -> Any:
    return _campaigns_page({}, {})


@bp.post("/quan-tri/dot-thi-dua")
@admin_only
def admin_campaign_create(scope: inst.Scope) -> Any:
    values = form_values(CampaignCreate())
    stored, errors = store(
        CampaignCreate(), values, lambda v: installation.create_campaign(scope, v)
    )
    if stored:
        return redirect(url_for("pages.admin_campaigns"))
    return _campaigns_page(values, errors)


@bp.route("/quan-tri/dot-thi-dua/<code>", methods=["GET", "POST"])
@admin_only
def admin_campaign(scope: inst.Scope, code: str) -> Any:
    found = context.read().get(Campaign, code) if inst.clean(code) else None
    if found is None:
        abort(404)
    values: dict[str, Any] = {"name": found.name, "starts": found.starts, "ends": found.ends}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = form_values(CampaignUpdate())
        stored, errors = store(
            CampaignUpdate(), values, lambda v: installation.update_campaign(scope, code, v)
        )
        if stored:
            return redirect(url_for("pages.admin_campaigns"))
    return render(
        "admin_campaign.html", 422 if errors else 200, code=code, values=values, errors=errors
    )


# --- calendar ---------------------------------------------------------------------------


def _calendar_page(year: int, values: dict[str, Any], errors: dict[str, str]) -> Any:
    found = inst.calendar_year(context.read(), year)
    return render(
        "admin_calendar.html",
        422 if errors else 200,
        cal=found,
        kind_options=[(k, t(f"inst_kind_{k}")) for k in CALENDAR_KINDS],
        values=values,
        errors=errors,
    )


def _year() -> int:
    value = request.values.get("nam", "")
    low, high = inst.YEAR_RANGE
    if value.isdigit() and low <= int(value) <= high:
        return int(value)
    return inst.local_today(context.now()).year


def _posted_day(values: Mapping[str, str]) -> date | None:
    """The posted day, if it is one (its year is the calendar shown)."""
    try:
        loaded = forms.load(CalendarDaySchema(only=("day",)), values)
    except ValidationError:
        return None
    found: date = loaded["day"]
    return found


@bp.get("/quan-tri/lich")
@admin_only
def admin_calendar(scope: inst.Scope) -> Any:
    return _calendar_page(_year(), {"kind": "off"}, {})


@bp.post("/quan-tri/lich")
@admin_only
def admin_day_add(scope: inst.Scope) -> Any:
    values = form_values(CalendarDaySchema())
    stored, errors = store(CalendarDaySchema(), values, lambda v: installation.add_day(scope, v))
    day = _posted_day(values)
    year = day.year if day else _year()
    if stored:
        return redirect(url_for("pages.admin_calendar", nam=year))
    return _calendar_page(year, values, errors)


@bp.post("/quan-tri/lich/xoa")
@admin_only
def admin_day_remove(scope: inst.Scope) -> Any:
    day = _posted_day(form_values(CalendarDaySchema()))
    if day is None:
        abort(404)
    change(lambda: installation.remove_day(scope, day))
    return redirect(url_for("pages.admin_calendar", nam=day.year))
