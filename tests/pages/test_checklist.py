"""Required documents per award as a checklist: the rule's list with its legal basis, edited by
rows on the admin page; the appraisal (task page and list page) shows each document attached
or missing, and an incomplete dossier's missing list takes the ticked documents; the
simplified procedure's shorter list applies to a nomination flagged so."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.files import samples
from tests.pages.conftest import Browser, text
from workflows.checklist import checklist
from workflows.models import Attachment, AwardRule, Nomination, Proposal, ProposalItem
from workflows.rules import rule_in_force

PROPOSER = "canbo.thcs_ths"
SECRETARY = "thuky.thcs_ths"
ADMIN = "quantri"
RETURNED = "Trần Văn Nam"  # LĐTT at THCS_THS, returned as incomplete: the unit holds it
TO_TRINH = "Tờ trình đề nghị khen thưởng kèm danh sách"
REPORT = "Báo cáo thành tích của cá nhân, có xác nhận của cấp trình"
MINUTES = "Biên bản họp bình xét thi đua của đơn vị"
SUMMARY = "Báo cáo tóm tắt thành tích"
TODAY = date(2026, 11, 23)


def upload(browser: Browser, nomination: int, back: str, document: str, name: str) -> None:
    done = browser.client.post(
        f"/nominations/{nomination}/files",
        data={
            "file": (io.BytesIO(samples.PDF + f"% {name}\n".encode()), name),
            "document": document,
            "next": back,
            "csrf_token": browser.csrf(back),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert done.status_code == 200, text(done)


def send_to_appraisal(browser: Browser, document: str = TO_TRINH) -> int:
    """The proposer attaches the tờ trình (said to be it) and sends the dossier again."""
    nomination = browser.nomination_id(RETURNED)
    browser.login(PROPOSER)
    page = f"/tasks/{browser.task_id(RETURNED, 'prepare_dossier')}"
    upload(browser, nomination, page, document, "To trinh.pdf")
    done = browser.post(page, {"action": "submit"})
    assert done.status_code == 302, text(done)
    return nomination


def missing_sent(browser: Browser, nomination: int) -> list[str]:
    """The missing list the returned dossier's task holds (what the proposer reads)."""
    engine = browser.app.extensions["laurel.engine"]
    with Session(browser.db) as session:
        key = session.get_one(Nomination, nomination).business_key
        instance = session.scalar(
            select(TaskRow.instance_id).where(TaskRow.business_key == key).limit(1)
        )
    assert instance is not None
    tasks = engine.get_instance(instance).ready_tasks  # outside the session: it may write
    return next(list(t.data["missing"]) for t in tasks if t.form == "prepare_dossier")


def test_every_award_ships_its_documents_with_their_legal_basis(browser: Browser) -> None:
    with Session(browser.db) as session:
        rules = session.scalars(select(AwardRule)).all()
        assert rules and all(rule.document_list for rule in rules)
        ldtt = rule_in_force(session, "LDTT", TODAY).document_list
        cstd = rule_in_force(session, "CSTDCS", TODAY).document_list
        collective = rule_in_force(session, "TTLDTT", TODAY).document_list
    assert [d["name"] for d in ldtt] == [TO_TRINH, REPORT, MINUTES, SUMMARY]
    assert all("Điều 84" in d["basis"] or "Điều 85" in d["basis"] for d in ldtt)
    assert {d["applies"] for d in ldtt} == {"both", "full", "simplified"}
    assert any("sáng kiến" in d["name"] for d in cstd)  # for a CSTĐ: the initiative
    assert any("của tập thể" in d["name"] for d in collective)
    # The research marks stay out of what a secretary reads.
    assert not any("[" in d["basis"] for d in ldtt + cstd + collective)

    browser.login(ADMIN)
    page = text(browser.get("/quan-tri/danh-hieu/LDTT"))
    assert f"{TO_TRINH} (cả hai thủ tục) — căn cứ: Luật Thi đua, khen thưởng 2022" in page
    assert f'name="document_name" maxlength="200" value="{MINUTES}"' in page


def test_an_admin_edits_the_documents_by_rows(browser: Browser) -> None:
    browser.login(ADMIN)
    path = "/quan-tri/danh-hieu/LDTT/phien-ban"
    page = "/quan-tri/danh-hieu/LDTT"
    rows: dict[str, str | list[str]] = {
        "effective_from": "2027-01-01",
        "basis": "Luật Thi đua, khen thưởng 2022",
        "document_name": [TO_TRINH, "Bản nhận xét của tổ chuyên môn", "", REPORT],
        "document_basis": ["Điều 84, Điều 85", "Quy chế của trường, Điều 5", "", "Điều 84"],
        "document_applies": ["both", "full", "full", "simplified"],
    }
    # A name twice is refused in words, and nothing is stored.
    twice = browser.post(
        path, {**rows, "document_name": [TO_TRINH, TO_TRINH, "", REPORT]}, csrf_from=page
    )
    assert twice.status_code == 422
    assert f"Tài liệu “{TO_TRINH}” đã có trong danh sách." in text(twice)
    # A row with a name and no basis is refused too.
    no_basis = browser.post(
        path, {**rows, "document_basis": ["Điều 84", "", "", "Điều 84"]}, csrf_from=page
    )
    assert no_basis.status_code == 422

    done = browser.post(path, rows, csrf_from=page)
    assert done.status_code == 302, text(done)
    with Session(browser.db) as session:
        rule = rule_in_force(session, "LDTT", date(2027, 1, 1))
        assert rule.document_list == [
            {"name": TO_TRINH, "basis": "Điều 84, Điều 85", "applies": "both"},
            {
                "name": "Bản nhận xét của tổ chuyên môn",
                "basis": "Quy chế của trường, Điều 5",
                "applies": "full",
            },
            {"name": REPORT, "basis": "Điều 84", "applies": "simplified"},
        ]
        # The other parameters are carried over from the version in force.
        before = rule_in_force(session, "LDTT", TODAY)
        assert rule.vote_threshold == before.vote_threshold
        assert rule.prerequisites == before.prerequisites
    shown = text(browser.get(page))
    assert "Bản nhận xét của tổ chuyên môn (thủ tục thông thường) — căn cứ: Quy chế" in shown


def test_the_appraisal_shows_attached_and_missing_and_takes_two_ticked_items(
    browser: Browser,
) -> None:
    nomination = send_to_appraisal(browser)
    browser.login(SECRETARY)
    task = browser.task_id(RETURNED, "appraise")
    page = text(browser.get(f"/tasks/{task}"))
    assert "Thành phần hồ sơ phải nộp" in page
    # Attached: the tờ trình (with its file's name); missing: the report and the minutes,
    # ticked already; the simplified procedure's summary is not asked for.
    assert f'value="{TO_TRINH}" aria-describedby="checklist-1-state" >' in page
    assert 'id="checklist-1-state">Đã có</strong>' in page
    assert "(To trinh.pdf)" in page
    assert f'value="{REPORT}" aria-describedby="checklist-2-state" checked>' in page
    assert 'id="checklist-2-state">Chưa có</strong>' in page
    assert f'value="{MINUTES}" aria-describedby="checklist-3-state" checked>' in page
    assert SUMMARY not in page

    done = browser.post(
        f"/tasks/{task}",
        {"result": "incomplete", "missing_item": [REPORT, MINUTES], "missing": ""},
    )
    assert done.status_code == 302, text(done)
    assert missing_sent(browser, nomination) == [REPORT, MINUTES]
    # The proposer reads exactly those at the top of the returned dossier.
    browser.login(PROPOSER)
    page = text(browser.get(f"/tasks/{browser.task_id(RETURNED, 'prepare_dossier')}"))
    assert f"<li>{REPORT}</li><li>{MINUTES}</li>" in page


def test_ticked_items_and_free_text_are_one_missing_list_only_when_incomplete(
    browser: Browser,
) -> None:
    nomination = send_to_appraisal(browser)
    browser.login(SECRETARY)
    task = browser.task_id(RETURNED, "appraise")
    done = browser.post(
        f"/tasks/{task}",
        {"result": "incomplete", "missing_item": [MINUTES], "missing": f"{MINUTES}\nẢnh chân dung"},
    )
    assert done.status_code == 302, text(done)
    assert missing_sent(browser, nomination) == [MINUTES, "Ảnh chân dung"]


def test_the_list_appraisal_returns_a_row_with_its_ticked_documents(browser: Browser) -> None:
    nomination = send_to_appraisal(browser)
    browser.login(SECRETARY)
    task = browser.task_id(RETURNED, "appraise")
    path = "/danh-sach/THCS_THS/tham-dinh"
    page = text(browser.get(path))
    assert f'name="mi-{task}" value="{REPORT}"' in page
    assert f'id="mi-{task}-1-state">Đã có</strong>' in page
    assert f'id="mi-{task}-2-state">Chưa có</strong>' in page
    shown = page.split(f'name="v-{task}" value="')[1].split('"')[0]
    done = browser.post(
        path,
        {
            f"c-{task}": "incomplete",
            f"v-{task}": shown,
            f"mi-{task}": [REPORT, MINUTES],
            f"m-{task}": "",
        },
    )
    assert done.status_code == 302, text(done)
    assert missing_sent(browser, nomination) == [REPORT, MINUTES]


def test_a_file_of_the_proposal_listing_the_nomination_satisfies_its_document(
    browser: Browser,
) -> None:
    nomination_id = browser.nomination_id(RETURNED)
    with Session(browser.db) as session, session.begin():
        nomination = session.get_one(Nomination, nomination_id)
        proposal = Proposal(
            org_code=nomination.origin_org,
            campaign_code=nomination.campaign_code,
            kind="unit",
            number="12/TTr-THCS",
            signed_on=TODAY,
            signer="Hiệu trưởng",
            status="draft",
            created_by=PROPOSER,
            created_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
        session.add(proposal)
        session.flush()
        session.add(ProposalItem(proposal_id=proposal.id, nomination_id=nomination_id, position=1))
        common = {"size": 10, "media_type": "application/pdf", "org_code": nomination.origin_org}
        session.add_all(
            [
                Attachment(
                    proposal_id=proposal.id,
                    sha256="b" * 64,
                    name="To trinh.pdf",
                    document=TO_TRINH,
                    added_by=PROPOSER,
                    added_at=datetime(2026, 11, 20, tzinfo=UTC),
                    **common,
                ),
                # A retired file is no longer in the dossier: the minutes stay missing.
                Attachment(
                    nomination_id=nomination_id,
                    sha256="c" * 64,
                    name="Bien ban.pdf",
                    document=MINUTES,
                    added_by=PROPOSER,
                    added_at=datetime(2026, 11, 20, tzinfo=UTC),
                    retired_at=datetime(2026, 11, 21, tzinfo=UTC),
                    **common,
                ),
            ]
        )
    with Session(browser.db) as session:
        items = checklist(session, session.get_one(Nomination, nomination_id), TODAY)
    assert [(i["name"], i["attached"]) for i in items] == [
        (TO_TRINH, True),
        (REPORT, False),
        (MINUTES, False),
    ]
    assert items[0]["files"][0]["proposal_id"] is not None


def test_the_simplified_procedure_asks_for_its_shorter_list(browser: Browser) -> None:
    browser.login(PROPOSER)
    with Session(browser.db) as session:
        campaign = session.scalar(
            select(Nomination.campaign_code).where(Nomination.nominee_name == RETURNED)
        )
    done = browser.post(
        "/nominations/new",
        {
            "kind": "individual",
            "org": "THCS_THS",
            "campaign": str(campaign),
            "award_code": "LDTT",
            "name": "Phạm Thị Hoa",
            "achievements": "Cứu học sinh đuối nước ngày 02/9.",
            "simplified": "on",
        },
        csrf_from="/nominations/new?kind=individual",
    )
    assert done.status_code == 302, text(done)
    nomination = browser.nomination_id("Phạm Thị Hoa")
    with Session(browser.db) as session:
        found = session.get_one(Nomination, nomination)
        assert found.simplified is True
        names = [i["name"] for i in checklist(session, found, TODAY)]
    assert names == [TO_TRINH, SUMMARY]
    page = text(browser.get(f"/nominations/{nomination}"))
    assert "Thành phần hồ sơ phải nộp (thủ tục đơn giản)" in page
    assert REPORT not in page
