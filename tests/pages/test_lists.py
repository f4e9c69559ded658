"""Lists acted on at once: the head decides a list (award with one decision number, forward
above the level's authority as the level's own tờ trình), the parent's secretary finds the
forwarded rows under that tờ trình and appraises the list; every row or none is recorded."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, TaskRow
from tests.pages.conftest import Browser, text
from workflows.models import Nomination, Proposal, ProposalItem

NOMINEE = "Đỗ Thị Mai Anh"  # in publicity at the Hoa Lư university union, above its authority
DECIDE = "/danh-sach/DH_HL/quyet-dinh"
APPRAISE = "/danh-sach/CDGDVN/tham-dinh"


def _to_decision(browser: Browser) -> str:
    with Session(browser.db) as session:
        until = session.scalars(
            select(Nomination.publicity_until).where(Nomination.nominee_name == NOMINEE)
        ).one()
    assert until is not None
    browser.clock.at = until + timedelta(hours=2)
    browser.app.extensions["laurel.engine"].fire_due_timers()
    return browser.task_id(NOMINEE, "decide")


def _changes(browser: Browser) -> tuple[object, ...]:
    with Session(browser.db) as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(Proposal)),
            session.scalars(select(TaskRow.state).order_by(TaskRow.id)).all(),
        )


def test_the_head_forwards_a_list_as_the_levels_own_submission(browser: Browser) -> None:
    task = _to_decision(browser)
    browser.login("chutich.dh_hl")
    page = text(browser.get(DECIDE))
    assert NOMINEE in page and "vượt thẩm quyền" in page  # said before choosing
    version = re.findall(rf'name="v-{task}" value="(\d+)"', browser.get(DECIDE).text)[0]
    before = _changes(browser)

    unconfirmed = browser.post(DECIDE, {f"c-{task}": "forward", f"v-{task}": version})
    assert unconfirmed.status_code == 422
    assert "Hãy đánh dấu xác nhận" in text(unconfirmed)
    no_number = browser.post(
        DECIDE, {f"c-{task}": "forward", f"v-{task}": version, "xac_nhan": "on"}, csrf_from=DECIDE
    )
    assert no_number.status_code == 422
    assert "cần số tờ trình của cấp mình" in text(no_number)
    assert _changes(browser) == before  # nothing recorded either time

    sent = browser.post(
        DECIDE,
        {
            f"c-{task}": "forward",
            f"v-{task}": version,
            "forward_no": "12/TTr-CĐĐHHL",
            "forward_date": browser.clock.at.date().isoformat(),
            "forward_signer": "Nguyễn Văn Hùng",
            "xac_nhan": "on",
        },
        csrf_from=DECIDE,
    )
    assert sent.status_code == 302
    with Session(browser.db) as session:
        nomination = session.scalars(
            select(Nomination).where(Nomination.nominee_name == NOMINEE)
        ).one()
        assert nomination.current_org == "CDGDVN"
        proposal = session.scalars(select(Proposal).where(Proposal.kind == "forward")).one()
        assert (proposal.org_code, proposal.to_org, proposal.number) == (
            "DH_HL",
            "CDGDVN",
            "12/TTr-CĐĐHHL",
        )
        assert session.scalars(
            select(ProposalItem.nomination_id).where(ProposalItem.proposal_id == proposal.id)
        ).all() == [nomination.id]
        [event] = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "proposal.forwarded")
        ).all()
        assert event.data["nominations"] == [nomination.id]

    # At the parent, the secretary finds the row under the tờ trình that carried it.
    browser.login("thuky.cdgdvn")
    page = text(browser.get(APPRAISE))
    assert "Tờ trình số 12/TTr-CĐĐHHL" in page and "Công đoàn Trường Đại học Hoa Lư" in page
    assert NOMINEE in page


def test_a_list_with_one_bad_row_records_nothing_and_names_it(browser: Browser) -> None:
    browser.login("thuky.thcs_ths")
    path = "/danh-sach/THCS_THS/tham-dinh"
    task = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    assert "Nguyễn Thị Thu Hà" in text(browser.get(path))
    before = _changes(browser)
    refused = browser.post(path, {f"c-{task}": "incomplete"})  # without the missing items
    assert refused.status_code == 409
    page = text(refused)
    assert "chưa có hồ sơ nào trong danh sách được ghi" in page
    assert "Trường này là bắt buộc." in page  # at the row
    assert _changes(browser) == before

    stale = browser.post(
        path, {f"c-{task}": "complete", f"v-{task}": "0"}, csrf_from=path
    )  # a version older than the one shown: someone changed it meanwhile
    assert stale.status_code == 409
    assert "vừa được người khác" in text(stale)
    assert _changes(browser) == before

    done = browser.post(
        path,
        {f"c-{task}": "incomplete", f"m-{task}": "Biên bản bình xét\nBáo cáo thành tích"},
        csrf_from=path,
    )
    assert done.status_code == 302
    with Session(browser.db) as session:
        assert session.get_one(TaskRow, task).state == "completed"
    assert "Đã ghi 1 hồ sơ." in text(browser.get(path))
    assert browser.get("/danh-sach/THCS_THS/quyet-dinh").status_code == 404  # not the head
