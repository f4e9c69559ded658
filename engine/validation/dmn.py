"""Checks of DMN decision tables, as SpiffWorkflow's DMN engine will read them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from lxml import etree

from engine.errors import Problem
from engine.validation.elements import Element, compile_problem, nearest_id, text_of
from engine.validation.report import Report

_DmnProblem = Callable[[Element | None, str], None]

# SpiffWorkflow's '?' substitution in a DMN cell is quadratic in the cell's length.
_MAX_DMN_CELL = 2_000

_HIT_POLICIES = frozenset({"UNIQUE", "FIRST", "ANY", "COLLECT"})
# SpiffWorkflow's DMNEngine turns '?' outside quotes into the input value.
_DMN_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^\'\"]|[\'\"][^\'\"]*[\'\"])*$)")


def decision_index(dmn_roots: Mapping[str, Element], report: Report) -> dict[str, str]:
    """Decision id → DMN file. SpiffWorkflow registers a DMN file by its first decision."""
    index: dict[str, str] = {}
    for filename, root in dmn_roots.items():
        first = root.find(f"{{{etree.QName(root).namespace}}}decision")
        if first is None or not first.get("id"):
            continue
        decision_id = first.get("id", "")
        if decision_id in index:
            report.add(
                Problem(
                    decision_id,
                    f'Decision "{decision_id}" is defined in both {index[decision_id]} and '
                    f"{filename}; decision ids must be unique.",
                    filename,
                )
            )
        index[decision_id] = filename
    return index


def check_dmn(filename: str, root: Element, report: Report) -> None:
    namespace = etree.QName(root).namespace or ""
    ns = f"{{{namespace}}}"

    def problem(element: Element | None, message: str) -> None:
        report.add(Problem(nearest_id(element), message, filename))

    # SpiffWorkflow looks DMN elements up with the 'dmn' prefix or the default namespace.
    prefixes = dict(root.nsmap)
    if None in prefixes:
        prefixes["dmn"] = prefixes.pop(None)
    if prefixes.get("dmn") != namespace:
        problem(
            root,
            "SpiffWorkflow reads DMN elements only in the default namespace or with the "
            '"dmn" prefix; save the file with the DMN namespace as the default.',
        )
        return

    decisions = root.findall(f"{ns}decision")
    if not decisions:
        problem(root, "The file contains no decision.")
    elif len(decisions) > 1:
        problem(
            root,
            f"The file contains {len(decisions)} decisions; SpiffWorkflow reads one decision "
            "per DMN file, so put each decision in its own file.",
        )
    for decision in decisions:
        table = decision.find(f"{ns}decisionTable")
        if table is None:
            problem(
                decision,
                f'Decision "{decision.get("id", "")}" is not a decision table; '
                "only decision tables can run.",
            )
            continue
        _check_decision_table(table, ns, problem)


def _check_decision_table(table: Element, ns: str, problem: _DmnProblem) -> None:
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in _HIT_POLICIES:
        problem(
            table,
            f'Hit policy "{policy}" is not supported; use UNIQUE, FIRST, ANY or COLLECT.',
        )
    if table.get("aggregation"):
        problem(
            table,
            f'COLLECT with aggregation "{table.get("aggregation")}" is not supported; '
            "SpiffWorkflow would return the plain list.",
        )

    inputs, outputs, rules = [], [], []
    for child in table:
        if not isinstance(child.tag, str):
            # SpiffWorkflow's parser calls .endswith() on every child's tag: comments break it.
            problem(table, "SpiffWorkflow cannot read comments inside a decision table.")
            continue
        local = etree.QName(child).localname
        if local == "input":
            inputs.append(child)
        elif local == "output":
            outputs.append(child)
        elif local == "rule":
            rules.append(child)
        else:
            problem(child, f"SpiffWorkflow cannot read <{local}> inside a decision table.")

    for column in inputs:
        expression = column.find(f"{ns}inputExpression/{ns}text")
        label = column.get("label") or column.get("id", "")
        if expression is None or not (expression.text or "").strip():
            problem(column, f'Input column "{label}" has no input expression.')
            continue
        error = compile_problem(expression.text or "", "eval")
        if error:
            problem(column, f'The expression of input column "{label}" does not compile: {error}')
    for column in outputs:
        if not (column.get("name") or column.get("label")):
            problem(column, "An output column has no name, so its result would be lost.")

    for number, rule in enumerate(rules, start=1):
        entries = {
            "input": rule.findall(f"{ns}inputEntry"),
            "output": rule.findall(f"{ns}outputEntry"),
        }
        columns = {"input": inputs, "output": outputs}
        for side, cells in entries.items():
            if len(cells) != len(columns[side]):
                problem(
                    rule,
                    f"Rule {number} has {len(cells)} {side} cells but the table has "
                    f"{len(columns[side])} {side} columns.",
                )
                continue
            for cell, column in zip(cells, columns[side], strict=True):
                text = text_of(cell.find(f"{ns}text"))
                error = _input_cell_error(text) if side == "input" else _output_cell_error(text)
                if error:
                    label = column.get("label") or column.get("name") or column.get("id", "")
                    problem(
                        cell,
                        f'Rule {number}, {side} "{label}": the cell "{text}" does not '
                        f"compile: {error}",
                    )


def _input_cell_error(text: str | None) -> str | None:
    """Mirror DMNEngine: '-' or empty matches anything; else an expression or a test."""
    if text is None or text in ("", "-"):
        return None
    if len(text) > _MAX_DMN_CELL:
        return f"the cell is longer than {_MAX_DMN_CELL:,} characters"
    cell = _DMN_QUESTION_MARK.sub("dmninputexpr", text)
    if "dmninputexpr" in cell:
        return compile_problem(cell, "eval")
    error = compile_problem(cell, "eval")
    if error and compile_problem(f"dmninputexpr {cell}", "eval") is None:
        return None  # a test such as '> 5' applied to the input value
    return error


def _output_cell_error(text: str | None) -> str | None:
    return compile_problem(text, "eval") if text and text.strip() else None


# --- after parsing ---------------------------------------------------------------------------
