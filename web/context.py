"""Per-request access to the database, the engine, the clock and the signed-in person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy.orm import Session, sessionmaker

from engine.ports import Clock
from engine.runtime import Engine
from web.i18n import t
from workflows import auth
from workflows.access import Principal, principal


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


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def me() -> Principal:
    """The signed-in person, or a 401 problem."""
    if "laurel_principal" not in g:
        token = bearer_token()
        if token is None:
            abort(401, message=t("unauthorized"))
        username = auth.user_of(read(), token, now()) if token else None
        who = principal(read(), username) if username else None
        if who is None:
            abort(401, message=t("token_invalid"))
        g.laurel_principal = who
    who_: Principal = g.laurel_principal
    return who_
