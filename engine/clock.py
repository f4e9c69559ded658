"""Time as the engine sees it: injectable, so tests and catch-up runs can move it.

SpiffWorkflow 3.2's timer events read `datetime.now(timezone.utc)` directly. We point the
name `datetime` in its timer module at a subclass whose `now()` asks the clock of the
current engine run (a context variable, so concurrent runs in threads don't mix).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

from engine.ports import Clock


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests and `timers run --as-of`."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:

        self.at += timedelta(**kwargs)


_SYSTEM = SystemClock()
_current: ContextVar[Clock] = ContextVar("laurel_clock", default=_SYSTEM)


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


def now() -> datetime:
    return _current.get().now()


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = _current.get().now()
        return current.astimezone(tz) if tz else current.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockDatetime
