"""Signing in: password check with Argon2, bearer tokens (stored hashed, revocable, ended
together when the person's credentials change), and a limit on failed logins counted in the
database so every web process sees the same count.

The limit (OWASP's advice on lockout: throttle, never let others lock the owner out):
- An attempt is counted before its password is hashed, one at a time per account, and
  stays counted as a failure unless the password proves right; so parallel requests get
  no more checks than the limit, and refused ones cost no Argon2 hash.
- One account from one client address: 5 failures in 15 minutes, then that pair waits
  until the oldest is 15 minutes old.
- While an account has 20 or more failures in 15 minutes from all addresses, an address
  with 2 failures on it waits likewise. An address without failures on the account is never
  refused, so the owner signs in from their own address whatever others try.
- The right password clears the failures of its own (account, address) pair only.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from workflows import limits
from workflows.models import AuthToken, LoginFailure, Person
from workflows.passwords import verify_password

TOKEN_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
PAIR_LIMIT = limits.Window(5, FAILURE_WINDOW)  # one account from one address
ACCOUNT_UNDER_ATTACK = 20  # failures of one account from all addresses in the window
PAIR_LIMIT_UNDER_ATTACK = limits.Window(2, FAILURE_WINDOW)
_LOCK_CLASS = 0x1A0BE3  # PostgreSQL advisory locks of login attempts, per account

Transaction = Callable[[], AbstractContextManager[Session]]


class LoginRefused(Exception):
    """Wrong username or password (deliberately not saying which)."""


class TooManyAttempts(Exception):
    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed logins; retry after {retry_after_s} s")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    write: Transaction, username: str, password: str, client: str, now: datetime
) -> IssuedToken:
    """Check the password of `username` signing in from `client` (limits.client_key of its
    address) and issue a token; TooManyAttempts or LoginRefused otherwise.

    `write` opens a short write transaction; none is open while the password is hashed.
    """
    with write() as session:
        admit(session, username, client, now)
        found = session.get(Person, username)
        stored = None
        if found is not None and found.active:
            stored = (found.password_hash, found.credentials_generation)
    if stored is None or not verify_password(stored[0], password):
        raise LoginRefused()  # the attempt stays counted as a failure
    with write() as session:
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.username == username, LoginFailure.client == client
            )
        )
        # The generation read with the hash: a reset committed meanwhile ends this token too.
        return issue_token(session, username, now, generation=stored[1])


def admit(session: Session, username: str, client: str, now: datetime) -> None:
    """Count one attempt of `username` from `client`, as a failure until proved otherwise;
    TooManyAttempts (and nothing counted) when the limit says wait."""
    limits.one_at_a_time(session, _LOCK_CLASS, username)
    since = now - FAILURE_WINDOW
    mine = LoginFailure.username == username
    session.execute(delete(LoginFailure).where(mine, LoginFailure.at <= since))
    recent = select(LoginFailure.id).where(mine, LoginFailure.at > since)
    on_account = session.scalar(
        select(func.count()).select_from(recent.limit(ACCOUNT_UNDER_ATTACK).subquery())
    )
    pair = session.scalars(
        select(LoginFailure.at)
        .where(mine, LoginFailure.client == client, LoginFailure.at > since)
        .order_by(LoginFailure.at)
    ).all()
    window = PAIR_LIMIT_UNDER_ATTACK if (on_account or 0) >= ACCOUNT_UNDER_ATTACK else PAIR_LIMIT
    wait = window.wait(pair, now)
    if wait is not None:
        raise TooManyAttempts(wait)
    session.add(LoginFailure(username=username, client=client, at=now))


def issue_token(
    session: Session, username: str, now: datetime, generation: int | None = None
) -> IssuedToken:
    """A new token for `username`, whose identity the caller has established; it lasts
    while the person's credentials stay at `generation` (by default their current one)."""
    if generation is None:
        generation = session.scalar(
            select(Person.credentials_generation).where(Person.username == username)
        )
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    session.add(
        AuthToken(
            token_hash=_digest(token),
            username=username,
            created_at=now,
            expires_at=expires,
            generation=generation or 0,
        )
    )
    return IssuedToken(token, expires)


def end_sessions(session: Session, username: str) -> None:
    """End every token of `username` (API tokens and page sessions alike) at once: after a
    password reset, a role revoked, the account deactivated. One atomic increment, so a
    login racing it gets a token of the old generation, which never works."""
    session.execute(
        update(Person)
        .where(Person.username == username)
        .values(credentials_generation=Person.credentials_generation + 1)
        .execution_options(synchronize_session="fetch")
    )


def user_of(session: Session, token: str, now: datetime) -> str | None:
    """The username a valid, unexpired, unrevoked token belongs to."""
    return session.scalar(
        select(AuthToken.username)
        .join(Person, Person.username == AuthToken.username)
        .where(
            AuthToken.token_hash == _digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > now,
            AuthToken.generation == Person.credentials_generation,
            Person.active.is_(True),
        )
    )


def revoke(session: Session, token: str, now: datetime) -> bool:
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(AuthToken)
        .where(AuthToken.token_hash == _digest(token), AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
