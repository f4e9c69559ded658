"""The database session of the change the engine is running, and the instance it runs, for
domain script helpers.

Helpers such as "the council members of this organisation" must read (and a tally must
write) in the same transaction as the change, so the engine binds its session here. They must
also act on the running instance alone — a script must not reach another case's data by
passing its id — so the engine binds the instance while it runs it. Helpers run in the
engine's thread (scripts may run elsewhere, helpers are answered here), so context
variables carry both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import EngineError

_session: ContextVar[Session | None] = ContextVar("laurel_session", default=None)


@contextlib.contextmanager
def bound(session: Session) -> Iterator[None]:
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


def session() -> Session:
    current = _session.get()
    if current is None:
        raise EngineError("helper_outside_change")
    return current


@dataclass(frozen=True)
class RunningInstance:
    """The instance whose change is running."""

    id: int | None  # None while it is being started: its row is written after the run
    business_key: str
    # The process data as it stands at the moment of the call (it changes as the run goes).
    data: Callable[[], Mapping[str, Any]]


_instance: ContextVar[RunningInstance | None] = ContextVar("laurel_instance", default=None)


@contextlib.contextmanager
def running(instance: RunningInstance) -> Iterator[None]:
    token = _instance.set(instance)
    try:
        yield
    finally:
        _instance.reset(token)


def instance() -> RunningInstance:
    current = _instance.get()
    if current is None:
        raise EngineError("helper_outside_instance")
    return current
