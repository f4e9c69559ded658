"""The audit log: one append-only hash chain, written in the transaction it records.

hash = sha256(prev_hash + canonical JSON of the event). `verify` walks the chain and
names the first link that does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from engine.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it only names the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x1A0BE1


def canonical(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    instance_id: int | None,
    task_id: str | None,
    payload: Any,
) -> str:
    event = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "action": action,
        "instance_id": instance_id,
        "task_id": task_id,
        "payload": payload,
    }
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, canonical_event: str) -> str:
    return hashlib.sha256((prev_hash + canonical_event).encode()).hexdigest()


@dataclass(frozen=True)
class PendingEvent:
    actor: str
    action: str
    instance_id: int | None = None
    task_id: str | None = None
    payload: dict[str, Any] | None = None


def append(session: Session, at: datetime, events: list[PendingEvent]) -> list[AuditEvent]:
    """Chain `events` after the current head, inside the caller's transaction.

    Call it last, just before commit: on PostgreSQL it takes the chain lock, which is
    held until commit and serialises every writer from here on.
    """
    if not events:
        return []
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    rows = []
    for event in events:
        seq += 1
        payload = event.payload or {}
        # Round-trip through JSON so the hash covers exactly what the database will return.
        payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
        digest = chain_hash(
            prev, canonical(seq, at, event.actor, event.action, event.instance_id, event.task_id, payload)
        )
        row = AuditEvent(
            seq=seq,
            at=at,
            actor=event.actor,
            action=event.action,
            instance_id=event.instance_id,
            task_id=event.task_id,
            payload=payload,
            prev_hash=prev,
            hash=digest,
        )
        session.add(row)
        rows.append(row)
        prev = digest
    return rows


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _rows(connection: Connection, batch: int) -> Iterator[Any]:
    table = AuditEvent.__table__
    result = connection.execution_options(yield_per=batch).execute(
        select(
            table.c.seq,
            table.c.at,
            table.c.actor,
            table.c.action,
            table.c.instance_id,
            table.c.task_id,
            table.c.payload,
            table.c.prev_hash,
            table.c.hash,
        ).order_by(table.c.seq)
    )
    yield from result


def verify(connection: Connection, batch: int = 5000) -> VerifyResult:
    """Walk the whole chain; report the first event whose link or content does not hold."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for seq, at, actor, action, instance_id, task_id, payload, prev_hash, digest in _rows(
        connection, batch
    ):
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order"
            return VerifyResult(checked, prev, expected_seq, f"event {expected_seq} is {what}")
        if prev_hash != prev:
            return VerifyResult(
                checked, prev, seq, f"prev_hash does not match the hash of event {seq - 1}"
            )
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        recomputed = chain_hash(
            prev, canonical(seq, at, actor, action, instance_id, task_id, payload)
        )
        if recomputed != digest:
            return VerifyResult(
                checked, prev, seq, "content does not match its hash (changed after writing)"
            )
        prev = digest
        expected_seq += 1
        checked += 1
    return VerifyResult(checked, prev)
