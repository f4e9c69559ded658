"""The engine and the domain speak in message codes; every code they (and the web) use has
its words in both catalogues, with the values its words name, and they hold no prose of
their own.

Codes are found in the source: the first argument of `Message(...)` and of every error the
engine defines (`NotFound("task_not_found", task=…)`), the codes the domain returns, and the
labels and captions of the task forms."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from string import Formatter

import pytest

import engine.errors
from engine.errors import EngineError
from web.i18n import catalogue, codes, speaking, template
from workflows import authority, publicity
from workflows.forms import FORMS, describe
from workflows.models import Nomination

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "engine").rglob("*.py")) + sorted((ROOT / "workflows").rglob("*.py"))
# The web raises the same errors, said the same way.
RAISERS = SOURCES + sorted((ROOT / "web").rglob("*.py"))
# Data, not prose: the demo's people and organisations (the seeds are YAML and text files).
DATA = {ROOT / "workflows" / "demo.py"}
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE
)


def _error_names() -> set[str]:
    """The engine's errors and the domain's, less script failures (their text is the
    script's own, kept for the administrator who fixes it)."""
    found, todo = set(), [EngineError]
    while todo:
        cls = todo.pop()
        if not issubclass(cls, engine.errors.ScriptError):
            found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _uses() -> Iterator[tuple[str, int, str, set[str] | None]]:
    """(file, line, code or f-string prefix, the values passed — None when unknown)."""
    import workflows.comments
    import workflows.deployment
    import workflows.helpers  # noqa: F401

    names = _error_names() - {"ScriptError", "SandboxViolation", "BudgetExceeded", "NotOwnCase"}
    names |= {"Message", "_fail"}
    for path in RAISERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _called(node) not in names or not node.args:
                continue
            first = node.args[0]
            passed = (
                None
                if any(k.arg is None for k in node.keywords)
                else {k.arg for k in node.keywords if k.arg}
            )
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield where, node.lineno, first.value, passed
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                yield where, node.lineno, f"{first.values[0].value}*", passed


USES = list(_uses())


def test_the_source_is_read() -> None:
    found = {code for _, _, code, _ in USES}
    assert {"task_not_found", "instance_changed", "form_required", "role_not_held"} <= found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_code_the_engine_and_domain_use_has_words_naming_its_values(lang: str) -> None:
    wrong = []
    with speaking(lang):
        for where, _, code, passed in USES:
            if code.endswith("*"):
                if not codes(code[:-1]):
                    wrong.append(f"{where}: no message starts with {code[:-1]!r}")
                continue
            if code not in catalogue(lang).codes:
                wrong.append(f"{where}: no message {code!r}")
                continue
            if code in catalogue(lang).plurals:
                continue  # counted messages are checked by test_i18n
            named = {field for _, field, _, _ in Formatter().parse(template(code)) if field}
            named = {field.split("!")[0] for field in named}
            if passed is not None and not named <= passed:
                wrong.append(f"{where}: {code!r} names {sorted(named - passed)}, not passed")
    assert wrong == []


def test_the_codes_the_domain_returns_are_in_the_catalogues() -> None:
    returned = {
        authority.decision_problem(decision, route)
        for decision in ("award", "forward", "reject")
        for route in (authority.DECIDE, authority.FORWARD, authority.OUTSIDE, None)
    }
    end = datetime(2026, 3, 2, tzinfo=UTC)
    for stage, until in (("vote", None), (publicity.STAGE, end)):
        returned.add(publicity.closed_reason(Nomination(stage=stage, publicity_until=until), end))
    assert len(returned - {None}) == 4
    for lang in ("vi", "en"):
        assert {code for code in returned if code} <= catalogue(lang).codes


def test_every_form_label_and_caption_has_words() -> None:
    needed = set()
    for form in FORMS:
        for spec in describe(form):
            if spec.label:
                needed.add(spec.label)
            needed |= set((spec.choices or {}).values())
    assert needed
    for lang in ("vi", "en"):
        assert needed - catalogue(lang).codes == set()


def test_no_prose_in_the_engine_or_the_domain() -> None:
    """String literals only: docstrings and comments are English but may quote a legal term."""
    prose = []
    for path in SOURCES:
        if path in DATA:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and len(node.value) > 1  # a letter to fold is not prose
                and VIETNAMESE.search(node.value)
            ):
                prose.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert prose == []


def test_an_error_says_its_code_and_values_in_logs() -> None:
    error = engine.errors.Conflict("instance_changed", instance="NOM-1")
    assert str(error) == "instance_changed(instance=NOM-1)"
    assert error.message.code == "instance_changed"
