"""What the engine and its script worker say to each other over their pipe.

Both directions are pickles, but only the engine's are trusted: what comes back from the
worker ran untrusted code, so it is read by an unpickler that builds nothing but plain
data (no class it does not name here, so no code runs while reading).
"""

from __future__ import annotations

import datetime
import decimal
import io
import pickle
import zoneinfo
from typing import Any

# The most a worker may send in one message: more than any task data the guards let a
# script build (engine.sandbox.guards.RUN_ALLOCATION), far less than the memory cap.
MAX_MESSAGE = 64 * 2**20

_DATA_CLASSES: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): complex,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray,
    ("datetime", "datetime"): datetime.datetime,
    ("datetime", "date"): datetime.date,
    ("datetime", "time"): datetime.time,
    ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone,
    ("decimal", "Decimal"): decimal.Decimal,
    ("zoneinfo", "ZoneInfo._unpickle"): zoneinfo.ZoneInfo._unpickle,  # type: ignore[attr-defined]
    ("zoneinfo._zoneinfo", "ZoneInfo._unpickle"): zoneinfo.ZoneInfo._unpickle,  # type: ignore[attr-defined]
}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _DATA_CLASSES[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not data") from None


def dumps(message: Any) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def loads_trusted(data: bytes) -> Any:
    """A message from the engine (the worker's side)."""
    return pickle.loads(data)


def loads_untrusted(data: bytes) -> Any:
    """A message from the worker (the engine's side): plain data or an UnpicklingError."""
    return _DataUnpickler(io.BytesIO(data)).load()
