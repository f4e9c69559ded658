"""Why a definition or a migration was refused, element by element, for the pages and the
API alike."""

from __future__ import annotations

from engine.errors import Problem
from web.i18n import known, t


def problem_list(problems: list[Problem]) -> list[dict[str, str]]:
    """Each problem with its place; in the request's language where the engine gave a code
    this catalogue knows, else in the engine's English."""
    return [
        {
            "element_id": p.element_id,
            "file": p.file,
            "message": t(f"problem_{p.code}", **dict(p.params))
            if known(f"problem_{p.code}")
            else p.message,
        }
        for p in problems
    ]
