"""The sandbox every script, condition, DMN cell and timer expression runs in.

Two lines of defence: RestrictedPython and the guards (engine.sandbox.guards) refuse escapes
and the common runaway with a precise message; a separate worker process with hard
operating-system limits (engine.sandbox.process) holds against everything else, so no
script can stall the process that runs the engine. SpiffWorkflow sees one script engine.
"""

from __future__ import annotations

import builtins
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import BudgetExceeded, SandboxViolation, ScriptError
from engine.ports import ScriptHelpers
from engine.sandbox import guards, process
from engine.sandbox.guards import (
    DEFAULT_STEP_BUDGET,
    MAX_MEMORY_GROWTH,
    TIME_BUDGET_SECONDS,
    Limits,
    Usage,
    compile_error,
)

__all__ = [
    "DEFAULT_STEP_BUDGET",
    "MAX_MEMORY_GROWTH",
    "TIME_BUDGET_SECONDS",
    "Limits",
    "SandboxedEnvironment",
    "SandboxedScriptEngine",
    "compile_error",
]

# Names the guards put in every script's scope: task data may not shadow them.
_GUARD_NAMES = frozenset(
    {"__builtins__", "_getattr_", "_getitem_", "_getiter_", "_iter_unpack_sequence_",
     "_unpack_sequence_", "_write_", "_apply_", "_inplacevar_", "_binop_", "_format_",
     "_sized_", "_reraise_"}
)  # fmt: skip


def _error(reply: tuple[Any, ...]) -> Exception:
    """The worker's report of a failed script as the exception it was there."""
    _, kind, name, message, args, line, _ = reply
    error: Exception
    if kind == "violation":
        error = SandboxViolation(message)
    elif kind == "budget":
        error = BudgetExceeded(message)
    else:
        cls = getattr(builtins, name, None)
        standard = isinstance(cls, type) and issubclass(cls, Exception)
        error = cls(*args) if standard else ScriptError(f"{name}: {message}")  # type: ignore[misc]
    setattr(error, "script_line", line)  # noqa: B010 (read back in get_error_line_number...)
    return error


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Spiff's TaskDataEnvironment semantics, run in a worker process under the run's limits."""

    def __init__(self, helpers: ScriptHelpers | None = None, limits: Limits | None = None) -> None:
        super().__init__(dict(helpers or {}))  # Spiff keeps predefined names in self.globals
        self.limits = limits or Limits()
        self.usage = Usage()

    def start_run(self) -> None:
        self.usage = Usage()

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        return self._run("eval", expression, context, dict(external_context or {}))

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        external = dict(external_context or {})
        self.check_for_overwrite(context, external)
        # Only data comes back, and only if the script succeeded: a failed script
        # changes nothing in the task's data.
        data = self._run("exec", script, context, external)
        context.clear()
        context.update(data)
        return True

    def _run(
        self, mode: str, source: str, context: dict[str, Any], external: dict[str, Any]
    ) -> Any:
        if self.usage.exhausted:
            raise BudgetExceeded(self.usage.exhausted)
        if guards.is_bounded(source, mode):
            return self._run_here(mode, source, context, external)
        try:
            reply, helper_error = process.run(
                mode, source, context, external, self.globals, self.limits, self.usage
            )
        except BudgetExceeded as stopped:
            self.usage.exhausted = str(stopped)
            raise
        self.usage = Usage(*reply[-1])
        if reply[0] == "ok":
            return reply[1]
        if reply[1] == "helper" and helper_error is not None:
            raise helper_error
        raise _error(reply)

    def _run_here(
        self, mode: str, source: str, context: dict[str, Any], external: dict[str, Any]
    ) -> Any:
        """A bounded script (guards.is_bounded), under the same guards, in this process."""
        run = guards._Run(self.limits, self.usage)
        try:
            run_script = guards.evaluate if mode == "eval" else guards.execute
            return run_script(run, self.globals, source, context, external)
        finally:
            self.usage = run.usage()

    def check_for_overwrite(
        self, context: dict[str, Any], external_context: dict[str, Any]
    ) -> None:
        predefined = self.globals.keys() | external_context.keys() | _GUARD_NAMES
        clashes = sorted(predefined & context.keys())
        if clashes:
            raise ValueError(
                "Task data overwrites predefined function(s); please rename these variables "
                f"or fields: {', '.join(clashes)}"
            )


class SandboxedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine every workflow runs with; set again after every restore."""

    def __init__(self, helpers: ScriptHelpers | None = None, limits: Limits | None = None) -> None:
        self.helpers = dict(helpers or {})
        self.sandbox = SandboxedEnvironment(self.helpers, limits)
        super().__init__(environment=self.sandbox)

    def start_run(self) -> None:
        """Reset the run's budgets: called by the runtime before each engine run."""
        self.sandbox.start_run()

    # SpiffWorkflow 3.2 wraps script errors in WorkflowTaskException without keeping the
    # original; keep it as `.exception` so callers can tell sandbox refusals apart.
    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as exc:
            exc.exception = getattr(exc, "exception", None) or exc.__context__
            raise

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        try:
            return super().execute(task, script, external_context)
        except WorkflowTaskException as exc:
            exc.exception = getattr(exc, "exception", None) or exc.__context__
            raise

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        """The failing line as the worker saw it (its traceback stays in the worker)."""
        line = getattr(err, "script_line", 0) or 0
        lines = script.splitlines()
        if 0 < line <= len(lines):
            return line, lines[line - 1]
        return 0, ""

    def validate(self, expression: str) -> None:
        """Raise SyntaxError if the expression does not compile (Spiff's DMN relies on it)."""
        err = compile_error(expression, "eval")
        if err:
            raise SyntaxError(err)
