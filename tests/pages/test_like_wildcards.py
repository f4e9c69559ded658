"""A `%` or a `_` typed into a page's search box is looked for literally."""

from __future__ import annotations

import re

from tests.pages.conftest import Browser, text


def listed(page: str) -> set[str]:
    return set(re.findall(r'href="/quan-tri/nguoi-dung/([^"/]+)"', page))


def test_the_people_page_search_takes_wildcards_literally(browser: Browser) -> None:
    browser.login("quantri")
    assert listed(text(browser.get("/quan-tri/nguoi-dung", query_string={"q": "%"}))) == set()
    underscored = listed(text(browser.get("/quan-tri/nguoi-dung", query_string={"q": "_"})))
    assert underscored and all("_" in username for username in underscored)


def test_the_audit_search_takes_wildcards_literally(browser: Browser) -> None:
    browser.login("thanhtra.cdgdvn")
    for field in ("nominee", "person", "decision_no"):
        page = text(browser.get("/thanh-tra/tim-kiem", query_string={field: "%"}))
        assert "Tìm thấy 0 sự kiện." in page, field
