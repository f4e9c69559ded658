"""Supplementing and confirming in a real browser: the proposer opens a returned dossier
with the missing list at the top, corrects a field, replaces a scan and sends it again; the
secretary's appraisal names what changed. Withdrawing asks in a dialog first (the page's own
script): declined, nothing changes; accepted, the dossier is withdrawn."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.browser.conftest import Live, snap
from tests.browser.test_every_page import _check
from tests.browser.test_nomination_pages import sign_in
from tests.files import samples
from workflows.models import Nomination

RETURNED = "Trần Văn Nam"


def _nomination(live: Live) -> Nomination:
    with Session(live.db) as session:
        found = session.scalars(select(Nomination).where(Nomination.nominee_name == RETURNED)).one()
        session.expunge(found)
    return found


def _task(live: Live, bpmn_id: str) -> str:
    with Session(live.db) as session:
        found = session.scalar(
            select(TaskRow.id).where(
                TaskRow.business_key == _nomination(live).business_key,
                TaskRow.bpmn_id == bpmn_id,
                TaskRow.state == "ready",
            )
        )
    assert found, bpmn_id
    return found


def test_a_returned_dossier_is_supplemented_in_the_browser(page: Page, live: Live) -> None:
    sign_in(page, live, "canbo.thcs_ths")
    page.goto(f"{live.url}/tasks/{_task(live, 'prepare_dossier')}")
    missing = page.get_by_role("heading", name="Hồ sơ còn thiếu")
    edit = page.get_by_role("heading", name="Bổ sung, sửa hồ sơ")
    expect(missing).to_be_visible()
    assert missing.bounding_box()["y"] < edit.bounding_box()["y"]  # type: ignore[index]
    picker = page.get_by_label("Thêm tệp (bản quét, ảnh chụp, văn bản)")
    picker.set_input_files(
        {"name": "Biên bản.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}
    )
    page.get_by_role("button", name="Tải tệp lên").click()
    expect(page.get_by_text("Đã đính kèm tệp «Biên bản.pdf».")).to_be_visible()
    page.get_by_label("Gửi hồ sơ").check()
    page.get_by_role("button", name="Gửi", exact=True).click()

    sign_in(page, live, "thuky.thcs_ths")
    page.goto(f"{live.url}/tasks/{_task(live, 'appraise')}")
    page.get_by_label("Hồ sơ thiếu, trả lại để bổ sung").check()
    page.get_by_label("Danh sách hồ sơ còn thiếu").fill("Biên bản có chữ ký của chủ tọa")
    page.get_by_role("button", name="Gửi", exact=True).click()

    sign_in(page, live, "canbo.thcs_ths")
    page.goto(f"{live.url}/tasks/{_task(live, 'prepare_dossier')}")
    expect(page.get_by_text("Biên bản có chữ ký của chủ tọa")).to_be_visible()
    page.get_by_label("Chức vụ").fill("Tổ trưởng chuyên môn")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu thay đổi của hồ sơ.")).to_be_visible()
    page.get_by_text("Thay hoặc rút tệp «Biên bản.pdf»").click()  # the actions fold out
    page.get_by_label("Tệp thay thế").set_input_files(
        {"name": "Biên bản ký.pdf", "mimeType": "application/pdf", "buffer": samples.PDF + b"%2\n"}
    )
    page.get_by_role("button", name="Thay tệp").click()
    expect(page.get_by_text("Đã thay tệp bằng «Biên bản ký.pdf»")).to_be_visible()
    snap(page, "supplement-01-returned-dossier")
    assert _check(page, "returned dossier") == []  # names, not codes; axe-core clean
    page.get_by_label("Gửi hồ sơ").check()
    page.get_by_role("button", name="Gửi", exact=True).click()

    sign_in(page, live, "thuky.thcs_ths")
    page.goto(f"{live.url}/tasks/{_task(live, 'appraise')}")
    changes = page.locator("section.changes")
    expect(changes).to_contain_text("lần gửi 2 → lần gửi 3")
    expect(changes).to_contain_text("Tổ trưởng chuyên môn")
    expect(changes).to_contain_text("Thay tệp «Biên bản.pdf» bằng «Biên bản ký.pdf»")
    snap(page, "supplement-02-changes")
    assert _check(page, "appraisal with changes") == []


def test_withdrawing_asks_first_and_a_declined_dialog_changes_nothing(
    page: Page, live: Live
) -> None:
    sign_in(page, live, "canbo.thcs_ths")
    page.goto(f"{live.url}/nominations/{_nomination(live).id}")
    page.get_by_label("Lý do rút hồ sơ").fill("Cá nhân xin rút")
    asked: list[str] = []

    def decline(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="Rút hồ sơ").click()
    assert asked and "không thể hoàn tác" in asked[0]
    assert _nomination(live).status == "open"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rút hồ sơ").click()
    expect(page.get_by_text("Đã rút hồ sơ.")).to_be_visible()
    assert _nomination(live).status == "withdrawn"


def test_the_secretary_reads_a_comment_and_notes_its_handling_in_the_browser(
    page: Page, live: Live
) -> None:
    with Session(live.db) as session:
        row = session.scalars(
            select(Nomination).where(Nomination.nominee_name == "Đỗ Thị Mai Anh")
        ).one()
        nomination_id, until = row.id, row.publicity_until
    assert until is not None
    page.goto(f"{live.url}/cong-khai")
    card = page.locator("article:has-text('Đỗ Thị Mai Anh')")
    card.get_by_text("Gửi ý kiến về hồ sơ này").click()
    card.get_by_label("Họ và tên").fill("Trần Văn Bình")
    card.get_by_label("Số điện thoại").fill("0912 345 678")
    card.get_by_label("Địa chỉ").fill("Hoa Lư, Ninh Bình")
    card.get_by_label("Nội dung ý kiến").fill("Đề nghị làm rõ sáng kiến được công nhận.")
    card.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_text("Đã nhận ý kiến của bạn. Xin cảm ơn.")).to_be_visible()
    assert "0912 345 678" not in page.content()
    live.clock.at = until + timedelta(hours=2)
    live.app.extensions["laurel.engine"].fire_due_timers()

    sign_in(page, live, "thuky.dh_hl")
    page.goto(f"{live.url}/nominations/{nomination_id}")
    with Session(live.db) as session:
        task = session.scalar(
            select(TaskRow.id).where(
                TaskRow.business_key == row.business_key,
                TaskRow.bpmn_id == "review_comments",
                TaskRow.state == "ready",
            )
        )
    page.goto(f"{live.url}/tasks/{task}")
    comment = page.locator("li.comment")
    for shown in ("Trần Văn Bình", "0912 345 678", "Hoa Lư, Ninh Bình", "làm rõ sáng kiến"):
        expect(comment).to_contain_text(shown)
    comment.get_by_label("Ghi cách xử lý ý kiến này").fill("Đã đối chiếu quyết định công nhận.")
    comment.get_by_role("button", name="Lưu cách xử lý").click()
    expect(page.get_by_text("Đã lưu cách xử lý ý kiến.")).to_be_visible()
    expect(page.locator("li.comment")).to_contain_text("Đã đối chiếu quyết định công nhận.")
    snap(page, "comments-01-review")
    assert _check(page, "comment review") == []
