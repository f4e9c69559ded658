"""A background loop that fires due timers: in the server process for the embedded default,
or as its own process beside web workers (`laurel timers work`)."""

from __future__ import annotations

import logging
import threading

from engine.runtime import Engine

log = logging.getLogger(__name__)


class TimerWorker:
    def __init__(self, engine: Engine, interval_s: float = 30.0) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        try:
            return self.engine.fire_due_timers()
        except Exception:  # one bad instance must not stop every other timer
            log.exception("firing due timers failed; retrying in %ss", self.interval_s)
            return 0

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
