"""The required-documents checklist through the API: a rule version's documents with their
legal basis; a nomination's detail with each document attached or missing (a file said to
be one at upload); the simplified procedure's shorter list; the appraisal list's rows."""

from __future__ import annotations

import io
from typing import Any

from tests.api.conftest import Api, nomination_named
from tests.files import samples

PROPOSER = "canbo.thcs_ths"
SECRETARY = "thuky.thcs_ths"
ADMIN = "quantri"
RETURNED = "Trần Văn Nam"  # LĐTT at THCS_THS, in the unit's hands (returned as incomplete)
TO_TRINH = "Tờ trình đề nghị khen thưởng kèm danh sách"
REPORT = "Báo cáo thành tích của cá nhân, có xác nhận của cấp trình"
MINUTES = "Biên bản họp bình xét thi đua của đơn vị"
SUMMARY = "Báo cáo tóm tắt thành tích"


def detail(api: Api, nomination: int) -> Any:
    found = api.client.get(f"/api/v1/nominations/{nomination}", headers=api.headers(PROPOSER))
    assert found.status_code == 200, found.get_json()
    return found.get_json()


def upload(api: Api, nomination: int, document: str) -> Any:
    return api.client.post(
        f"/api/v1/nominations/{nomination}/files",
        data={"file": (io.BytesIO(samples.PDF), "To trinh.pdf"), "document": document},
        content_type="multipart/form-data",
        headers=api.headers(PROPOSER),
    )


def test_a_rule_version_takes_documents_with_their_basis(api: Api) -> None:
    documents = [
        {"name": TO_TRINH, "basis": "Luật Thi đua, khen thưởng 2022, Điều 84", "applies": "both"},
        {"name": REPORT, "basis": "Luật Thi đua, khen thưởng 2022, Điều 84"},
    ]
    body = {"effective_from": "2027-01-01", "basis": "Luật TĐKT 2022", "documents": documents}
    created = api.client.post(
        "/api/v1/installation/awards/LDTT/rules", json=body, headers=api.headers(ADMIN)
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["documents"] == [
        documents[0],
        {**documents[1], "applies": "full"},  # the regular procedure when not said
    ]
    refused = api.client.post(
        "/api/v1/installation/awards/LDTT/rules",
        json={**body, "effective_from": "2027-02-01", "documents": [{"name": TO_TRINH}]},
        headers=api.headers(ADMIN),
    )
    assert refused.status_code == 422, refused.get_json()
    awards = api.client.get("/api/v1/awards", headers=api.headers(PROPOSER)).get_json()
    ldtt = next(a for a in awards if a["code"] == "LDTT")
    assert [d["name"] for d in ldtt["rule"]["documents"]] == [TO_TRINH, REPORT, MINUTES, SUMMARY]


def test_the_detail_shows_each_document_attached_or_missing(api: Api) -> None:
    nomination = nomination_named(api, RETURNED).id
    before = detail(api, nomination)
    assert before["simplified"] is False
    assert [(d["name"], d["attached"]) for d in before["checklist"]] == [
        (TO_TRINH, False),
        (REPORT, False),
        (MINUTES, False),
    ]
    assert "Điều 84" in before["checklist"][0]["basis"]

    unknown = upload(api, nomination, "Giấy khen của xã")
    assert unknown.status_code == 422, unknown.get_json()
    assert "không thuộc thành phần hồ sơ" in unknown.get_json()["detail"]
    added = upload(api, nomination, TO_TRINH)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["document"] == TO_TRINH
    after = detail(api, nomination)["checklist"]
    assert after[0]["attached"] is True
    assert after[0]["files"] == [
        {"id": added.get_json()["id"], "name": "To trinh.pdf", "proposal_id": None}
    ]
    assert [d["attached"] for d in after[1:]] == [False, False]


def test_the_simplified_procedure_lists_the_shorter_documents(api: Api) -> None:
    created = api.client.post(
        "/api/v1/nominations",
        json={
            "org": "THCS_THS",
            "award_code": "LDTT",
            "campaign": "NH2025-2026",
            "nominee": {"kind": "individual", "name": "Phạm Thị Hoa"},
            "achievements": "Cứu học sinh đuối nước.",
            "simplified": True,
        },
        headers=api.headers(PROPOSER),
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["simplified"] is True
    assert [d["name"] for d in body["checklist"]] == [TO_TRINH, SUMMARY]


def test_the_appraisal_list_reads_each_rows_checklist(api: Api) -> None:
    nomination = nomination_named(api, RETURNED).id
    assert upload(api, nomination, TO_TRINH).status_code == 201
    task = next(
        t for t in detail(api, nomination)["open_tasks"] if t["form_key"] == "prepare_dossier"
    )
    sent = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"action": "submit"}},
        headers=api.headers(PROPOSER),
    )
    assert sent.status_code == 200, sent.get_json()
    listed = api.client.get("/api/v1/lists/THCS_THS/appraisals", headers=api.headers(SECRETARY))
    assert listed.status_code == 200, listed.get_json()
    rows = [row for group in listed.get_json()["groups"] for row in group["rows"]]
    row = next(r for r in rows if r["nomination"] == nomination)
    assert [(d["name"], d["attached"]) for d in row["checklist"]] == [
        (TO_TRINH, True),
        (REPORT, False),
        (MINUTES, False),
    ]


def test_a_proposal_file_said_to_be_the_to_trinh_counts_for_each_nomination_listed(
    api: Api,
) -> None:
    header = {
        "org": "THCS_THS",
        "campaign": "NH2025-2026",
        "number": "07/TTr-THCS",
        "signed_on": "2026-11-20",
        "signer": "Nguyễn Văn Hiệu",
    }
    opened = api.client.post("/api/v1/proposals", json=header, headers=api.headers(PROPOSER))
    assert opened.status_code == 201, opened.get_json()
    proposal = opened.get_json()["id"]
    row = {"kind": "individual", "name": "Lê Thị Hồng", "award": "LDTT", "achievements": "Tốt"}
    # A row may follow the simplified procedure: its nomination asks for the shorter list.
    collective = {
        "kind": "collective",
        "name": "Tổ Toán",
        "award": "TTLDTT",
        "achievements": "Cứu người trong lũ.",
        "simplified": True,
    }
    added = api.client.post(
        f"/api/v1/proposals/{proposal}/rows",
        json={"rows": [row, collective]},
        headers=api.headers(PROPOSER),
    )
    assert added.status_code == 201, added.get_json()

    def attach(document: str) -> Any:
        return api.client.post(
            f"/api/v1/proposals/{proposal}/files",
            data={"file": (io.BytesIO(samples.PDF), "To trinh 07.pdf"), "document": document},
            content_type="multipart/form-data",
            headers=api.headers(PROPOSER),
        )

    assert attach("Giấy khen của xã").status_code == 422
    stored = attach(TO_TRINH)
    assert stored.status_code == 201, stored.get_json()
    assert stored.get_json()["document"] == TO_TRINH
    for name in ("Lê Thị Hồng", "Tổ Toán"):
        items = detail(api, nomination_named(api, name).id)["checklist"]
        assert (items[0]["name"], items[0]["attached"]) == (TO_TRINH, True)
        assert items[0]["files"][0]["proposal_id"] == proposal
        assert not any(i["attached"] for i in items[1:])
    simplified = detail(api, nomination_named(api, "Tổ Toán").id)
    assert simplified["simplified"] is True
    assert [i["name"] for i in simplified["checklist"]] == [TO_TRINH, SUMMARY]
    regular = detail(api, nomination_named(api, "Lê Thị Hồng").id)["checklist"]
    assert [i["name"] for i in regular] == [TO_TRINH, REPORT, MINUTES]
