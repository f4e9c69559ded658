"""The working-day calendar: public holidays, and the extra days off and make-up days
admins add."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.calendar import WorkingCalendar
from workflows.installation.common import (
    Check,
    Scope,
    audit_event,
    flush_or_refuse,
    local_today,
    refuse,
    text_field,
)
from workflows.models import CalendarDay
from workflows.vocabulary import CALENDAR_KINDS

YEAR_RANGE = (2000, 2100)


@dataclass(frozen=True)
class CalendarYear:
    year: int
    holidays: list[tuple[date, str]]  # official public holidays and substituted days off
    official_workdays: list[date]  # weekend days the government declared working days
    days: list[CalendarDay]  # the admin's exceptions


def calendar_year(session: Session, year: int) -> CalendarYear:
    official = WorkingCalendar()
    day, end = date(year, 1, 1), date(year, 12, 31)
    workdays = []
    while day <= end:
        if day.weekday() >= 5 and official.is_working_day(day):
            workdays.append(day)
        day += timedelta(days=1)
    admin_days = session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= end)
        .order_by(CalendarDay.day)
    ).all()
    return CalendarYear(year, official.holidays_in(year), workdays, list(admin_days))


def _day_dict(row: CalendarDay) -> dict[str, Any]:
    return {"day": row.day.isoformat(), "kind": row.kind, "note": row.note}


def add_day(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> CalendarDay:
    check = Check()
    day, kind = values.get("day"), values.get("kind")
    note = text_field(check, values, "note", required=False) or ""
    if kind not in CALENDAR_KINDS:
        check.add("kind", "choose_one", options=", ".join(CALENDAR_KINDS))
    if not isinstance(day, date) or not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        check.add("day", "date_invalid")
    else:
        if day < local_today(now):
            check.add("day", "day_past")
        existing = session.get(CalendarDay, day)
        if existing is not None:
            raise refuse("conflict", "day", "day_taken", day=f"{day:%d/%m/%Y}")
        working = WorkingCalendar.load(session).is_working_day(day)
        if kind == "work" and working:
            check.add("kind", "day_already_working", day=f"{day:%d/%m/%Y}")
        if kind == "off" and not working:
            check.add("kind", "day_already_off", day=f"{day:%d/%m/%Y}")
    check.done()
    row = CalendarDay(day=day, kind=kind, note=note)
    session.add(row)
    flush_or_refuse(session, "day", "day_taken", day=str(day))
    audit_event(session, now, scope.who.username, "admin.calendar.add", {"after": _day_dict(row)})
    return row


def remove_day(session: Session, scope: Scope, now: datetime, day: date) -> None:
    row = session.get(CalendarDay, day)
    if row is None:
        raise refuse("not_found", "_", "day_not_found", day=f"{day:%d/%m/%Y}")
    if day < local_today(now):
        raise refuse("invalid", "day", "day_past")
    before = _day_dict(row)
    session.delete(row)
    session.flush()
    audit_event(session, now, scope.who.username, "admin.calendar.remove", {"before": before})
