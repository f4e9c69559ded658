"""The audit log: one append-only hash chain, written in the transaction it records.

hash = sha256(prev_hash + canonical JSON of the event). `verify` walks the chain and
names the first link that does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.orm import Session

from engine.models import AuditEvent, table_of

GENESIS = "0" * 64
# Any constant works; it only names the PostgreSQL advisory lock that serialises appends.
_CHAIN_LOCK_KEY = 0x1A0BE1
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_TABLE = table_of(AuditEvent)
_HEAD = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = insert(_TABLE)


def canonical_payload(payload: Any) -> str:
    """The exact text stored and hashed: sorted keys, no spaces, Vietnamese kept as is."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def at_text(at: datetime) -> str:
    """The event time as hashed: UTC, always with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def chain_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    instance_id: int | None,
    task_id: str | None,
    payload_text: str,
) -> str:
    # Length-prefixed text fields: no value can pass for its neighbour, and this is
    # several times faster than JSON, which matters when verify walks millions of events.
    header = (
        f"{seq}|{at}|{instance_id}|{len(actor)}:{actor}|{len(action)}:{action}"
        f"|{task_id and len(task_id)}:{task_id}|"
    )
    return hashlib.sha256((prev_hash + header + payload_text).encode()).hexdigest()


@dataclass(frozen=True)
class PendingEvent:
    actor: str
    action: str
    instance_id: int | None = None
    task_id: str | None = None
    payload: dict[str, Any] | None = None
    # The organisation scope (an opaque string to the engine) readers filter on; kept
    # beside the hashed event, not in it.
    org_scope: str | None = None


# Where a batch of changes (Engine.batch) keeps the events it chains at its end.
DEFERRED = "laurel.audit_deferred"


def record(session: Session, at: datetime, events: list[PendingEvent]) -> None:
    """Chain `events` now, or, in a batch of changes, with the batch's own at its end (so a
    long batch takes the chain lock last, as a single change does)."""
    deferred = session.info.get(DEFERRED)
    if deferred is None:
        append(session, at, events)
    else:
        deferred.extend(events)


def append(session: Session, at: datetime, events: list[PendingEvent]) -> None:
    """Chain `events` after the current head, inside the caller's transaction.

    Call it last, just before commit: on PostgreSQL it takes the chain lock, which is
    held until commit and serialises every writer from here on.
    """
    if not events:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_CHAIN_LOCK, {"k": _CHAIN_LOCK_KEY})
    head = connection.execute(_HEAD).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    stamp = at_text(at)
    rows = []
    for event in events:
        seq += 1
        payload = canonical_payload(event.payload or {})
        digest = chain_hash(
            prev, seq, stamp, event.actor, event.action, event.instance_id, event.task_id, payload
        )
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor": event.actor,
                "action": event.action,
                "instance_id": event.instance_id,
                "task_id": event.task_id,
                "payload": payload,
                "prev_hash": prev,
                "hash": digest,
                "org_scope": event.org_scope,
            }
        )
        prev = digest
    connection.execute(_INSERT, rows)


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""
    # What broke as a code and its values, so an interface can say it in its own language;
    # `problem` stays the engine's English.
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


_COLUMNS = "seq, {at}, actor, action, instance_id, task_id, payload, prev_hash, hash"
# The time as `at_text` writes it, built by the database: verify walks millions of events
# and parsing each timestamp into a datetime only to print it again would dominate.
_AT_TEXT = {
    "postgresql": """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')""",
    # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) in SQLite.
    "sqlite": "replace(at, ' ', 'T') || '+00:00'",
}


def _rows(connection: Connection, batch: int) -> Iterator[Any]:
    sql = f"SELECT {_COLUMNS.format(at=_AT_TEXT[connection.dialect.name])} "
    sql += "FROM audit_events ORDER BY seq"
    yield from connection.execution_options(stream_results=True, yield_per=batch).exec_driver_sql(
        sql
    )


@dataclass(frozen=True)
class Anchor:
    """The chain head at a moment, published or signed outside the database.

    A chain rewritten from some event on (every hash recomputed) still verifies on its own;
    it no longer extends an anchor taken before the rewrite.
    """

    seq: int
    hash: str
    at: str

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at})

    @classmethod
    def from_json(cls, line: str) -> Anchor:
        data = json.loads(line)
        return cls(int(data["seq"]), str(data["hash"]), str(data["at"]))


def head(connection: Connection, at: datetime) -> Anchor:
    row = connection.execute(_HEAD).first()
    seq, digest = (row[0], row[1]) if row else (0, GENESIS)
    return Anchor(seq, digest, at_text(at))


def verify(
    connection: Connection, batch: int = 5000, anchors: Iterable[Anchor] = ()
) -> VerifyResult:
    """Walk the whole chain; report the first event whose link or content does not hold,
    or the first anchor the chain no longer extends."""
    # Every anchor counts, several at one seq included: were only the last one kept, whoever
    # could append to the anchor file could pin a rewritten chain over an honest anchor.
    pinned: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.seq > 0:
            pinned.setdefault(anchor.seq, []).append(anchor)
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for seq, at, actor, action, instance_id, task_id, payload, prev_hash, digest in _rows(
        connection, batch
    ):
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order"
            return VerifyResult(
                checked,
                prev,
                expected_seq,
                f"event {expected_seq} is {what}",
                "missing" if seq > expected_seq else "out_of_order",
            )
        if prev_hash != prev:
            return VerifyResult(
                checked,
                prev,
                seq,
                f"prev_hash does not match the hash of event {seq - 1}",
                "bad_link",
                (("previous", str(seq - 1)),),
            )
        recomputed = chain_hash(prev, seq, at, actor, action, instance_id, task_id, payload)
        if recomputed != digest:
            return VerifyResult(
                checked,
                prev,
                seq,
                "content does not match its hash (changed after writing)",
                "changed",
            )
        here = pinned.get(seq)
        if here is not None:
            for anchor in here:
                if anchor.hash != digest:
                    return VerifyResult(
                        checked,
                        prev,
                        seq,
                        f"the chain no longer extends the anchor taken at {anchor.at}: "
                        "it was rewritten from this event or before",
                        "anchor_rewritten",
                        (("anchored_at", anchor.at),),
                    )
        prev = digest
        expected_seq += 1
        checked += 1
    beyond = [seq for seq in pinned if seq >= expected_seq]
    if beyond:
        # The newest anchor past the end says how far the chain reached at least.
        newest = pinned[max(beyond)][-1]
        ends = expected_seq - 1
        return VerifyResult(
            checked,
            prev,
            expected_seq,
            f"the chain ends at event {ends} but was anchored at event {newest.seq} "
            f"on {newest.at}: events were removed",
            "anchor_removed",
            (("ends", str(ends)), ("anchored_seq", str(newest.seq)), ("anchored_at", newest.at)),
        )
    return VerifyResult(checked, prev)
