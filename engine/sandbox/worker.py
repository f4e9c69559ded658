"""The script worker: a separate process that runs scripts under hard operating-system limits.

Started by engine.sandbox.process with one end of a socket pair. For each request it caps
its own address space and CPU time at what the run has left, runs the script under the
guards (engine.sandbox.guards) and answers with the result. A helper the script calls is
answered by the engine's process, which alone has the database. If a script holds this
process in one long C call, the engine kills it; nothing else waits on it.

    python -m engine.sandbox.worker FD
"""

from __future__ import annotations

import contextlib
import math
import signal
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from engine.errors import BudgetExceeded, SandboxViolation
from engine.sandbox import guards
from engine.sandbox.protocol import dumps, loads_trusted

try:
    import resource
except ImportError:  # not on Windows: the engine's wall-clock kill is the only hard limit
    resource = None  # type: ignore[assignment]


class HelperFailed(Exception):
    """A helper refused in the engine's process; the engine re-raises its own error."""


def _harden() -> None:
    if resource is None:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a CPU-limit kill leaves no core file
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # scripts never write files


def _address_space() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _cap(limits: guards.Limits, usage: guards.Usage) -> None:
    """Cap this process at what the run has left: the memory it may add, its CPU time."""
    if resource is None:
        return
    with contextlib.suppress(OSError, ValueError):  # no /proc: the guards' check still applies
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + limits.memory, -1))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime
    left = max(limits.seconds - usage.seconds, 0.0)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(cpu + left) + 1, -1))


def _uncap() -> None:
    """Lift the caps between scripts: an idle worker must not be killed for CPU time it
    used before."""
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (-1, -1))
        resource.setrlimit(resource.RLIMIT_CPU, (-1, -1))


def _script_line(exc: BaseException) -> int:
    if isinstance(exc, SyntaxError):
        return exc.lineno or 0
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == guards.FILENAME]
    return (frames[-1].lineno or 0) if frames else 0


def _failure(exc: BaseException, run: guards._Run) -> tuple[Any, ...]:
    if isinstance(exc, MemoryError):
        kind, message = (
            "budget",
            f"a script needed more than {run.memory_growth >> 20} MB of memory",
        )
    elif isinstance(exc, RecursionError):
        kind, message = "budget", "a script recursed too deeply"
    elif isinstance(exc, BudgetExceeded):
        kind, message = "budget", str(exc)
    elif isinstance(exc, SandboxViolation):
        kind, message = "violation", str(exc)
    elif isinstance(exc, HelperFailed):
        kind, message = "helper", str(exc)
    else:
        kind, message = "error", str(exc)
    args = tuple(a for a in exc.args if isinstance(a, str | int | float))
    line = _script_line(exc)
    exc.__traceback__ = None  # let go of the script's frames and what they hold
    usage = run.usage()
    if kind == "budget":
        usage.exhausted = usage.exhausted or message
    return ("error", kind, type(exc).__name__, message, args, line, _usage(usage))


def _usage(usage: guards.Usage) -> tuple[Any, ...]:
    return (usage.steps, usage.allocated, usage.seconds, usage.exhausted)


def _helper_stubs(
    conn: Connection, names: tuple[str, ...], run: guards._Run
) -> dict[str, Callable[..., Any]]:
    def stub(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            conn.send_bytes(dumps(("call", name, args, kwargs)))
            kind, value = loads_trusted(conn.recv_bytes())
            run.paused(time.monotonic() - started)
            if kind == "raise":
                raise HelperFailed(value)
            return value

        call.__name__ = name
        return call

    return {name: stub(name) for name in names}


def serve(conn: Connection, request: tuple[Any, ...]) -> bytes:
    """Run one script or expression; the pickled reply."""
    mode, source, context, external, helper_names, limits, usage = request
    limits = guards.Limits(*limits)
    run = guards._Run(limits, guards.Usage(*usage))
    helpers = _helper_stubs(conn, helper_names, run)
    _cap(limits, run.usage())
    try:
        run_script = guards.evaluate if mode == "eval" else guards.execute
        value = run_script(run, helpers, source, context, external)
        return dumps(("ok", value, _usage(run.usage())))  # a value that is not data fails here
    except Exception as exc:  # every failure of the script goes back to the engine
        _uncap()  # room to build the answer, even after a MemoryError
        return dumps(_failure(exc, run))
    finally:
        _uncap()


def main(fd: int) -> None:
    _harden()
    conn = Connection(fd)
    conn.send_bytes(dumps(("ready",)))
    while True:
        try:
            request = loads_trusted(conn.recv_bytes())
        except EOFError:  # the engine's process is gone
            return
        conn.send_bytes(serve(conn, request))


if __name__ == "__main__":
    main(int(sys.argv[1]))
