"""One run of a workflow: what starts it (a task completion, a message), then every engine
step it unlocks, within the step budget, with SpiffWorkflow's gaps put right."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task

from engine import clock, context
from engine.audit import PendingEvent
from engine.errors import BudgetExceeded, Conflict, EngineError, NotWaiting, ScriptError
from engine.failures import mark_failed, script_error
from engine.ports import Clock, CompletedTask
from engine.sandbox import SandboxedScriptEngine
from engine.spiff_gaps import check_depth, interrupt

# Tasks the engine may run by itself in one go: a loop of gateways without scripts
# never touches the script step budget, so it is bounded here.
MAX_ENGINE_TASKS_PER_RUN = 5000


@dataclass
class Change:
    """What one run produced, gathered for the save step."""

    events: list[PendingEvent] = field(default_factory=list)
    completed: CompletedTask | None = None
    error: ScriptError | None = None

    @property
    def completed_by(self) -> dict[str, str]:
        return {self.completed.task.id: self.completed.actor} if self.completed else {}


def run_steps(
    workflow: BpmnWorkflow,
    instance: tuple[int | None, str],
    moment: Clock,
    events: list[PendingEvent],
    interrupting: frozenset[str],
    first: Callable[[], Any] | None = None,
) -> ScriptError | None:
    """Run `first` and then every engine step it unlocks; returns the script error, if any.

    A script failure does not escape: it is returned and the workflow keeps the failed
    task in ERROR, so the instance is saved in `error` with everything that happened
    before the failure. Helpers learn which instance (id, business key) runs
    (context.instance()), so that they act on it alone. Fired timers are added to `events`.
    """
    engine = workflow.script_engine
    assert isinstance(engine, SandboxedScriptEngine)
    engine.start_run()
    steps = 0

    def count(task: Task) -> None:
        nonlocal steps
        steps += 1
        if steps > MAX_ENGINE_TASKS_PER_RUN:
            raise BudgetExceeded(
                f"the process ran more than {MAX_ENGINE_TASKS_PER_RUN} steps without "
                "waiting for a person, a message or a timer: is there an endless loop?"
            )
        if _is_timer(task):
            events.append(
                PendingEvent(
                    "system",
                    "timer.fired",
                    task_id=str(task.id),
                    payload={"bpmn_id": task.task_spec.bpmn_id},
                )
            )

    try:
        running = context.RunningInstance(*instance, lambda: _process_data(workflow))
        with clock.using(moment), context.running(running):
            if first is not None:
                first()
            workflow.refresh_timers()
            workflow.do_engine_steps(did_complete_task=count)
            if interrupt(workflow, interrupting):
                workflow.do_engine_steps(did_complete_task=count)
        check_depth(workflow)
    except (NotWaiting, Conflict):
        raise
    except (WorkflowTaskException, SpiffWorkflowException, EngineError) as exc:
        error = script_error(exc)
        mark_failed(workflow, exc)
        return error
    return None


def _is_timer(task: Task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def _process_data(workflow: BpmnWorkflow) -> Mapping[str, Any]:
    """The data of the last task completed, read-only: the process data as it stands."""
    return MappingProxyType(workflow.last_task.data if workflow.last_task else {})
