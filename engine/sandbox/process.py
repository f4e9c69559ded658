"""The engine's side of the script worker: warm worker processes and the calls to them.

A script runs in a worker process (engine.sandbox.worker), never in the engine's own: one
long C call (hashing a huge shared tuple, `repr` of a giant list, big-integer division)
holds only that worker, which is killed at the run's time budget, while the web or timer
process that asked keeps serving. Workers stay warm between scripts (a pool, not a fork
per expression); one that hit a limit is killed and replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from engine.errors import BudgetExceeded
from engine.sandbox.guards import Limits, Usage
from engine.sandbox.protocol import MAX_MESSAGE, dumps, loads_untrusted

# The worker enforces the time budget itself wherever Python code runs (a clearer message
# and a worker that stays warm); past it by this much, the engine kills the worker.
KILL_GRACE_SECONDS = 0.25
START_TIMEOUT_SECONDS = 30.0
IDLE_WORKERS = 8
_ROOT = str(Path(__file__).resolve().parents[2])


class WorkerStopped(BudgetExceeded):
    """The worker died or was killed: the script hit a hard limit."""


class _Gone(Exception):
    """The worker was dead before the script was sent to it."""


class Worker:
    """One worker process and the socket to it."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "engine.sandbox.worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                # Nothing of the server's environment (database URLs, secrets) reaches it.
                env={"PYTHONPATH": _ROOT, "PYTHONDONTWRITEBYTECODE": "1"},
                cwd=_ROOT,
            )
            self.conn = Connection(ours.detach())
        if not self.conn.poll(START_TIMEOUT_SECONDS):
            self.kill()
            raise RuntimeError("the script worker did not start")
        self.conn.recv_bytes()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()

    def call(
        self,
        request: tuple[Any, ...],
        helpers: Mapping[str, Callable[..., Any]],
        seconds: float,
        budget: float,
    ) -> tuple[tuple[Any, ...], Exception | None]:
        """Send a request and answer the worker's helper calls until it replies; kill it
        if it runs past `seconds` (helper time not counted; `budget` is the whole run's,
        for the message) or dies. Returns the reply and
        the last error a helper raised (the script failed of it if the reply says so)."""
        deadline = time.monotonic() + seconds + KILL_GRACE_SECONDS
        try:
            self.conn.send_bytes(dumps(request))
        except OSError:  # it died before this script: nothing of it ran
            self.kill()
            raise _Gone from None
        helper_error: Exception | None = None
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.conn.poll(left):
                self.kill()
                raise WorkerStopped(f"scripts ran longer than {budget:g} seconds in one run")
            try:
                message = loads_untrusted(self.conn.recv_bytes(MAX_MESSAGE))
            except (EOFError, OSError):
                self.kill()
                raise WorkerStopped(
                    "the script was stopped: it used more memory or CPU time than allowed"
                ) from None
            if message[0] != "call":
                return tuple(message), helper_error
            _, name, args, kwargs = message
            started = time.monotonic()
            try:
                answer: tuple[str, Any] = ("return", helpers[name](*args, **kwargs))
            except Exception as exc:  # the script may catch it; if not, it is re-raised
                helper_error = exc
                answer = ("raise", str(exc))
            deadline += time.monotonic() - started
            self.conn.send_bytes(dumps(answer))


class Pool:
    """Idle workers, shared by the threads of one process."""

    def __init__(self) -> None:
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def take(self) -> Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's workers are not ours
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.kill()  # died while idle (killed from outside): start another
        return Worker()

    def give_back(self, worker: Worker) -> None:
        with self._lock:
            if len(self._idle) < IDLE_WORKERS and worker.process.poll() is None:
                self._idle.append(worker)
                return
        worker.kill()

    def replace(self, worker: Worker) -> None:
        """Kill a worker that hit a limit and warm its successor in the background, so the
        next script does not wait for a process to start."""
        worker.kill()

        def warm() -> None:
            with contextlib.suppress(Exception):  # the next take() starts one instead
                self.give_back(Worker())

        threading.Thread(target=warm, name="laurel-script-worker", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


POOL = Pool()
atexit.register(POOL.close)


def run(
    mode: str,
    source: str,
    context: Mapping[str, Any],
    external: Mapping[str, Any],
    helpers: Mapping[str, Callable[..., Any]],
    limits: Limits,
    usage: Usage,
) -> tuple[tuple[Any, ...], Exception | None]:
    """Run one script ("exec") or expression ("eval") in a worker. Returns its reply,
    ("ok", value, usage) or ("error", kind, class name, message, args, line, usage), and
    the error of the helper the script failed of, if any."""
    request = (
        mode,
        source,
        dict(context),
        dict(external),
        tuple(helpers),
        (limits.steps, limits.seconds, limits.memory),
        (usage.steps, usage.allocated, usage.seconds, usage.exhausted),
    )
    seconds = max(limits.seconds - usage.seconds, 0.0)
    worker = POOL.take()
    try:
        try:
            reply, helper_error = worker.call(request, helpers, seconds, limits.seconds)
        except _Gone:
            worker = Worker()
            reply, helper_error = worker.call(request, helpers, seconds, limits.seconds)
    except BaseException:
        POOL.replace(worker)  # killed at a limit, or mid-conversation: its state is unknown
        raise
    if reply[0] == "error" and reply[1] == "budget":
        POOL.replace(worker)  # it may hold on to memory the script piled up
    else:
        POOL.give_back(worker)
    return reply, helper_error
