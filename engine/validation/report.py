"""The problems a validation run has found so far."""

from __future__ import annotations

from engine.errors import Problem


class Report:
    """Problems found so far, plus which elements they concern (to avoid piling on)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._elements: set[tuple[str, str]] = set()

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.element_id:
            self._elements.add((problem.file, problem.element_id))

    def extend(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def flagged(self, problem: Problem) -> bool:
        """Whether the element was already reported, in any file (SpiffWorkflow may omit it)."""
        return any(element_id == problem.element_id for _, element_id in self._elements)

    def is_flagged(self, filename: str, element_id: str) -> bool:
        return (filename, element_id) in self._elements
