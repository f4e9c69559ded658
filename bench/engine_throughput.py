"""Engine throughput against bare SpiffWorkflow on the same diagram.

Runs `bench/two_step.bpmn` (start → two user tasks → gateway → script → end) N times:
bare, in memory, with SpiffWorkflow's own script engine; then through Laurel's engine
with SQLite persistence, task projection and audit. Prints instances/s for both, the
ratio (design target: ≥ 50%), the stored state per finished instance (target < 20 kB),
the audit verify rate (target ≥ 100,000 events/s) and what one expression costs in the
sandbox: a condition bounded by its data (run in the engine's process) and one that goes
to the warm worker process (a round trip, with a helper answered by the engine).

    python bench/engine_throughput.py [-n 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import audit
from engine.db import create_db_engine, make_session_factory
from engine.models import Instance
from engine.parsing import parse_definition
from engine.ports import HumanTask
from engine.runtime import Engine
from engine.sandbox import SandboxedScriptEngine
from workflows.schema import migrate

DIAGRAM = Path(__file__).with_name("two_step.bpmn")


class Roles:
    def known_roles(self) -> Collection[str]:
        return ("clerk", "manager")


class AllowAll:
    def authorize(self, actor: str, task: HumanTask) -> None:
        return None


class PassThrough:
    def clean(self, task: HumanTask, data: Mapping[str, Any]) -> dict[str, Any]:
        return dict(data)


STEPS = ({}, {"decision": "approve"})


def bare(n: int) -> float:
    parsed = parse_definition({DIAGRAM.name: DIAGRAM.read_bytes()})
    started = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
        workflow.do_engine_steps()
        for data in STEPS:
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed()
    return n / (time.perf_counter() - started)


def through_engine(n: int, url: str) -> tuple[float, Engine]:
    db = create_db_engine(url)
    migrate(db)
    engine = Engine(
        make_session_factory(db), roles=Roles(), guard=AllowAll(), validator=PassThrough()
    )
    engine.deploy({DIAGRAM.name: DIAGRAM.read_bytes()}, deployed_by="bench")
    started = time.perf_counter()
    for i in range(n):
        view = engine.start("approval", f"B-{i}", {"requester": "Lan"}, actor="bench")
        for data in STEPS:
            view = engine.complete_task(view.ready_tasks[0].id, "bench", data)
        assert view.status == "completed"
    return n / (time.perf_counter() - started), engine


def sandbox_cost(expression: str, n: int = 2000) -> float:
    """Microseconds for one expression evaluated in the sandbox, task data and all."""
    engine = SandboxedScriptEngine(helpers={"double": lambda x: 2 * x})
    data = {"decision": "approve", "requester": "Lan", "rules": {"threshold": 0.5}}
    engine.start_run()
    engine.environment.evaluate(expression, data)  # start the worker
    started = time.perf_counter()
    for _ in range(n):
        engine.start_run()
        engine.environment.evaluate(expression, data)
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="instances per side")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        bare(20)  # warm caches and imports on both sides before timing
        bare_rate = bare(args.n)
        engine_rate, engine = through_engine(args.n, url)
        db = engine.sessions.kw["bind"]
        with db.connect() as conn:
            avg_state = conn.scalar(select(func.avg(func.length(Instance.state))))
            started = time.perf_counter()
            result = audit.verify(conn)
            verify_rate = result.checked / (time.perf_counter() - started)
        db.dispose()

    print(f"instances per side           {args.n}")
    print(f"bare SpiffWorkflow           {bare_rate:8.1f} instances/s")
    print(f"Laurel engine ({db.dialect.name:6})      {engine_rate:8.1f} instances/s")
    print(f"ratio                        {engine_rate / bare_rate:8.1%}   (target >= 50%)")
    print(f"stored state per instance    {avg_state / 1024:8.1f} kB  (target < 20 kB)")
    print(f"audit verify                 {verify_rate:8.0f} events/s ({result.checked} events)")
    bounded = sandbox_cost("decision == 'approve'")
    print(f"sandbox, bounded condition   {bounded:8.0f} µs (in the engine's process)")
    print(f"sandbox, worker round trip   {sandbox_cost('double(3) > 1'):8.0f} µs (a helper call)")


if __name__ == "__main__":
    main()
