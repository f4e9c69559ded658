"""A background loop that fires due timers and anchors the audit chain: in the server process
for the embedded default, or as its own process beside web workers (`laurel timers work`)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from engine import anchoring, audit
from engine.anchoring import AnchorSink
from engine.runtime import Engine

log = logging.getLogger(__name__)


class TimerWorker:
    def __init__(
        self,
        engine: Engine,
        interval_s: float = 30.0,
        anchors: AnchorSink | None = None,
        anchor_every: timedelta = anchoring.DEFAULT_INTERVAL,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.anchors = anchors
        self.anchor_every = anchor_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Fire what is due, then anchor the chain head if it is time to; the instances fired."""
        try:
            fired = self.engine.fire_due_timers()
        except Exception:  # one bad instance must not stop every other timer
            log.exception("firing due timers failed; retrying in %ss", self.interval_s)
            fired = 0
        self.anchor()
        return fired

    def anchor(self) -> bool:
        """Record the chain head outside the database when it moved and the newest anchor
        is `anchor_every` old; whether one was written."""
        if self.anchors is None:
            return False
        try:
            with self.engine.sessions() as session:
                head = audit.head(session.connection(), self.engine.clock.now())
            return anchoring.record(head, self.anchors, self.anchor_every)
        except Exception:  # a full disk must not stop the timers; an old anchor shows it
            log.exception("anchoring the audit chain failed; retrying in %ss", self.interval_s)
            return False

    def loop(self) -> None:
        while not self._stop.is_set():
            fired = self.run_once()
            if fired:
                log.info("fired timers of %d instance(s)", fired)
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.loop, name="laurel-timers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
