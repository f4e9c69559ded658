"""A dossier's files on the pages: the proposer of a returned dossier adds them from its
page, the secretary reads them beside the appraisal, refusals are said in Vietnamese, and
nobody else adds or sees them."""

from __future__ import annotations

import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent
from tests.files import samples
from tests.pages.conftest import Browser, text
from workflows import limits
from workflows.models import Attachment

PROPOSER = "canbo.thcs_ths"
RETURNED = "Trần Văn Nam"  # returned to the unit as incomplete
AWAITING = "Nguyễn Thị Thu Hà"  # submitted, waiting for the appraisal


def attach(browser: Browser, nomination_id: int, content: bytes, name: str) -> TestResponse:
    page = f"/nominations/{nomination_id}"
    return browser.client.post(
        f"{page}/files",
        data={
            "file": (io.BytesIO(content), name),
            "next": f"{page}#files-h",
            "csrf_token": browser.csrf(page),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def rows(browser: Browser) -> int:
    with Session(browser.db) as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_the_proposer_adds_a_file_to_a_returned_dossier_and_sees_it_listed(
    browser: Browser,
) -> None:
    browser.login(PROPOSER)
    nomination_id = browser.nomination_id(RETURNED)
    page = text(browser.get(f"/nominations/{nomination_id}"))
    assert "Tệp đính kèm" in page and "Chưa có tệp đính kèm." in page
    assert "Tải tệp lên" in page and "mỗi tệp tối đa 20 MB, cả hồ sơ tối đa 100 MB" in page

    done = attach(browser, nomination_id, samples.PDF, "Biên bản họp bình xét.pdf")
    page = text(done)
    assert done.request.path == f"/nominations/{nomination_id}"
    assert "Đã đính kèm tệp «Biên bản họp bình xét.pdf»." in page
    assert "Biên bản họp bình xét.pdf" in page and "1 KB" in page
    assert "Trương Thị Bích Ngọc" in page and "canbo.thcs_ths" not in page  # a name
    assert "SHA-256" not in page  # the digest is for auditors

    with Session(browser.db) as session:
        file_id = session.scalars(select(Attachment.id)).one()
    shown = browser.get(f"/nominations/{nomination_id}/files/{file_id}")
    assert shown.status_code == 200 and shown.data == samples.PDF
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")
    assert shown.headers["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_is_named_in_vietnamese_and_nothing_is_kept(browser: Browser) -> None:
    browser.login(PROPOSER)
    nomination_id = browser.nomination_id(RETURNED)
    page = text(attach(browser, nomination_id, samples.EXE, "Tờ trình.pdf"))
    assert "Loại tệp không được chấp nhận: nội dung tệp không phải PDF" in page
    page = text(attach(browser, nomination_id, samples.PDF, "../Tờ trình.pdf"))
    assert "Tên tệp không được chứa đường dẫn thư mục" in page
    assert rows(browser) == 0


def test_a_body_too_large_to_read_is_refused_on_the_page(browser: Browser) -> None:
    browser.login(PROPOSER)
    nomination_id = browser.nomination_id(RETURNED)
    page = f"/nominations/{nomination_id}"
    response = browser.client.post(
        f"{page}/files",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(limits.MAX_FILE_BYTES * 5)},
    )
    assert response.status_code == 302 and response.location.endswith(f"{page}#files-h")
    assert "Tệp quá lớn: mỗi tệp tối đa 20 MB." in text(browser.get(page))


def test_the_secretary_reads_the_files_at_the_appraisal_but_adds_none(browser: Browser) -> None:
    browser.login(PROPOSER)
    nomination_id = browser.nomination_id(RETURNED)
    attach(browser, nomination_id, samples.docx(), "Bản nhận xét của tổ chuyên môn.docx")
    task_id = browser.task_id(RETURNED, "prepare_dossier")
    task_page = text(browser.get(f"/tasks/{task_id}"))
    assert "Bản nhận xét của tổ chuyên môn.docx" in task_page and "Tải tệp lên" in task_page
    browser.post(f"/tasks/{task_id}", {"action": "submit"})

    browser.login("thuky.thcs_ths")
    appraisal = text(browser.get(f"/tasks/{browser.task_id(RETURNED, 'appraise')}"))
    assert "Bản nhận xét của tổ chuyên môn.docx" in appraisal
    assert "Văn bản Word (DOCX)" in appraisal
    assert "Tải tệp lên" not in appraisal
    with Session(browser.db) as session:
        file_id = session.scalars(select(Attachment.id)).one()
    download = browser.get(f"/nominations/{nomination_id}/files/{file_id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    # Once submitted, the proposer no longer adds files either.
    browser.login(PROPOSER)
    assert "Tải tệp lên" not in text(browser.get(f"/nominations/{nomination_id}"))


def test_no_upload_form_for_a_dossier_not_in_the_units_hands(browser: Browser) -> None:
    browser.login(PROPOSER)
    awaiting = text(browser.get(f"/nominations/{browser.nomination_id(AWAITING)}"))
    assert "Tệp đính kèm" in awaiting and "Tải tệp lên" not in awaiting
    browser.login("thanhtra.cdgdvn")
    returned = text(browser.get(f"/nominations/{browser.nomination_id(RETURNED)}"))
    assert "Tệp đính kèm" in returned and "Tải tệp lên" not in returned


def test_an_auditor_reading_a_file_is_logged_and_another_unit_sees_nothing(
    browser: Browser,
) -> None:
    browser.login(PROPOSER)
    nomination_id = browser.nomination_id(RETURNED)
    attach(browser, nomination_id, samples.png(), "Bằng khen.png")
    with Session(browser.db) as session:
        file_id, digest = session.execute(select(Attachment.id, Attachment.sha256)).one()
    path = f"/nominations/{nomination_id}/files/{file_id}"

    browser.login("canbo.thpt_lvt")
    assert browser.get(path).status_code == 404
    browser.login("thanhtra.cdgdvn")
    page = text(browser.get(f"/nominations/{nomination_id}"))
    assert digest in page  # to check the file against its audit event
    assert browser.get(path).data == samples.png()
    with Session(browser.db) as session:
        [payload] = session.scalars(
            select(AuditEvent.payload).where(AuditEvent.action == "record.read")
        ).all()
    assert f'"file":{file_id}' in payload and digest in payload

    # The history names the addition and its digest, in words.
    history = text(browser.get(f"/thanh-tra/ho-so/{nomination_id}"))
    assert "Thêm tệp vào hồ sơ" in history and "Ảnh PNG" in history
    assert "Mã băm SHA-256" in history and digest in history
