"""The publicity window: the days a nomination the council passed is shown on the public
board and open to signed comments (domain.md §4.4), before its decision.

The process opens and closes it (bpmn/nomination.bpmn): the script task `open_publicity`
sets `publicity_until = working_days_after(rules["publicity_working_days"])` from the award's
rule in force, and the timer `publicity_window` fires at that moment, after which
`close_publicity` sums up the comments. The nomination row mirrors it (`stage` "publicity",
`publicity_until`) for the board and for comments, which this module reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflows.models import Nomination

STAGE = "publicity"


def window_end(process_data: Mapping[str, Any]) -> datetime | None:
    """When the window the process opened closes, or None if it opened none."""
    until = process_data.get("publicity_until")
    return datetime.fromisoformat(str(until)) if until else None


def closed_reason(nomination: Nomination, now: datetime) -> str | None:
    """Why (a message code) `nomination` takes no comment at `now`; None while its window
    is open."""
    if nomination.stage != STAGE or nomination.publicity_until is None:
        return "comments_not_open"
    if now >= nomination.publicity_until:
        return "comments_closed"
    return None
