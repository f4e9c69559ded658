"""Errors the engine raises to its callers.

Each carries a plain message meant for a person; callers map them to HTTP statuses
or exit codes (conflict → 409, not allowed → 403, invalid data → 422, ...).
"""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of everything the engine raises on purpose."""


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
        super().__init__("; ".join(str(p) for p in problems))


class NotFound(EngineError):
    """The definition, instance or task does not exist."""


class Conflict(EngineError):
    """Someone else changed the instance first, or the task is no longer ready."""


class MigrationRefused(Conflict):
    """Moving an instance to another version would touch what it did or is doing."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class Suspended(Conflict):
    """The instance is suspended by an administrator: nothing may change it until resumed."""


class NotAllowed(EngineError):
    """The actor may not do this."""


class InvalidTaskData(EngineError):
    """Task data failed validation; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class NotWaiting(EngineError):
    """A message was delivered to an instance that is not waiting for it."""


class ScriptError(EngineError):
    """A script, condition or expression failed while the engine ran it."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__(message)


class SandboxViolation(ScriptError):
    """A script tried something the sandbox forbids (imports, dunders, unsafe calls)."""


class BudgetExceeded(ScriptError):
    """A run used more script steps, memory or tree depth than it is allowed."""
