"""The database session of the change the engine is running, for domain script helpers.

Helpers such as "the council members of this organisation" must read (and a tally must
write) in the same transaction as the change, so the engine binds its session here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

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
        raise EngineError("no engine change is running: helpers need one for the database")
    return current
