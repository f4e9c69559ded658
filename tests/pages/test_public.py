"""The public board: no sign-in, comments signed with name, phone and address."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.pages.conftest import Browser, text
from workflows.models import PublicComment

COMMENT = {
    "name": "Nguyễn Văn Bình",
    "phone": "0912 345 678",
    "address": "Phường Hoa Lư, tỉnh Ninh Bình",
    "content": "Tôi đề nghị Hội đồng xem xét lại thành tích năm 2024 của bà.",
}


def _comments(browser: Browser) -> int:
    with Session(browser.db) as session:
        return session.scalar(select(func.count()).select_from(PublicComment)) or 0


def test_the_board_lists_the_nomination_in_publicity(browser: Browser) -> None:
    page = text(browser.get("/cong-khai"))
    assert "Công đoàn Trường Đại học Hoa Lư" in page
    assert "Đỗ Thị Mai Anh" in page
    assert "ngày làm việc" in page
    assert "Nguyễn Thị Thu Hà" not in page  # not in publicity


def test_a_signed_comment_is_accepted(browser: Browser) -> None:
    nomination = browser.nomination_id("Đỗ Thị Mai Anh")
    response = browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, csrf_from="/cong-khai")
    assert response.status_code == 302
    assert "Đã nhận ý kiến của bạn" in text(browser.get("/cong-khai"))
    assert _comments(browser) == 1


def test_missing_fields_are_refused_at_the_field(browser: Browser) -> None:
    nomination = browser.nomination_id("Đỗ Thị Mai Anh")
    response = browser.post(
        f"/cong-khai/{nomination}/y-kien", {**COMMENT, "phone": "", "address": ""}, "/cong-khai"
    )
    assert response.status_code == 422
    page = text(response)
    assert "Số điện thoại không hợp lệ" in page
    assert page.count('aria-invalid="true"') == 2
    assert COMMENT["name"] in page  # what was typed is kept
    assert _comments(browser) == 0


def test_a_filled_honeypot_is_dropped_silently(browser: Browser) -> None:
    nomination = browser.nomination_id("Đỗ Thị Mai Anh")
    response = browser.post(
        f"/cong-khai/{nomination}/y-kien", {**COMMENT, "website": "http://spam"}, "/cong-khai"
    )
    assert response.status_code == 302
    assert "Đã nhận ý kiến của bạn" in text(browser.get("/cong-khai"))
    assert _comments(browser) == 0


def test_comments_are_rate_limited(browser: Browser) -> None:
    nomination = browser.nomination_id("Đỗ Thị Mai Anh")
    for _ in range(5):
        browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, "/cong-khai")
    limited = browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, "/cong-khai")
    assert limited.status_code == 429
    assert "Bạn đã gửi quá nhiều ý kiến" in text(limited)
    assert _comments(browser) == 5


def test_a_nomination_not_in_publicity_takes_no_comment(browser: Browser) -> None:
    nomination = browser.nomination_id("Nguyễn Thị Thu Hà")
    response = browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, "/cong-khai")
    assert response.status_code == 302
    assert "Không có hồ sơ đang công khai" in text(browser.get("/cong-khai"))
    assert _comments(browser) == 0


def test_a_nul_typed_in_a_comment_is_dropped(browser: Browser) -> None:
    nomination = browser.nomination_id("Đỗ Thị Mai Anh")
    typed = {**COMMENT, "name": "Nguyễn\x00 Văn Bình", "content": COMMENT["content"] + "\x00"}
    response = browser.post(f"/cong-khai/{nomination}/y-kien", typed, csrf_from="/cong-khai")
    assert response.status_code == 302  # PostgreSQL refused the NUL: a 500 before
    with Session(browser.db) as session:
        stored = session.scalars(select(PublicComment)).one()
    assert (stored.name, stored.content) == ("Nguyễn Văn Bình", COMMENT["content"])
