"""A name typed with or without diacritics finds the nominee in the inbox and in the
auditor's search ("nguyen thi thu ha" finds "Nguyễn Thị Thu Hà"), on both backends."""

from __future__ import annotations

import pytest

from tests.pages.conftest import Browser, text

AUDITOR = "thanhtra.cdgdvn"


@pytest.mark.parametrize("typed", ["nguyen thi thu ha", "NGUYỄN THỊ THU HÀ", "  thu   ha "])
def test_the_inbox_finds_a_name_typed_either_way(browser: Browser, typed: str) -> None:
    browser.login("thuky.thcs_ths")
    page = text(browser.get("/", query_string={"q": typed}))
    assert "Nguyễn Thị Thu Hà" in page and "Thẩm định hồ sơ" in page
    assert f'value="{typed.strip()}"' in page  # the box keeps what was typed
    assert "Nguyễn Thị Thu Hà" not in text(browser.get("/", query_string={"q": "thu hai"}))


@pytest.mark.parametrize("typed", ["nguyen thi thu ha", "Nguyễn Thị Thu", "thu ha"])
def test_the_auditors_search_finds_a_name_typed_either_way(browser: Browser, typed: str) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"nominee": typed}))
    assert "Tìm thấy 3 sự kiện." in page and "Nguyễn Thị Thu Hà" in page
    assert "Nguyễn Văn An" not in page
    # "đ" has no mark to drop: typed as "d" it still finds "Đỗ Thị Mai Anh".
    found = text(browser.get("/thanh-tra/tim-kiem", query_string={"nominee": "do thi mai anh"}))
    assert "Đỗ Thị Mai Anh" in found and "Nguyễn Thị Thu Hà" not in found
