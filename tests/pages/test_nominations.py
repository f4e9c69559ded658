"""The proposer's pages: a nomination with its timeline, withdrawing, opening a new one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.pages.conftest import Browser, text
from workflows.models import Nomination


def test_a_returned_nomination_shows_the_full_missing_list_and_timeline(browser: Browser) -> None:
    browser.login("canbo.thcs_ths")
    page = text(browser.get(f"/nominations/{browser.nomination_id('Trần Văn Nam')}"))
    assert "Chuẩn bị hồ sơ" in page  # the stage
    assert "Cơ sở" in page and "L1 —" not in page  # the level by its name, not its code
    assert "Biên bản họp bình xét có chữ ký" in page
    assert "Bản nhận xét của tổ chuyên môn" in page
    assert "Hoàn thành: Thẩm định hồ sơ" in page  # a step of the timeline
    assert "Rút hồ sơ" in page


def test_each_step_shows_its_outcome_and_who_did_it_by_name(browser: Browser) -> None:
    browser.login("canbo.thcs_ths")
    page = browser.get(f"/nominations/{browser.nomination_id('Trần Văn Nam')}")
    html = page.get_data(as_text=True)
    # The appraisal sent it back: said so, and marked unlike a complete one.
    assert 'class="outcome outcome-incomplete">Chưa đủ, trả lại bổ sung' in html
    assert "outcome-complete" not in html
    assert "Đã gửi hồ sơ" in text(page)
    # The secretary by name and role at the unit, never the login name.
    assert "Đoàn Văn Quý (Thường trực / thư ký Hội đồng TĐKT, Công đoàn Trường THCS" in html
    assert "thuky.thcs_ths" not in html and "THCS_THS" not in text(page)
    browser.login("thanhtra.cdgdvn")
    passed = browser.get(f"/nominations/{browser.nomination_id('Phạm Thị Hương')}")
    assert 'class="outcome outcome-complete">Đủ điều kiện' in passed.get_data(as_text=True)


def test_the_timeline_never_tells_a_ballot(browser: Browser) -> None:
    browser.login("thanhtra.cdgdvn")
    page = text(browser.get(f"/nominations/{browser.nomination_id('Phạm Thị Hương')}"))
    assert "Hội đồng Thi đua - Khen thưởng bỏ phiếu" in page
    assert "ballot.cast" not in page and "Không đồng ý" not in page
    assert "Rút hồ sơ" not in page  # only the proposer may withdraw


def test_the_proposer_withdraws(browser: Browser) -> None:
    browser.login("canbo.thcs_ths")
    nomination = browser.nomination_id("Trần Văn Nam")
    path = f"/nominations/{nomination}"
    too_long = browser.post(f"{path}/withdraw", {"reason": "x" * 2001}, csrf_from=path)
    assert too_long.status_code == 302
    page = text(browser.get(path))
    assert "2000" in page and "Đã rút hồ sơ." not in page  # refused, the nomination stays open
    assert "Rút hồ sơ" in page
    # Irreversible: refused unconfirmed, and refused without a reason; nothing changes.
    unconfirmed = browser.post(
        f"{path}/withdraw", {"reason": "Không đủ minh chứng"}, csrf_from=path
    )
    assert unconfirmed.status_code == 302
    page = text(browser.get(path))
    assert "hãy đánh dấu ô xác nhận" in page and "Đã rút hồ sơ." not in page
    no_reason = browser.post(f"{path}/withdraw", {"reason": " ", "confirm": "yes"}, csrf_from=path)
    assert no_reason.status_code == 302
    page = text(browser.get(path))
    assert "Hãy nêu lý do rút hồ sơ." in page and "Đã rút hồ sơ." not in page
    assert "Rút hồ sơ" in page and browser.task_id("Trần Văn Nam", "prepare_dossier")
    response = browser.post(
        f"{path}/withdraw", {"reason": "Không đủ minh chứng", "confirm": "yes"}, csrf_from=path
    )
    assert response.status_code == 302
    page = text(browser.get(path))
    assert "Đã rút hồ sơ." in page
    again = browser.post(f"{path}/withdraw", {"reason": "", "confirm": "yes"}, csrf_from="/")
    assert again.status_code == 302
    assert "không còn rút được" in text(browser.get(path))


def test_another_units_nomination_is_not_found(browser: Browser) -> None:
    browser.login("canbo.thpt_lvt")
    assert browser.get(f"/nominations/{browser.nomination_id('Trần Văn Nam')}").status_code == 404
    assert browser.get("/nominations/99999999999").status_code == 404


def test_a_new_nomination_offers_only_awards_of_its_kind(browser: Browser) -> None:
    browser.login("canbo.thcs_ths")
    assert 'name="kind"' in text(browser.get("/nominations/new"))
    page = text(browser.get("/nominations/new?kind=collective"))
    assert "Tập thể lao động tiên tiến" in page
    assert 'value="LDTT"' not in page
    assert "Tiêu chuẩn" in page  # each award's criteria from the catalogue

    form = {
        "kind": "individual",
        "org": "THCS_THS",
        "campaign": "NH2025-2026",
        "award_code": "LDTT",
        "name": "Hoàng Thị Lan",
        "position": "Giáo viên",
        "unit": "Tổ Ngữ văn",
        "username": "",
        "achievements": "Hoàn thành tốt nhiệm vụ năm học.",
        "documents": "Tờ trình\n\nBáo cáo thành tích\n",
    }
    refused = browser.post(
        "/nominations/new", {**form, "name": ""}, "/nominations/new?kind=individual"
    )
    assert refused.status_code == 422
    assert "Trường này là bắt buộc." in text(refused)  # the API's words for a required field
    created = browser.post("/nominations/new", form, "/nominations/new?kind=individual")
    assert created.status_code == 302
    with Session(browser.db) as session:
        row = session.scalars(
            select(Nomination).where(Nomination.nominee_name == "Hoàng Thị Lan")
        ).one()
        assert row.document_list == ["Tờ trình", "Báo cáo thành tích"]
    assert "Đã lập hồ sơ" in text(browser.get(created.headers["Location"]))


def test_someone_who_is_not_a_proposer_cannot_open_one(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    assert browser.get("/nominations/new").status_code == 403
