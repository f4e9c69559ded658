"""The inbox, a task's form and the council's ballot list, as reviewers use them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.pages.conftest import Browser, text
from workflows.models import BallotBox, BallotReceipt, Nomination


def test_the_secretary_sees_the_waiting_appraisal_with_local_dates(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    page = text(browser.get("/"))
    assert "Nguyễn Thị Thu Hà" in page
    assert "Chiến sĩ thi đua cơ sở" in page
    assert "Thẩm định hồ sơ" in page
    # Submitted 19 days before 23/11/2026 10:00 in Hà Nội; due at the end of the tenth
    # working day after that.
    assert ">04/11/2026</time>" in page
    assert ">18/11/2026</time>" in page
    assert re.search(r"<time datetime=\"[^\"]+\">\d{2}/\d{2}/\d{4}</time>", page)
    assert "Quá hạn" in page  # ten working days have passed
    # Filters and counts.
    assert "<strong>1</strong>" in page
    assert "Nguyễn Thị Thu Hà" not in text(browser.get("/?stage=decide"))
    assert "Nguyễn Thị Thu Hà" in text(browser.get("/?overdue=yes&org=THCS_THS"))
    assert "Nguyễn Thị Thu Hà" not in text(browser.get("/?overdue=no"))
    assert "Nguyễn Thị Thu Hà" in text(browser.get("/?campaign=NH2025-2026&page=abc"))


def test_the_task_form_shows_the_dossier_and_completes_it(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    task_id = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    page = text(browser.get(f"/tasks/{task_id}"))
    assert 'type="radio"' in page and "Hồ sơ đầy đủ, đủ điều kiện" in page
    assert '<label for="f-missing">' in page
    assert "Biên bản họp bình xét" in page  # the dossier's documents
    assert "Căn cứ" in page  # an eligibility finding with its legal basis
    done = browser.post(f"/tasks/{task_id}", {"result": "complete"})
    assert done.status_code == 302
    after = text(browser.get("/"))
    assert "Đã hoàn thành công việc." in after
    assert "Nguyễn Thị Thu Hà" not in after


def test_a_form_error_is_shown_at_its_field(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    task_id = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    response = browser.post(f"/tasks/{task_id}", {"result": "incomplete", "missing": " \n "})
    assert response.status_code == 422
    page = text(response)
    field = page[page.index('<label for="f-missing">') :]
    assert field.index("Trường này là bắt buộc.") < field.index("<textarea")
    assert 'aria-invalid="true"' in field[: field.index("</textarea>")]
    # The choice made is kept.
    assert 'value="incomplete" checked' in page
    # A list is taken one item per line.
    missing = "Biên bản họp bình xét\nBản nhận xét của tổ chuyên môn"
    ok = browser.post(f"/tasks/{task_id}", {"result": "incomplete", "missing": missing})
    assert ok.status_code == 302
    browser.client.get("/")
    browser.login("canbo.thcs_ths")
    nomination = browser.nomination_id("Nguyễn Thị Thu Hà")
    shown = text(browser.get(f"/nominations/{nomination}"))
    assert "Bản nhận xét của tổ chuyên môn" in shown


def test_a_double_submit_says_the_task_was_handled(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    task_id = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    assert browser.post(f"/tasks/{task_id}", {"result": "complete"}).status_code == 302
    again = browser.post(f"/tasks/{task_id}", {"result": "complete"}, csrf_from="/")
    assert again.status_code == 302
    page = text(browser.get("/"))
    assert "Công việc này đã được xử lý hoặc không còn chờ xử lý; không có gì thay đổi." in page


def test_another_organisations_task_is_not_found(browser: Browser) -> None:
    browser.login("thuky.thpt_lvt")
    task_id = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    response = browser.get(f"/tasks/{task_id}")
    assert response.status_code == 404
    assert "Không tìm thấy." in text(response)
    posted = browser.post(f"/tasks/{task_id}", {"result": "complete"}, csrf_from="/")
    assert posted.status_code == 404
    assert browser.get("/tasks/not-a-task").status_code == 404


def test_a_council_member_votes_from_the_ballot_sheet(browser: Browser) -> None:
    browser.login("hoidong3.cdgdnb")
    sheet = "/danh-sach/CDGD_NB/bieu-quyet"
    assert browser.get("/council/CDGD_NB").headers["Location"].endswith(sheet)  # old address
    page = text(browser.get(sheet))
    assert "Phạm Thị Hương" in page
    task_id = browser.task_id("Phạm Thị Hương", "vote")
    response = browser.post(sheet, {f"c-{task_id}": "for"})
    assert response.status_code == 302
    after = text(browser.get(sheet))
    assert "Đã ghi 1 hồ sơ." in after
    with Session(browser.db) as session:
        assert session.get_one(TaskRow, task_id).state == "completed"
        nomination = session.scalars(
            select(Nomination).where(Nomination.nominee_name == "Phạm Thị Hương")
        ).one()
        box = session.scalars(
            select(BallotBox).where(
                BallotBox.nomination_id == nomination.id, BallotBox.org_code == "CDGD_NB"
            )
        ).one()
        assert box.votes_for + box.votes_against == 3
        receipt = session.scalars(
            select(BallotReceipt.ballot_hash).where(
                BallotReceipt.nomination_id == nomination.id,
                BallotReceipt.username == "hoidong3.cdgdnb",
            )
        ).one()
    # The voter's receipt, named by whose ballot it is; not the choice.
    assert f"Biên nhận phiếu cho Phạm Thị Hương: {receipt[:16]}" in after
    # Not a member of this council: not found.
    assert browser.get("/danh-sach/TLD/bieu-quyet").status_code == 404


def test_the_inbox_counts_one_task_in_the_singular(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    assert ">1 công việc</h2>" in text(browser.get("/"))
    english = text(browser.get("/?lang=en"))
    assert ">1 task</h2>" in english and "1 tasks" not in english
