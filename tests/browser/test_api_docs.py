"""The API's browsable page works in a real browser (it is rendered by JavaScript)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import snap


def test_the_api_page_renders_every_group_of_operations(page: Page, server: str) -> None:
    page.goto(f"{server}/api/v1/docs")
    expect(page.get_by_text("Laurel API").first).to_be_visible(timeout=15_000)
    for tag in ("auth", "nominations", "tasks", "public", "admin", "auditor"):
        expect(page.locator(f"#operations-tag-{tag}")).to_be_visible()
    snap(page, "api-docs")
