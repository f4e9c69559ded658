"""A unit's list in a real browser: the proposer downloads the template from the new
proposal's page, fills in 30 rows, uploads a version with two bad rows (both named with row
and column, nothing stored), then the corrected file; the tờ trình shows its 30 rows, and
"Hồ sơ của đơn vị" finds a teacher by a name typed without diacritics."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.browser.conftest import Live, snap
from tests.browser.test_nomination_pages import sign_in
from workflows.models import Nomination, Proposal

PROPOSER = "canbo.thpt_lvt"


def rows() -> list[list[object]]:
    found: list[list[object]] = [
        [n, f"Giáo viên Thứ {n}", "Cá nhân", "Giáo viên", "Tổ Toán", "Lao động tiên tiến", "Tốt"]
        for n in range(1, 29)
    ]
    found.append(
        [
            29,
            "Lê Thị Hồng Nhung",
            "Cá nhân",
            "Tổ trưởng",
            "Tổ Văn",
            "Chiến sĩ thi đua cơ sở",
            "Giỏi",
        ]
    )
    found.append([30, "Tổ Ngữ văn", "Tập thể", "", "", "Tập thể lao động tiên tiến", "Tốt"])
    return found


def filled(template: bytes, body: list[list[object]]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(live: Live) -> tuple[int, int]:
    with Session(live.db) as session:
        return (
            session.scalar(select(func.count()).select_from(Proposal)) or 0,
            session.scalar(select(func.count()).select_from(Nomination)) or 0,
        )


def fill_header(page: Page) -> None:
    page.get_by_label("Số tờ trình").fill("45/TTr-THPT")
    page.get_by_label("Ngày").fill("2026-11-20")
    page.get_by_label("Người ký").fill("Nguyễn Văn Hiệu")


def test_the_proposer_imports_a_30_row_list_after_fixing_two_rows(page: Page, live: Live) -> None:
    sign_in(page, live, PROPOSER)
    page.get_by_role("link", name="Tờ trình", exact=True).click()
    page.get_by_role("link", name="Tạo tờ trình đề nghị").click()
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Tải mẫu danh sách (Excel)").click()
    # Playwright keeps a download under a name without its extension: read its bytes.
    template = Path(downloading.value.path()).read_bytes()
    header = next(load_workbook(io.BytesIO(template)).worksheets[0].iter_rows(values_only=True))
    assert header[1] == "Họ và tên / Tên tập thể"

    bad = rows()
    bad[5][5] = "Huân chương Sao Vàng"  # sheet row 7
    bad[11][6] = None  # sheet row 13
    before = stored(live)
    fill_header(page)
    page.get_by_label("Nhập danh sách từ tệp Excel").set_input_files(
        {
            "name": "danh-sach.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": filled(template, bad),
        }
    )
    page.get_by_role("button", name="Tạo tờ trình đề nghị").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Danh sách chưa được lưu: có 2 lỗi.")
    expect(problems).to_contain_text("Dòng 7, cột «Danh hiệu»: không có danh hiệu")
    expect(problems).to_contain_text("Dòng 13, cột «Thành tích»: Trường này là bắt buộc.")
    snap(page, "proposal-01-two-bad-rows")
    assert stored(live) == before

    fill_header(page)
    page.get_by_label("Nhập danh sách từ tệp Excel").set_input_files(
        {
            "name": "danh-sach.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": filled(template, rows()),
        }
    )
    page.get_by_role("button", name="Tạo tờ trình đề nghị").click()
    expect(page.get_by_role("heading", name="Tờ trình 45/TTr-THPT")).to_be_visible()
    expect(page.get_by_text("Đã thêm 30 người, tập thể vào danh sách đề nghị.")).to_be_visible()
    expect(page.get_by_role("heading", name="Danh sách đề nghị (30)")).to_be_visible()
    expect(page.get_by_role("link", name="Lê Thị Hồng Nhung")).to_be_visible()
    snap(page, "proposal-02-imported")

    page.get_by_role("link", name="Hồ sơ của đơn vị").first.click()
    page.get_by_label("Tìm theo tên (có dấu hay không dấu đều được)").fill("le thi hong nhung")
    page.get_by_role("button", name="Áp dụng").click()
    expect(page.get_by_role("link", name="Lê Thị Hồng Nhung")).to_be_visible()
    expect(page.get_by_role("link", name="Giáo viên Thứ 1", exact=True)).to_have_count(0)
    expect(page.get_by_role("table").get_by_role("link", name="45/TTr-THPT")).to_be_visible()
    snap(page, "proposal-03-unit-search")
