"""Anchors on the pages: the public board publishes the newest one, and the integrity page
checks the chain against them without being asked."""

from __future__ import annotations

import html

from sqlalchemy.orm import Session

from engine import audit
from engine.anchoring import AnchorFile
from engine.worker import TimerWorker
from tests.conftest import tamper
from tests.pages.conftest import Browser, text

AUDITOR = "thanhtra.cdgdvn"
INTEGRITY = "/thanh-tra/toan-ven"


def _anchor_now(browser: Browser) -> audit.Anchor:
    """One round of the server's background loop; the anchor it wrote."""
    sink: AnchorFile = browser.app.extensions["laurel.anchors"]
    TimerWorker(browser.app.extensions["laurel.engine"], anchors=sink).run_once()
    anchor = sink.newest()
    assert anchor is not None
    return anchor


def test_the_board_shows_the_newest_anchor(browser: Browser) -> None:
    assert "Mốc neo nhật ký kiểm toán" not in text(browser.get("/cong-khai"))
    anchor = _anchor_now(browser)
    page = text(browser.get("/cong-khai"))
    assert "Mốc neo nhật ký kiểm toán" in page
    assert '<dd id="anchor-time">23/11/2026 10:00</dd>' in page
    assert f'<dd id="anchor-seq">{anchor.seq}</dd>' in page
    assert f"{anchor.hash[:16]}…" in page
    assert f'<code id="anchor-hash">{anchor.hash}</code>' in page
    english = text(browser.get("/cong-khai?lang=en"))
    assert "Audit log anchor" in english


def test_the_integrity_page_fails_a_tail_deleted_behind_the_newest_anchor(
    browser: Browser,
) -> None:
    anchor = _anchor_now(browser)
    browser.clock.advance(minutes=12)
    browser.login(AUDITOR)
    page = html.unescape(text(browser.get(INTEGRITY)))
    assert "Toàn vẹn: chuỗi nhật ký không bị thay đổi." in page
    assert (
        f"Mốc neo mới nhất: 12 phút trước (sự kiện số {anchor.seq}, lúc 23/11/2026 10:00)"
    ) in page
    assert '<dd id="anchors-checked">1</dd>' in page

    tamper(browser.db, "DELETE FROM audit_events WHERE seq = :last", params={"last": anchor.seq})
    page = html.unescape(text(browser.get(INTEGRITY)))
    assert (
        f"Chuỗi bị phá vỡ tại sự kiện số {anchor.seq}: chuỗi kết thúc ở sự kiện số "
        f"{anchor.seq - 1} nhưng đã được neo ở sự kiện số {anchor.seq} lúc 23/11/2026 10:00: "
        "các sự kiện cuối chuỗi đã bị xoá"
    ) in page


def test_the_integrity_page_warns_without_an_anchor_or_with_an_old_one(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = html.unescape(text(browser.get(INTEGRITY)))
    assert "Cảnh báo: chưa có mốc neo nào" in page
    _anchor_now(browser)
    browser.clock.advance(days=2)
    with Session(browser.db) as session, session.begin():
        audit.append(session, browser.clock.now(), [audit.PendingEvent("quantri", "admin.note")])
    browser.login(AUDITOR)  # the session of two days ago has ended
    page = html.unescape(text(browser.get(INTEGRITY)))
    assert "Mốc neo mới nhất: 2 ngày trước" in page
    assert "Cảnh báo: mốc neo mới nhất đã cũ hơn 24 giờ mà sau nó còn 1 sự kiện chưa" in page
    assert "Toàn vẹn: chuỗi nhật ký không bị thay đổi." in page  # a warning, not a break
