"""The auditors' pages: a nomination's full history with the path it took on its diagram, a
printable dossier, a search over the audit trail in their scope and its CSV/XLSX exports.

Auditors and admins only, each within the subtree of the organisations where they hold that
role; anyone else, and anything outside, gets 404. Reads of a history and exports are
themselves logged (`record.read`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import Response, abort, request
from markupsafe import Markup
from sqlalchemy import select

from engine import audit
from engine.models import AuditEvent, DefinitionVersion, Instance
from web import context, diagram, exports
from web.i18n import t
from web.names import describe as describe_event
from web.names import names
from web.pages.common import arg, bp, label, page_number, render, signed_in, user
from web.queries import audit as audit_queries
from workflows import orgs
from workflows.access import OVERSIGHT_ROLES, Principal, readable
from workflows.calendar import TIMEZONE
from workflows.models import Award, Campaign, Nomination, Organisation
from workflows.names import folded

PER_PAGE = 50
EXPORT_LIMIT = 50_000


def overseer() -> Principal:
    """The signed-in person with only the roles that grant oversight; 404 without one."""
    who = user()
    roles = tuple((role, org) for role, org in who.roles if role in OVERSIGHT_ROLES)
    if not roles:
        abort(404)
    return Principal(who.username, who.full_name, roles)


def _nomination(who: Principal, nomination_id: int) -> Nomination:
    found = readable(context.read(), who, nomination_id)
    if found is None:
        abort(404)
    return found


def _log_read(who: Principal, payload: dict[str, Any]) -> None:
    with context.write() as session:
        audit.append(
            session,
            context.now(),
            [audit.PendingEvent(actor=who.username, action="record.read", payload=payload)],
        )


@bp.get("/thanh-tra/ho-so/<int:nomination_id>")
@signed_in
def audit_history(nomination_id: int) -> Any:
    return _history_page(nomination_id, "audit_history.html", "history")


@bp.get("/thanh-tra/ho-so/<int:nomination_id>/in")
@signed_in
def audit_dossier(nomination_id: int) -> Any:
    return _history_page(nomination_id, "audit_print.html", "dossier")


def _history_page(nomination_id: int, template: str, view: str) -> Any:
    who = overseer()
    row = _nomination(who, nomination_id)
    session = context.read()
    history = audit_queries.history(session, row)
    instance = session.execute(
        select(Instance.id, DefinitionVersion.sources)
        .join(DefinitionVersion, DefinitionVersion.id == Instance.definition_id)
        .where(Instance.business_key == row.business_key)
    ).first()
    svg = ""
    if instance is not None:
        path = audit_queries.path_of(session, instance.id, history["events"])
        svg = diagram.render_version(instance.sources, path, t("audit_diagram"))
    _log_read(who, {"nomination_id": row.id, "view": view})
    return render(
        template,
        n=row,
        h=history,
        award=session.get(Award, row.award_code),
        campaign=session.get(Campaign, row.campaign_code),
        origin=session.get(Organisation, row.origin_org),
        diagram=Markup(svg),
    )


# --- search and exports --------------------------------------------------------------------


ORG_LIST_MAX = 500  # a scope this small is offered whole by name; a larger one is searched
ORG_MATCHES_SHOWN = 10
MAX_ORG_TEXT = 300  # an organisation's longest name


@dataclass(frozen=True)
class OrgFilter:
    """The organisation field: what it shows, the organisations it matched in the person's
    scope (by name), the origins it lets through (None: no filter; empty: nothing) and the
    names the field offers."""

    shown: str
    matched: list[str]
    origins: set[str] | None
    choices: list[str]


@dataclass(frozen=True)
class Filters:
    fields: dict[str, str]
    since: datetime | None
    until: datetime | None
    org: OrgFilter


def _filters(who: Principal) -> Filters:
    fields = {name: arg(name) for name in audit_queries.SEARCH_FIELDS if arg(name)}
    org = _org_filter(who, _org_text())
    if org.shown:
        fields["org"] = org.shown
    return Filters(fields, _day(arg("from")), _day(arg("to"), next_day=True), org)


def _org_text() -> str:
    value = request.values.get("org", "")
    return "" if len(value) > MAX_ORG_TEXT or "\x00" in value else value.strip()


def _org_filter(who: Principal, typed: str) -> OrgFilter:
    """Organisations are chosen by name, within the person's scope only; a code (the API's
    way, and older links') is still taken, and one outside the scope matches nothing."""
    session = context.read()
    named = orgs.names_within(session, who.orgs(*OVERSIGHT_ROLES))
    if not typed:
        return OrgFilter("", [], None, _choices(named, []))
    matched = [typed] if typed in named else orgs.by_name(named, typed)
    shown = named[matched[0]] if len(matched) == 1 else typed
    origins = orgs.subtrees(session, matched) if matched else set()
    return OrgFilter(shown, [named[c] for c in matched], origins, _choices(named, matched))


def _choices(named: dict[str, str], matched: list[str]) -> list[str]:
    """The names the field lists: the whole scope when small, else what the text matched."""
    codes = list(named) if len(named) <= ORG_LIST_MAX else matched[:ORG_LIST_MAX]
    return sorted({named[c] for c in codes}, key=lambda name: (folded(name), name))


def _day(text: str, next_day: bool = False) -> datetime | None:
    """A dd/mm/yyyy or yyyy-mm-dd day as the start (or the end) of that day in Vietnam."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if next_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), TIMEZONE)
    return None


def _rows(
    who: Principal, filters: Filters, limit: int, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    session = context.read()
    query = audit_queries.search_query(
        session, who, filters.fields, filters.since, filters.until, filters.org.origins
    )
    total = len(session.execute(query.with_only_columns(AuditEvent.seq)).all())
    found = session.execute(query.limit(limit).offset(offset)).all()
    views = audit_queries.views(session, [event for event, _ in found])
    rows = [
        {**view, "nomination": nomination}
        for view, (_, nomination) in zip(views, found, strict=True)
    ]
    return rows, total


@bp.get("/thanh-tra/tim-kiem")
@signed_in
def audit_search() -> Any:
    who = overseer()
    page = page_number()
    filters = _filters(who)
    rows, total = _rows(who, filters, PER_PAGE, (page - 1) * PER_PAGE)
    session = context.read()
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    if filters.org.shown:
        query["org"] = filters.org.shown  # links carry the name the field shows
    values = {name: arg(name) for name in (*audit_queries.SEARCH_FIELDS, "from", "to")}
    return render(
        "audit_search.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        query=query,
        values={**values, "org": filters.org.shown},
        org=filters.org,
        org_matches_shown=ORG_MATCHES_SHOWN,
        awards=session.scalars(select(Award).order_by(Award.code)).all(),
        campaigns=session.scalars(select(Campaign).order_by(Campaign.code)).all(),
        actions=audit_queries.NOMINATION_ACTIONS,
    )


HEADERS = (
    "export_seq",
    "export_time",
    "export_business_key",
    "export_nominee",
    "export_award",
    "export_org",
    "export_campaign",
    "export_action",
    "export_person",
    "export_role",
    "export_step_org",
    "export_data",
    # Codes in columns of their own, beside the names above (for joining and filtering).
    "export_award_code",
    "export_org_code",
    "export_campaign_code",
    "export_username",
    "export_step_org_code",
    "export_action_name",
)


def _export_rows(who: Principal, kind: str) -> list[list[Any]]:
    filters = _filters(who)
    rows, _ = _rows(who, filters, EXPORT_LIMIT)
    _log_read(who, {"view": f"export.{kind}", "filters": filters.fields, "rows": len(rows)})
    named = names()
    return [
        [
            row["seq"],
            row["at"].astimezone(TIMEZONE).replace(tzinfo=None),
            row["nomination"].business_key,
            row["nomination"].nominee_name,
            named.award(row["nomination"].award_code),
            named.org(row["nomination"].origin_org),
            named.campaign(row["nomination"].campaign_code),
            row["action"],
            row["actor_name"] or row["actor"],
            label("audit_role", row["lane"]) if row["lane"] else "",
            named.org(row["org"]),
            " | ".join(f"{k}: {v}" for k, v in describe_event(row)),
            row["nomination"].award_code,
            row["nomination"].origin_org,
            row["nomination"].campaign_code,
            row["actor"],
            row["org"] or "",
            label("audit_action", row["action"]),
        ]
        for row in rows
    ]


@bp.get("/thanh-tra/tim-kiem.csv")
@signed_in
def audit_search_csv() -> Response:
    who = overseer()
    rows = _export_rows(who, "csv")
    for row in rows:
        row[1] = row[1].strftime("%d/%m/%Y %H:%M")
    body = exports.csv_bytes([[t(h) for h in HEADERS], *rows])
    return _download(body, exports.CSV_TYPE, "csv")


@bp.get("/thanh-tra/tim-kiem.xlsx")
@signed_in
def audit_search_xlsx() -> Response:
    who = overseer()
    rows = [[t(h) for h in HEADERS], *_export_rows(who, "xlsx")]
    body = exports.xlsx_bytes(t("audit_search_title"), rows, {1: "DD/MM/YYYY HH:MM"})
    return _download(body, exports.XLSX_TYPE, "xlsx")


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    name = f"thanh-tra-{context.now().astimezone(TIMEZONE).date().isoformat()}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
