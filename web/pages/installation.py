"""The installation admin's pages (/quan-tri): organisations, people and roles, campaigns,
the award catalogue with its rule versions, and the working-day calendar.

Admins only (403 for anyone else); organisations and people outside the admin's subtrees
answer 404. The same checks and audit as the API (workflows/installation.py): a refused form
comes back with its field errors and nothing stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import context, json_input
from web.i18n import t
from web.pages.common import (
    bp,
    error_page,
    label,
    level_name,
    page_number,
    render,
    signed_in,
    user,
)
from web.paging import page_of
from workflows import installation as inst
from workflows import orgs
from workflows.access import MAX_ID
from workflows.models import LEVELS, SUBJECTS, VOTING_MODES, Award, Campaign, Organisation, Person
from workflows.roles import ROLES
from workflows.vocabulary import AWARD_KINDS, CALENDAR_KINDS, RULE_PARAMS, VOTE_BASES

MAX_FIELD = 10_000
PER_PAGE = 50
# Sections another page module provides: linked by path, not url_for.
OTHER_SECTIONS = (
    ("/quan-tri/quy-trinh", "inst_processes", "inst_processes_hint"),
    ("/quan-tri/phien-chay", "inst_instances", "inst_instances_hint"),
)


def _scope() -> inst.Scope | None:
    try:
        return inst.Scope.of(context.read(), user())
    except inst.Refused:
        return None


def _admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in and an admin somewhere; the scope is passed to the view."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = _scope()
        if scope is None:
            return error_page(403, t("inst_admin_required"))
        return view(scope, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return signed_in(wrapper)


def _form(*names: str) -> dict[str, str]:
    """The posted fields asked for, without NUL, stripped, bounded."""
    return {
        name: request.form[name].replace("\x00", "").strip()[:MAX_FIELD]
        for name in names
        if name in request.form
    }


def _day(value: str) -> date | str:
    """dd/mm/yyyy or yyyy-mm-dd; anything else goes on as text, for the check to refuse."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return value


def _change(
    change: Callable[[Any], Any], success: str | None = None
) -> tuple[bool, dict[str, str]]:
    """Run a change in a write transaction: (stored, field errors). A conflict or a refusal
    of the whole change is flashed; a missing thing answers 404."""
    try:
        with context.write() as session:
            change(session)
    except inst.Refused as refused:
        if refused.status == "not_found":
            abort(404)
        errors: dict[str, str] = {}
        for problem in refused.problems:
            message = t(f"inst_{problem.key}", **problem.params)
            if refused.status == "invalid" and problem.field != "_":
                errors.setdefault(problem.field, message)
            else:
                flash(message, "warning")
        return False, errors
    flash(success or t("inst_saved"), "success")
    return True, {}


@bp.app_template_global()
def admin_dates(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values with dates as a date input wants them (yyyy-mm-dd)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _levels(levels: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(level, level_name(level)) for level in levels]


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
@_admin_only
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

ORG_FIELDS = ("code", "name", "level", "parent", "voting")


def _orgs_page(scope: inst.Scope, values: dict[str, str], errors: dict[str, str]) -> Any:
    tree = inst.org_tree(context.read(), scope)
    return render(
        "admin_orgs.html",
        422 if errors else 200,
        tree=tree,
        parents=[(o.code, f"{'— ' * d}{o.name} ({level_name(o.level)})") for o, d in tree],
        top=scope.top,
        level_options=_levels(inst.ORG_LEVELS),
        voting_options=_voting(),
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/to-chuc")
@_admin_only
def admin_orgs(scope: inst.Scope) -> Any:
    return _orgs_page(scope, {"voting": "ballot"}, {})


@bp.post("/quan-tri/to-chuc")
@_admin_only
def admin_org_create(scope: inst.Scope) -> Any:
    values = _form(*ORG_FIELDS)
    stored, errors = _change(lambda s: inst.create_org(s, scope, context.now(), values))
    if stored:
        return redirect(url_for("pages.admin_orgs"))
    return _orgs_page(scope, values, errors)


@bp.route("/quan-tri/to-chuc/<code>", methods=["GET", "POST"])
@_admin_only
def admin_org(scope: inst.Scope, code: str) -> Any:
    session = context.read()
    if code not in scope.orgs or (org := session.get(Organisation, code)) is None:
        abort(404)
    values = {"name": org.name, "level": org.level, "parent": org.parent_code or ""}
    values["voting"] = org.voting
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _form("name", "level", "parent", "voting")
        stored, errors = _change(lambda s: inst.update_org(s, scope, context.now(), code, values))
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
        level_options=_levels(inst.ORG_LEVELS),
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
@_admin_only
def admin_people(scope: inst.Scope) -> Any:
    return _people_page(scope, {}, {})


@bp.post("/quan-tri/nguoi-dung")
@_admin_only
def admin_person_create(scope: inst.Scope) -> Any:
    values = _form("username", "full_name", "password", "role", "org")
    stored, errors = _change(lambda s: inst.create_person(s, scope, context.now(), values))
    if stored:
        return redirect(url_for("pages.admin_person", username=values["username"].lower()))
    values.pop("password", None)  # never sent back
    return _people_page(scope, values, errors)


@bp.route("/quan-tri/nguoi-dung/<username>", methods=["GET", "POST"])
@_admin_only
def admin_person(scope: inst.Scope, username: str) -> Any:
    session = context.read()
    try:
        found = inst.person(session, scope, username)
    except inst.Refused:
        abort(404)
    values: dict[str, Any] = {"full_name": found.full_name, "active": found.active}
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted: dict[str, Any] = _form("full_name", "password")
        posted["active"] = request.form.get("active") == "on"
        stored, errors = _change(
            lambda s: inst.update_person(s, scope, context.now(), username, posted)
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
@_admin_only
def admin_role_grant(scope: inst.Scope, username: str) -> Any:
    values = _form("role", "org")
    stored, errors = _change(
        lambda s: inst.grant_role(
            s, scope, context.now(), username, values.get("role"), values.get("org")
        )
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
@_admin_only
def admin_role_revoke(scope: inst.Scope, username: str) -> Any:
    values = _form("role", "org")
    _change(
        lambda s: inst.revoke_role(
            s, scope, context.now(), username, values.get("role", ""), values.get("org", "")
        )
    )
    return redirect(url_for("pages.admin_person", username=username))


# --- campaigns --------------------------------------------------------------------------


def _campaign_values(names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = _form(*names)
    for name in ("starts", "ends"):
        if name in values:
            values[name] = _day(values[name])
    return values


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
@_admin_only
def admin_campaigns(scope: inst.Scope) -> Any:
    return _campaigns_page({}, {})


@bp.post("/quan-tri/dot-thi-dua")
@_admin_only
def admin_campaign_create(scope: inst.Scope) -> Any:
    values = _campaign_values(("code", "name", "starts", "ends"))
    stored, errors = _change(lambda s: inst.create_campaign(s, scope, context.now(), values))
    if stored:
        return redirect(url_for("pages.admin_campaigns"))
    return _campaigns_page(values, errors)


@bp.route("/quan-tri/dot-thi-dua/<code>", methods=["GET", "POST"])
@_admin_only
def admin_campaign(scope: inst.Scope, code: str) -> Any:
    found = context.read().get(Campaign, code) if inst.clean(code) else None
    if found is None:
        abort(404)
    values: dict[str, Any] = {"name": found.name, "starts": found.starts, "ends": found.ends}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _campaign_values(("name", "starts", "ends"))
        stored, errors = _change(
            lambda s: inst.update_campaign(s, scope, context.now(), code, values)
        )
        if stored:
            return redirect(url_for("pages.admin_campaigns"))
    return render(
        "admin_campaign.html", 422 if errors else 200, code=code, values=values, errors=errors
    )


# --- awards and rules -------------------------------------------------------------------

AWARD_FIELDS = ("code", "name", "subject", "kind", "criteria")


def _awards_page(values: dict[str, str], errors: dict[str, str]) -> Any:
    session = context.read()
    today = inst.local_today(context.now())
    awards = []
    for award in session.scalars(select(Award).order_by(Award.code)):
        rules = inst.rules_of(session, award.code)
        current = [r for r in rules if r.effective_from <= today]
        awards.append((award, current[-1] if current else None, len(rules) - len(current)))
    return render(
        "admin_awards.html",
        422 if errors else 200,
        awards=awards,
        subject_options=[(s, t(f"inst_subject_{s}")) for s in SUBJECTS],
        kind_options=[(k, t(f"award_kind_{k}")) for k in AWARD_KINDS],
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/danh-hieu")
@_admin_only
def admin_awards(scope: inst.Scope) -> Any:
    return _awards_page({}, {})


@bp.post("/quan-tri/danh-hieu")
@_admin_only
def admin_award_create(scope: inst.Scope) -> Any:
    values = _form(*AWARD_FIELDS)
    stored, errors = _change(lambda s: inst.create_award(s, scope, context.now(), values))
    if stored:
        return redirect(url_for("pages.admin_award", code=values["code"]))
    return _awards_page(values, errors)


def _award_page(
    code: str,
    values: dict[str, Any],
    errors: dict[str, str],
    rule_values: dict[str, Any],
    rule_errors: dict[str, str],
) -> Any:
    session = context.read()
    award = session.get(Award, code) if inst.clean(code) else None
    if award is None:
        abort(404)
    today = inst.local_today(context.now())
    rules = inst.rules_of(session, code)
    in_force = max((r.effective_from for r in rules if r.effective_from <= today), default=None)
    shown = [
        (
            r,
            "future"
            if r.effective_from > today
            else ("in_force" if r.effective_from == in_force else "past"),
        )
        for r in reversed(rules)
    ]
    return render(
        "admin_award.html",
        422 if errors or rule_errors else 200,
        award=award,
        rules=shown,
        kind_options=[(k, t(f"award_kind_{k}")) for k in AWARD_KINDS],
        level_options=_levels(LEVELS),
        base_options=[(b, t(f"vote_base_{b}")) for b in VOTE_BASES],
        values=values or {"name": award.name, "kind": award.kind, "criteria": award.criteria},
        errors=errors,
        rule_values=rule_values,
        rule_errors=rule_errors,
    )


@bp.route("/quan-tri/danh-hieu/<code>", methods=["GET", "POST"])
@_admin_only
def admin_award(scope: inst.Scope, code: str) -> Any:
    if request.method == "POST":
        values = _form("name", "kind", "criteria")
        stored, errors = _change(lambda s: inst.update_award(s, scope, context.now(), code, values))
        if stored:
            return redirect(url_for("pages.admin_award", code=code))
        return _award_page(code, values, errors, {}, {})
    return _award_page(code, {}, {}, {}, {})


def _rule_form() -> tuple[dict[str, Any], dict[str, str]]:
    """The posted rule version: blank parameters are left out (carried over)."""
    posted = _form("effective_from", "basis", *RULE_PARAMS)
    values: dict[str, Any] = {k: v for k, v in posted.items() if v != ""}
    if "effective_from" in values:
        values["effective_from"] = _day(values["effective_from"])
    for name in ("publicity_working_days", "appraisal_sla_days", "vote_sla_days"):
        if name in values and values[name].lstrip("-").isdigit():
            values[name] = int(values[name])
    for name in ("vote_threshold", "quota_ratio"):
        if name in values:
            with contextlib.suppress(ValueError):
                values[name] = float(values[name].replace(",", "."))
    if "prerequisites" in values:
        with contextlib.suppress(ValueError):
            values["prerequisites"] = json_input.loads(values["prerequisites"])
    return values, posted


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban")
@_admin_only
def admin_rule_add(scope: inst.Scope, code: str) -> Any:
    values, posted = _rule_form()
    stored, errors = _change(lambda s: inst.add_rule(s, scope, context.now(), code, values))
    if stored:
        return redirect(url_for("pages.admin_award", code=code))
    return _award_page(code, {}, {}, posted, errors)


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban/<int:rule_id>/xoa")
@_admin_only
def admin_rule_delete(scope: inst.Scope, code: str, rule_id: int) -> Any:
    if rule_id > MAX_ID:
        abort(404)
    _change(lambda s: inst.delete_rule(s, scope, context.now(), code, rule_id))
    return redirect(url_for("pages.admin_award", code=code))


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


@bp.get("/quan-tri/lich")
@_admin_only
def admin_calendar(scope: inst.Scope) -> Any:
    return _calendar_page(_year(), {"kind": "off"}, {})


@bp.post("/quan-tri/lich")
@_admin_only
def admin_day_add(scope: inst.Scope) -> Any:
    values: dict[str, Any] = _form("day", "kind", "note")
    values["day"] = _day(values.get("day", ""))
    stored, errors = _change(lambda s: inst.add_day(s, scope, context.now(), values))
    year = values["day"].year if isinstance(values["day"], date) else _year()
    if stored:
        return redirect(url_for("pages.admin_calendar", nam=year))
    return _calendar_page(year, values, errors)


@bp.post("/quan-tri/lich/xoa")
@_admin_only
def admin_day_remove(scope: inst.Scope) -> Any:
    day = _day(_form("day").get("day", ""))
    if not isinstance(day, date):
        abort(404)
    _change(lambda s: inst.remove_day(s, scope, context.now(), day))
    return redirect(url_for("pages.admin_calendar", nam=day.year))
