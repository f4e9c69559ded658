"""Text search conditions: what a person types is looked for literally.

`%` and `_` are LIKE's wildcards; typed into a search box unescaped, `q=%` or `q=_` matches
everyone. Every search goes through `contains`, which escapes them (and the escape
character itself) and says which escape character it used.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from workflows.names import folded

ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column: Any, text: str, *, ignore_case: bool = True) -> ColumnElement[bool]:
    """SQL condition: `column` holds `text` literally (by default whatever its case)."""
    pattern = like_pattern(text)
    found: ColumnElement[bool] = (column.ilike if ignore_case else column.like)(
        pattern, escape=ESCAPE
    )
    return found


def name_contains(folded_column: Any, text: str) -> ColumnElement[bool]:
    """SQL condition: a name whose folded key (names.folded, kept beside it) holds `text`
    folded the same way, so "le thi hong nhung" and "Lê Thị Hồng" both find "Lê Thị Hồng
    Nhung"; the key is stored folded, so no function runs on the column."""
    return contains(folded_column, folded(text), ignore_case=False)
