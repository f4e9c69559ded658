"""The auditor pages on the demo database (both backends), through the pages' test client."""

from __future__ import annotations

from tests.pages.conftest import Browser, browser, text

__all__ = ["Browser", "browser", "text"]
