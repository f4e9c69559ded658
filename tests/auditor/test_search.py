"""The auditor's search over the audit trail and its CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from tests.auditor.conftest import Browser, text

AUDITOR = "thanhtra.cdgdvn"


def _results(page: str) -> int:
    return len(re.findall(r'<tr class="audit-result">', page))


def test_search_by_nominee_links_to_the_history(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"nominee": "Thu Hà"}))
    assert "Tìm thấy 2 sự kiện." in page and _results(page) == 2
    nomination = browser.nomination_id("Nguyễn Thị Thu Hà")
    assert f'href="/thanh-tra/ho-so/{nomination}"' in page
    assert "Nguyễn Văn An" not in page


def test_search_by_action_and_date_range_paginates(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"action": "ballot.cast"}))
    assert _results(page) > 0 and "Bỏ phiếu" in page
    assert "Trang 1/1" in page
    everything = text(browser.get("/thanh-tra/tim-kiem"))
    assert _results(everything) == 50 and 'rel="next"' in everything
    assert _results(text(browser.get("/thanh-tra/tim-kiem", query_string={"page": "2"}))) > 0
    none = text(browser.get("/thanh-tra/tim-kiem", query_string={"to": "2000-01-01"}))
    assert "Tìm thấy 0 sự kiện." in none


def test_csv_export_opens_with_vietnamese_text_and_is_logged(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get("/thanh-tra/tim-kiem.csv", query_string={"nominee": "Thu Hà"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT sự kiện", "Thời gian", "Mã hồ sơ", "Người/tập thể được đề nghị"]
    assert len(rows) == 3 and all(row[3] == "Nguyễn Thị Thu Hà" for row in rows[1:])
    # Names where a person reads; each code in a column of its own beside them.
    header = rows[0]
    award, award_code = header.index("Danh hiệu"), header.index("Mã danh hiệu")
    org, org_code = header.index("Đơn vị đề nghị"), header.index("Mã đơn vị đề nghị")
    assert all(row[award] == "Chiến sĩ thi đua cơ sở" for row in rows[1:])
    assert all(row[award_code] == "CSTDCS" for row in rows[1:])
    assert all(row[org].startswith("Công đoàn Trường THCS") for row in rows[1:])
    assert all(row[org_code] == "THCS_THS" for row in rows[1:])
    assert {row[header.index("Tên đăng nhập")] for row in rows[1:]} <= {"canbo.thcs_ths"}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[1][1])
    with Session(browser.db) as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None and (last.actor, last.action) == (AUDITOR, "record.read")
    assert last.data["filters"] == {"nominee": "Thu Hà"} and last.data["rows"] == 2


def test_xlsx_export_has_dates_as_dates(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get("/thanh-tra/tim-kiem.xlsx", query_string={"action": "ballot.cast"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "Người/tập thể được đề nghị"
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"action": "ballot.cast"}))
    assert len(rows) - 1 == int(re.search(r"Tìm thấy (\d+) sự kiện", page).group(1))  # type: ignore[union-attr]
    assert all(isinstance(row[1], datetime) for row in rows[1:])
    assert all(row[7] == "ballot.cast" for row in rows[1:])
    assert any(row[3] == "Phạm Thị Hương" for row in rows[1:])
    assert all("đã bỏ phiếu" in str(row[11]) for row in rows[1:])
