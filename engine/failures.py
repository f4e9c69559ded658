"""A script that failed during a run: the error to record and the task to retry from."""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import ScriptError


def script_error(exc: Exception) -> ScriptError:
    if isinstance(exc, ScriptError):
        return exc
    original = getattr(exc, "exception", None)
    task = getattr(exc, "task", None)
    element = (task.task_spec.bpmn_id or task.task_spec.name) if task is not None else ""
    if isinstance(original, ScriptError):
        return type(original)(str(original), element_id=element or original.element_id)
    message = str(exc)
    line = getattr(exc, "line_number", None)
    if line:
        message += f" (line {line})"
    return ScriptError(message, element_id=element)


def mark_failed(workflow: BpmnWorkflow, exc: Exception) -> None:
    """Leave the failing task in ERROR so retry knows where to start again."""
    task = getattr(exc, "task", None)
    if task is not None and task.state in (TaskState.READY, TaskState.STARTED):
        task.error()
