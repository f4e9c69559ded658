"""The installation admin's pages (/quan-tri): organisations, people and roles, campaigns,
the award catalogue with its rule versions, and the working-day calendar.

Admins only (403 for anyone else); organisations and people outside the admin's subtrees
answer 404. The same checks and audit as the API (workflows/installation.py): a refused form
comes back with its field errors and nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from itertools import zip_longest
from typing import Any

from flask import abort, flash, redirect, request, url_for
from marshmallow import Schema, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from web import context
from web.i18n import language, t
from web.names import names
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
from web.schemas import forms
from web.schemas.installation import (
    PREREQUISITE_KINDS,
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
    PrerequisiteRow,
    RuleForm,
)
from web.services import installation
from workflows import installation as inst
from workflows import orgs
from workflows.access import MAX_ID
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
from workflows.vocabulary import AWARD_KINDS, CALENDAR_KINDS, RULE_PARAMS, VOTE_BASES

PER_PAGE = 50
BLANK_PREREQUISITE_ROWS = 3  # rows offered for new prerequisites below the existing ones
# Sections another page module provides: linked by path, not url_for.
OTHER_SECTIONS = (
    ("/quan-tri/quy-trinh", "inst_processes", "inst_processes_hint"),
    ("/quan-tri/phien-chay", "inst_instances", "inst_instances_hint"),
)


def _scope() -> inst.Scope | None:
    try:
        return installation.scope_of(user())
    except installation.Refused:
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


def _form(schema: Schema) -> dict[str, str]:
    """The posted fields the schema reads, as typed (tidied): what a refused form shows."""
    return forms.posted(request.form, schema.fields)


def _store(
    schema: Schema,
    values: Mapping[str, Any],
    change: Callable[[dict[str, Any]], object],
    *,
    blank_is_absent: Collection[str] = (),
) -> tuple[bool, dict[str, str]]:
    """`values` loaded through `schema` (the API's input rules), then `change` (a service)
    run with them: (stored, field errors)."""
    try:
        loaded = forms.load(schema, values, blank_is_absent=blank_is_absent)
    except ValidationError as error:
        return False, forms.field_errors(error)
    return _change(lambda: change(loaded))


def _change(change: Callable[[], object]) -> tuple[bool, dict[str, str]]:
    """Run a service's change: (stored, field errors). A conflict or a refusal of the whole
    change is flashed; a missing thing answers 404."""
    try:
        change()
    except installation.Refused as refused:
        if refused.status == "not_found":
            abort(404)
        errors: dict[str, str] = {}
        for problem in refused.problems:
            message = installation.message(problem)
            if refused.status == "invalid" and problem.field != "_":
                errors.setdefault(problem.field, message)
            else:
                flash(message, "warning")
        return False, errors
    flash(t("inst_saved"), "success")
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
    values = _form(OrgCreate())
    stored, errors = _store(OrgCreate(), values, lambda v: installation.create_org(scope, v))
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
        values = _form(OrgUpdate())
        stored, errors = _store(
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
    values = _form(PersonCreate())
    stored, errors = _store(
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
        posted: dict[str, Any] = _form(PersonUpdate())
        posted["active"] = request.form.get("active") == "on"  # a checkbox sends only "on"
        stored, errors = _store(
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
@_admin_only
def admin_role_grant(scope: inst.Scope, username: str) -> Any:
    values = _form(GrantSchema())
    stored, errors = _store(
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
@_admin_only
def admin_role_revoke(scope: inst.Scope, username: str) -> Any:
    # The role and organisation of a row of held roles, as the API's path names them.
    values = forms.posted(request.form, ("role", "org"))
    _change(
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
@_admin_only
def admin_campaigns(scope: inst.Scope) -> Any:
    return _campaigns_page({}, {})


@bp.post("/quan-tri/dot-thi-dua")
@_admin_only
def admin_campaign_create(scope: inst.Scope) -> Any:
    values = _form(CampaignCreate())
    stored, errors = _store(
        CampaignCreate(), values, lambda v: installation.create_campaign(scope, v)
    )
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
        values = _form(CampaignUpdate())
        stored, errors = _store(
            CampaignUpdate(), values, lambda v: installation.update_campaign(scope, code, v)
        )
        if stored:
            return redirect(url_for("pages.admin_campaigns"))
    return render(
        "admin_campaign.html", 422 if errors else 200, code=code, values=values, errors=errors
    )


# --- awards and rules -------------------------------------------------------------------


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
    values = _form(AwardCreate())
    stored, errors = _store(AwardCreate(), values, lambda v: installation.create_award(scope, v))
    if stored:
        return redirect(url_for("pages.admin_award", code=values["code"]))
    return _awards_page(values, errors)


def percent(ratio: float) -> str:
    """A share as people read it: 0.5 → "50 %", 0.625 → "62,5 %" (in Vietnamese)."""
    number = f"{ratio * 100:.4g}"
    return f"{number.replace('.', ',') if language() == 'vi' else number} %"


def _prerequisite_words(item: Mapping[str, Any]) -> str:
    award = names().award(str(item.get("award", "")))
    if "consecutive_years" in item:
        return t("inst_prerequisite_consecutive", award=award, count=item["consecutive_years"])
    if "within_years" in item:
        return t(
            "inst_prerequisite_count_within",
            award=award,
            count=item.get("count", 1),
            within=item["within_years"],
        )
    return t("inst_prerequisite_count", award=award, count=item.get("count", 1))


def rule_words(rule: AwardRule) -> list[str]:
    """A rule version's parameters as sentences: levels, bases and awards by their names,
    ratios as percentages."""
    words = [
        t("inst_rule_deciding", level=level_name(rule.deciding_level)),
        t(
            "inst_rule_vote",
            percent=percent(rule.vote_threshold),
            base=t(f"vote_base_{rule.vote_base}"),
        ),
        t("inst_rule_publicity", count=rule.publicity_working_days),
        t("inst_rule_appraisal", count=rule.appraisal_sla_days),
        t("inst_rule_voting", count=rule.vote_sla_days),
        t("inst_rule_quota", percent=percent(rule.quota_ratio))
        if rule.quota_ratio is not None
        else t("inst_rule_no_quota"),
    ]
    prerequisites = [_prerequisite_words(item) for item in rule.prerequisite_list]
    if prerequisites:
        words.append(t("inst_rule_prerequisites", list="; ".join(prerequisites)))
    return words


def _rows_of(rule: AwardRule | None) -> list[dict[str, Any]]:
    """A rule's prerequisites as the rows of the page's table."""
    rows = []
    for item in rule.prerequisite_list if rule else []:
        kind = "consecutive_years" if "consecutive_years" in item else "count"
        row = {"award": item.get("award", ""), "kind": kind, "number": item.get(kind, "")}
        rows.append({**row, "within_years": item.get("within_years", "")})
    return rows


def _award_page(
    code: str,
    values: dict[str, Any],
    errors: dict[str, str],
    rule_values: dict[str, Any] | None,
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
            rule_words(r),
        )
        for r in reversed(rules)
    ]
    if rule_values is None:  # a new version starts from the latest one's prerequisites
        rule_values = {"prerequisites": _rows_of(rules[-1] if rules else None)}
    rows = [*rule_values.get("prerequisites", []), *[{}] * BLANK_PREREQUISITE_ROWS]
    return render(
        "admin_award.html",
        422 if errors or rule_errors else 200,
        award=award,
        rules=shown,
        kind_options=[(k, t(f"award_kind_{k}")) for k in AWARD_KINDS],
        level_options=_levels(LEVELS),
        base_options=[(b, t(f"vote_base_{b}")) for b in VOTE_BASES],
        award_options=[
            (a.code, a.name)
            for a in session.scalars(select(Award).order_by(Award.name))
            if a.code != code
        ],
        prerequisite_kinds=[(k, t(f"inst_prerequisite_kind_{k}")) for k in PREREQUISITE_KINDS],
        values=values or {"name": award.name, "kind": award.kind, "criteria": award.criteria},
        errors=errors,
        rule_values=rule_values,
        rule_errors=rule_errors,
        prerequisite_rows=rows,
    )


@bp.route("/quan-tri/danh-hieu/<code>", methods=["GET", "POST"])
@_admin_only
def admin_award(scope: inst.Scope, code: str) -> Any:
    if request.method == "POST":
        values = _form(AwardUpdate())
        stored, errors = _store(
            AwardUpdate(), values, lambda v: installation.update_award(scope, code, v)
        )
        if stored:
            return redirect(url_for("pages.admin_award", code=code))
        return _award_page(code, values, errors, None, {})
    return _award_page(code, {}, {}, None, {})


def _prerequisite_rows() -> list[dict[str, str]] | None:
    """The rows of the posted prerequisites table that say something, in order, blank cells
    left out; None when no table was posted (the prerequisites are kept as before)."""
    if "prerequisite_award" not in request.form:
        return None
    columns = [
        [forms.tidy(v) for v in request.form.getlist(f"prerequisite_{name}")]
        for name in PrerequisiteRow().fields
    ]
    rows = []
    for cells in zip_longest(*columns, fillvalue=""):
        row = {k: v for k, v in zip(PrerequisiteRow().fields, cells, strict=True) if v}
        if set(row) - {"kind"}:  # the kind is a select: it always says something
            rows.append(row)
    return rows


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban")
@_admin_only
def admin_rule_add(scope: inst.Scope, code: str) -> Any:
    values: dict[str, Any] = _form(RuleForm())
    rows = _prerequisite_rows()
    if rows is not None:
        values["prerequisites"] = rows
    stored, errors = _store(
        RuleForm(),
        values,
        lambda v: installation.add_rule(scope, code, v),
        blank_is_absent=RULE_PARAMS,  # carried over from the version before
    )
    if stored:
        return redirect(url_for("pages.admin_award", code=code))
    return _award_page(code, {}, {}, values, errors)


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban/<int:rule_id>/xoa")
@_admin_only
def admin_rule_delete(scope: inst.Scope, code: str, rule_id: int) -> Any:
    if rule_id > MAX_ID:
        abort(404)
    _change(lambda: installation.delete_rule(scope, code, rule_id))
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


def _posted_day(values: Mapping[str, str]) -> date | None:
    """The posted day, if it is one (its year is the calendar shown)."""
    try:
        loaded = forms.load(CalendarDaySchema(only=("day",)), values)
    except ValidationError:
        return None
    found: date = loaded["day"]
    return found


@bp.get("/quan-tri/lich")
@_admin_only
def admin_calendar(scope: inst.Scope) -> Any:
    return _calendar_page(_year(), {"kind": "off"}, {})


@bp.post("/quan-tri/lich")
@_admin_only
def admin_day_add(scope: inst.Scope) -> Any:
    values = _form(CalendarDaySchema())
    stored, errors = _store(CalendarDaySchema(), values, lambda v: installation.add_day(scope, v))
    day = _posted_day(values)
    year = day.year if day else _year()
    if stored:
        return redirect(url_for("pages.admin_calendar", nam=year))
    return _calendar_page(year, values, errors)


@bp.post("/quan-tri/lich/xoa")
@_admin_only
def admin_day_remove(scope: inst.Scope) -> Any:
    day = _posted_day(_form(CalendarDaySchema()))
    if day is None:
        abort(404)
    _change(lambda: installation.remove_day(scope, day))
    return redirect(url_for("pages.admin_calendar", nam=day.year))
