"""The auditor's history page, printable dossier and diagram of the path taken."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from tests.auditor.conftest import Browser, text

AUDITOR = "thanhtra.cdgdvn"


def _element(page: str, bpmn_id: str) -> str:
    found = re.search(rf'<g class="([^"]*)" data-element="{bpmn_id}"', page)
    assert found, bpmn_id
    return found.group(1)


def test_history_shows_each_step_in_order_and_no_vote_choice(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get(f"/thanh-tra/ho-so/{browser.nomination_id('Nguyễn Văn An')}"))
    assert "Lịch sử hồ sơ" in page
    actions = re.findall(r'<tr class="audit-event" data-action="([^"]+)"', page)
    assert actions[0] == "instance.started" and actions[-1] == "instance.completed"
    assert actions.count("ballot.cast") == 3
    seqs = [int(s) for s in re.findall(r'data-action="[^"]+">\s*<td[^>]*>(\d+)</td>', page)]
    assert seqs == sorted(seqs) and len(seqs) == len(actions)
    assert "đã bỏ phiếu" in page
    assert "Phiếu biểu quyết" not in page and "choice" not in page
    assert "31/QĐ-CĐCS" in page  # the decision number
    assert "Thẩm định hồ sơ" in page and "Thư ký Hội đồng" in page
    assert "Cơ sở" in page and "L1 —" not in page  # the level by its name, not its code
    assert "phiên bản 1" in page and "theo tham số phiên bản " in page  # the rule applied
    assert "3 đồng ý, 0 không đồng ý / 3 thành viên" in page


def test_the_diagram_marks_the_path_taken(browser: Browser) -> None:
    browser.login(AUDITOR)
    page = text(browser.get(f"/thanh-tra/ho-so/{browser.nomination_id('Nguyễn Thị Thu Hà')}"))
    assert "<svg" in page and "<script" not in page
    assert "done" in _element(page, "prepare_dossier").split()
    assert "active" in _element(page, "appraise").split()
    assert _element(page, "vote").split() == ["bpmn-task"]
    assert 'class="swatch done"' in page  # the legend
    assert "Chuẩn bị hồ sơ" in page


def test_the_printable_dossier_has_the_history(browser: Browser) -> None:
    browser.login(AUDITOR)
    response = browser.get(f"/thanh-tra/ho-so/{browser.nomination_id('Nguyễn Văn An')}/in")
    assert response.status_code == 200
    page = text(response)
    assert 'class="print-dossier"' in page and "31/QĐ-CĐCS" in page
    assert "Nguyễn Văn An" in page


def test_outside_the_subtree_or_without_the_role_is_not_found(browser: Browser) -> None:
    nomination = browser.nomination_id("Nguyễn Văn An")
    browser.login("thanhtra.sogddtnd")
    assert browser.get(f"/thanh-tra/ho-so/{nomination}").status_code == 404
    assert browser.get(f"/thanh-tra/ho-so/{nomination}/in").status_code == 404
    assert "Nguyễn Văn An" not in text(browser.get("/thanh-tra/tim-kiem"))
    browser.login("canbo.thpt_lvt")
    assert browser.get(f"/thanh-tra/ho-so/{nomination}").status_code == 404
    assert browser.get("/thanh-tra/tim-kiem").status_code == 404


def test_reading_a_history_is_logged(browser: Browser) -> None:
    nomination = browser.nomination_id("Nguyễn Văn An")
    browser.login(AUDITOR)
    browser.get(f"/thanh-tra/ho-so/{nomination}")
    with Session(browser.db) as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert last is not None
    assert (last.actor, last.action) == (AUDITOR, "record.read")
    assert last.data == {"nomination_id": nomination, "view": "history"}
