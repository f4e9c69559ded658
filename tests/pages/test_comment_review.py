"""Public comments read in full by those who act on them: the secretary's review shows each
comment's sender, phone, address, content and time and keeps a note of how it was handled
(audited); the head's decision and the auditor's history show them with the note; the
public board and the proposer never do."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from tests.pages.conftest import Browser, text
from workflows.models import Nomination, PublicComment

NOMINEE = "Đỗ Thị Mai Anh"  # in publicity at the Hoa Lư university union
COMMENT = {
    "name": "Nguyễn Văn Bình",
    "phone": "0912 345 678",
    "address": "Phường Hoa Lư, tỉnh Ninh Bình",
    "content": "Đề nghị Hội đồng xác minh lại sáng kiến năm 2024 của bà.",
}
NOTE = "Đã xác minh với phòng Khoa học: sáng kiến được công nhận, ý kiến không có cơ sở."
PUBLIC_VIEWS = ("/cong-khai", "/api/v1/public/notices")


def _sent(body: str) -> list[str]:
    return [v for v in COMMENT.values() if v in body]


def _close_window(browser: Browser) -> None:
    with Session(browser.db) as session:
        until = session.scalars(
            select(Nomination.publicity_until).where(Nomination.nominee_name == NOMINEE)
        ).one()
    assert until is not None
    browser.clock.at = until + timedelta(hours=2)
    browser.app.extensions["laurel.engine"].fire_due_timers()


def test_the_secretary_reads_a_comment_in_full_and_notes_its_handling(browser: Browser) -> None:
    nomination = browser.nomination_id(NOMINEE)
    sent = browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, csrf_from="/cong-khai")
    assert sent.status_code == 302
    for path in PUBLIC_VIEWS:  # during the window
        assert _sent(text(browser.get(path))) == [], path
    _close_window(browser)

    browser.login("thuky.dh_hl")
    review = f"/tasks/{browser.task_id(NOMINEE, 'review_comments')}"
    page = text(browser.get(review))
    assert _sent(page) == list(COMMENT.values())  # name, phone, address, content
    assert "Thời gian gửi" in page and "Ghi cách xử lý ý kiến này" in page
    [comment_id] = [c for c in _comment_ids(browser)]
    noted = browser.client.post(
        f"/nominations/{nomination}/comments/{comment_id}/note",
        data={"note": NOTE, "next": review, "csrf_token": browser.csrf(review)},
        follow_redirects=True,
    )
    assert "Đã lưu cách xử lý ý kiến." in text(noted) and NOTE in text(noted)
    with Session(browser.db) as session:
        row = session.get_one(PublicComment, comment_id)
        assert (row.note, row.noted_by) == (NOTE, "thuky.dh_hl")
        assert row.noted_at == browser.clock.at
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "comment.noted")
        ).all()
        assert event.data["note_sha256"] == hashlib.sha256(NOTE.encode()).hexdigest()
        assert event.data["comment"] == comment_id and event.actor == "thuky.dh_hl"

    done = browser.post(review, {"outcome": "dismiss", "note": "Ý kiến không có cơ sở."})
    assert done.status_code == 302
    late = browser.post(
        f"/nominations/{nomination}/comments/{comment_id}/note",
        {"note": "Sửa sau khi đã xong", "next": review},
        csrf_from="/",
    )
    assert late.status_code == 302
    with Session(browser.db) as session:
        assert session.get_one(PublicComment, comment_id).note == NOTE  # closed with the review

    # The head deciding, and the auditor reading the history, see the comment and its note.
    browser.login("chutich.dh_hl")
    page = text(browser.get(f"/tasks/{browser.task_id(NOMINEE, 'decide')}"))
    assert _sent(page) == list(COMMENT.values()) and NOTE in page
    assert "Ghi cách xử lý ý kiến này" not in page  # only the secretary notes
    browser.login("thanhtra.cdgdvn")
    page = text(browser.get(f"/thanh-tra/ho-so/{nomination}"))
    assert _sent(page) == list(COMMENT.values()) and NOTE in page
    assert "Ghi cách xử lý ý kiến công khai" in page  # the audited step, in words

    # The proposer's unit and the public never see who wrote or what.
    browser.login("canbo.dh_hl")
    assert _sent(text(browser.get(f"/nominations/{nomination}"))) == []
    browser.client.post("/dang-xuat", data={"csrf_token": browser.csrf("/")})
    for path in PUBLIC_VIEWS:
        assert _sent(text(browser.get(path))) == [], path


def test_nobody_but_the_receiving_secretary_notes(browser: Browser) -> None:
    nomination = browser.nomination_id(NOMINEE)
    browser.post(f"/cong-khai/{nomination}/y-kien", COMMENT, csrf_from="/cong-khai")
    _close_window(browser)
    [comment_id] = _comment_ids(browser)
    path = f"/nominations/{nomination}/comments/{comment_id}/note"
    browser.login("chutich.dh_hl")  # reads it, may not note it
    answer = browser.client.post(
        path, data={"note": NOTE, "csrf_token": browser.csrf("/")}, follow_redirects=True
    )
    assert "Chỉ thư ký Hội đồng nơi nhận ý kiến" in text(answer)
    browser.login("canbo.dh_hl")  # may not even read it
    assert browser.post(path, {"note": NOTE}, csrf_from="/").status_code == 404
    with Session(browser.db) as session:
        assert session.get_one(PublicComment, comment_id).note is None


def _comment_ids(browser: Browser) -> list[int]:
    with Session(browser.db) as session:
        return list(session.scalars(select(PublicComment.id).order_by(PublicComment.id)))
