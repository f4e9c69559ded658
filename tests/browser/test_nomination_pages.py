"""A nomination through the pages in a real browser, as the people who work it see them:
the proposer creates and submits, the secretary appraises (after a form error), three council
members vote (one from the meeting list), someone from the public comments on the board, the
secretary dismisses the comment after the window, the head decides, and the proposer sees the
award with its decision number."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.browser.conftest import Live, snap
from workflows.calendar import TIMEZONE
from workflows.demo import PASSWORD
from workflows.models import Nomination

NOMINEE = "Hoàng Minh Tuấn"


def sign_in(page: Page, live: Live, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/dang-nhap")
    snap(page, "00-sign-in")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hộp công việc")).to_be_visible()


def task_id(live: Live, bpmn_id: str, assignee: str | None = None) -> str:
    with Session(live.db) as session:
        query = (
            select(TaskRow.id)
            .join(Nomination, Nomination.business_key == TaskRow.business_key)
            .where(
                Nomination.nominee_name == NOMINEE,
                TaskRow.bpmn_id == bpmn_id,
                TaskRow.state == "ready",
            )
        )
        if assignee:
            query = query.where(TaskRow.assignee == assignee)
        found = session.scalar(query)
    assert found, f"no ready {bpmn_id}"
    return found


def send(page: Page) -> None:
    page.get_by_role("button", name="Gửi", exact=True).click()


def test_a_nomination_from_proposal_to_award_in_the_browser(page: Page, live: Live) -> None:
    sign_in(page, live, "canbo.thpt_lvt")
    snap(page, "01-inbox-proposer")
    page.goto(f"{live.url}/nominations/new")
    page.get_by_role("button", name="Trang sau").click()
    page.get_by_label("Lao động tiên tiến", exact=True).check()
    page.get_by_label("Họ và tên / tên tập thể").fill(NOMINEE)
    achievements = page.get_by_label("Thành tích", exact=False).first
    achievements.fill("Hoàn thành xuất sắc nhiệm vụ năm học 2025–2026.")
    snap(page, "02-new-nomination")
    page.get_by_role("button", name="Lập hồ sơ").click()
    page.goto(f"{live.url}/tasks/{task_id(live, 'prepare_dossier')}")
    page.get_by_label("Gửi hồ sơ").check()
    send(page)

    sign_in(page, live, "thuky.thpt_lvt")
    page.get_by_role("link", name=NOMINEE).first.click()
    snap(page, "03-appraisal-form")
    page.get_by_label("Hồ sơ thiếu, trả lại để bổ sung").check()
    for box in page.locator("ul.checklist input[type=checkbox]").all():
        box.uncheck()  # the documents not attached come ticked: untick them all
    send(page)  # no list of what is missing: the form says so at the field
    expect(page.get_by_text("Trường này là bắt buộc.")).to_be_visible()
    snap(page, "04-appraisal-error")
    page.get_by_label("Hồ sơ đầy đủ, đủ điều kiện").check()
    send(page)

    for member in ("hoidong1.thpt_lvt", "hoidong2.thpt_lvt"):
        sign_in(page, live, member)
        page.goto(f"{live.url}/tasks/{task_id(live, 'vote', member)}")
        page.get_by_label("Đồng ý", exact=True).check()
        send(page)
    sign_in(page, live, "hoidong3.thpt_lvt")
    page.goto(f"{live.url}/council/THPT_LVT")
    snap(page, "05-council-list")
    page.locator(f"fieldset:has-text('{NOMINEE}')").get_by_label("Đồng ý", exact=True).check()
    page.get_by_role("button", name="Gửi các phiếu đã chọn").click()

    page.context.clear_cookies()
    page.goto(f"{live.url}/cong-khai")
    card = page.locator(f"article:has-text('{NOMINEE}')")
    expect(card).to_be_visible()
    card.get_by_text("Gửi ý kiến về hồ sơ này").click()  # the form folds out
    card.get_by_label("Họ và tên").fill("Trần Văn Bình")
    card.get_by_label("Số điện thoại").fill("0912 345 678")
    card.get_by_label("Địa chỉ").fill("Hoa Lư, Ninh Bình")
    card.get_by_label("Nội dung ý kiến").fill("Đề nghị làm rõ thành tích được công nhận.")
    snap(page, "06-public-board")
    card.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_text("Đã nhận ý kiến của bạn. Xin cảm ơn.")).to_be_visible()

    with Session(live.db) as session:
        until = session.scalars(
            select(Nomination.publicity_until).where(Nomination.nominee_name == NOMINEE)
        ).one()
    assert until is not None
    live.clock.at = until + timedelta(hours=2)  # the window closes; the timer loop runs
    live.app.extensions["laurel.engine"].fire_due_timers()

    sign_in(page, live, "thuky.thpt_lvt")
    page.goto(f"{live.url}/tasks/{task_id(live, 'review_comments')}")
    page.get_by_label("Ý kiến không có cơ sở, tiếp tục").check()
    page.get_by_label("Tổng hợp, giải trình ý kiến").fill("Thành tích đã được xác minh.")
    send(page)

    sign_in(page, live, "chutich.thpt_lvt")
    page.goto(f"{live.url}/tasks/{task_id(live, 'decide')}")
    # Told before submitting that the award is within the school union's authority.
    expect(page.get_by_text("Danh hiệu này thuộc thẩm quyền của cấp này")).to_be_visible()
    page.get_by_label("Quyết định khen thưởng").check()
    page.get_by_label("Số quyết định").fill("52/QĐ-CĐCS")
    today = live.clock.at.astimezone(TIMEZONE).date()
    page.get_by_label("Ngày quyết định").fill((today + timedelta(days=1)).isoformat())
    send(page)  # a decision not yet signed cannot be recorded
    expect(page.get_by_text("Ngày quyết định không được sau ngày hôm nay.")).to_be_visible()
    page.get_by_label("Quyết định khen thưởng").check()
    page.get_by_label("Số quyết định").fill("52/QĐ-CĐCS")
    page.get_by_label("Ngày quyết định").fill(today.isoformat())
    snap(page, "07-decision")
    send(page)

    sign_in(page, live, "canbo.thpt_lvt")
    with Session(live.db) as session:
        nomination_id = session.scalars(
            select(Nomination.id).where(Nomination.nominee_name == NOMINEE)
        ).one()
    page.goto(f"{live.url}/nominations/{nomination_id}")
    expect(page.get_by_text("Đã khen thưởng").first).to_be_visible()
    expect(page.get_by_text("52/QĐ-CĐCS").first).to_be_visible()
    snap(page, "08-nomination-awarded")


def test_one_cannot_open_another_organisations_task(page: Page, live: Live) -> None:
    with Session(live.db) as session:
        other = session.scalar(
            select(TaskRow.id).where(TaskRow.bpmn_id == "appraise", TaskRow.org_scope == "THCS_THS")
        )
    sign_in(page, live, "thuky.thpt_lvt")
    response = page.goto(f"{live.url}/tasks/{other}")
    assert response is not None and response.status == 404
    snap(page, "09-other-organisation-task")


def test_the_public_board_reads_on_a_phone(page: Page, live: Live) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live.url}/cong-khai")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no sideways scrolling
    snap(page, "10-public-board-phone")
