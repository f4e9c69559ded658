"""The auditor's search in a real browser: the organisation is chosen by its name."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Live, snap
from workflows.demo import PASSWORD

THCS = "Công đoàn Trường THCS Trương Hán Siêu"


def test_the_auditor_types_a_school_without_diacritics_and_sees_its_events(
    page: Page, live: Live
) -> None:
    page.goto(f"{live.url}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("thanhtra.cdgdvn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    field = page.get_by_label("Đơn vị", exact=True)
    # The field offers the names of the auditor's subtree, never a code to type.
    offered = page.locator("datalist#org-names option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert THCS in offered and not any("_" in name for name in offered)
    field.fill("truong han sieu")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_load_state()
    expect(field).to_have_value(THCS)
    rows = page.locator("tr.audit-result")
    expect(rows.first).to_be_visible()
    assert set(rows.locator('td[data-label="Đơn vị"]').all_inner_texts()) == {THCS}
    snap(page, "auditor-search-by-name")
