"""Proposals (tờ trình đề nghị) over HTTP: the list template, a 30-row import, a file with
bad rows refused whole (each problem named by row and column, nothing stored), duplicates
in the file and against an open nomination, bad spreadsheets, another unit's proposal."""

from __future__ import annotations

import base64
import io
import os
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance, TaskRow
from tests.api.conftest import Api
from tests.files import samples
from workflows.models import Nomination, Proposal, ProposalItem

PROPOSER = "canbo.thpt_lvt"
OTHER_UNIT = "canbo.thcs_ths"
HEADER = {
    "org": "THPT_LVT",
    "campaign": "NH2025-2026",
    "number": "45/TTr-THPT",
    "signed_on": "2026-11-20",
    "signer": "Nguyễn Văn Hiệu",
}
COLUMNS = ["STT", "Họ và tên / Tên tập thể", "Cá nhân / Tập thể", "Chức vụ", "Đơn vị công tác"]
COLUMNS += ["Danh hiệu", "Thành tích"]


def template(api: Api) -> Any:
    got = api.client.get("/api/v1/proposals/template.xlsx", headers=api.headers(PROPOSER))
    assert got.status_code == 200
    return load_workbook(io.BytesIO(got.data))


def teachers(count: int) -> list[list[Any]]:
    """Rows as a unit types them: 28 teachers for LĐTT, a CSTĐCS, a collective."""
    rows: list[list[Any]] = [
        [n, f"Giáo viên Thứ {n}", "Cá nhân", "Giáo viên", "Tổ Toán", "Lao động tiên tiến", "Tốt"]
        for n in range(1, count - 1)
    ]
    rows.append(
        [count - 1, "Lê Thị Hồng Nhung", "Cá nhân", "Tổ trưởng", "Tổ Văn", "CSTDCS", "Giỏi"]
    )
    rows.append([count, "Tổ Ngữ văn", "Tập thể", "", "", "Tập thể lao động tiên tiến", "Tốt"])
    return rows


def workbook(rows: list[list[Any]], api: Api | None = None) -> bytes:
    """The downloaded template with `rows` in place of its example, or a bare sheet."""
    if api is not None:
        book = template(api)
        sheet = book.worksheets[0]
        sheet.delete_rows(2)
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send(api: Api, content: bytes, name: str = "danh-sach.xlsx", user: str = PROPOSER) -> Any:
    return api.client.post(
        "/api/v1/proposals/import",
        data={**HEADER, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=api.headers(user),
    )


def stored(api: Api) -> tuple[int, int, int, int]:
    """Proposals, nominations, instances and audit events, all of them."""
    with Session(api.db) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Proposal, Nomination, Instance, AuditEvent)
        )


def test_the_template_opens_with_the_headers_an_example_and_the_awards(api: Api) -> None:
    book = template(api)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert rows[1][1] == "Lê Thị Hồng Nhung" and rows[1][5] == "Lao động tiên tiến"
    awards = [r[0] for r in book.worksheets[1].iter_rows(values_only=True)]
    assert "Lao động tiên tiến" in awards and "Tập thể lao động tiên tiến" in awards
    english = api.client.get(
        "/api/v1/proposals/template.xlsx",
        headers=api.headers(PROPOSER, **{"Accept-Language": "en"}),
    )
    header = next(load_workbook(io.BytesIO(english.data)).worksheets[0].iter_rows(values_only=True))
    assert header[1] == "Full name / Collective"


def test_a_30_row_import_opens_a_proposal_with_30_nominations_each_with_its_process(
    api: Api,
) -> None:
    sent = send(api, workbook(teachers(30), api))
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    assert (body["number"], body["signer"], body["status"], body["rows"]) == (
        "45/TTr-THPT",
        "Nguyễn Văn Hiệu",
        "draft",
        30,
    )
    names = [n["nominee"]["name"] for n in body["nominations"]]
    assert names[0] == "Giáo viên Thứ 1" and names[-1] == "Tổ Ngữ văn"
    assert body["nominations"][-1]["award"]["code"] == "TTLDTT"
    assert body["nominations"][-2]["award"]["code"] == "CSTDCS"
    with Session(api.db) as session:
        keys = session.scalars(
            select(Nomination.business_key)
            .join(ProposalItem, ProposalItem.nomination_id == Nomination.id)
            .where(ProposalItem.proposal_id == body["id"])
        ).all()
        tasks = session.scalar(
            select(func.count()).where(
                TaskRow.business_key.in_(keys),
                TaskRow.state == "ready",
                TaskRow.form == "prepare_dossier",
            )
        )
        started = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "instance.started",
                AuditEvent.payload.contains("HS-"),
                AuditEvent.actor == PROPOSER,
            )
        )
    assert len(set(keys)) == 30 and tasks == 30 and (started or 0) >= 30
    listed = api.client.get(f"/api/v1/proposals/{body['id']}", headers=api.headers(PROPOSER))
    assert listed.status_code == 200 and len(listed.get_json()["nominations"]) == 30


def test_two_bad_rows_are_named_with_row_and_column_and_nothing_is_stored(api: Api) -> None:
    rows = teachers(30)
    rows[4][5] = "Huân chương Sao Vàng"  # row 6 of the sheet: an award not in the catalogue
    rows[9][6] = None  # row 11: no achievements
    before = stored(api)
    sent = send(api, workbook(rows, api))
    assert sent.status_code == 422
    problems = sent.get_json()["errors"]["rows"]
    assert [(p["row"], p["column"]) for p in problems] == [(6, "award"), (11, "achievements")]
    assert problems[0]["message"].startswith("Dòng 6, cột «Danh hiệu»: ")
    assert "Huân chương Sao Vàng" in problems[0]["message"]
    assert problems[1]["message"].startswith("Dòng 11, cột «Thành tích»: ")
    assert stored(api) == before  # no proposal, no nomination, no instance, no audit event


def test_duplicates_in_the_file_and_against_an_open_nomination_are_refused(api: Api) -> None:
    first = send(api, workbook(teachers(5), api))
    assert first.status_code == 201
    rows = [
        [1, "Giáo viên Thứ 2", "Cá nhân", "", "", "LDTT", "Tốt"],  # open since the first list
        [2, "Trần Thị Mai", "Cá nhân", "", "", "LDTT", "Tốt"],
        [3, "TRẦN THỊ  MAI", "Cá nhân", "", "", "Lao động tiên tiến", "Tốt"],  # row 2 again
        [4, "Trần Thị Mai", "Cá nhân", "", "", "CSTDCS", "Tốt"],  # another award: fine
        [5, "Tổ Toán", "Cá nhân", "", "", "TTLDTT", "Tốt"],  # a collective's award
    ]
    before = stored(api)
    sent = send(api, workbook(rows, api))
    assert sent.status_code == 422
    problems = {(p["row"], p["column"]): p["message"] for p in sent.get_json()["errors"]["rows"]}
    assert set(problems) == {(2, "name"), (4, "name"), (6, "award")}
    assert "Giáo viên Thứ 2" in problems[(2, "name")]
    assert "dòng 3" in problems[(4, "name")]
    assert "tập thể" in problems[(6, "award")]
    assert stored(api) == before


def test_bad_spreadsheets_are_refused_in_words(api: Api) -> None:
    before = stored(api)
    cases = [
        (samples.PDF, "danh-sach.xlsx", 415),  # a PDF renamed
        (samples.EXE, "danh-sach.xlsx", 415),
        (samples.docx(), "danh-sach.docx", 415),  # an office file, not a spreadsheet
        (samples.zip_bomb_docx(), "danh-sach.xlsx", 422),
    ]
    for content, name, status in cases:
        sent = send(api, content, name)
        assert sent.status_code == status, (name, sent.get_json())
        assert sent.get_json()["detail"]
    formula = workbook([[1, "Lê Văn Tám", "Cá nhân", "", "", "LDTT", "=1+1"]])
    sent = send(api, formula)
    assert sent.status_code == 422
    assert sent.get_json()["errors"]["rows"][0]["message"].startswith("Dòng 2, cột «Thành tích»")
    many = workbook([[n, f"Người {n}", "Cá nhân", "", "", "LDTT", "Tốt"] for n in range(10_000)])
    sent = send(api, many)
    assert sent.status_code == 422 and "1000" in sent.get_json()["detail"]
    no_header = Workbook()
    no_header.active.append(["a", "b"])
    out = io.BytesIO()
    no_header.save(out)
    assert send(api, out.getvalue()).status_code == 422
    assert stored(api) == before


def test_another_units_proposal_does_not_exist_for_it(api: Api) -> None:
    sent = send(api, workbook(teachers(3), api))
    proposal_id = sent.get_json()["id"]
    other = api.client.get(f"/api/v1/proposals/{proposal_id}", headers=api.headers(OTHER_UNIT))
    assert other.status_code == 404
    assert other.headers["Content-Type"] == "application/problem+json"
    typed = api.client.post(
        f"/api/v1/proposals/{proposal_id}/rows",
        json={"rows": [{"kind": "individual", "name": "X", "award": "LDTT", "achievements": "y"}]},
        headers=api.headers(OTHER_UNIT),
    )
    assert typed.status_code == 404
    assert send(api, workbook(teachers(3), api), user=OTHER_UNIT).status_code == 403


def test_rows_typed_into_a_draft_join_its_list(api: Api) -> None:
    opened = api.client.post("/api/v1/proposals", json=HEADER, headers=api.headers(PROPOSER))
    assert opened.status_code == 201, opened.get_json()
    proposal_id = opened.get_json()["id"]
    row = {"kind": "individual", "name": "Phạm Văn Đồng", "award": "LDTT", "achievements": "Tốt"}
    added = api.client.post(
        f"/api/v1/proposals/{proposal_id}/rows",
        json={"rows": [row, {**row, "award": "TTLDTT"}]},
        headers=api.headers(PROPOSER),
    )
    assert added.status_code == 422
    assert added.get_json()["errors"]["rows"][0]["row"] == 2
    added = api.client.post(
        f"/api/v1/proposals/{proposal_id}/rows", json={"rows": [row]}, headers=api.headers(PROPOSER)
    )
    assert added.status_code == 201 and added.get_json()["rows"] == 1
    listed = api.client.get("/api/v1/proposals", headers=api.headers(PROPOSER))
    assert [p["id"] for p in listed.get_json()["items"]] == [proposal_id]
    assert listed.get_json()["total"] == 1
    assert listed.get_json()["items"][0]["campaign_name"] == "Phong trào thi đua năm học 2025–2026"
    other = api.client.get("/api/v1/proposals", headers=api.headers(OTHER_UNIT))
    assert other.get_json()["total"] == 0


def test_the_units_list_filters_and_finds_a_name_typed_without_diacritics(api: Api) -> None:
    sent = send(api, workbook(teachers(6), api))
    assert sent.status_code == 201
    units = "/api/v1/units/THPT_LVT/nominations"

    def listed(user: str = PROPOSER, **query: str) -> Any:
        return api.client.get(units, query_string=query, headers=api.headers(user))

    found = listed(q="le thi hong nhung").get_json()
    assert [n["nominee"]["name"] for n in found["items"]] == ["Lê Thị Hồng Nhung"]
    item = found["items"][0]
    assert item["stage"] == "prepare_dossier"
    assert item["waiting"] == [
        {
            "role": "proposer",
            "org": {"code": "THPT_LVT", "name": item["origin_org"]["name"]},
            "due_at": item["waiting"][0]["due_at"],
        }
    ]
    assert item["proposal"]["number"] == "45/TTr-THPT"
    assert listed(q="LÊ THỊ hồng").get_json()["total"] == 1
    collectives = listed(award="TTLDTT").get_json()["items"]
    assert {n["award"]["code"] for n in collectives} == {"TTLDTT"}
    assert "Tổ Ngữ văn" in [n["nominee"]["name"] for n in collectives]
    everyone = listed(campaign="NH2025-2026").get_json()["total"]
    assert everyone >= 6  # the demo's own nominations of the school too
    assert listed(stage="prepare_dossier", per_page="2").get_json()["per_page"] == 2
    assert listed(campaign="NO-SUCH").get_json()["total"] == 0
    assert listed(OTHER_UNIT).status_code == 404
    assert listed(q="%").get_json()["total"] == 0


def test_a_proposal_has_its_own_files_checked_as_a_nominations_are(api: Api) -> None:
    proposal_id = send(api, workbook(teachers(3), api)).get_json()["id"]
    files = f"/api/v1/proposals/{proposal_id}/files"

    def attach(content: bytes, name: str, user: str = PROPOSER) -> Any:
        return api.client.post(
            files,
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
            headers=api.headers(user),
        )

    added = attach(samples.PDF, "Tờ trình 45.pdf")
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert (body["name"], body["media_type"], body["proposal_id"]) == (
        "Tờ trình 45.pdf",
        "application/pdf",
        proposal_id,
    )
    with Session(api.db) as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "file.added")
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert event is not None and body["sha256"] in event.payload
    assert attach(samples.EXE, "bien-ban.pdf").status_code == 415
    assert attach(samples.zip_bomb_docx(), "bien-ban.docx").status_code == 422
    assert attach(samples.PDF, "lan-nua.pdf").status_code == 409  # the same file again
    assert attach(samples.PDF, "x.pdf", user=OTHER_UNIT).status_code == 404
    listed = api.client.get(files, headers=api.headers(PROPOSER)).get_json()
    assert [f["name"] for f in listed] == ["Tờ trình 45.pdf"]
    content = api.client.get(f"{files}/{body['id']}/content", headers=api.headers(PROPOSER))
    assert content.status_code == 200 and content.data == samples.PDF
    assert content.headers["Content-Type"] == "application/pdf"
    other = api.client.get(f"{files}/{body['id']}", headers=api.headers(OTHER_UNIT))
    assert other.status_code == 404


def test_submitting_the_list_submits_every_row_or_none(api: Api) -> None:
    body = send(api, workbook(teachers(4), api)).get_json()
    proposal_id, rows = body["id"], [n["id"] for n in body["nominations"]]
    submit = f"/api/v1/proposals/{proposal_id}/submit"
    engine = api.app.extensions["laurel.engine"]
    with Session(api.db) as session:
        key = session.get_one(Nomination, rows[2]).business_key
        instance_id = session.scalar(select(Instance.id).where(Instance.business_key == key))
    assert instance_id is not None
    engine.suspend(instance_id, "admin", "kiểm tra")  # an admin stops one row meanwhile
    before = stored(api)
    refused = api.client.post(submit, headers=api.headers(PROPOSER))
    assert refused.status_code == 409, refused.get_json()
    problems = refused.get_json()["errors"]["rows"]
    assert [p["nomination"] for p in problems] == [rows[2]]
    assert stored(api) == before  # no row submitted, no event, the proposal still a draft
    got = api.client.get(f"/api/v1/proposals/{proposal_id}", headers=api.headers(PROPOSER))
    assert got.get_json()["status"] == "draft"
    assert {n["stage"] for n in got.get_json()["nominations"]} == {"prepare_dossier"}
    engine.resume(instance_id, "admin")
    done = api.client.post(submit, headers=api.headers(PROPOSER))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "submitted" and done.get_json()["submitted_at"]
    assert {n["stage"] for n in done.get_json()["nominations"]} == {"appraise"}
    with Session(api.db) as session:
        completed = session.scalar(
            select(func.count()).where(
                TaskRow.business_key.in_(
                    select(Nomination.business_key).where(Nomination.id.in_(rows))
                ),
                TaskRow.form == "prepare_dossier",
                TaskRow.state == "completed",
                TaskRow.completed_by == PROPOSER,
            )
        )
    assert completed == 4
    again = api.client.post(submit, headers=api.headers(PROPOSER))
    assert again.status_code == 422  # submitted already: its list no longer changes
    late = api.client.post(
        f"/api/v1/proposals/{proposal_id}/rows",
        json={"rows": [{"kind": "individual", "name": "X", "award": "LDTT", "achievements": "y"}]},
        headers=api.headers(PROPOSER),
    )
    assert late.status_code == 422


def test_a_sheet_too_large_is_refused_and_a_wide_one_read_by_its_first_columns(
    api: Api,
) -> None:
    before = stored(api)
    padded = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook(teachers(3), api))) as source,
        zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        # Data that does not compress, in a sheet part: 17 MB unpacked, a list is ~1 MB.
        target.writestr("xl/worksheets/sheet9.xml", base64.b64encode(os.urandom(13 * 2**20)))
    sent = send(api, padded.getvalue())
    assert sent.status_code == 422
    assert "quá lớn" in sent.get_json()["detail"]
    # A row reaching the sheet's last column (XFD) is read as its first columns only.
    wide = Workbook()
    sheet = wide.active
    assert sheet is not None
    sheet.append(COLUMNS)
    for n in range(1, 801):
        sheet.append([n, f"Người Thứ {n}", "Cá nhân", "", "", "LDTT", "Tốt"])
        sheet.cell(row=n + 1, column=16_384, value="x")
    out = io.BytesIO()
    wide.save(out)
    sent = send(api, out.getvalue())
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["rows"] == 800
    assert stored(api)[0] == before[0] + 1
