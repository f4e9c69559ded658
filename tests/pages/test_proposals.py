"""Proposals on the pages: a proposer opens a tờ trình with its list imported from the
template (bad rows named by row and column, nothing stored), types rows into the grid, and
finds the unit's dossiers by a name typed without diacritics; another unit sees nothing."""

from __future__ import annotations

import html
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent
from tests.files import samples
from tests.pages.conftest import Browser, text
from workflows.models import Nomination, Proposal

PROPOSER = "canbo.thpt_lvt"
OTHER_UNIT = "canbo.thcs_ths"


def filled(browser: Browser, rows: list[list[object]]) -> bytes:
    got = browser.get("/proposals/template.xlsx")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def open_with(browser: Browser, content: bytes | None) -> TestResponse:
    data: dict[str, object] = {
        "org": "THPT_LVT",
        "campaign": "NH2025-2026",
        "number": "45/TTr-THPT",
        "signed_on": "2026-11-20",
        "signer": "Nguyễn Văn Hiệu",
        "csrf_token": browser.csrf("/proposals/new"),
    }
    if content is not None:
        data["file"] = (io.BytesIO(content), "danh-sach.xlsx")
    return browser.client.post(
        "/proposals/new", data=data, content_type="multipart/form-data", follow_redirects=True
    )


def counts(browser: Browser) -> tuple[int, int, int]:
    with Session(browser.db) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Proposal, Nomination, AuditEvent)
        )


ROWS: list[list[object]] = [
    [n, f"Giáo viên Thứ {n}", "Cá nhân", "Giáo viên", "Tổ Toán", "Lao động tiên tiến", "Tốt"]
    for n in range(1, 4)
] + [[4, "Lê Thị Hồng Nhung", "Cá nhân", "Tổ trưởng", "Tổ Văn", "Chiến sĩ thi đua cơ sở", "Giỏi"]]


def test_a_list_with_bad_rows_is_named_row_by_row_and_nothing_is_stored(browser: Browser) -> None:
    browser.login(PROPOSER)
    bad = [list(r) for r in ROWS]
    bad[1][5] = "Huân chương Sao Vàng"
    bad[3][2] = "Ai đó"
    before = counts(browser)
    page = open_with(browser, filled(browser, bad))
    assert page.status_code == 422
    shown = html.unescape(text(page))
    assert "Dòng 3, cột «Danh hiệu»: không có danh hiệu" in shown
    assert "Dòng 5, cột «Cá nhân / Tập thể»: chỉ nhận «Cá nhân» hoặc «Tập thể»." in shown
    assert counts(browser) == before


def test_a_proposer_imports_a_list_types_a_row_and_finds_it_without_diacritics(
    browser: Browser,
) -> None:
    browser.login(PROPOSER)
    page = open_with(browser, filled(browser, ROWS))
    assert page.status_code == 200
    shown = html.unescape(text(page))
    assert "Tờ trình 45/TTr-THPT" in shown and "Lê Thị Hồng Nhung" in shown
    assert "Phong trào thi đua năm học 2025–2026" in shown  # the campaign by its name
    found = re.search(r"/proposals/(\d+)/rows", shown)
    assert found
    proposal_id = int(found.group(1))
    typed = browser.post(
        f"/proposals/{proposal_id}/rows",
        {
            "name-0": "Tổ Tiếng Anh",
            "kind-0": "collective",
            "award-0": "TTLDTT",
            "achievements-0": "Tốt",
            "kind-1": "individual",
        },
        csrf_from=f"/proposals/{proposal_id}",
    )
    assert typed.status_code == 302
    listed = html.unescape(text(browser.get(f"/proposals/{proposal_id}")))
    assert "Tổ Tiếng Anh" in listed and "(5)" in listed
    unit = html.unescape(text(browser.get("/units/THPT_LVT/dossiers?q=le+thi+hong+nhung")))
    assert "Lê Thị Hồng Nhung" in unit and "Giáo viên Thứ 1" not in unit
    assert "45/TTr-THPT" in unit  # the tờ trình that carried it
    assert "20/11/2026 · Số hồ sơ: 5 · Đang soạn" in unit  # and the unit's tờ trình above
    # Waiting for the unit's own proposer, named by role and organisation, never by code.
    assert "Cán bộ phụ trách thi đua — Công đoàn Trường THPT Lương Văn Tụy" in unit
    assert "THPT_LVT" not in unit.replace("/units/THPT_LVT/", "")
    collectives = html.unescape(text(browser.get("/units/THPT_LVT/dossiers?award=TTLDTT")))
    assert "Tổ Tiếng Anh" in collectives and "Lê Thị Hồng Nhung" not in collectives
    browser.client.post("/dang-xuat", data={"csrf_token": browser.csrf("/")})
    browser.login(OTHER_UNIT)
    assert browser.get(f"/proposals/{proposal_id}").status_code == 404
    assert browser.get("/units/THPT_LVT/dossiers").status_code == 404


def test_a_refused_typed_row_keeps_what_was_typed(browser: Browser) -> None:
    browser.login(PROPOSER)
    page = open_with(browser, None)
    found = re.search(r"/proposals/(\d+)/rows", text(page))
    assert found
    proposal_id = int(found.group(1))
    refused = browser.post(
        f"/proposals/{proposal_id}/rows",
        {"name-0": "Phạm Văn Đồng", "kind-0": "individual", "award-0": "TTLDTT"},
        csrf_from=f"/proposals/{proposal_id}",
    )
    assert refused.status_code == 422
    shown = html.unescape(text(refused))
    assert "Dòng 1, cột «Thành tích»" in shown
    assert 'value="Phạm Văn Đồng"' in shown


def test_the_proposer_attaches_the_signed_scan_to_the_proposal(browser: Browser) -> None:
    browser.login(PROPOSER)
    found = re.search(r"/proposals/(\d+)/rows", text(open_with(browser, filled(browser, ROWS))))
    assert found
    page = f"/proposals/{found.group(1)}"
    sent = browser.client.post(
        f"{page}/files",
        data={
            "file": (io.BytesIO(samples.PDF), "Tờ trình 45.pdf"),
            "csrf_token": browser.csrf(page),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    shown = html.unescape(text(sent))
    assert "Tờ trình 45.pdf" in shown
    link = re.search(rf'href="({page}/files/\d+)"', shown)
    assert link
    opened = browser.get(link.group(1))
    assert opened.status_code == 200 and opened.data == samples.PDF
    refused = browser.client.post(
        f"{page}/files",
        data={"file": (io.BytesIO(samples.EXE), "bien-ban.pdf"), "csrf_token": browser.csrf(page)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "bien-ban.pdf" not in html.unescape(text(refused)).split("files-h")[-1].split("</ul>")[0]


def test_the_list_is_submitted_once_confirmed(browser: Browser) -> None:
    browser.login(PROPOSER)
    found = re.search(r"/proposals/(\d+)/rows", text(open_with(browser, filled(browser, ROWS))))
    assert found
    page = f"/proposals/{found.group(1)}"
    unconfirmed = browser.post(f"{page}/submit", {}, csrf_from=page)
    assert unconfirmed.status_code == 422
    assert "draft" not in text(unconfirmed) and "Đang soạn" in text(unconfirmed)
    done = browser.post(f"{page}/submit", {"confirm": "yes"}, csrf_from=page)
    assert done.status_code == 302
    shown = html.unescape(text(browser.get(page)))
    assert "Đã trình tờ trình với 4 hồ sơ." in shown and "Đã trình" in shown
    assert "Thẩm định hồ sơ" in shown  # every row waits for the appraisal now
    assert f'action="{page}/rows"' not in shown  # no grid once submitted
