"""Horizontal bar charts as inline SVG, drawn on the server: the pages' CSP allows no script.

Labels and values are escaped; the result is safe to mark up as-is in a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 60


def bars(title: str, items: Sequence[tuple[str, int, int]], legend: tuple[str, str]) -> Markup:
    """Two bars per item (label, first, second): nominations above awards, say."""
    top = max([max(a, b) for _, a, b in items] + [1])
    row = 2 * BAR_HEIGHT + GAP
    height = max(1, len(items)) * row + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, first, second) in enumerate(items):
        y = GAP + index * row
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT + 4}" text-anchor="end" '
            f'font-size="12">{escape(label[:40])}</text>'
        )
        for offset, (value, css, name) in enumerate(
            ((first, "bar-a", legend[0]), (second, "bar-b", legend[1]))
        ):
            bar_y = y + offset * BAR_HEIGHT
            length = round(BAR_WIDTH * value / top)
            parts.append(
                f'<rect class="{css}" x="{LABEL_WIDTH}" y="{bar_y}" width="{length}" '
                f'height="{BAR_HEIGHT - 2}" fill="{"#2f6f9f" if offset == 0 else "#c9a227"}">'
                f"<title>{escape(name)}: {value}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 4}" y="{bar_y + BAR_HEIGHT - 5}" '
                f'font-size="11">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
