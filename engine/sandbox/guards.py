"""The first line of the sandbox: RestrictedPython and the guards a script runs under.

Scripts are written by process designers, not by us, so they run compiled by RestrictedPython
with guarded attribute access, a short list of builtins and the domain's helpers. A tracer
counts the lines they run (per engine run) and guarded operators refuse results that would
be too big before building them, so the common slip gets a precise message. This code runs
inside the sandbox's worker process (engine.sandbox.worker); the hard limits that hold
against what the guards cannot see (one long C call) are that process's (engine.sandbox.process).
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import CodeType, FrameType
from typing import Any, Literal, NoReturn

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import (
    INSPECT_ATTRIBUTES,
    RestrictingNodeTransformer,
    copy_locations,
)

from engine.errors import BudgetExceeded, SandboxViolation

DEFAULT_STEP_BUDGET = 100_000
TIME_BUDGET_SECONDS = 2.0  # per run, wall clock; the worker process is killed past it
MAX_SIZE = 1_000_000  # items or characters one operation may build
RUN_ALLOCATION = 10 * MAX_SIZE  # summed over a run, so a loop cannot pile up big values
MAX_INT_BITS = 100_000
MAX_WIDTH = 10_000  # format widths, precisions and round() digits
# What a run's scripts may add to their process's memory (the worker's address space is
# capped at this above its size at rest, so the operating system enforces it).
MAX_MEMORY_GROWTH = 256 * 2**20
# SpiffWorkflow reports the failing script line by looking for this filename in tracebacks.
FILENAME = "<string>"

# fmt: off
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}
# Operator symbol -> `operator` function name; "x += y" runs operator.iadd like Python does.
_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod",
              "**": "pow", "<<": "lshift", ">>": "rshift", "&": "and", "|": "or", "^": "xor"}
# Attributes that format arbitrary objects (reaching their dunders), expose the class
# hierarchy, or build outputs whose size we cannot check before the call.
_DENIED_ATTRS = frozenset({"format", "format_map", "mro", "translate", "maketrans",
                           "expandtabs", "to_bytes"})
# Methods whose result can far outgrow their inputs: result size estimated before the call.
_GROWTH: dict[str, Callable[..., int]] = {
    "ljust": lambda s, width, *_: width,
    "rjust": lambda s, width, *_: width,
    "center": lambda s, width, *_: width,
    "zfill": lambda s, width: width,
    "replace": lambda s, old, new, count=-1: len(s) + max(len(new) - len(old), 0)
    * min(s.count(old) if old else len(s) + 1, count if count >= 0 else sys.maxsize),
    "join": lambda s, items: len(s) * max(len(items) - 1, 0)
    + sum(len(i) for i in items if isinstance(i, _SEQUENCES)),
    "extend": lambda s, items: len(s) + len(items),
}
_PERCENT_SPEC = re.compile(r"%%|%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
# RestrictedPython's safe builtins minus class building, unguarded attribute writes, the
# exceptions that would stop the server rather than the script, and the builtins _Run
# replaces with size-checked versions.
_UNSAFE = {"__build_class__", "_getattr_", "setattr", "delattr", "pow", "range", "round",
           "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
# Pure builtins useful in conditions.
_PURE = ("min", "max", "any", "all", "sorted", "reversed", "enumerate", "zip", "list", "dict",
         "set", "frozenset", "tuple")
# Named so a script gets "open() is not available" rather than a puzzling NameError.
_FORBIDDEN = ("open", "type", "vars", "dir", "globals", "locals", "compile", "exec", "eval",
              "object", "super", "input", "help", "memoryview", "bytearray", "breakpoint",
              "exit", "quit", "setattr", "delattr")
# fmt: on


def _peak_memory() -> int:
    """The process's peak resident memory in bytes, 0 where unknown (Windows)."""
    try:
        import resource
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def _refused_attribute(name: str) -> bool:
    return name.startswith("_") or name in INSPECT_ATTRIBUTES or name in _DENIED_ATTRS


def _refuse(name: str) -> Callable[..., NoReturn]:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise SandboxViolation(f"{name}() is not available in scripts")

    return refuse


_BUILTINS: dict[str, Any] = {
    **{k: v for k, v in safe_builtins.items() if k not in _UNSAFE},
    **{name: getattr(builtins, name) for name in _PURE},
    **{name: _refuse(name) for name in _FORBIDDEN},
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's checks, plus size guards on operators and a few more refusals."""

    def _call(self, func: str, anchor: ast.expr | ast.stmt, *args: ast.expr) -> ast.Call:
        call = ast.Call(func=ast.Name(func, ast.Load()), args=list(args), keywords=[])
        copy_locations(call, anchor)
        return call

    def _checkpoint(self, anchor: ast.stmt) -> ast.stmt:
        check = ast.Expr(self._call("_reraise_", anchor))
        copy_locations(check, anchor)
        return check

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        return self._call("_binop_", node, ast.Constant(op), node.left, node.right)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        # f"{x:>{n}}" gets its value, conversion and width checked by _format_.
        node = self.node_contents_visit(node)
        spec = node.format_spec or ast.Constant("")
        args = (node.value, ast.Constant(node.conversion), spec)
        node.value = self._call("_format_", node, *args)
        node.conversion, node.format_spec = -1, None
        return node

    def _visit_display(self, node: ast.List | ast.Tuple | ast.Set) -> ast.AST:
        # [*a, *a] doubles a list without any operator: check the size it reached.
        node = self.node_contents_visit(node)
        starred = any(isinstance(e, ast.Starred) for e in node.elts)
        if starred and not isinstance(getattr(node, "ctx", None), ast.Store | ast.Del):
            return self._call("_sized_", node, node)
        return node

    visit_List = visit_Tuple = visit_Set = _visit_display

    def visit_Try(self, node: ast.Try) -> ast.AST:
        # Budget errors must not be swallowed by the script: handlers re-raise them first.
        node = self.node_contents_visit(node)
        for body in [h.body for h in node.handlers] + [node.finalbody]:
            if body:
                body.insert(0, self._checkpoint(body[0]))
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        # Python 3.11 compiles `while True: pass` to a jump onto itself, which fires no line
        # event: a call at the top of the body gives the tracer a line to count.
        node = self.node_contents_visit(node)
        node.body.insert(0, self._checkpoint(node.body[0]))
        return node

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> ast.AST:
        self.error(node, "import statements are not allowed in scripts.")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed in scripts.")
        return node

    # What would certainly be refused when the script runs is refused when it is deployed:
    # a builtin the sandbox never offers, an attribute it never gives, getattr() of one.
    def visit_Module(self, node: ast.Module) -> Any:
        self._note_bound_names(node)
        return super().visit_Module(node)

    def visit_Expression(self, node: ast.Expression) -> Any:
        self._note_bound_names(node)
        return super().visit_Expression(node)

    def _note_bound_names(self, tree: ast.AST) -> None:
        """Names the script binds itself: those may shadow a forbidden builtin."""
        self.bound = {
            getattr(n, "id", None) or getattr(n, "arg", None) or getattr(n, "name", None)
            for n in ast.walk(tree)
            if (isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load))
            or isinstance(n, ast.arg | ast.FunctionDef)
        }

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("print", "printed"):
            self.error(node, f'"{node.id}" is not available in scripts.')
            return node
        if (
            node.id in _FORBIDDEN
            and isinstance(node.ctx, ast.Load)
            and node.id not in getattr(self, "bound", ())
        ):
            self.error(node, f"{node.id}() is not available in scripts.")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr in _DENIED_ATTRS:
            self.error(node, f'access to the attribute "{node.attr}" is not allowed in scripts.')
            return node
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call) -> Any:
        func, args = node.func, node.args
        if (
            isinstance(func, ast.Name)
            and func.id == "getattr"
            and "getattr" not in getattr(self, "bound", ())
            and len(args) >= 2
            and isinstance(args[1], ast.Constant)
            and isinstance(args[1].value, str)
            and _refused_attribute(args[1].value)
        ):
            name = args[1].value
            self.error(node, f'access to the attribute "{name}" is not allowed in scripts.')
            return node
        return super().visit_Call(node)


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> CodeType | str:
    """The code object, or the message saying why the sandbox refuses it."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, FILENAME, policy=_Policy)
    except (SyntaxError, ValueError) as exc:  # e.g. `return` outside a function, NUL bytes
        line = getattr(exc, "lineno", None)
        return f"Line {line}: {exc}" if line else str(exc)
    except (RecursionError, MemoryError):  # the parser reports deep nesting as MemoryError
        return "the script is nested too deeply"
    if result.errors or result.code is None:
        return "; ".join(e.rstrip(".") for e in result.errors) or "the script could not compile"
    return result.code


# Nodes whose work is bounded by the size of the data they read (itself bounded: see
# execute()), never by a number the script chooses: no calls, no attributes, no loops, no
# building. `decision == "award"`, `tally["passed"]`, a DMN cell `>= 0.9`, `x = "done"`.
_BOUNDED_NODES = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.Pass, ast.Name, ast.Constant,
    ast.Load, ast.Store, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp, ast.Subscript,
    ast.Tuple, ast.List, ast.cmpop, ast.boolop, ast.unaryop,
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def is_bounded(source: str, mode: str) -> bool:
    """Whether a script or expression can only do work bounded by its data, so it may run
    in the engine's own process (a round trip to the worker costs more than running it)."""
    try:
        tree = ast.parse(source, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            # A counter moved on (`returns + 1`): one side a small number.
            small = [
                n
                for n in (node.left, node.right)
                if isinstance(n, ast.Constant)
                and isinstance(n.value, int | float)
                and not isinstance(n.value, bool)
                and abs(n.value) < 2**32
            ]
            if not (isinstance(node.op, ast.Add | ast.Sub) and small):
                return False
        elif isinstance(node, ast.Add | ast.Sub):
            continue
        elif not isinstance(node, _BOUNDED_NODES):
            return False
    return True


def compile_error(source: str, mode: Literal["exec", "eval"]) -> str | None:
    """Return a plain message if `source` does not compile in the sandbox, else None."""
    compiled = _compile(source, mode)
    return compiled if isinstance(compiled, str) else None


def _compiled(source: str, mode: str) -> CodeType:
    compiled = _compile(source, mode)
    if isinstance(compiled, str):
        raise SandboxViolation(compiled)
    return compiled


def _measure(value: Any, limit: int, what: str) -> int:
    """Characters plus items in `value`, counting a shared part each time it appears, as
    printing or serialising would. Each container is walked once, so a list holding the
    same big list a thousand times is measured (and refused) quickly."""
    sizes: dict[int, int] = {}  # id -> size; -1 while being measured (a cycle)

    def size(item: Any) -> int:
        if isinstance(item, str | bytes | bytearray):
            return max(len(item), 1)
        if not isinstance(item, list | tuple | set | frozenset | dict):
            return 1
        known = sizes.get(id(item))
        if known == -1:
            raise BudgetExceeded(f"{what} contains itself")
        if known is None:
            sizes[id(item)] = -1
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            known = sizes[id(item)] = 1 + sum(map(size, children))
        if known > limit:
            raise BudgetExceeded(f"{what} holds more than {limit:,} items or characters")
        return known

    try:
        return size(value)
    except RecursionError:
        raise BudgetExceeded(f"{what} is nested too deeply") from None


def _check_widths(widths: list[str], what: str) -> None:
    if "*" in widths:
        raise SandboxViolation(f"{what}: '*' widths are not allowed in scripts")
    if any(w and int(w) > MAX_WIDTH for w in widths):
        raise BudgetExceeded(f"{what}: widths and precisions are limited to {MAX_WIDTH:,}")


@dataclass(frozen=True)
class Limits:
    """What the scripts of one engine run may use, all together."""

    steps: int = DEFAULT_STEP_BUDGET
    seconds: float = TIME_BUDGET_SECONDS
    memory: int = MAX_MEMORY_GROWTH


@dataclass
class Usage:
    """What a run's scripts have used so far, carried from one script to the next."""

    steps: int = 0
    allocated: int = 0
    seconds: float = 0.0
    exhausted: str | None = None  # sticky: once a limit is hit, the rest of the run fails


class _Run:
    """The guards one script runs under, charging the run's usage against its limits."""

    def __init__(self, limits: Limits, usage: Usage) -> None:
        self.step_budget = limits.steps
        self.time_budget = limits.seconds
        self.memory_growth = limits.memory
        self.steps, self.allocated = usage.steps, usage.allocated
        self.seconds, self.exhausted = usage.seconds, usage.exhausted
        self.deadline = 0.0
        self.memory_limit = 0
        self.tracer = self.trace_call  # one bound method, so sys.gettrace() can be compared
        self.running = False
        self.names: dict[str, Any] = {
            "__builtins__": {
                **_BUILTINS,
                "getattr": self.getattr,
                "pow": self.pow,
                "range": self.range,
                "round": self.round,
                "sum": self.sum,
            },
            "_getattr_": self.getattr,
            "_getitem_": operator.getitem,
            "_getiter_": iter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": full_write_guard,
            "_apply_": lambda func, *args, **kwargs: func(*args, **kwargs),
            "_inplacevar_": self.inplacevar,
            "_binop_": self.binop,
            "_format_": self.format,
            "_sized_": self.sized,
            "_reraise_": self.reraise,
        }

    def usage(self) -> Usage:
        return Usage(self.steps, self.allocated, self.seconds, self.exhausted)

    def paused(self, seconds: float) -> None:
        """Time spent outside the script (a helper answered by the engine's process) is
        not the script's: move the deadline on by it."""
        self.deadline += seconds
        self.seconds -= seconds

    def fail(self, message: str) -> NoReturn:
        # Sticky: the rest of the run fails too, even if the script catches the first error.
        self.exhausted = message
        raise BudgetExceeded(message)

    def reraise(self) -> None:
        """Runs first in every loop body and except/finally block of a script."""
        if self.exhausted:
            raise BudgetExceeded(self.exhausted)
        if self.running and sys.gettrace() is not self.tracer:
            # An error inside the tracer (e.g. RecursionError in deep recursion) turns tracing
            # off; a script that caught it would then run unbudgeted. Turn it back on.
            sys.settrace(self.tracer)

    def charge(self, what: str, size: int) -> None:
        if size > MAX_SIZE:
            self.fail(f"{what} would build {size:,} items or characters; the limit is {MAX_SIZE:,}")
        self.allocated += size
        if self.allocated > RUN_ALLOCATION:
            self.fail(f"scripts built more than {RUN_ALLOCATION:,} items or characters in one run")

    def charge_bits(self, what: str, bits: int) -> None:
        if bits > MAX_INT_BITS:
            self.fail(f"{what} would have about {bits:,} bits; the limit is {MAX_INT_BITS:,}")
        self.charge(what, bits // 8)

    def run(self, code: CodeType, scope: dict[str, Any]) -> Any:
        self.reraise()
        previous = sys.gettrace()  # a debugger or coverage may be tracing: put it back after
        started = time.monotonic()
        self.deadline = started + self.time_budget - self.seconds
        self.memory_limit = _peak_memory() + self.memory_growth
        sys.settrace(self.tracer)
        self.running, was_running = True, self.running
        try:
            return eval(code, scope)  # runs both modes; exec-mode code returns None
        finally:
            self.running = was_running
            sys.settrace(previous)
            self.seconds += time.monotonic() - started

    def trace_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != FILENAME:
            return None  # helpers and guards are trusted: no per-line tracing
        self.tick()
        return self.trace_line

    def trace_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.tick()
        return self.trace_line

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.step_budget:
            self.fail(f"script exceeded its step budget of {self.step_budget:,} steps")
        if self.steps % 16 == 0:
            if time.monotonic() > self.deadline:
                self.fail(f"scripts ran longer than {self.time_budget:g} seconds in one run")
            if _peak_memory() > self.memory_limit:
                self.fail(f"a script grew memory by more than {self.memory_growth >> 20} MB")

    def result_size(self, op: str, a: Any, b: Any) -> None:
        """Refuse, before computing it, a result of `a op b` that would be too big."""
        if op == "+" and isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self.charge("concatenation", len(a) + len(b))
        elif op == "*" and isinstance(a, int) and isinstance(b, int):
            self.charge_bits("multiplication", a.bit_length() + b.bit_length())
        elif op == "*" and isinstance(a, _SEQUENCES) and isinstance(b, int):
            self.charge("repetition", len(a) * max(b, 0))
        elif op == "*" and isinstance(a, int) and isinstance(b, _SEQUENCES):
            self.charge("repetition", len(b) * max(a, 0))
        elif op == "**" and isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
            self.charge_bits("power", a.bit_length() * b)
        elif op == "<<" and isinstance(a, int) and isinstance(b, int) and b > 0 and a:
            self.charge_bits("left shift", a.bit_length() + b)
        elif op == "%" and isinstance(a, str | bytes):
            spec = a if isinstance(a, str) else a.decode("latin-1")
            matches = _PERCENT_SPEC.finditer(spec)
            _check_widths([w for m in matches for w in m.groups() if w], "% formatting")
            self.charge("% formatting", len(a) + _measure(b, MAX_SIZE, "% formatting"))

    def binop(self, op: str, a: Any, b: Any) -> Any:
        self.result_size(op, a, b)
        return getattr(operator, _OPERATORS[op])(a, b)

    def inplacevar(self, op: str, a: Any, b: Any) -> Any:
        if op[:-1] not in _OPERATORS:
            raise SandboxViolation(f"the {op} operator is not allowed in scripts")
        self.result_size(op[:-1], a, b)
        return getattr(operator, "i" + _OPERATORS[op[:-1]])(a, b)

    def format(self, value: Any, conversion: int, spec: str) -> str:
        _check_widths(re.findall(r"\d+", spec), "f-string")
        _measure(value, MAX_SIZE, "an f-string value")
        converters: dict[int, Callable[[Any], str]] = {
            ord("r"): repr,
            ord("s"): str,
            ord("a"): ascii,
        }
        text = format(converters[conversion](value) if conversion in converters else value, spec)
        self.charge("f-string", len(text))
        return text

    def sized(self, value: Any) -> Any:
        self.charge("unpacking", len(value))
        return value

    def getattr(self, obj: Any, name: str, *default: Any) -> Any:
        if not isinstance(name, str):
            raise SandboxViolation("attribute names must be strings")
        if _refused_attribute(name):
            raise SandboxViolation(f'access to the attribute "{name}" is not allowed in scripts')
        value = getattr(obj, name, *default)
        if name in _GROWTH and isinstance(obj, type) and issubclass(obj, _SEQUENCES):
            raise SandboxViolation(f'call "{name}" on a value, not on the {obj.__name__} type')
        if name in _GROWTH and isinstance(obj, _SEQUENCES):
            return self._guard_growth(obj, name, value)
        return value

    def _guard_growth(self, obj: Any, name: str, method: Callable[..., Any]) -> Any:
        def guarded(*args: Any) -> Any:
            if name in ("join", "extend") and args:
                args = (list(args[0]),)  # measure and use the same items (may be a generator)
            self.charge(f"{name}()", _GROWTH[name](obj, *args))
            return method(*args)

        return guarded

    def pow(self, base: Any, exp: Any) -> Any:
        return self.binop("**", base, exp)

    def range(self, *args: int) -> range:
        values = range(*args)
        try:
            size = len(values)
        except OverflowError:
            size = sys.maxsize
        self.charge("range()", size)
        return values

    def round(self, number: Any, ndigits: int | None = None) -> Any:
        if ndigits is not None and abs(ndigits) > MAX_WIDTH:
            raise BudgetExceeded(f"round() digits are limited to {MAX_WIDTH:,}")
        return round(number, ndigits)

    def sum(self, values: Any, start: Any = 0) -> Any:
        if not isinstance(start, int | float | complex):
            raise SandboxViolation("sum() adds numbers only; use join() or a loop instead")
        return sum(values, start)


def evaluate(
    run: _Run,
    helpers: Mapping[str, Any],
    expression: str,
    context: Mapping[str, Any],
    external: Mapping[str, Any],
) -> Any:
    """An expression's value, with SpiffWorkflow's scoping: task data wins over helpers,
    the guards win over everything."""
    code = _compiled(expression, "eval")
    scope = {**helpers, **external, **context, **run.names}
    result = run.run(code, scope)
    _measure(result, MAX_SIZE, "the expression's result")
    return result


def execute(
    run: _Run,
    helpers: Mapping[str, Any],
    script: str,
    context: Mapping[str, Any],
    external: Mapping[str, Any],
) -> dict[str, Any]:
    """Run a script; returns the task data it leaves (only data, never functions)."""
    code = _compiled(script, "exec")
    scope = {**context, **external, **helpers, **run.names}
    run.run(code, scope)
    reserved = helpers.keys() | external.keys() | run.names.keys()
    data = {
        k: v
        for k, v in scope.items()
        if k not in reserved
        and (k in context or not k.startswith("_"))  # drop RestrictedPython's temporaries
        and not callable(v)
        and not isinstance(v, Iterator)  # a live generator is not data and escapes tracing
    }
    _measure(data, RUN_ALLOCATION, "the task data")
    return data
