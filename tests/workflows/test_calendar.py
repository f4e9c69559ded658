"""The Vietnamese working-day calendar on the real `holidays` data (package 0.109 for 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine import clock, context
from engine.errors import EngineError
from workflows.calendar import TIMEZONE, WorkingCalendar, working_days_after
from workflows.models import CalendarDay

PLAIN = WorkingCalendar()


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TIMEZONE)


def end_of(y: int, m: int, d: int) -> datetime:
    """The deadline that closes local day y-m-d: the next local midnight, in UTC."""
    return datetime(y, m, d, tzinfo=TIMEZONE).astimezone(UTC) + timedelta(days=1)


# --- what the package gives for Vietnam ---------------------------------------------------


def test_tet_2026_is_the_package_s_five_weekdays_with_vietnamese_names() -> None:
    names = dict(PLAIN.holidays_in(2026))
    # Lunar New Year is 17/2/2026: the eve (16/2) and days 1 to 4 (17-20/2), Monday to Friday.
    assert names[date(2026, 2, 16)] == "Giao thừa Tết Nguyên Đán"
    assert names[date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert names[date(2026, 2, 20)] == "Mùng bốn Tết Nguyên Đán"
    tet = [day for day in names if day.month == 2]
    assert tet == [date(2026, 2, d) for d in range(16, 21)]
    assert not any(PLAIN.is_working_day(day) for day in tet)


def test_holidays_in_2026_lists_every_public_holiday_sorted() -> None:
    days = [day for day, _ in PLAIN.holidays_in(2026)]
    assert days == sorted(days)
    assert set(days) >= {
        date(2026, 1, 1),
        date(2026, 4, 27),  # Giỗ Tổ Hùng Vương falls on Sunday 26/4: off on Monday 27/4
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # substituted day off, worked on Saturday 22/8
        date(2026, 9, 1),  # the extra Quốc khánh day (since 2021)
        date(2026, 9, 2),
    }


# --- windows ------------------------------------------------------------------------------


def test_a_weekend_is_skipped() -> None:
    # Thursday 8/1/2026: Friday 9 is day 1, Monday 12 is day 2.
    assert PLAIN.add_working_days(local(2026, 1, 8), 2) == end_of(2026, 1, 12)


def test_tet_makes_a_window_longer() -> None:
    # Friday 13/2/2026: the weekend, Tết (16-20/2) and the next weekend pass before day 1.
    assert PLAIN.add_working_days(local(2026, 2, 13), 1) == end_of(2026, 2, 23)
    assert PLAIN.add_working_days(local(2026, 2, 13), 5) == end_of(2026, 2, 27)


def test_30_4_and_1_5_make_a_window_longer() -> None:
    # Wednesday 29/4/2026: Thursday 30/4 and Friday 1/5 are off, then the weekend.
    assert PLAIN.add_working_days(local(2026, 4, 29), 1) == end_of(2026, 5, 4)


def test_quoc_khanh_with_its_extra_and_substituted_days_makes_a_window_longer() -> None:
    # Friday 28/8/2026: weekend, 31/8 (substituted), 1/9 (extra day), 2/9, then Thursday 3/9.
    assert PLAIN.add_working_days(local(2026, 8, 28), 1) == end_of(2026, 9, 3)
    # 2025: Monday 1/9 and Tuesday 2/9.
    assert PLAIN.add_working_days(local(2025, 8, 29), 1) == end_of(2025, 9, 3)


def test_the_government_s_make_up_saturday_is_a_working_day() -> None:
    assert PLAIN.is_working_day(date(2026, 8, 22))
    assert PLAIN.add_working_days(local(2026, 8, 21), 1) == end_of(2026, 8, 22)
    # ... unless the admin says otherwise.
    assert not WorkingCalendar(days_off={date(2026, 8, 22)}).is_working_day(date(2026, 8, 22))


def test_an_admin_day_off_extends_a_window() -> None:
    calendar = WorkingCalendar(days_off={date(2026, 1, 9)})
    assert calendar.add_working_days(local(2026, 1, 8), 2) == end_of(2026, 1, 13)


def test_an_admin_make_up_saturday_shortens_a_window() -> None:
    calendar = WorkingCalendar(make_up_days={date(2026, 1, 10)})
    assert calendar.add_working_days(local(2026, 1, 8), 2) == end_of(2026, 1, 10)


def test_an_admin_make_up_day_wins_over_a_holiday() -> None:
    calendar = WorkingCalendar(make_up_days={date(2026, 2, 20)}, days_off={date(2026, 2, 20)})
    assert calendar.is_working_day(date(2026, 2, 20))
    assert calendar.add_working_days(local(2026, 2, 13), 1) == end_of(2026, 2, 20)


def test_counting_follows_the_local_date_of_the_start() -> None:
    # 23:30 in Hanoi is still Thursday 8/1 locally: day 1 is Friday 9.
    late = datetime(2026, 1, 8, 16, 30, tzinfo=UTC)
    assert late.astimezone(TIMEZONE).time() == time(23, 30)
    assert PLAIN.add_working_days(late, 1) == end_of(2026, 1, 9)
    # 00:05 in Hanoi is already Friday 9/1 (still Thursday in UTC): day 1 is Monday 12.
    after_midnight = datetime(2026, 1, 8, 17, 5, tzinfo=UTC)
    assert PLAIN.add_working_days(after_midnight, 1) == end_of(2026, 1, 12)


def test_the_deadline_is_utc_and_a_local_midnight() -> None:
    deadline = PLAIN.add_working_days(local(2026, 1, 8), 10)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2026, 1, 22, 17, 0, tzinfo=UTC)
    assert deadline.astimezone(TIMEZONE).time() == time(0)


@pytest.mark.parametrize("n", [0, -1])
def test_fewer_than_one_working_day_is_refused(n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PLAIN.add_working_days(local(2026, 1, 8), n)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        PLAIN.add_working_days(datetime(2026, 1, 8, 10), 1)


# --- days remaining -----------------------------------------------------------------------

STARTS = [
    local(2026, 1, 8),
    local(2026, 1, 9, 23, 59),
    local(2026, 1, 10, 0, 0),  # a Saturday, at midnight
    local(2026, 2, 13),  # before Tết
    local(2026, 4, 24),
    local(2026, 8, 20),  # before the make-up Saturday and Quốc khánh
    local(2026, 12, 24),  # across new year
]


@pytest.mark.parametrize("start", STARTS, ids=lambda s: s.isoformat())
def test_working_days_between_a_start_and_its_deadline_is_n(start: datetime) -> None:
    calendar = WorkingCalendar(days_off={date(2026, 1, 13)}, make_up_days={date(2026, 1, 17)})
    for n in range(1, 25):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


def test_working_days_between_counts_the_end_day_when_it_has_begun() -> None:
    # From Thursday 8/1: Friday 9 and Monday 12 (begun at 10:00) are left.
    assert PLAIN.working_days_between(local(2026, 1, 8), local(2026, 1, 12)) == 2
    # The day of the start never counts, and a past deadline leaves nothing.
    assert PLAIN.working_days_between(local(2026, 1, 8), local(2026, 1, 8, 18)) == 0
    assert PLAIN.working_days_between(local(2026, 1, 12), local(2026, 1, 8)) == 0


# --- admin data ---------------------------------------------------------------------------


def test_holidays_in_merges_admin_days_off_with_their_note() -> None:
    calendar = WorkingCalendar(
        days_off={date(2026, 2, 13), date(2026, 2, 17), date(2026, 12, 31), date(2025, 12, 31)},
        notes={date(2026, 2, 13): "Nghỉ bù Tết", date(2026, 2, 17): "Tết"},
    )
    listed = calendar.holidays_in(2026)
    names = dict(listed)
    assert [day for day, _ in listed] == sorted(names)
    assert names[date(2026, 2, 13)] == "Nghỉ bù Tết"
    assert names[date(2026, 2, 17)] == "Tết Nguyên Đán; Tết"
    assert names[date(2026, 12, 31)] == ""  # no note: the pages call it a day off
    assert date(2025, 12, 31) not in names


def test_load_reads_the_calendar_days(db: Engine) -> None:
    with Session(db) as session, session.begin():
        session.add_all(
            [
                CalendarDay(day=date(2026, 1, 9), kind="off", note="Nghỉ bù"),
                CalendarDay(day=date(2026, 1, 17), kind="work", note="Làm bù"),
            ]
        )
    with Session(db) as session:
        calendar = WorkingCalendar.load(session)
    assert calendar.days_off == {date(2026, 1, 9)}
    assert calendar.make_up_days == {date(2026, 1, 17)}
    assert (date(2026, 1, 9), "Nghỉ bù") in calendar.holidays_in(2026)
    assert not calendar.is_working_day(date(2026, 1, 9))
    assert calendar.is_working_day(date(2026, 1, 17))


def test_working_days_after_uses_the_engine_clock_and_the_change_s_session(db: Engine) -> None:
    with Session(db) as session, session.begin():
        # Not committed: the helper reads in the running change's transaction.
        session.add(CalendarDay(day=date(2026, 1, 9), kind="off", note=""))
        session.flush()
        at = clock.FixedClock(datetime(2026, 1, 8, 3, 0, tzinfo=UTC))  # 10:00 in Hanoi
        with context.bound(session), clock.using(at):
            assert working_days_after(2) == "2026-01-13T17:00:00+00:00"
            cached = session.info["laurel.working_calendar"]
            at.advance(days=1)  # Friday 9/1, the admin's day off: day 1 is Monday 12/1
            assert working_days_after(1) == "2026-01-12T17:00:00+00:00"
            assert session.info["laurel.working_calendar"] is cached
            with pytest.raises(TypeError):
                working_days_after(True)
            with pytest.raises(TypeError):
                working_days_after(2.5)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="more than"):
                working_days_after(10**6)


def test_working_days_after_needs_a_running_change() -> None:
    with pytest.raises(EngineError):
        working_days_after(1)
