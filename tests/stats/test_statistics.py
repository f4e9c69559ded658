"""Counting (workflows.statistics) and the statistics page with its exports."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tests.pages.conftest import Browser, text
from workflows import orgs, statistics
from workflows.access import nomination_filter, principal
from workflows.models import Award, Nomination
from workflows.statistics import is_leader

AUDITOR = "thanhtra.cdgdvn"
OTHER_AUDITOR = "thanhtra.sogddtnd"
HEADERS = ["Bảng", "Tiêu chí", "Số hồ sơ đề nghị", "Số được khen thưởng"]


@pytest.mark.parametrize(
    "position",
    ["Hiệu trưởng", "Phó Hiệu trưởng", "Tổ trưởng chuyên môn", "PHÓ GIÁM ĐỐC Sở", "Trưởng khoa"],
)
def test_leading_posts_are_leaders(position: str) -> None:
    assert is_leader(position)


@pytest.mark.parametrize("position", ["Giáo viên", "Nhân viên văn thư", "Giảng viên", ""])
def test_other_posts_are_direct_workers(position: str) -> None:
    assert not is_leader(position)


def _scoped(browser: Browser, username: str) -> statistics.Report:
    with Session(browser.db) as session:
        who = principal(session, username)
        assert who is not None
        return statistics.report(session, nomination_filter(session, who))


def _figure(report: statistics.Report, table: str, key: str) -> tuple[int, int]:
    for line in report.tables[table]:
        if line.key == key:
            return line.nominations, line.awarded
    return 0, 0


def test_counts_match_the_database(browser: Browser) -> None:
    report = _scoped(browser, AUDITOR)
    with Session(browser.db) as session:
        who = principal(session, AUDITOR)
        assert who is not None
        scope = nomination_filter(session, who)
        total = session.scalar(select(func.count()).select_from(Nomination).where(scope))
        awarded = session.scalar(select(func.count()).where(scope, Nomination.status == "awarded"))
        collective = session.scalar(
            select(func.count())
            .select_from(Nomination)
            .join(Award, Award.code == Nomination.award_code)
            .where(scope, Award.subject == "collective")
        )
    assert report.nominations == total and total
    assert report.awarded == awarded
    assert _figure(report, "subject", "collective")[0] == collective
    for table in statistics.DIMENSIONS:
        if table != "role":
            assert sum(line.nominations for line in report.tables[table]) == total
            assert sum(line.awarded for line in report.tables[table]) == awarded


def test_the_demo_has_one_awarded_ldtt(browser: Browser) -> None:
    report = _scoped(browser, "quantri")
    assert _figure(report, "award", "LDTT")[1] == 1


def test_an_auditor_outside_the_subtree_sees_only_their_scope(browser: Browser) -> None:
    with Session(browser.db) as session:
        union = Nomination.origin_org.in_(orgs.subtree(session, "CDGDVN"))
        figures = {}
        for username in (AUDITOR, OTHER_AUDITOR):
            who = principal(session, username)
            assert who is not None
            scope = nomination_filter(session, who)
            figures[username] = statistics.report(session, and_(scope, union)).nominations
        theirs = session.scalar(select(func.count()).select_from(Nomination).where(scope))
    assert figures[AUDITOR] > 0, "the demo has trade-union nominations"
    assert figures[OTHER_AUDITOR] == 0
    browser.login(OTHER_AUDITOR)
    page = text(browser.get("/thanh-tra/thong-ke"))
    assert f"Tổng số hồ sơ đề nghị: {theirs};" in page


def test_the_page_shows_tables_and_charts(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get("/thanh-tra/thong-ke")
    assert response.status_code == 200
    page = text(response)
    assert "Theo danh hiệu, hình thức" in page
    assert "<svg" in page and "<script" not in page
    assert "Thường xuyên" in page


def test_people_without_oversight_are_refused(browser: Browser) -> None:
    browser.login("hoidong1.cdgdvn")
    assert browser.get("/thanh-tra/thong-ke").status_code == 403
    assert browser.get("/thanh-tra/thong-ke.csv").status_code == 403


def test_csv_export_has_vietnamese_headers(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get("/thanh-tra/thong-ke.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == HEADERS
    report = _scoped(browser, AUDITOR)
    assert len(rows) == 1 + sum(len(lines) for lines in report.tables.values())


def test_xlsx_export_opens_with_vietnamese_headers(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get("/thanh-tra/thong-ke.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert any(row[0] == "Theo năm" for row in rows)


def test_a_low_direct_worker_share_warns() -> None:
    def report(leaders: int, workers: int) -> statistics.Report:
        lines = [
            statistics.Line(statistics.LEADER, "", leaders, 0),
            statistics.Line(statistics.WORKER, "", workers, 0),
        ]
        return statistics.Report({"role": lines})

    assert report(3, 1).worker_warning()
    assert report(3, 1).worker_ratio() == 0.25
    assert not report(1, 1).worker_warning()
    assert statistics.Report().worker_ratio() is None
