"""Supplementing a returned dossier on the pages: the proposer edits its fields, replaces,
takes out and adds files, and sends it again; each submission is a version whose hash is in
the audit trail; the secretary's next appraisal shows exactly what changed. An ending choice
is refused unconfirmed, with nothing changed."""

from __future__ import annotations

import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent, TaskRow
from tests.files import samples
from tests.pages.conftest import Browser, text
from workflows import dossiers
from workflows.models import Attachment, DossierVersion, Nomination

PROPOSER = "canbo.thcs_ths"
SECRETARY = "thuky.thcs_ths"
RETURNED = "Trần Văn Nam"  # returned to the unit as incomplete (version 1 sent, no files)


def upload(browser: Browser, path: str, back: str, content: bytes, name: str) -> TestResponse:
    return browser.client.post(
        path,
        data={
            "file": (io.BytesIO(content), name),
            "next": back,
            "csrf_token": browser.csrf(back),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def pdf(variant: str) -> bytes:
    return samples.PDF + f"% {variant}\n".encode()


def file_id(browser: Browser, name: str) -> int:
    with Session(browser.db) as session:
        found = session.scalar(select(Attachment.id).where(Attachment.name == name))
    assert found is not None
    return found


def submit(browser: Browser) -> None:
    task = browser.task_id(RETURNED, "prepare_dossier")
    done = browser.post(f"/tasks/{task}", {"action": "submit"})
    assert done.status_code == 302, text(done)


def return_again(browser: Browser, missing: str) -> None:
    task = browser.task_id(RETURNED, "appraise")
    done = browser.post(f"/tasks/{task}", {"result": "incomplete", "missing": missing})
    assert done.status_code == 302, text(done)


def test_a_returned_dossier_is_supplemented_and_the_secretary_sees_what_changed(
    browser: Browser,
) -> None:
    nomination = browser.nomination_id(RETURNED)
    files = f"/nominations/{nomination}/files"
    # A first round: two files added, sent again (version 2), returned once more.
    browser.login(PROPOSER)
    task_page = f"/tasks/{browser.task_id(RETURNED, 'prepare_dossier')}"
    page = text(browser.get(task_page))
    # The missing list first, then the edit form, then the form that sends it.
    assert page.index("Bản nhận xét của tổ chuyên môn") < page.index("Bổ sung, sửa hồ sơ")
    assert page.index("Bổ sung, sửa hồ sơ") < page.index('name="action"')
    upload(browser, files, task_page, pdf("minutes"), "Biên bản họp.pdf")
    upload(browser, files, task_page, samples.png(), "Ảnh bằng khen.png")
    submit(browser)
    browser.login(SECRETARY)
    return_again(browser, "Biên bản có chữ ký của chủ tọa")

    # The proposer corrects two fields, replaces the minutes, takes out the photo, adds one.
    browser.login(PROPOSER)
    task_page = f"/tasks/{browser.task_id(RETURNED, 'prepare_dossier')}"
    page = text(browser.get(task_page))
    assert "Biên bản có chữ ký của chủ tọa" in page and 'name="achievements"' in page
    assert 'value="Công đoàn Trường THCS Trương Hán Siêu"' in page  # the unit by its name
    saved = browser.client.post(
        f"/nominations/{nomination}/dossier",
        data={
            "name": RETURNED,
            "position": "Tổ trưởng chuyên môn",
            "unit": "Công đoàn Trường THCS Trương Hán Siêu",  # as shown: kept as stored
            "achievements": "Hoàn thành xuất sắc nhiệm vụ; sáng kiến cấp huyện.",
            "documents": "Tờ trình đề nghị\nBáo cáo thành tích\nBiên bản họp có chữ ký",
            "next": task_page,
            "csrf_token": browser.csrf(task_page),
        },
        follow_redirects=True,
    )
    assert "Đã lưu thay đổi của hồ sơ." in text(saved)
    minutes, photo = file_id(browser, "Biên bản họp.pdf"), file_id(browser, "Ảnh bằng khen.png")
    replaced = upload(
        browser, f"{files}/{minutes}/replace", task_page, pdf("signed"), "Biên bản ký.pdf"
    )
    assert "Đã thay tệp bằng «Biên bản ký.pdf»" in text(replaced)
    removed = browser.post(f"{files}/{photo}/remove", {"next": task_page}, csrf_from=task_page)
    assert removed.status_code == 302
    upload(browser, files, task_page, pdf("review"), "Nhận xét của tổ.pdf")
    page = text(browser.get(task_page))
    assert "Đã được thay" in page and "Đã rút khỏi hồ sơ" in page  # kept, marked
    submit(browser)

    # Three versions, each with its hash in the audit event of its submission.
    with Session(browser.db) as session:
        row = session.get_one(Nomination, nomination)
        assert (row.nominee_position, row.nominee_unit) == ("Tổ trưởng chuyên môn", "THCS_THS")
        versions = dossiers.versions(session, nomination)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dossier.submitted")
        ).all()
        assert [v.number for v in versions] == [1, 2, 3]
        hashes = [e.data["sha256"] for e in events if e.data["nomination"] == nomination]
        assert hashes == [v.sha256 for v in versions]
        assert all(dossiers.digest(v) == v.sha256 for v in versions)
        last = json.loads(versions[-1].content)
        assert sorted(f["name"] for f in last["files"]) == [
            "Biên bản ký.pdf",
            "Nhận xét của tổ.pdf",
        ]
        # Nothing deleted: the replaced and removed files are still there.
        assert session.scalar(select(Attachment).where(Attachment.id == photo)) is not None
        stored = session.scalars(select(DossierVersion)).all()
        assert len([v for v in stored if v.nomination_id == nomination]) == 3

    # The secretary's appraisal says exactly what changed since the version returned.
    browser.login(SECRETARY)
    page = text(browser.get(f"/tasks/{browser.task_id(RETURNED, 'appraise')}"))
    assert "Thay đổi so với hồ sơ đã trả lại (lần gửi 2 → lần gửi 3)" in page
    changed = page[page.index('id="changes-h"') : page.index("</section>", page.index("changes-h"))]
    assert "Chức vụ" in changed and "Giáo viên" in changed and "Tổ trưởng chuyên môn" in changed
    assert "Thành tích" in changed and "sáng kiến cấp huyện" in changed
    assert "Biên bản họp có chữ ký" in changed
    assert "Họ và tên" not in changed and "Đơn vị công tác" not in changed  # not changed
    assert "Thay tệp «Biên bản họp.pdf» bằng «Biên bản ký.pdf»" in changed
    assert "Rút tệp «Ảnh bằng khen.png» khỏi hồ sơ" in changed
    assert "Thêm tệp «Nhận xét của tổ.pdf»" in changed
    assert changed.count("<li") == 3

    # The auditor's history names each step and shows each version's hash, in words.
    browser.login("thanhtra.cdgdvn")
    history = text(browser.get(f"/thanh-tra/ho-so/{nomination}"))
    assert history.count("Gửi hồ sơ (lưu phiên bản)") == 3
    assert all(v.sha256 in history for v in versions)
    assert "Sửa nội dung hồ sơ" in history and "Thay tệp trong hồ sơ" in history
    assert "achievements" not in history and "Chức vụ; Thành tích; Tài liệu kèm theo" in history


def test_only_the_units_proposer_edits_and_only_while_the_dossier_is_with_the_unit(
    browser: Browser,
) -> None:
    nomination = browser.nomination_id(RETURNED)
    path = f"/nominations/{nomination}/dossier"
    browser.login(SECRETARY)  # reads the nomination, may not edit it
    refused = browser.post(
        path, {"achievements": "Sửa trộm"}, csrf_from=f"/nominations/{nomination}"
    )
    assert refused.status_code == 404
    browser.login(PROPOSER)
    blank = browser.client.post(
        path,
        data={"achievements": " ", "csrf_token": browser.csrf(f"/nominations/{nomination}")},
        follow_redirects=True,
    )
    said = text(blank)
    assert "Thành tích: " in said and "Length" not in said  # the field named, in Vietnamese
    submit(browser)  # now with the secretary
    late = browser.client.post(
        path,
        data={"achievements": "Sửa muộn", "csrf_token": browser.csrf(f"/nominations/{nomination}")},
        follow_redirects=True,
    )
    assert "không sửa được" in text(late)
    with Session(browser.db) as session:
        assert "Sửa" not in session.get_one(Nomination, nomination).achievements


def test_an_ending_choice_is_refused_unconfirmed_and_nothing_changes(browser: Browser) -> None:
    browser.login(SECRETARY)
    task = browser.task_id("Nguyễn Thị Thu Hà", "appraise")
    page = text(browser.get(f"/tasks/{task}"))
    assert 'data-confirm="' in page and 'name="confirm"' in page
    refused = browser.post(f"/tasks/{task}", {"result": "refused", "reason": "Chưa đủ tiêu chuẩn"})
    assert refused.status_code == 422
    assert "hãy đánh dấu ô xác nhận" in text(refused)
    with Session(browser.db) as session:
        state = session.scalar(select(TaskRow.state).where(TaskRow.id == task))
        row = session.scalar(
            select(Nomination).where(Nomination.nominee_name == "Nguyễn Thị Thu Hà")
        )
        assert state == "ready" and row is not None and row.status == "open"
    # A choice that does not end it needs no confirmation; a confirmed refusal goes through.
    done = browser.post(
        f"/tasks/{task}", {"result": "refused", "reason": "Chưa đủ tiêu chuẩn", "confirm": "yes"}
    )
    assert done.status_code == 302
    with Session(browser.db) as session:
        row = session.scalar(
            select(Nomination).where(Nomination.nominee_name == "Nguyễn Thị Thu Hà")
        )
        assert row is not None and row.status == "rejected"
