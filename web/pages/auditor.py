"""The auditors' pages: a nomination's full history with the path it took on its diagram, a
printable dossier, a search over the audit trail in their scope and its CSV/XLSX exports.

Auditors and admins only, each within the subtree of the organisations where they hold that
role; anyone else, and anything outside, gets 404. Reads of a history and exports are
themselves logged (`record.read`)."""

from __future__ import annotations

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
from workflows.access import OVERSIGHT_ROLES, Principal, readable
from workflows.calendar import TIMEZONE
from workflows.models import Award, Campaign, Nomination, Organisation

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


def _filters() -> tuple[dict[str, str], datetime | None, datetime | None]:
    filters = {name: arg(name) for name in audit_queries.SEARCH_FIELDS if arg(name)}
    return filters, _day(arg("from")), _day(arg("to"), next_day=True)


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


def _rows(who: Principal, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    session = context.read()
    filters, since, until = _filters()
    query = audit_queries.search_query(session, who, filters, since, until)
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
    rows, total = _rows(who, PER_PAGE, (page - 1) * PER_PAGE)
    session = context.read()
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render(
        "audit_search.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, (total + PER_PAGE - 1) // PER_PAGE),
        query=query,
        values={name: arg(name) for name in (*audit_queries.SEARCH_FIELDS, "from", "to")},
        awards=session.scalars(select(Award).order_by(Award.code)).all(),
        campaigns=session.scalars(select(Campaign).order_by(Campaign.code)).all(),
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
    rows, _ = _rows(who, EXPORT_LIMIT)
    filters, _, _ = _filters()
    _log_read(who, {"view": f"export.{kind}", "filters": filters, "rows": len(rows)})
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
