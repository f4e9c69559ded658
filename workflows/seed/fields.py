"""Typed access to the fields of a seed row, each mistake recorded with its line."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from workflows.seed.reader import Row
from workflows.seed.report import Error
from workflows.vocabulary import RULE_PARAMS, is_code

FIELDS = {
    "organisations": ("code", "name", "level", "parent", "voting"),
    "users": ("username", "full_name", "password", "roles", "active"),
    "campaigns": ("code", "name", "starts", "ends"),
    "awards": ("code", "name", "subject", "kind", "criteria"),
    "rules": ("award", "effective_from", "basis", *RULE_PARAMS),
    "awards_history": ("nominee", "org", "award", "year", "decision_no"),
    "calendar": ("day", "kind", "note"),
    "role": ("role", "org"),
    "prerequisite": ("award", "consecutive_years", "count", "within_years"),
}


class Fields:
    """Typed access to row fields; each getter records its error and returns None."""

    def __init__(self, errors: list[Error]) -> None:
        self.errors = errors

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def allowed(self, row: Row, what: str) -> None:
        for key in row.data:
            if key not in FIELDS[what]:
                expected = ", ".join(FIELDS[what])
                self.error(row.at(key), f"unknown field '{key}' in {what} (expected {expected})")

    def _present(self, row: Row, key: str, required: bool) -> bool:
        if row.data.get(key) in (None, ""):
            if required:
                self.error(row.line, f"missing required field '{key}'")
            return False
        return True

    def text(self, row: Row, key: str, max_len: int = 300, required: bool = True) -> str | None:
        if not self._present(row, key, required):
            return None
        value = row.data[key]
        if isinstance(value, bool | date | list | Row):
            self.error(row.at(key), f"{key} must be text")
            return None
        text = unicodedata.normalize("NFC", str(value)).strip()
        if len(text) > max_len:
            self.error(row.at(key), f"{key} is longer than {max_len} characters")
            return None
        return text

    def code(self, row: Row, key: str, most: int) -> str | None:
        """The code of the row's organisation, campaign or award (workflows.vocabulary's rule)."""
        value = self.text(row, key, most)
        if value is not None and not is_code(value):
            rule = "may hold only ASCII letters, digits, '_', '.' and '-'"
            self.error(row.at(key), f"{key} '{value}' {rule}")
            return None
        return value

    def choice(self, row: Row, key: str, options: Iterable[str], required: bool = True) -> Any:
        value = self.text(row, key, 50, required)
        if value is not None and value not in options:
            self.error(row.at(key), f"{key} must be one of {', '.join(options)}, not '{value}'")
            return None
        return value

    def day(self, row: Row, key: str) -> date | None:
        if not self._present(row, key, True):
            return None
        value = row.data[key]
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(str(value).strip(), pattern).date()
            except ValueError:
                pass
        self.error(row.at(key), f"{key}: bad date '{value}' (use YYYY-MM-DD or DD/MM/YYYY)")
        return None

    def integer(self, row: Row, key: str, low: int, high: int, required: bool = True) -> Any:
        if not self._present(row, key, required):
            return None
        value = row.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(row.at(key), f"{key} must be a whole number from {low} to {high}")
            return None
        return value

    def ratio(self, row: Row, key: str) -> float | None:
        value = row.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.error(row.at(key), f"{key} must be a number between 0 and 1, not '{value}'")
            return None
        return float(value)
