"""Signing in: password check with Argon2, bearer tokens (stored hashed, revocable), and a
limit on failed logins counted in the database so every web process sees the same count."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from workflows.models import AuthToken, LoginFailure, Person
from workflows.passwords import verify_password

TOKEN_LIFETIME = timedelta(hours=12)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


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


def login(session: Session, username: str, password: str, now: datetime) -> IssuedToken:
    """Check the password and issue a token.

    On LoginRefused the caller records the failure with `record_failure` in a transaction
    of its own: the refused login's transaction is rolled back.
    """
    since = now - FAILURE_WINDOW
    failures = session.scalars(
        select(LoginFailure.at)
        .where(LoginFailure.username == username, LoginFailure.at > since)
        .order_by(LoginFailure.at)
    ).all()
    if len(failures) >= MAX_FAILURES:
        retry = failures[0] + FAILURE_WINDOW - now
        raise TooManyAttempts(max(1, int(retry.total_seconds())))
    person = session.get(Person, username)
    if person is None or not person.active or not verify_password(person.password_hash, password):
        raise LoginRefused()
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return issue_token(session, username, now)


def issue_token(session: Session, username: str, now: datetime) -> IssuedToken:
    """A new token for `username`, whose identity the caller has established."""
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    session.add(
        AuthToken(token_hash=_digest(token), username=username, created_at=now, expires_at=expires)
    )
    return IssuedToken(token, expires)


def user_of(session: Session, token: str, now: datetime) -> str | None:
    """The username a valid, unexpired, unrevoked token belongs to."""
    return session.scalar(
        select(AuthToken.username)
        .join(Person, Person.username == AuthToken.username)
        .where(
            AuthToken.token_hash == _digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > now,
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


def record_failure(session: Session, username: str, now: datetime) -> None:
    session.add(LoginFailure(username=username, at=now))
