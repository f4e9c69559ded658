"""Sliding-window limits counted in the database (failed logins, public comments), so every
web process sees one count, and counted one attempt at a time per key, so parallel requests
cannot all see room for one more."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:c, :k)")


@dataclass(frozen=True)
class Window:
    """At most `limit` attempts in any `length` of time."""

    limit: int
    length: timedelta

    def since(self, now: datetime) -> datetime:
        return now - self.length

    def wait(self, times: Sequence[datetime], now: datetime) -> int | None:
        """Seconds until one more attempt fits, given the attempts' times (oldest first) in
        the window; None when it fits now."""
        if len(times) < self.limit:
            return None
        frees = times[len(times) - self.limit] + self.length
        return max(1, math.ceil((frees - now).total_seconds()))


def client_key(address: str | None) -> str:
    """A client address as stored: a digest, so the tables never hold addresses."""
    return hashlib.sha256((address or "unknown").encode()).hexdigest()


def one_at_a_time(session: Session, lock_class: int, key: str) -> None:
    """Serialise this transaction with every other one counting attempts on `key`.

    SQLite writes in BEGIN IMMEDIATE transactions (engine.db), which already run one at a
    time; PostgreSQL takes a transaction-scoped advisory lock on (class, key), so two
    concurrent requests never both see room for one more attempt.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(key.encode()).digest()
    signed = int.from_bytes(digest[:4], "big", signed=True)  # the lock's int4 key
    session.execute(_ADVISORY_LOCK, {"c": lock_class, "k": signed})
