"""The auditor's search over the audit trail and its CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from tests.auditor.conftest import Browser, text
from web.pages import auditor

AUDITOR = "thanhtra.cdgdvn"


def _results(page: str) -> int:
    return len(re.findall(r'<tr class="audit-result">', page))


def test_search_by_nominee_links_to_the_history(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"nominee": "Thu Hà"}))
    # Started, the dossier's submission kept as a version, the task completed.
    assert "Tìm thấy 3 sự kiện." in page and _results(page) == 3
    nomination = browser.nomination_id("Nguyễn Thị Thu Hà")
    assert f'href="/thanh-tra/ho-so/{nomination}"' in page
    assert "Nguyễn Văn An" not in page


def test_search_by_action_and_date_range_paginates(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"action": "ballot.cast"}))
    assert _results(page) > 0 and "Bỏ phiếu" in page
    # The action is chosen by its name in a list, not typed as a code.
    assert '<option value="ballot.cast" selected>Bỏ phiếu</option>' in page
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
    assert len(rows) == 4 and all(row[3] == "Nguyễn Thị Thu Hà" for row in rows[1:])
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
    assert last.data["filters"] == {"nominee": "Thu Hà"} and last.data["rows"] == 3


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


# --- the organisation, chosen by name within the auditor's scope ---------------------------

THCS = "Công đoàn Trường THCS Trương Hán Siêu"  # below CDGDVN, the auditor's organisation


def _orgs_shown(page: str) -> set[str]:
    return set(re.findall(r'<td data-label="Đơn vị">([^<]*)</td>', page))


def _offered(page: str) -> set[str]:
    listed = re.search(r'<datalist id="org-names">(.*?)</datalist>', page, re.S)
    assert listed is not None
    return set(re.findall(r'<option value="([^"]*)">', listed.group(1)))


def _found(page: str) -> int:
    return int(re.search(r"Tìm thấy (\d+) sự kiện", page).group(1))  # type: ignore[union-attr]


def test_the_organisation_is_picked_by_name_and_narrows_to_it(browser: Browser) -> None:
    browser.login(AUDITOR)
    blank = text(browser.get("/thanh-tra/tim-kiem"))
    offered = _offered(blank)
    assert THCS in offered and "Công đoàn Giáo dục tỉnh Ninh Bình" in offered
    # Only the auditor's subtree is offered, and by names: no code to type.
    assert "Trường THPT Nguyễn Khuyến" not in offered and "Bộ Giáo dục và Đào tạo" not in offered
    assert "THCS_THS" not in blank
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": THCS}))
    assert 0 < _found(page) < _found(blank)
    assert _orgs_shown(page) == {THCS}
    assert f'value="{THCS}"' in page  # the field keeps the name picked
    # Pages and exports keep the filter.
    assert "org=C%C3%B4ng" in page
    rows = list(
        csv.reader(
            io.StringIO(
                browser.get("/thanh-tra/tim-kiem.csv", query_string={"org": THCS})
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )
    assert len(rows) - 1 == _found(page)


def test_a_name_typed_without_diacritics_finds_the_organisation(browser: Browser) -> None:
    browser.login(AUDITOR)
    exact = _found(text(browser.get("/thanh-tra/tim-kiem", query_string={"org": THCS})))
    for typed in ("truong han sieu", "TRUONG HAN  SIEU", "thcs trương hán siêu"):
        page = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": typed}))
        assert _found(page) == exact and _orgs_shown(page) == {THCS}, typed
        assert f'value="{THCS}"' in page  # the field now says which organisation it found


def test_a_part_of_several_names_finds_each_and_says_so(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": "cong doan truong"}))
    assert "4 đơn vị có tên khớp" in page and "Công đoàn Trường Đại học Hoa Lư" in page
    # The nominations of each of those units, and of no other (the L2 union's own).
    each = [
        _found(text(browser.get("/thanh-tra/tim-kiem", query_string={"org": name})))
        for name in (
            THCS,
            "Công đoàn Trường THPT Lương Văn Tụy",
            "Công đoàn Trường Tiểu học Đinh Tiên Hoàng",
            "Công đoàn Trường Đại học Hoa Lư",
        )
    ]
    assert _found(page) == sum(each) and all(each)


def test_an_organisation_outside_the_scope_is_neither_offered_nor_found(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(
        browser.get("/thanh-tra/tim-kiem", query_string={"org": "Truong THPT Nguyen Khuyen"})
    )
    assert "Tìm thấy 0 sự kiện." in page
    assert "Không có đơn vị nào trong phạm vi của bạn có tên khớp" in page
    # Forced by its code in the URL, it shows nothing, as before; a code in the scope (the
    # API's way, older links) still works.
    forced = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": "THPT_NK"}))
    assert "Tìm thấy 0 sự kiện." in forced
    by_code = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": "THCS_THS"}))
    assert _orgs_shown(by_code) == {THCS} and f'value="{THCS}"' in by_code
    # The other chain's auditor finds their own school by name, and nothing of this one.
    other = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    other.login("thanhtra.sogddtnd")
    assert THCS not in _offered(text(other.get("/thanh-tra/tim-kiem")))
    assert "Tìm thấy 0 sự kiện." in text(
        other.get("/thanh-tra/tim-kiem", query_string={"org": THCS})
    )


def test_a_large_scope_is_searched_by_name_rather_than_listed_whole(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auditor, "ORG_LIST_MAX", 3)  # a province has hundreds
    browser.login(AUDITOR)
    assert _offered(text(browser.get("/thanh-tra/tim-kiem"))) == set()
    page = text(browser.get("/thanh-tra/tim-kiem", query_string={"org": "truong t"}))
    assert _offered(page) == {
        THCS,
        "Công đoàn Trường THPT Lương Văn Tụy",
        "Công đoàn Trường Tiểu học Đinh Tiên Hoàng",
    }
