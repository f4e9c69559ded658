"""The statistics and integrity pages on the demo database, with the pages' test browser."""

from __future__ import annotations

from tests.pages.conftest import browser

__all__ = ["browser"]
