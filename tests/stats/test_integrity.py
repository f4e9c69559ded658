"""The integrity page: the chain check, a tampered row, and anchors the chain must extend."""

from __future__ import annotations

import io

from engine import audit
from tests.conftest import tamper
from tests.pages.conftest import Browser, text

AUDITOR = "thanhtra.cdgdvn"
PAGE = "/thanh-tra/toan-ven"


def test_the_demo_chain_is_ok(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get(PAGE)
    assert response.status_code == 200
    page = text(response)
    assert "Toàn vẹn: chuỗi nhật ký không bị thay đổi." in page
    with browser.db.connect() as conn:
        result = audit.verify(conn)
    assert result.ok and result.checked > 0
    assert f'<dd id="checked">{result.checked}</dd>' in page
    assert result.head_hash in page


def test_a_changed_row_is_named_by_its_seq(browser: Browser) -> None:
    tamper(browser.db, """UPDATE audit_events SET payload = '{"data": {}}' WHERE seq = 3""")
    browser.login(AUDITOR)
    page = text(browser.get(PAGE))
    assert "Chuỗi bị phá vỡ tại sự kiện số 3" in page


def test_anchors_the_chain_extends_are_ok(browser: Browser) -> None:
    with browser.db.connect() as conn:
        anchor = audit.head(conn, browser.clock.now())
    browser.login(AUDITOR)
    response = browser.post(PAGE, {"anchors": anchor.to_json() + "\n"})
    assert response.status_code == 200
    assert "Toàn vẹn" in text(response)


def test_an_anchor_the_chain_no_longer_extends_is_flagged(browser: Browser) -> None:
    with browser.db.connect() as conn:
        anchor = audit.head(conn, browser.clock.now())
    forged = audit.Anchor(anchor.seq, "0" * 64, anchor.at)
    browser.login(AUDITOR)
    data = {
        "anchors": "",
        "file": (io.BytesIO(forged.to_json().encode()), "anchors.jsonl"),
        "csrf_token": browser.csrf(PAGE),
    }
    response = browser.client.post(PAGE, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert f"Chuỗi bị phá vỡ tại sự kiện số {anchor.seq}" in text(response)
    assert "chuỗi không còn khớp với mốc neo lập lúc 23/11/2026 10:00" in text(response)


def test_a_bad_anchor_line_is_refused(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.post(PAGE, {"anchors": "not json"})
    assert response.status_code == 400
    assert "Dòng 1 không phải là một mốc hợp lệ." in text(response)
    nul = browser.post(PAGE, {"anchors": '{"seq": 1\x00}'})
    assert nul.status_code == 400 and "Dòng 1 không phải" in text(nul)


def test_anchors_past_the_limit_are_refused_pasted_or_uploaded(browser: Browser) -> None:
    browser.login(AUDITOR)
    too_big = "\n" * 1_000_001
    pasted = browser.post(PAGE, {"anchors": too_big})
    assert pasted.status_code == 400
    assert "Tệp quá lớn." in text(pasted)
    data = {
        "anchors": "",
        "file": (io.BytesIO(too_big.encode()), "anchors.jsonl"),
        "csrf_token": browser.csrf(PAGE),
    }
    uploaded = browser.client.post(PAGE, data=data, content_type="multipart/form-data")
    assert uploaded.status_code == 400 and "Tệp quá lớn." in text(uploaded)


def test_a_post_without_the_csrf_token_is_refused(browser: Browser) -> None:
    browser.login(AUDITOR)
    assert browser.client.post(PAGE, data={"anchors": ""}).status_code == 400


def test_people_without_oversight_are_refused(browser: Browser) -> None:
    browser.login("hoidong1.cdgdvn")
    assert browser.get(PAGE).status_code == 403
