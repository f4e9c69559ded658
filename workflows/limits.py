"""Sliding-window limits counted in the database (failed logins, public comments), so every
web process sees one count, and counted one attempt at a time per key, so parallel requests
cannot all see room for one more; and the sizes a dossier's files are held to."""

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


# --- Files (issue 13): sizes checked while an upload streams in, never after -----------------

MIB = 1024 * 1024
MAX_FILE_BYTES = 20 * MIB  # one file
MAX_NOMINATION_BYTES = 100 * MIB  # every file of one nomination together
# DOCX and XLSX are zip archives: judged from the archive's directory, never by extracting.
# Real Office files stay far inside these (a few hundred entries, ratios of 5 to 30); a zip
# bomb needs a huge total or ratio to do harm.
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_UNCOMPRESSED_BYTES = 300 * MIB
MAX_ZIP_RATIO = 100  # uncompressed over compressed, the whole archive
MAX_ZIP_ENTRY_RATIO = 200  # one entry, once it unpacks to more than a MiB
MAX_FILE_NAME = 200  # characters, the extension kept
