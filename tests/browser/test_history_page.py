"""The auditor's history page in a real browser: the diagram shows the path taken."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import Live, snap
from workflows.demo import PASSWORD
from workflows.models import Nomination


def test_the_history_page_shows_the_path_on_the_diagram(page: Page, live: Live) -> None:
    with Session(live.db) as session:
        nomination = session.scalar(
            select(Nomination.id).where(Nomination.nominee_name == "Nguyễn Thị Thu Hà")
        )
    page.goto(f"{live.url}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("thanhtra.cdgdvn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{live.url}/thanh-tra/ho-so/{nomination}")
    expect(page.get_by_role("heading", name="Sơ đồ quy trình và đường đi thực tế")).to_be_visible()
    done = page.locator('svg.bpmn g.done[data-element="prepare_dossier"]')
    active = page.locator('svg.bpmn g.active[data-element="appraise"]')
    done.scroll_into_view_if_needed()
    expect(done).to_be_visible()
    expect(active).to_be_visible()
    assert page.locator("svg.bpmn .bpmn-flow.done").count() >= 1
    stroke = done.locator("rect").evaluate("e => getComputedStyle(e).stroke")
    assert stroke == "rgb(30, 123, 60)"  # the path's green, from the stylesheet
    expect(page.locator("tr.audit-event").first).to_contain_text("Lập hồ sơ")
    snap(page, "auditor-history")
