"""Per-request access to the database, the engine and the clock, shared by pages, API and
services (who is signed in is each edge's own: a bearer token or a browser session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from engine.ports import Clock
from engine.runtime import Engine


def engine() -> Engine:
    laurel: Engine = current_app.extensions["laurel.engine"]
    return laurel


def now() -> datetime:
    clock: Clock = current_app.extensions["laurel.clock"]
    return clock.now()


def read() -> Session:
    """The request's read session (a WAL snapshot on SQLite), closed at teardown."""
    if "laurel_read" not in g:
        factory: sessionmaker[Session] = current_app.extensions["laurel.read_sessions"]
        g.laurel_read = factory()
    session: Session = g.laurel_read
    return session


@contextmanager
def write() -> Iterator[Session]:
    """A short write transaction, committed on leaving the block."""
    factory: sessionmaker[Session] = current_app.extensions["laurel.sessions"]
    with factory.begin() as session:
        yield session


def close_read(_: Any = None) -> None:
    session = g.pop("laurel_read", None)
    if session is not None:
        session.close()
