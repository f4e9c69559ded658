"""Errors the engine raises to its callers.

An error says what went wrong as a `Message`: a code and its values, never prose, so that an
interface says it in the reader's language (web/i18n.py looks codes up in its catalogues)
and a log still reads it (`str(error)` is the code with its values). Callers map the classes
to HTTP statuses or exit codes (conflict → 409, not allowed → 403, invalid data → 422, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, init=False)
class Message:
    """What to tell a person: a message code and the values it names. A value may itself be
    a Message (a status by its name, say), said in the same language."""

    code: str
    params: Mapping[str, Any]

    def __init__(self, code: str, /, **params: Any) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)

    def __str__(self) -> str:
        values = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.code}({values})" if values else self.code


class EngineError(Exception):
    """Base class of everything the engine raises on purpose: `EngineError(code, **params)`."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.message = Message(code, **params)
        super().__init__(str(self.message))


@dataclass(frozen=True)
class Problem:
    """One reason a definition was refused, tied to the element (or file) it concerns."""

    element_id: str
    message: str
    file: str = ""
    # For the most common problems, a code and its values, so that an interface can say the
    # same in its own language; `message` stays the engine's English.
    code: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.element_id or '(document)'}: {self.message}"


class DefinitionRejected(EngineError):
    """A deploy was refused; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("definition_rejected", problems="; ".join(str(p) for p in problems))


class NotFound(EngineError):
    """The definition, instance or task does not exist."""


class Conflict(EngineError):
    """Someone else changed the instance first, or the task is no longer ready."""


class MigrationRefused(Conflict):
    """Moving an instance to another version would touch what it did or is doing."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("migration_refused", problems="; ".join(str(p) for p in problems))


class Suspended(Conflict):
    """The instance is suspended by an administrator: nothing may change it until resumed."""


class NotAllowed(EngineError):
    """The actor may not do this."""


class InvalidTaskData(EngineError):
    """Task data failed validation; `errors` maps field names to what is wrong with each (a
    Message, or a library's own text such as marshmallow's, which the edge translates)."""

    def __init__(self, errors: Mapping[str, Message | str]) -> None:
        self.errors = dict(errors)
        super().__init__("invalid", fields="; ".join(f"{k}: {v}" for k, v in errors.items()))


class ListRefused(EngineError):
    """A list change refused whole: nothing was recorded. `problems` maps each refused
    task id to why, in the order of the list."""

    def __init__(self, problems: Mapping[str, EngineError]) -> None:
        self.problems = dict(problems)
        super().__init__("list_refused", count=len(self.problems))


class NotWaiting(EngineError):
    """A message was delivered to an instance that is not waiting for it."""


class ScriptError(EngineError):
    """A script, condition or expression failed while the engine ran it."""

    # Its text is the script's own failure (a Python error, a limit), kept on the instance
    # for the administrator who fixes the process, so it stays text rather than a code.
    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__("script_failed", detail=message)
        self.args = (message,)


class SandboxViolation(ScriptError):
    """A script tried something the sandbox forbids (imports, dunders, unsafe calls)."""


class BudgetExceeded(ScriptError):
    """A run used more script steps, memory or tree depth than it is allowed."""
