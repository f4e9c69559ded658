"""A nomination's files over HTTP: a proposer attaches them while the dossier is the unit's,
everyone who may see the nomination reads them (safely, never public), and every bad file
is refused with a precise problem and leaves nothing behind: no blob, no row, no event."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, TaskRow
from tests.api.conftest import NOW, Api
from tests.api.test_nominations import NEW
from tests.files import samples
from workflows import limits
from workflows.files.storage import LocalStorage
from workflows.models import Attachment

PROPOSER = "canbo.thpt_lvt"
SECRETARY = "thuky.thpt_lvt"
OTHER_UNIT = "canbo.thcs_ths"  # a proposer of another school
AUDITOR = "thanhtra.cdgdvn"


def open_nomination(api: Api) -> int:
    created = api.client.post("/api/v1/nominations", json=NEW, headers=api.headers(PROPOSER))
    assert created.status_code == 201, created.get_json()
    nomination_id: int = created.get_json()["id"]
    return nomination_id


@pytest.fixture
def nomination(api: Api) -> int:
    return open_nomination(api)


def upload(api: Api, nomination_id: int, content: Any, name: str, user: str = PROPOSER) -> Any:
    stream = content if hasattr(content, "read") else io.BytesIO(content)
    return api.client.post(
        f"/api/v1/nominations/{nomination_id}/files",
        data={"file": (stream, name)},
        content_type="multipart/form-data",
        headers=api.headers(user),
    )


def blobs(api: Api) -> list[Path]:
    storage = api.app.extensions["laurel.files"]
    assert isinstance(storage, LocalStorage)
    return [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


def trail(api: Api) -> tuple[int, int]:
    """Attachment rows and audit events, all of them."""
    with Session(api.db) as session:
        rows = session.scalar(select(func.count()).select_from(Attachment)) or 0
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return rows, events


def submit(api: Api, nomination_id: int) -> None:
    with Session(api.db) as session:
        task_id = session.scalar(
            select(TaskRow.id).where(
                TaskRow.bpmn_id == "prepare_dossier",
                TaskRow.state == "ready",
                TaskRow.business_key == select_key(session, nomination_id),
            )
        )
    done = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"action": "submit"}},
        headers=api.headers(PROPOSER),
    )
    assert done.status_code == 200, done.get_json()


def select_key(session: Session, nomination_id: int) -> str:
    from workflows.models import Nomination

    return session.get_one(Nomination, nomination_id).business_key


def test_a_proposer_attaches_a_pdf_and_everyone_who_sees_the_nomination_reads_it(
    api: Api, nomination: int
) -> None:
    added = upload(api, nomination, samples.PDF, "Tờ trình số 12.pdf")
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    digest = body["sha256"]
    assert body["name"] == "Tờ trình số 12.pdf"
    assert (body["media_type"], body["size"], body["inline"]) == (
        "application/pdf",
        len(samples.PDF),
        True,
    )
    assert (body["added_by"], body["org"], body["added_at"]) == (
        PROPOSER,
        "THPT_LVT",
        NOW.isoformat(),
    )
    # Stored once, under its digest; the event that added it carries the same digest.
    assert [p.name for p in blobs(api)] == [digest]
    with Session(api.db) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "file.added")).one()
    assert event.actor == PROPOSER and event.org_scope == "THPT_LVT"
    assert f'"sha256":"{digest}"' in event.payload and f'"file":{body["id"]}' in event.payload

    listed = api.client.get(f"/api/v1/nominations/{nomination}/files", headers=api.headers(AUDITOR))
    assert [f["sha256"] for f in listed.get_json()] == [digest]
    one = api.client.get(
        f"/api/v1/nominations/{nomination}/files/{body['id']}", headers=api.headers(PROPOSER)
    )
    assert one.get_json() == body

    content = api.client.get(
        f"/api/v1/nominations/{nomination}/files/{body['id']}/content",
        headers=api.headers(PROPOSER),
    )
    assert content.status_code == 200
    assert content.data == samples.PDF
    assert content.headers["Content-Type"] == "application/pdf"
    assert content.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh" in content.headers["Content-Disposition"]
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "private" in content.headers["Cache-Control"]
    assert content.headers["Content-Length"] == str(len(samples.PDF))


def test_office_files_are_downloaded_and_images_shown(api: Api, nomination: int) -> None:
    kinds = {
        "Báo cáo thành tích.docx": ("attachment;", samples.docx()),
        "Danh sách.xlsx": ("attachment;", samples.xlsx()),
        "Bằng khen.png": ("inline;", samples.png()),
        "Ảnh.jpg": ("inline;", samples.JPEG),
    }
    for name, (disposition, data) in kinds.items():
        added = upload(api, nomination, data, name)
        assert added.status_code == 201, (name, added.get_json())
        content = api.client.get(
            f"/api/v1/nominations/{nomination}/files/{added.get_json()['id']}/content",
            headers=api.headers(SECRETARY),
        )
        assert content.headers["Content-Disposition"].startswith(disposition), name
        assert content.data == data
    assert len(blobs(api)) == 4


def refused(
    api: Api, nomination_id: int, content: Any, name: str, status: int, user: str = PROPOSER
) -> str:
    """Upload, expect a problem with `status`, and check nothing was kept; its message."""
    before_blobs, before = blobs(api), trail(api)
    response = upload(api, nomination_id, content, name, user)
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert (blobs(api), trail(api)) == (before_blobs, before)
    message: str = problem["detail"]
    if status not in (403, 404):
        assert problem["errors"] == {"file": [message]}
    return message


def test_a_renamed_program_is_refused_as_what_it_is(api: Api, nomination: int) -> None:
    message = refused(api, nomination, samples.EXE, "Tờ trình.pdf", 415)
    assert message == (
        "Loại tệp không được chấp nhận: nội dung tệp không phải PDF, JPEG, PNG, DOCX, XLSX. "
        "Loại tệp được xác định theo nội dung, không theo đuôi tên tệp."
    )


class Zeros(io.RawIOBase):
    """A PDF of `size` bytes made as it is read, so the test holds none of it."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.head = b"%PDF-1.4\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        if self.head:
            k = min(n, len(self.head))
            buffer[:k], self.head = self.head[:k], self.head[k:]
        self.left -= n
        return n


def test_an_oversized_file_is_refused_while_it_streams(api: Api, nomination: int) -> None:
    size = limits.MAX_FILE_BYTES + 1
    tracemalloc.start()
    try:
        message = refused(api, nomination, io.BufferedReader(Zeros(size)), "scan.pdf", 413)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "Tệp quá lớn: mỗi tệp tối đa 20 MB."
    assert peak < 8 * limits.MIB, f"the upload took {peak / limits.MIB:.1f} MiB of memory"
    # A file of exactly the limit is taken.
    exact = upload(api, nomination, io.BufferedReader(Zeros(limits.MAX_FILE_BYTES)), "scan.pdf")
    assert exact.status_code == 201, exact.get_json()


def test_a_body_declared_too_large_is_refused_before_it_is_read(api: Api, nomination: int) -> None:
    class Unread(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            Unread.reads += 1
            return 0

    before = trail(api)
    response = api.client.post(
        f"/api/v1/nominations/{nomination}/files",
        content_type="multipart/form-data; boundary=x",
        headers=api.headers(PROPOSER),
        # As a server hands the app a body it has not read: its declared length, its stream.
        environ_overrides={"CONTENT_LENGTH": str(200 * limits.MIB), "wsgi.input": Unread()},
    )
    assert response.status_code == 413
    assert response.get_json()["detail"] == "Tệp quá lớn: mỗi tệp tối đa 20 MB."
    assert Unread.reads == 0 and trail(api) == before


def test_a_zip_bomb_docx_is_refused(api: Api, nomination: int) -> None:
    message = refused(api, nomination, samples.zip_bomb_docx(64), "Báo cáo.docx", 422)
    assert "zip bomb" in message and "100 lần" in message


def test_a_name_with_a_path_is_refused(api: Api, nomination: int) -> None:
    for name in ("../../etc/passwd.pdf", "C:\\Users\\canbo\\To trinh.pdf"):
        message = refused(api, nomination, samples.PDF, name, 422)
        assert message.startswith("Tên tệp không được chứa đường dẫn thư mục")


def test_a_file_for_another_units_nomination_is_refused(api: Api, nomination: int) -> None:
    # Another school's proposer cannot see it at all; an auditor sees it but adds nothing.
    hidden = refused(api, nomination, samples.PDF, "a.pdf", 404, OTHER_UNIT)
    assert hidden.startswith("Không tìm thấy hồ sơ")
    message = refused(api, nomination, samples.PDF, "a.pdf", 403, AUDITOR)
    assert message == "Chỉ cán bộ đề xuất của đơn vị lập hồ sơ mới được thêm tệp."
    added = upload(api, nomination, samples.PDF, "a.pdf").get_json()
    for path in ("", "/content"):
        hidden = api.client.get(
            f"/api/v1/nominations/{nomination}/files/{added['id']}{path}",
            headers=api.headers(OTHER_UNIT),
        )
        assert hidden.status_code == 404
    listed = api.client.get(
        f"/api/v1/nominations/{nomination}/files", headers=api.headers(OTHER_UNIT)
    )
    assert listed.status_code == 404


def test_files_past_the_nominations_total_are_refused(api: Api, nomination: int) -> None:
    with Session(api.db) as session, session.begin():
        # What earlier uploads left: 95 MB of the 100 MB a nomination may hold.
        session.add(
            Attachment(
                nomination_id=nomination,
                sha256="0" * 64,
                size=95 * limits.MIB,
                media_type="application/pdf",
                name="earlier.pdf",
                org_code="THPT_LVT",
                added_by=PROPOSER,
                added_at=NOW,
            )
        )
    six_mib = io.BufferedReader(Zeros(6 * limits.MIB))
    message = refused(api, nomination, six_mib, "scan.pdf", 413)
    assert message == "Vượt dung lượng của hồ sơ: tổng các tệp tối đa 100 MB, đã dùng 95.0 MB."
    fits = upload(api, nomination, io.BufferedReader(Zeros(5 * limits.MIB)), "scan.pdf")
    assert fits.status_code == 201


def test_the_same_file_twice_and_files_after_submission_are_refused(
    api: Api, nomination: int
) -> None:
    assert upload(api, nomination, samples.PDF, "Tờ trình.pdf").status_code == 201
    message = refused(api, nomination, samples.PDF, "copy.pdf", 409)
    assert message == "Tệp này đã được đính kèm hồ sơ (tên «Tờ trình.pdf»)."
    submit(api, nomination)
    message = refused(api, nomination, samples.png(), "scan.png", 409)
    assert message.startswith("Hồ sơ hiện không ở đơn vị")


def test_refusals_speak_english_when_asked(api: Api, nomination: int) -> None:
    response = api.client.post(
        f"/api/v1/nominations/{nomination}/files",
        data={"file": (io.BytesIO(samples.EXE), "x.pdf")},
        content_type="multipart/form-data",
        headers=api.headers(PROPOSER, **{"Accept-Language": "en"}),
    )
    assert response.get_json()["detail"].startswith("This type of file is not accepted")


def test_an_upload_without_a_file_or_with_two_is_refused(api: Api, nomination: int) -> None:
    none = api.client.post(
        f"/api/v1/nominations/{nomination}/files",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=api.headers(PROPOSER),
    )
    assert none.status_code == 422
    assert none.get_json()["detail"] == "Chưa chọn tệp nào để tải lên."
    two = api.client.post(
        f"/api/v1/nominations/{nomination}/files",
        data={"file": [(io.BytesIO(samples.PDF), "a.pdf"), (io.BytesIO(samples.JPEG), "b.jpg")]},
        content_type="multipart/form-data",
        headers=api.headers(PROPOSER),
    )
    assert two.status_code == 422 and trail(api)[0] == 0


def test_an_auditors_reading_of_a_file_is_logged_a_proposers_is_not(
    api: Api, nomination: int
) -> None:
    added = upload(api, nomination, samples.PDF, "Tờ trình.pdf").get_json()
    path = f"/api/v1/nominations/{nomination}/files/{added['id']}/content"

    def reads() -> list[str]:
        with Session(api.db) as session:
            return list(
                session.scalars(
                    select(AuditEvent.payload).where(AuditEvent.action == "record.read")
                )
            )

    assert api.client.get(path, headers=api.headers(PROPOSER)).status_code == 200
    assert reads() == []
    assert api.client.get(path, headers=api.headers(AUDITOR)).status_code == 200
    [payload] = reads()
    assert f'"file":{added["id"]}' in payload and added["sha256"] in payload
    assert '"view":"file"' in payload
