"""Anchors: the audit chain's head, recorded where the application cannot rewrite it.

The chain alone shows a changed or missing event in its middle, but not a tail deleted (or a
chain rewritten from some event on, every hash recomputed) by someone who can bypass the
database's triggers. An anchor (seq, hash, time) taken earlier and kept outside the database
shows both: the chain must still reach the anchor's seq with the anchor's hash.

Anchors go to a sink. `AnchorFile` is the default one: JSON lines that the application only
ever appends to (the operator ships the file off the machine, or makes it append-only with
`chattr +a`). The server records the head after every deploy and, in its background loop, at
an interval when the head has moved; `check` verifies the chain against every anchor and
says how old the newest one is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from engine import audit
from engine.audit import Anchor

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(minutes=10)
# Past this age, an anchor with events after it leaves too much of the chain unprotected.
DEFAULT_MAX_AGE = timedelta(days=1)
# The newest anchor is on the file's last line; this many bytes from the end hold it.
_TAIL_BYTES = 4096


class AnchorSink(Protocol):
    """Where anchors are kept, outside the database."""

    def append(self, anchor: Anchor) -> None:
        """Add an anchor after every earlier one; never change or drop one."""
        ...

    def newest(self) -> Anchor | None:
        """The anchor appended last, if any."""
        ...

    def read(self) -> tuple[list[Anchor], list[int]]:
        """Every anchor in order, and the numbers of the entries that are not one."""
        ...


class AnchorFile:
    """Anchors as JSON lines in a file opened only to append (or to read)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, anchor: Anchor) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # "a" is O_APPEND: every write lands at the end, whatever else writes the file.
        with self.path.open("a", encoding="utf-8") as file:
            if file.tell() and not self._ends_with_newline():
                file.write("\n")  # a line cut short by a crash stays its own (bad) line
            file.write(anchor.to_json() + "\n")
            file.flush()
            os.fsync(file.fileno())

    def newest(self) -> Anchor | None:
        try:
            with self.path.open("rb") as file:
                size = file.seek(0, os.SEEK_END)
                file.seek(max(0, size - _TAIL_BYTES))
                tail = file.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return None
        for line in reversed(tail.splitlines()):
            if line.strip():
                try:
                    return parse_line(line)
                except ValueError:
                    return None  # `read` names the damaged line; nothing here to publish
        return None

    def read(self) -> tuple[list[Anchor], list[int]]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return [], []
        anchors, bad = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                anchors.append(parse_line(line))
            except ValueError:
                bad.append(number)
        return anchors, bad

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as file:
            file.seek(-1, os.SEEK_END)
            return file.read(1) == b"\n"


def record(head: Anchor, sink: AnchorSink, every: timedelta = timedelta(0)) -> bool:
    """Append the chain `head` (`audit.head`) to `sink` if it moved since the newest anchor
    and that anchor is at least `every` old; whether it was written."""
    if head.seq == 0:
        return False  # an empty chain has nothing to protect
    newest = sink.newest()
    if newest is not None:
        if newest.seq == head.seq and newest.hash == head.hash:
            return False
        if head.seq <= newest.seq:
            # The chain lost events or was rewritten behind the newest anchor: anchoring its
            # head now would only blur what `check` reports.
            log.error(
                "not anchoring: the audit chain ends at event %d (%s) but was anchored at "
                "event %d (%s) on %s",
                head.seq,
                head.hash,
                newest.seq,
                newest.hash,
                newest.at,
            )
            return False
        if parse_at(head.at) - parse_at(newest.at) < every:
            return False
    sink.append(head)
    return True


def anchor_after_commit(session: Session, sink: AnchorSink, at: datetime) -> None:
    """Anchor the head this transaction leaves, once it has committed.

    Read now, inside the transaction, so it is exactly this change's head (on PostgreSQL the
    chain lock is held until commit); written by the engine's after-commit callbacks, so a
    transaction rolled back leaves no anchor.
    """
    anchor = audit.head(session.connection(), at)

    def write() -> None:
        try:
            sink.append(anchor)
        except OSError:  # the change is committed; a missing anchor shows as an old one
            log.exception("could not write the audit anchor %s", anchor.to_json())

    session.info.setdefault("laurel.after_commit", []).append(write)


@dataclass(frozen=True)
class Checked:
    """The chain check against the anchors outside the database."""

    result: audit.VerifyResult
    anchors: int  # how many anchors the chain was checked against
    newest: Anchor | None
    age: timedelta | None  # of the newest anchor
    max_age: timedelta
    bad_lines: tuple[int, ...] = ()  # lines of the anchor file that are not anchors

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.bad_lines

    @property
    def unanchored(self) -> int:
        """Events after the newest anchor: a tail nobody could tell was deleted."""
        return max(0, self.result.checked - (self.newest.seq if self.newest else 0))

    @property
    def stale(self) -> bool:
        """No anchor, or one too old, while events stand unprotected after it."""
        if not self.unanchored:
            return False
        return self.age is None or self.age > self.max_age


def check(
    connection: Connection,
    sink: AnchorSink,
    now: datetime,
    extra: Iterable[Anchor] = (),
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> Checked:
    """Verify the whole chain against every anchor of `sink` and any `extra` ones (pasted by
    an auditor, say)."""
    kept, bad = sink.read()
    anchors = [*kept, *extra]
    result = audit.verify(connection, anchors=anchors)
    newest = max(anchors, key=lambda a: (parse_at(a.at), a.seq), default=None)
    age = now - parse_at(newest.at) if newest is not None else None
    return Checked(result, len(anchors), newest, age, max_age, tuple(bad))


def parse_line(line: str) -> Anchor:
    """An anchor from its JSON line; ValueError when the line is not one."""
    try:
        anchor = Anchor.from_json(line)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an anchor: {line[:100]!r}") from exc
    if anchor.seq < 1 or len(anchor.hash) != 64 or anchor.hash.strip("0123456789abcdef"):
        raise ValueError(f"not an anchor: {line[:100]!r}")
    parse_at(anchor.at)
    return anchor


def parse_at(at: str) -> datetime:
    """An anchor's time (`audit.at_text`: ISO 8601, UTC); ValueError if it is not one."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        raise ValueError(f"an anchor's time needs its offset: {at!r}")
    return moment
