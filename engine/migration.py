"""Moving a running instance to a newer version of its definition, where that is safe.

SpiffWorkflow's diff (SpiffWorkflow.bpmn.util.diff) aligns the old version's task specs with
the new one's by BPMN id. We move an instance only when nothing it has done or is doing is
touched: every task that ran, runs or waits keeps a spec in the new version, and the spec of
every task that is ready or waiting is unchanged. What lies ahead (predicted branches) is
predicted again on the new version, so an added step is met when the instance gets there.
Anything else is refused with the reasons, element by element, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine import serialization
from engine.errors import Problem
from engine.parsing import ParsedDefinition

# Tasks that happened or are happening; the rest are predictions SpiffWorkflow redoes.
_REAL = TaskState.COMPLETED | TaskState.STARTED | TaskState.READY | TaskState.WAITING
_REAL |= TaskState.ERROR
_LIVE = TaskState.STARTED | TaskState.READY | TaskState.WAITING


@dataclass
class MigrationPlan:
    refusals: list[Problem] = field(default_factory=list)
    diffs: list[tuple[Any, WorkflowDiff, Any]] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.refusals


def _refusal(element_id: str, name: str, code: str, reason: str) -> Problem:
    return Problem(element_id, reason, code=code, params=(("task", name),))


def _task_refusal(task: Any, code: str, reason: str) -> Problem:
    return _refusal(_element(task), _name(task), code, f'"{_name(task)}" {reason}')


def _name(task: Any) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _element(task: Any) -> str:
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


def plan(workflow: BpmnWorkflow, new: ParsedDefinition) -> MigrationPlan:
    """What moving `workflow` onto `new` would do, or why it may not."""
    result = MigrationPlan()
    registry = serialization.registry()
    top, subprocesses = diff_workflow(registry, workflow, new.spec, new.subprocess_specs)
    result.diffs.append((workflow, top, new.spec))
    for sp_id, diff in subprocesses.items():
        sub = workflow.subprocesses[sp_id]
        if diff is None:
            name = str(sub.spec.name)
            reason = f'the running subprocess "{name}" is not in the new version'
            result.refusals.append(_refusal(name, name, "migration_subprocess_removed", reason))
            continue
        result.diffs.append((sub, diff, new.subprocess_specs[sub.spec.name]))
    for _, diff, _ in result.diffs:
        for task in diff.removed:
            if task.state & _REAL:
                reason = "has run or is running in this instance but is not in the new version"
                result.refusals.append(_task_refusal(task, "migration_ran_removed", reason))
        for task in diff.changed:
            if task.state & _LIVE and task not in diff.removed:
                reason = "is waiting in this instance and is changed in the new version"
                result.refusals.append(_task_refusal(task, "migration_live_changed", reason))
    # One reason per element and kind (a vote waits once per member).
    result.refusals = list({(p.element_id, p.code): p for p in result.refusals}.values())
    return result


def apply(migration: MigrationPlan) -> None:
    """Put every aligned task on its new spec and predict again what lies ahead."""
    assert migration.safe
    for workflow, diff, spec in migration.diffs:
        workflow.spec = spec
        for task in list(workflow.tasks.values()):
            aligned = diff.alignment.get(task)
            if aligned is not None:
                task.task_spec = aligned
        # Predictions made on the old version go; the live tasks predict their branches anew.
        for task in list(workflow.tasks.values()):
            if task.id in workflow.tasks and task.state & _LIVE:
                for child in list(task.children):
                    if child.state & TaskState.PREDICTED_MASK:
                        workflow._remove_task(child.id)
                task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
