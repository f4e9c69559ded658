"""Statistics for auditors and admins (domain.md §6): tables, server-drawn bar charts, and the
same figures as CSV and XLSX. Counting lives in workflows.statistics; this module labels."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.errors import NotAllowed
from web import context, exports
from web.charts import bars
from web.i18n import t
from web.pages.common import arg, bp, label, level_name, render, signed_in, user
from workflows import statistics
from workflows.access import OVERSIGHT_ROLES, Principal, nomination_filter
from workflows.statistics import Line, Report


def overseer() -> Principal:
    """The signed-in person with only their oversight roles; 403 without one."""
    who = user()
    roles = tuple((role, org) for role, org in who.roles if role in OVERSIGHT_ROLES)
    if not roles:
        raise NotAllowed("auditor_required")
    return Principal(who.username, who.full_name, roles)


def _filters() -> tuple[int | None, str | None]:
    year = arg("year")
    return (int(year) if year.isdigit() and len(year) == 4 else None), (arg("campaign") or None)


def _report() -> Report:
    session = context.read()
    year, campaign = _filters()
    return statistics.report(session, nomination_filter(session, overseer()), year, campaign)


def _label(dimension: str, line: Line) -> str:
    if dimension == "kind":
        return label("award_kind", line.key)
    if dimension == "subject":
        return label("kind", line.key)
    if dimension == "role":
        return label("stats_role", line.key)
    if dimension == "level":
        return level_name(line.key) if line.key else t("stats_no_decision")
    return line.label


def _tables(report: Report) -> list[tuple[str, str, list[tuple[str, Line]]]]:
    """(dimension, title, [(label, line)]) for every dimension."""
    return [
        (name, t(f"stats_by_{name}"), [(_label(name, line), line) for line in lines])
        for name, lines in report.tables.items()
    ]


def _rows(report: Report) -> list[list[Any]]:
    header = [t("stats_col_table"), t("stats_col_value"), t("stats_col_nominations")]
    rows: list[list[Any]] = [[*header, t("stats_col_awarded")]]
    for _, title, lines in _tables(report):
        rows.extend([title, name, line.nominations, line.awarded] for name, line in lines)
    return rows


@bp.get("/thanh-tra/thong-ke")
@signed_in
def stats() -> Any:
    report = _report()
    legend = (t("stats_col_nominations"), t("stats_col_awarded"))
    tables = _tables(report)
    charts = {
        name: bars(title, [(n, line.nominations, line.awarded) for n, line in lines], legend)
        for name, title, lines in tables
    }
    year, campaign = _filters()
    ratio = report.worker_ratio()
    return render(
        "stats.html",
        report=report,
        tables=tables,
        charts=charts,
        year=year,
        campaign=campaign or "",
        ratio=None if ratio is None else round(100 * ratio, 1),
        threshold=round(100 * statistics.DIRECT_WORKER_MIN),
        warning=report.worker_warning(),
    )


@bp.get("/thanh-tra/thong-ke.csv")
@signed_in
def stats_csv() -> Response:
    return Response(
        exports.csv_bytes(_rows(_report())),
        mimetype=exports.CSV_TYPE,
        headers={"Content-Disposition": 'attachment; filename="thong-ke.csv"'},
    )


@bp.get("/thanh-tra/thong-ke.xlsx")
@signed_in
def stats_xlsx() -> Response:
    return Response(
        exports.xlsx_bytes(t("stats_title"), _rows(_report())),
        mimetype=exports.XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="thong-ke.xlsx"'},
    )
