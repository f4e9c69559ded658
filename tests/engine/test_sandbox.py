"""The script sandbox: legit scripts work, escapes and runaway scripts are refused cleanly."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import BudgetExceeded, SandboxViolation, ScriptError
from engine.sandbox import Limits, SandboxedScriptEngine, compile_error, guards, process
from engine.sandbox.process import WorkerStopped

BPMN = Path(__file__).parent / "bpmn" / "sandbox_script.bpmn"


def weighted_score(points: list[int]) -> int:
    return sum(points) * 2


HELPERS = {"weighted_score": weighted_score}


@pytest.fixture
def engine() -> SandboxedScriptEngine:
    return SandboxedScriptEngine(helpers=HELPERS)


def run(engine: SandboxedScriptEngine, script: str, data: dict[str, Any]) -> dict[str, Any]:
    engine.start_run()
    engine.environment.execute(script, data)
    return data


# --- legit scripts ------------------------------------------------------------------------


def test_everyday_script_features_work_and_new_variables_land_in_task_data(
    engine: SandboxedScriptEngine,
) -> None:
    script = """
count = 0
for doc in documents:
    count += 1
items += ["photo"]
upper = name.strip().upper()
lower = name.lower().replace("an", "AN")
first, last = name.split(" ")
joined = "-".join(documents)
flags = [d.startswith("c") for d in documents]
lengths = {d: len(d) for d in documents}
level = extra.get("level", "none")
tail = documents[1:]
label = f"{first}-{count}: {total!r:>6}"
ratio = round(total / 3, 2) + abs(-1) * 2 ** 3 - 7 // 2 % 5
present = "cv" in documents and "x" not in documents
score = weighted_score([total, 5])
best = max(sorted(documents), key=len)
padded = "7".zfill(3) + "%05d" % 42
pairs = list(zip(range(2), documents))
"""
    data = {"documents": ["cv", "letter"], "name": "An Nguyen", "extra": {}, "total": 10}
    data["items"] = items = ["cv"]

    run(engine, script, data)

    assert data["count"] == 2
    assert data["items"] == ["cv", "photo"]
    assert items == ["cv"]  # the script ran in another process: task data changes, not our list
    assert (data["upper"], data["lower"]) == ("AN NGUYEN", "AN nguyen")
    assert (data["first"], data["last"], data["joined"]) == ("An", "Nguyen", "cv-letter")
    assert data["flags"] == [True, False]
    assert data["lengths"] == {"cv": 2, "letter": 6}
    assert (data["level"], data["tail"]) == ("none", ["letter"])
    assert data["label"] == "An-2:     10"
    assert data["ratio"] == round(10 / 3, 2) + abs(-1) * 2**3 - 7 // 2 % 5
    assert data["present"] is True
    assert data["score"] == 30
    assert data["best"] == "letter"
    assert data["padded"] == "00700042"
    assert data["pairs"] == [(0, "cv"), (1, "letter")]


def test_conditions_see_task_data_helpers_and_external_context(
    engine: SandboxedScriptEngine,
) -> None:
    env = engine.environment
    data = {"result": "complete", "missing": ["photo"], "points": [20, 30]}

    assert env.evaluate('result == "complete" and len(missing) > 0', data) is True
    assert env.evaluate("weighted_score(points) >= 100", data) is True
    assert env.evaluate("quota - 1", data, external_context={"quota": 3}) == 2
    assert data == {"result": "complete", "missing": ["photo"], "points": [20, 30]}


def test_functions_generators_and_helpers_do_not_leak_into_task_data(
    engine: SandboxedScriptEngine,
) -> None:
    data = run(engine, "f = lambda: 1\ng = (i for i in [1])\nn = f()\nm = weighted_score", {})

    assert data == {"n": 1}


def test_task_data_that_shadows_a_helper_is_refused_with_a_clear_error(
    engine: SandboxedScriptEngine,
) -> None:
    data = {"weighted_score": 3}

    with pytest.raises(ValueError, match="weighted_score"):
        run(engine, "x = 1", data)

    assert data == {"weighted_score": 3}


def test_compile_error_reports_refusals_with_line_numbers_and_caches() -> None:
    assert compile_error("x = 1\ny = x + 1", "exec") is None
    assert compile_error("a < 5", "eval") is None
    assert "Line 2" in (compile_error("x = 1\nx = (", "exec") or "")
    assert "import" in (compile_error("import os", "exec") or "")
    assert '"_secret"' in (compile_error("_secret", "eval") or "")
    assert "nested too deeply" in (compile_error("-" * 100_000 + "1", "eval") or "")

    before = guards._compile.cache_info().hits
    compile_error("x = 1\ny = x + 1", "exec")
    assert guards._compile.cache_info().hits == before + 1


def test_validate_raises_syntax_error_like_spiffs_dmn_expects(
    engine: SandboxedScriptEngine,
) -> None:
    engine.validate("v < 5")
    with pytest.raises(SyntaxError):
        engine.validate("< 5")
    with pytest.raises(SyntaxError, match="__import__"):
        engine.validate("__import__('os')")


# --- escapes ------------------------------------------------------------------------------

# (script, refused by the compiler, and so at deploy?) Only what depends on a value is left
# to run time.
ESCAPES = [
    ("x = ().__class__.__base__.__subclasses__()", True),
    ("x = __import__('os')", True),
    ("import os", True),
    ("from os import path", True),
    ("x = open(path).read()", True),
    ("x = getattr(weighted_score, '__globals__')", True),
    ("x = weighted_score.__globals__", True),
    ("x = '{0.__class__}'.format(total)", True),
    ("x = getattr('{0}', 'format')", True),
    ("g = (i for i in [])\nx = g.gi_frame.f_globals", True),
    ("g = (i for i in [])\nx = getattr(g, 'gi_frame')", True),
    ("exec('1')", True),
    ("eval('1')", True),
    ("run = exec\nrun('1')", True),
    ("x = compile('1', '', 'eval')", True),
    ("x = type(total)", True),
    ("X = type('X', (), {})", True),
    ("x = total.__class__.__mro__", True),
    ("x = str.mro()", True),
    ("x = [].__class__", True),
    ("x = (lambda: 0).__code__", True),
    ("class X:\n    pass", True),
    ("print(total)", True),
    ("x = vars()", True),
    ("x = globals()", True),
    ("x = str.ljust('a', 5)", False),
]


@pytest.mark.parametrize(("script", "at_compile_time"), ESCAPES)
def test_escape_attempts_are_refused_and_leave_task_data_alone(
    engine: SandboxedScriptEngine, script: str, at_compile_time: bool, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    data = {"total": 7, "path": str(secret), "tags": ["a"]}
    before = copy.deepcopy(data)

    with pytest.raises(SandboxViolation) as refused:
        run(engine, f"y = 1\n{script}", data)

    assert str(refused.value)  # a message a designer can read
    assert "secret" not in str(refused.value).replace(str(secret), "")
    assert (compile_error(f"y = 1\n{script}", "exec") is not None) is at_compile_time
    assert data == before  # not even the harmless `y = 1` before the escape


def test_exceptions_that_would_stop_the_server_are_not_available(
    engine: SandboxedScriptEngine,
) -> None:
    for script in ("raise SystemExit", "raise KeyboardInterrupt", "raise BaseException"):
        with pytest.raises(NameError):
            run(engine, script, {})


# --- budgets ------------------------------------------------------------------------------

RUNAWAYS = [
    "while True: pass",
    "while True:\n    pass",
    "n = 0\nwhile n >= 0:\n    n += 1",
    # Deep recursion makes the tracer itself fail, which switches tracing off.
    "def f():\n    return f()\nwhile True:\n    try:\n        f()\n    except Exception:\n"
    "        pass",
    "for i in range(10**9):\n    pass",
    "x = [i for i in range(10**6) for j in range(10**6)]",
    # A script cannot swallow the budget error and carry on.
    "try:\n    while True: pass\nexcept Exception:\n    pass\nwhile True: pass",
    "while True:\n    try:\n        while True: pass\n    finally:\n        pass",
]


@pytest.mark.parametrize("script", RUNAWAYS)
def test_runaway_loops_exceed_the_budget_instead_of_hanging(
    engine: SandboxedScriptEngine, script: str
) -> None:
    data = {"total": 7}

    with pytest.raises(BudgetExceeded) as stopped:
        run(engine, script, data)

    # Stopped by the step budget inside the worker, long before the time limit kills it.
    assert not isinstance(stopped.value, WorkerStopped), stopped.value
    assert data == {"total": 7}


def test_step_budget_message_names_the_budget(engine: SandboxedScriptEngine) -> None:
    with pytest.raises(BudgetExceeded, match="step budget of 100,000 steps"):
        run(engine, "while True: pass", {})


def test_budget_is_shared_by_the_scripts_of_a_run_and_reset_by_start_run() -> None:
    engine = SandboxedScriptEngine(limits=Limits(steps=60))
    script = "n = 0\nfor i in range(20):\n    n += i"  # about 40 steps
    engine.start_run()
    engine.environment.execute(script, {})

    with pytest.raises(BudgetExceeded):
        engine.environment.execute(script, {})
    with pytest.raises(BudgetExceeded):  # the rest of the run stays refused
        engine.environment.evaluate("1 + 1", {})

    engine.start_run()
    assert engine.environment.evaluate("1 + 1", {}) == 2


def test_wall_clock_is_a_second_net() -> None:
    engine = SandboxedScriptEngine(limits=Limits(steps=10**9, seconds=0.2))

    with pytest.raises(BudgetExceeded, match=r"longer than 0\.2 seconds"):
        run(engine, "while True: pass", {})


HUGE = [
    "x = 'a' * 10**10",
    "x = 10**10 * [0]",
    "x = 10 ** 10 ** 10",
    "x = pow(10, 10**10)",
    "x = 2 << 10**10",
    "x = 7\nx **= 10**10",
    "x = 'ab'\nx *= 10**10",
    "x = 'x'.ljust(10**10)",
    "x = 'x'.center(10**10)",
    "x = '1'.zfill(10**10)",
    "x = list(range(10**12))",
    "x = '%0999999999d' % 1",
    "x = f'{1:>999999999}'",
    "x = f'{1:>{10**9}}'",
    "x = round(5, -10**9)",
    "x = 'ab' * 500000\nx = x.replace('a', x)",
    "x = ',' * 100000\nx = x.join(['ab'] * 100000)",
    "x = [0] * 1000\nfor i in range(30):\n    x = x + x",
    "x = [0] * 1000\nfor i in range(30):\n    x = [*x, *x]",
    "x = [0] * 1000\nfor i in range(30):\n    x.extend(x)",
    "acc = []\nfor i in range(100):\n    acc.append([0] * 10**6)",
    "x = [[0] * 1000] * 1000\ny = [x] * 100",  # small in memory, huge once serialised
]


@pytest.mark.parametrize("script", HUGE)
def test_huge_allocations_are_refused_before_they_happen(
    engine: SandboxedScriptEngine, script: str
) -> None:
    data = {"total": 7}

    with pytest.raises(BudgetExceeded) as refused:
        run(engine, script, data)

    # Refused by a guard, not by the worker's memory or time limit.
    assert not isinstance(refused.value, WorkerStopped), refused.value
    assert "MB of memory" not in str(refused.value)
    assert data == {"total": 7}


def test_lists_of_numbers_cannot_be_summed_into_huge_lists(engine: SandboxedScriptEngine) -> None:
    with pytest.raises(SandboxViolation, match="sum"):
        run(engine, "x = sum([[1] * 1000] * 1000, [])", {})


# --- through SpiffWorkflow ----------------------------------------------------------------


def start_workflow(script: str | None = None, **data: Any) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN))
    spec = parser.get_spec("sandbox_script")
    if script is not None:
        spec.task_specs["score"].script = script
    engine = SandboxedScriptEngine(helpers=HELPERS)
    workflow = BpmnWorkflow(spec, parser.get_subprocess_specs("sandbox_script"), engine)
    workflow.get_next_task(state=TaskState.READY).set_data(**data)
    engine.start_run()
    return workflow


def ended_at(workflow: BpmnWorkflow) -> list[str]:
    done = workflow.get_tasks(state=TaskState.COMPLETED)
    return [t.task_spec.bpmn_id for t in done if t.task_spec.bpmn_id in ("accepted", "returned")]


NOMINATION = {"points": [10, 20], "required": ["cv"], "nominee": " an nguyen "}


def test_workflow_script_calls_a_helper_and_the_gateway_takes_the_matching_branch() -> None:
    complete = start_workflow(**NOMINATION, documents=["cv"])
    complete.do_engine_steps()

    assert complete.is_completed()
    assert ended_at(complete) == ["accepted"]
    assert complete.last_task.data["summary"] == "An Nguyen: 60 points"

    incomplete = start_workflow(**NOMINATION, documents=[])
    incomplete.do_engine_steps()

    assert ended_at(incomplete) == ["returned"]
    assert incomplete.last_task.data["missing"] == ["cv"]


@pytest.mark.parametrize(
    ("script", "error"),
    [
        ("total = ().__class__.__base__.__subclasses__()", SandboxViolation),
        ("total = getattr(weighted_score, '__globals__')", SandboxViolation),
        ("while True:\n    pass", BudgetExceeded),
        ("total = 'a' * 10**10", BudgetExceeded),
    ],
)
def test_workflow_escape_surfaces_as_task_exception_wrapping_the_sandbox_error(
    script: str, error: type[ScriptError]
) -> None:
    workflow = start_workflow(script, **NOMINATION, documents=["cv"])

    with pytest.raises(WorkflowTaskException) as raised:
        workflow.do_engine_steps()

    assert isinstance(raised.value.exception, error)
    assert not workflow.is_completed()
    assert workflow.get_tasks(state=TaskState.ERROR)[0].data == {**NOMINATION, "documents": ["cv"]}


def test_memory_piled_up_by_unguarded_copies_is_caught() -> None:
    # At most ~800 MB if the net failed.
    engine = SandboxedScriptEngine(limits=Limits(steps=3000, memory=16 * 2**20))
    script = "big = [0] * 10**5\nacc = []\nfor i in range(1000):\n    acc.append(list(big))"

    with pytest.raises(BudgetExceeded, match="memory"):
        run(engine, script, {})


# --- which scripts may skip the worker ------------------------------------------------------

BOUNDED = [
    ('decision == "award"', "eval"),
    ('tally["passed"]', "eval"),
    ("comments > 0 and not overdue", "eval"),
    ('x in ("a", "b")', "eval"),
    ('outcome = "approved"\nrounds = 1', "exec"),
    ("returns = returns + 1", "exec"),
]
UNBOUNDED = [
    *[(form, "eval") for form in (
        "hash((((0,)*1000,)*1000,)*1000) != 0",
        "len(repr([['x'*1000000]*1000]))",
        "int.from_bytes(b'\\xff'*10**6,'big') // int.from_bytes(b'\\x7f'*500000,'big')",
        "[[[0] * 1000] * 1000] * 10000 == [[[0] * 1000] * 1000] * 10000",
    )],
    ("a + b", "eval"),  # two strings or lists: as big as the data, twice
    ("x + 2**40", "eval"),
    ("x[1:]", "eval"),
    ("[i for i in x]", "eval"),
    ("x.count('a')", "eval"),
    ("while True:\n    pass", "exec"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "mode"), BOUNDED)
def test_scripts_bounded_by_their_data_run_in_the_engines_process(source: str, mode: str) -> None:
    assert guards.is_bounded(source, mode)


@pytest.mark.parametrize(("source", "mode"), UNBOUNDED)
def test_everything_else_runs_in_the_worker(source: str, mode: str) -> None:
    assert not guards.is_bounded(source, mode)


def test_a_worker_killed_from_outside_while_idle_is_replaced_without_failing_a_script(
    engine: SandboxedScriptEngine,
) -> None:
    assert engine.environment.evaluate("weighted_score(points)", {"points": [1, 2]}) == 6
    for worker in process.POOL._idle:
        worker.process.kill()  # an operator's kill, the kernel's OOM killer
        worker.process.wait()

    assert engine.environment.evaluate("weighted_score(points)", {"points": [1, 2]}) == 6
