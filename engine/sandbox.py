"""RestrictedPython sandbox for scripts, conditions, DMN cells and timer expressions.

SKELETON — being completed by the sandbox helper. The public names below are the contract
other modules rely on; keep their signatures.
"""

from __future__ import annotations

from typing import Any, Literal

from RestrictedPython import compile_restricted
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.ports import ScriptHelpers

DEFAULT_STEP_BUDGET = 100_000


def compile_error(source: str, mode: Literal["exec", "eval"]) -> str | None:
    """Return a plain message if `source` does not compile in the sandbox, else None."""
    try:
        compile_restricted(source, "<script>", mode)
    except SyntaxError as exc:
        return str(exc)
    return None


class SandboxedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine every workflow runs with; set again after every restore."""

    def __init__(
        self, helpers: ScriptHelpers | None = None, step_budget: int = DEFAULT_STEP_BUDGET
    ) -> None:
        super().__init__()
        self.helpers = dict(helpers or {})
        self.step_budget = step_budget

    def start_run(self) -> None:
        """Reset the step budget: called by the runtime before each engine run."""

    def validate(self, expression: str) -> Any:
        err = compile_error(expression, "eval")
        if err:
            raise SyntaxError(err)
