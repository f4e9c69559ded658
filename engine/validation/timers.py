"""Timer values: literal ISO 8601 dates, durations and cycles checked before they run."""

from __future__ import annotations

import ast
import re
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

TIMER_KINDS = {"timeDate": "date and time", "timeDuration": "duration", "timeCycle": "cycle"}
TIMER_HINT = 'Timer expressions are Python: write ISO 8601 values in quotes, e.g. "P3D".'
_BARE_ISO = re.compile(
    r"(?=.*\d)(?:R\d*/)?P(?:\d+(?:[.,]\d+)?[YMWD])*(?:T(?:\d+(?:[.,]\d+)?[HMS])+)?",
    re.IGNORECASE,
)


def timer_value_problem(kind: str, source: str) -> str | None:
    """Check a timer written as a literal, the usual case; computed values are checked when run."""
    if _BARE_ISO.fullmatch(source):
        return f'looks like an ISO 8601 value without quotes; write it as "{source}".'
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None  # an expression computed when the timer starts
    if not isinstance(value, str):
        return "must be an ISO 8601 text value in quotes, not a number or list."
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
            raise ValueError("not a date and time")
    except Exception:
        examples = {"timeDate": '"2025-06-30T17:00:00"', "timeDuration": '"P3D"'}
        example = examples.get(kind, '"R3/PT1H"')
        return f'is "{value}", which is not a valid ISO 8601 {TIMER_KINDS[kind]} (e.g. {example}).'
    return None
