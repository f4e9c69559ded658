"""Vietnamese working days, for BPMN timers counted in working days (domain.md §4).

Working days are Monday to Friday minus public holidays (Tết included) and the government's
substituted days off, as the `holidays` package knows them, adjusted by the admin's
`CalendarDay` rows: an extra day off, or a weekend or holiday declared a make-up working day.
The package also knows the official make-up Saturdays of a swap (e.g. 22/8/2026 worked for
the day off on 31/8/2026); they count as working days unless the admin marks them off.

Deadlines follow Vietnamese administrative practice: counting starts the day after the
posting date, and "n working days" ends at the end of the n-th working day (local midnight).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, context
from workflows.models import CalendarDay

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The package picks its language from the process locale unless told: ask for Vietnamese.
HOLIDAY_LANGUAGE = "vi"
# A script-supplied count far beyond any legal time limit is a mistake, not a deadline; it
# would also keep the engine's change busy walking the calendar.
MAX_HELPER_WORKING_DAYS = 1000

_ONE_DAY = timedelta(days=1)
_SESSION_KEY = "laurel.working_calendar"


@dataclass(frozen=True)
class _OfficialYear:
    names: Mapping[date, str]  # public holidays and substituted days off, Vietnamese names
    workdays: frozenset[date]  # weekend days the government declared working days


@functools.lru_cache(maxsize=64)
def _official_year(year: int) -> _OfficialYear:
    # Shared by every calendar: the package's data only changes with its version.
    official = holidays.country_holidays("VN", years=year, language=HOLIDAY_LANGUAGE)
    names = {day: name for day, name in official.items() if day.year == year}
    # Older package versions have no `weekend_workdays`; they then know no make-up Saturdays.
    workdays = frozenset(getattr(official, "weekend_workdays", ()))
    return _OfficialYear(MappingProxyType(names), workdays)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _local_midnight(day: date) -> datetime:
    """The start of `day` in Vietnam, in UTC (Vietnam has no daylight saving time)."""
    return datetime.combine(day, time(0), tzinfo=TIMEZONE).astimezone(UTC)


class WorkingCalendar:
    """Vietnamese working days: the `holidays` package's VN calendar plus admin exceptions.

    Precedence for one date: an admin make-up day is a working day; otherwise an admin day
    off is not; otherwise a public holiday is not; otherwise an official make-up weekend day
    is; otherwise Monday to Friday are.
    """

    def __init__(
        self,
        days_off: Iterable[date] = (),
        make_up_days: Iterable[date] = (),
        notes: Mapping[date, str] | None = None,
    ) -> None:
        self.days_off: frozenset[date] = frozenset(days_off)
        self.make_up_days: frozenset[date] = frozenset(make_up_days)
        self.notes: Mapping[date, str] = dict(notes or {})

    @classmethod
    def load(cls, session: Session) -> WorkingCalendar:
        """The calendar with the admin's `CalendarDay` rows."""
        days_off: set[date] = set()
        make_up: set[date] = set()
        notes: dict[date, str] = {}
        for row in session.scalars(select(CalendarDay)):
            if row.kind == "off":
                days_off.add(row.day)
            elif row.kind == "work":
                make_up.add(row.day)
            else:
                # Guessing would move legal deadlines silently: refuse bad admin data.
                raise ValueError(f"calendar day {row.day}: unknown kind {row.kind!r}")
            notes[row.day] = row.note or ""
        return cls(days_off, make_up, notes)

    def is_working_day(self, d: date) -> bool:
        if d in self.make_up_days:
            return True
        if d in self.days_off or d in _official_year(d.year).names:
            return False
        # A swap may cross new year (27/12/2014 worked for 2/1/2015): ask the adjacent years.
        if any(d in _official_year(year).workdays for year in (d.year - 1, d.year, d.year + 1)):
            return True
        return d.weekday() < 5

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline of "n working days from `start`", as a tz-aware UTC datetime.

        Counting starts on the first working day after the local date of `start`; the
        deadline is the end of the n-th working day, i.e. local midnight at the start of the
        following calendar day.
        """
        _require_aware(start, "start")
        n = operator.index(n)
        if n < 1:
            raise ValueError(f"a number of working days must be at least 1, not {n}")
        day = start.astimezone(TIMEZONE).date()
        counted = 0
        while counted < n:
            day += _ONE_DAY
            if self.is_working_day(day):
                counted += 1
        return _local_midnight(day + _ONE_DAY)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """The working days left from `start` until `end`, for "days remaining" displays.

        Counts the working days after the local date of `start` whose start lies before
        `end`: the local date of `end` itself counts unless `end` is exactly its midnight
        (then none of it is left). So `working_days_between(s, add_working_days(s, n)) == n`.
        The day of `start` never counts, and the result is never negative.
        """
        _require_aware(start, "start")
        _require_aware(end, "end")
        first = start.astimezone(TIMEZONE).date() + _ONE_DAY
        local_end = end.astimezone(TIMEZONE)
        last = local_end.date()
        if local_end.time() == time(0):
            last -= _ONE_DAY
        count = 0
        day = first
        while day <= last:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """Public holidays of `year` (Vietnamese names) and the admin's days off, by date.

        A date both official and admin-entered is listed once, with both names; an admin's
        day off without a note has no name (pages call it a day off). Admin make-up days are
        not removed from the list: the admin page shows them separately.
        """
        names = {day: [name] for day, name in _official_year(year).names.items()}
        for day in sorted(self.days_off):
            if day.year == year:
                note = self.notes.get(day, "")
                known = names.setdefault(day, [])
                if note and note not in known:
                    known.append(note)
        return [(day, "; ".join(names[day])) for day in sorted(names)]


def _session_calendar(session: Session) -> WorkingCalendar:
    # One change may evaluate several timers: load the admin rows once per session.
    # Not shared across sessions, so an admin's edit shows in the next change.
    cached = session.info.get(_SESSION_KEY)
    if not isinstance(cached, WorkingCalendar):
        cached = session.info[_SESSION_KEY] = WorkingCalendar.load(session)
    return cached


def working_days_after(n: int) -> str:
    """For BPMN timer `timeDate` expressions: the deadline n working days from now, ISO 8601.

    "Now" is the engine's clock and the admin's calendar is read in the running change.
    """
    if isinstance(n, bool):
        raise TypeError("a number of working days must be an integer, not a boolean")
    n = operator.index(n)
    if n > MAX_HELPER_WORKING_DAYS:
        raise ValueError(f"{n} working days is more than {MAX_HELPER_WORKING_DAYS}")
    calendar = _session_calendar(context.session())
    return calendar.add_working_days(clock.now(), n).isoformat()
