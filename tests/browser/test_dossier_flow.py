"""Issue 13 end to end in a real browser, as the people who do the work see it: a school's
proposer downloads the template and imports a 30-row list (first with two bad rows, both
named, nothing stored), attaches the tờ trình's scan and two nominees' files, submits; the
secretary returns two rows as incomplete with items from the checklist, the rest complete;
the proposer supplements one with a new file and sends it again; the council votes the list on
one ballot sheet each; someone from the public comments and the secretary reads it at review;
the head awards 27 rows with one decision number, refuses one and forwards the one above the
school's authority as the school's own tờ trình, under which the province's secretary finds it.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import TaskRow
from tests.browser.conftest import Live, snap
from tests.browser.test_nomination_pages import send, sign_in
from tests.browser.test_proposal_import import fill_header, filled, rows, stored
from tests.files import samples
from workflows.models import Decision, Nomination, Proposal, ProposalItem

UNIT, PARENT = "THPT_LVT", "CDGD_NB"
SCHOOL = "Công đoàn Trường THPT Lương Văn Tụy"
NUMBER = "45/TTr-THPT"
ABOVE = "Trần Thị Thanh Hoa"  # CSTĐ cấp bộ, ngành, tỉnh: decided two levels up
RETURNED = ("Giáo viên Thứ 5", "Giáo viên Thứ 6")  # the first is supplemented and resent
COMMENTED = "Lê Thị Hồng Nhung"
REFUSED = "Giáo viên Thứ 27"
WITH_FILES = (COMMENTED, ABOVE)
DECISION_NO, FORWARD_NO = "52/QĐ-CĐCS", "18/TTr-CĐCS"


def _list(which: str, org: str = UNIT) -> str:
    return f"/danh-sach/{org}/{which}"


def _the_list() -> list[list[object]]:
    body = rows()
    body[27] = [28, ABOVE, "Cá nhân", "Giáo viên", "Tổ Tiếng Anh"]
    body[27] += ["Chiến sĩ thi đua cấp bộ, ngành, tỉnh", "Xuất sắc"]
    return body


def _ready(live: Live, bpmn_id: str, assignee: str | None = None) -> dict[str, str]:
    """The school's ready tasks of a step, by nominee."""
    with Session(live.db) as session:
        query = (
            select(Nomination.nominee_name, TaskRow.id)
            .join(Nomination, Nomination.business_key == TaskRow.business_key)
            .where(TaskRow.bpmn_id == bpmn_id, TaskRow.state == "ready", TaskRow.org_scope == UNIT)
        )
        if assignee:
            query = query.where(TaskRow.assignee == assignee)
        return {name: task for name, task in session.execute(query).all()}


def _nomination_id(live: Live, nominee: str) -> int:
    with Session(live.db) as session:
        found = session.scalar(select(Nomination.id).where(Nomination.nominee_name == nominee))
    assert found is not None
    return found


def _attach(page: Page, name: str, document: str) -> None:
    """Upload a PDF, said to be the required document whose name starts with `document`."""
    page.get_by_label("Thêm tệp (bản quét, ảnh chụp, văn bản)").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": samples.PDF + name.encode()}
    )
    kinds = page.get_by_label("Tệp này là tài liệu (không bắt buộc)")
    [kind] = [k for k in kinds.locator("option").all_inner_texts() if k.startswith(document)]
    kinds.select_option(label=kind)
    page.get_by_role("button", name="Tải tệp lên").click()
    expect(page.get_by_text(f"Đã đính kèm tệp «{name}».")).to_be_visible()


def propose(page: Page, live: Live) -> None:
    """Template, a refused file, the corrected one, the files, the submit."""
    sign_in(page, live, f"canbo.{UNIT.lower()}")
    page.goto(f"{live.url}/proposals/new")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Tải mẫu danh sách (Excel)").click()
    template = Path(downloading.value.path()).read_bytes()
    assert load_workbook(io.BytesIO(template)).worksheets[0].max_row >= 2  # an example row

    bad = _the_list()
    bad[3][5] = "Huân chương Sao Vàng"  # sheet row 5
    bad[19][6] = None  # sheet row 21
    before = stored(live)
    for body in (bad, _the_list()):
        fill_header(page)
        page.get_by_label("Nhập danh sách từ tệp Excel").set_input_files(
            {
                "name": "danh-sach.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": filled(template, body),
            }
        )
        page.get_by_role("button", name="Tạo tờ trình đề nghị").click()
        if body is bad:
            problems = page.get_by_role("alert")
            expect(problems).to_contain_text("Danh sách chưa được lưu: có 2 lỗi.")
            expect(problems).to_contain_text("Dòng 5, cột «Danh hiệu»")
            expect(problems).to_contain_text("Dòng 21, cột «Thành tích»")
            assert stored(live) == before
    expect(page.get_by_role("heading", name=f"Tờ trình {NUMBER}")).to_be_visible()
    expect(page.get_by_role("heading", name="Danh sách đề nghị (30)")).to_be_visible()
    proposal_url = page.url
    _attach(page, "Tờ trình 45.pdf", "Tờ trình")
    for nominee in WITH_FILES:
        page.goto(f"{live.url}/nominations/{_nomination_id(live, nominee)}")
        _attach(page, f"Báo cáo thành tích {nominee}.pdf", "Báo cáo thành tích")
    page.goto(proposal_url)
    page.get_by_label("Trình cả danh sách?").check()
    page.get_by_role("button", name="Trình tờ trình").click()
    expect(page.get_by_text("Đã trình tờ trình với 30 hồ sơ.")).to_be_visible()
    snap(page, "flow-01-submitted")


def appraise(page: Page, live: Live, returned: tuple[str, ...]) -> list[list[str]]:
    """Every row complete but `returned`, which go back as incomplete with the documents the
    checklist shows missing (ticked already); gives each returned row's items."""
    sign_in(page, live, f"thuky.{UNIT.lower()}")
    page.goto(live.url + _list("tham-dinh"))
    expect(page.get_by_role("heading", name=f"Tờ trình số {NUMBER}")).to_be_visible()
    tasks = _ready(live, "appraise")
    for task in tasks.values():
        page.locator(f"#c-{task}-complete").check()
    items = []
    for nominee in returned:
        task = tasks[nominee]
        page.locator(f"#c-{task}-incomplete").check()
        ticked = page.locator(f"input[name='mi-{task}']:checked")
        items.append([box.get_attribute("value") or "" for box in ticked.all()])
        assert items[-1] and "Báo cáo thành tích" in " ".join(items[-1])  # nothing of theirs
    if COMMENTED in tasks:  # the checklist counts the files said to be a document
        attached = page.locator("fieldset", has_text=COMMENTED).locator("li.attached")
        expect(attached.filter(has_text="Báo cáo thành tích")).to_have_count(1)
        expect(attached.filter(has_text="Tờ trình")).to_have_count(1)  # the tờ trình's scan
    snap(page, f"flow-appraisal-{len(tasks)}-rows")
    page.get_by_role("button", name="Ghi kết quả cho các hồ sơ đã chọn").click()
    expect(page.get_by_text(f"Đã ghi {len(tasks)} hồ sơ.")).to_be_visible()
    return items


def supplement(page: Page, live: Live, nominee: str, items: list[str]) -> None:
    sign_in(page, live, f"canbo.{UNIT.lower()}")
    page.goto(f"{live.url}/tasks/{_ready(live, 'prepare_dossier')[nominee]}")
    expect(page.get_by_role("heading", name="Hồ sơ còn thiếu")).to_be_visible()
    missing = page.locator("section", has=page.get_by_role("heading", name="Hồ sơ còn thiếu"))
    for item in items:
        expect(missing).to_contain_text(item)
    _attach(page, "Biên bản họp bình xét bổ sung.pdf", "Biên bản")
    page.get_by_label("Gửi hồ sơ").check()
    send(page)
    snap(page, "flow-02-supplemented")


def vote(page: Page, live: Live) -> None:
    """Each member, one ballot sheet for the whole list, each ballot receipted."""
    for member in (1, 2, 3):
        username = f"hoidong{member}.{UNIT.lower()}"
        sign_in(page, live, username)
        page.goto(live.url + _list("bieu-quyet"))
        expect(page.get_by_role("heading", name=f"Tờ trình số {NUMBER}")).to_be_visible()
        mine = _ready(live, "vote", username)
        assert len(mine) == 29
        for task in mine.values():
            page.locator(f"#c-{task}-for").check()
        page.get_by_role("button", name="Gửi các phiếu đã chọn").click()
        receipts = page.get_by_text("Biên nhận phiếu cho ")
        expect(receipts).to_have_count(29)  # one per ballot, each saying whose it is
        expect(page.get_by_text(f"Biên nhận phiếu cho {ABOVE}: ")).to_have_count(1)
    snap(page, "flow-03-voted")


def comment_and_review(page: Page, live: Live) -> None:
    page.context.clear_cookies()
    page.goto(f"{live.url}/cong-khai")
    card = page.locator(f"article:has-text('{COMMENTED}')")
    card.get_by_text("Gửi ý kiến về hồ sơ này").click()
    card.get_by_label("Họ và tên").fill("Trần Văn Bình")
    card.get_by_label("Số điện thoại").fill("0912 345 678")
    card.get_by_label("Địa chỉ").fill("Hoa Lư, Ninh Bình")
    card.get_by_label("Nội dung ý kiến").fill("Đề nghị làm rõ sáng kiến của cô.")
    card.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.get_by_text("Đã nhận ý kiến của bạn. Xin cảm ơn.")).to_be_visible()

    with Session(live.db) as session:
        until = session.scalar(
            select(func.max(Nomination.publicity_until)).where(Nomination.origin_org == UNIT)
        )
    assert until is not None
    live.clock.at = until + timedelta(hours=2)  # every window of the list has closed
    live.app.extensions["laurel.engine"].fire_due_timers()

    sign_in(page, live, f"thuky.{UNIT.lower()}")
    page.goto(f"{live.url}/tasks/{_ready(live, 'review_comments')[COMMENTED]}")
    comment = page.locator("li.comment")
    for shown in ("Trần Văn Bình", "0912 345 678", "Hoa Lư, Ninh Bình", "làm rõ sáng kiến"):
        expect(comment).to_contain_text(shown)
    comment.get_by_label("Ghi cách xử lý ý kiến này").fill("Đã đối chiếu biên bản công nhận.")
    comment.get_by_role("button", name="Lưu cách xử lý").click()
    expect(page.get_by_text("Đã lưu cách xử lý ý kiến.")).to_be_visible()
    page.get_by_label("Ý kiến không có cơ sở, tiếp tục").check()
    page.get_by_label("Tổng hợp, giải trình ý kiến").fill("Sáng kiến đã được công nhận.")
    send(page)
    snap(page, "flow-04-reviewed")


def decide(page: Page, live: Live) -> None:
    head = f"chutich.{UNIT.lower()}"
    sign_in(page, live, head)
    page.goto(live.url + _list("quyet-dinh"))
    tasks = _ready(live, "decide")
    assert len(tasks) == 29 and RETURNED[1] not in tasks
    row = page.locator("fieldset", has_text=ABOVE)
    expect(row).to_contain_text("vượt thẩm quyền")  # said before choosing
    for nominee, task in tasks.items():
        choice = {ABOVE: "forward", REFUSED: "reject"}.get(nominee, "award")
        page.locator(f"#c-{task}-{choice}").check()
    page.locator(f"#r-{tasks[REFUSED]}").fill("Chưa đủ tiêu chuẩn về sáng kiến.")
    today = live.clock.at.date().isoformat()
    page.locator("#decision_no").fill(DECISION_NO)
    page.locator("#decision_date").fill(today)
    page.locator("#forward_no").fill(FORWARD_NO)
    page.locator("#forward_date").fill(today)
    assert page.locator("#forward_signer").input_value()  # the head's own name
    page.locator("#xac_nhan").check()
    page.get_by_role("button", name="Ban hành quyết định cho các hồ sơ đã chọn").click()
    expect(page.get_by_text("Đã ghi 29 hồ sơ.")).to_be_visible()
    snap(page, "flow-05-decided")


def test_a_unit_list_from_import_to_decision_and_the_parent(page: Page, live: Live) -> None:
    propose(page, live)
    items = appraise(page, live, RETURNED)
    supplement(page, live, RETURNED[0], items[0])
    appraise(page, live, ())  # the supplemented row, now complete
    vote(page, live)
    comment_and_review(page, live)
    decide(page, live)

    sign_in(page, live, "thuky.cdgdnb")
    page.goto(live.url + _list("tham-dinh", PARENT))
    carrier = page.locator(
        "section", has=page.get_by_role("heading", name=f"Tờ trình số {FORWARD_NO}")
    )
    expect(carrier).to_contain_text(SCHOOL)
    expect(carrier).to_contain_text(ABOVE)
    snap(page, "flow-06-parent")

    above = _nomination_id(live, ABOVE)
    with Session(live.db) as session:
        decisions = session.scalars(select(Decision).where(Decision.org_code == UNIT)).all()
        awarded = [d for d in decisions if d.decision == "award" and d.decision_no == DECISION_NO]
        assert len(awarded) == 27 and len({d.decision_date for d in awarded}) == 1
        [refused] = [d for d in decisions if d.decision == "reject"]
        assert refused.reason == "Chưa đủ tiêu chuẩn về sáng kiến."
        forward = session.scalars(select(Proposal).where(Proposal.kind == "forward")).one()
        assert (forward.org_code, forward.to_org, forward.number) == (UNIT, PARENT, FORWARD_NO)
        carried = session.scalars(
            select(ProposalItem.nomination_id).where(ProposalItem.proposal_id == forward.id)
        ).all()
        assert carried == [above]
        still = session.scalars(
            select(Nomination.stage).where(Nomination.nominee_name == RETURNED[1])
        ).one()
        assert still == "prepare_dossier"
    with live.db.connect() as connection:
        assert audit.verify(connection).ok
