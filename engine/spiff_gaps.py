"""What SpiffWorkflow 3.2 gets wrong and the engine puts right after each run: interrupting
event subprocesses that do not interrupt, and task trees too deep for it to walk."""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import BudgetExceeded

# SpiffWorkflow 3.2's task iterator stops descending at depth 1000 and then reports the
# workflow as finished. Refuse well before that, with a message saying why.
MAX_TREE_DEPTH = 900


def interrupt(workflow: BpmnWorkflow, interrupting: frozenset[str]) -> bool:
    """Cancel the rest of the process once an interrupting event subprocess has started.

    SpiffWorkflow 3.2 runs event subprocesses beside the main flow whatever their start
    event's isInterrupting says; BPMN says an interrupting one ends everything else.
    """
    if not interrupting:
        return False
    started = [
        t
        for t in workflow.tasks.values()
        if t.task_spec.bpmn_id in interrupting
        and t.state in (TaskState.READY, TaskState.STARTED, TaskState.COMPLETED)
    ]
    if not started:
        return False
    keep = {t.id for task in started for t in task}  # each one and what follows it
    cancelled = False
    for task in list(workflow.tasks.values()):
        if task.id not in keep and task.state & TaskState.NOT_FINISHED_MASK:
            if task.id in workflow.subprocesses:
                workflow.cancel(workflow.subprocesses[task.id])
            task.cancel()
            cancelled = True
    finished = [t for t in started if t.state == TaskState.COMPLETED]
    if cancelled and finished:
        # What ended the process is its outcome, even if a timer branch ran after it.
        workflow.last_task = finished[-1]
    return cancelled


def check_depth(workflow: BpmnWorkflow) -> None:
    for wf in [workflow, *workflow.subprocesses.values()]:
        for task in wf.tasks.values():
            if not task._children and task.depth >= MAX_TREE_DEPTH:
                raise BudgetExceeded(
                    f"the process has looped so often that its task tree is {task.depth} "
                    f"levels deep (limit {MAX_TREE_DEPTH}); SpiffWorkflow cannot go further",
                    element_id=task.task_spec.bpmn_id or "",
                )
