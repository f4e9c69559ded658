"""Supplementing a dossier and reading comments over HTTP: edit, replace and take out files,
versions with their hashes, what changed since the version returned; comments in full to
those who act on them, their handling noted by the secretary; a withdrawal needs a reason."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, TaskRow
from tests.api.conftest import COMMENT, Api, nomination_named
from tests.files import samples
from workflows.models import Nomination

PROPOSER, SECRETARY = "canbo.thcs_ths", "thuky.thcs_ths"
RETURNED = "Trần Văn Nam"


def task_of(api: Api, nominee: str, bpmn_id: str) -> str:
    with Session(api.db) as session:
        found = session.scalar(
            select(TaskRow.id)
            .join(Nomination, Nomination.business_key == TaskRow.business_key)
            .where(
                Nomination.nominee_name == nominee,
                TaskRow.bpmn_id == bpmn_id,
                TaskRow.state == "ready",
            )
        )
    assert found is not None, bpmn_id
    return found


def complete(api: Api, user: str, task: str, data: dict[str, Any]) -> None:
    done = api.client.post(
        f"/api/v1/tasks/{task}/complete", json={"data": data}, headers=api.headers(user)
    )
    assert done.status_code == 200, done.get_json()


def send_file(api: Api, path: str, content: bytes, name: str, user: str = PROPOSER) -> Any:
    return api.client.post(
        path,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=api.headers(user),
    )


def test_a_returned_dossier_is_edited_its_file_replaced_and_the_changes_read(api: Api) -> None:
    once = nomination_named(api, "Nguyễn Thị Thu Hà").id  # sent once: nothing to compare
    never = api.client.get(f"/api/v1/nominations/{once}/changes", headers=api.headers(SECRETARY))
    assert never.get_json() == {"changes": None}
    nomination = nomination_named(api, RETURNED).id
    base = f"/api/v1/nominations/{nomination}"
    first = send_file(api, f"{base}/files", samples.PDF, "Biên bản.pdf")
    assert first.status_code == 201, first.get_json()
    complete(api, PROPOSER, task_of(api, RETURNED, "prepare_dossier"), {"action": "submit"})
    complete(
        api,
        SECRETARY,
        task_of(api, RETURNED, "appraise"),
        {"result": "incomplete", "missing": ["Biên bản có chữ ký"]},
    )

    edited = api.client.patch(
        f"{base}/dossier",
        json={"achievements": "Thành tích đã bổ sung.", "documents": ["Biên bản có chữ ký"]},
        headers=api.headers(PROPOSER),
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["achievements"] == "Thành tích đã bổ sung."
    old = first.get_json()["id"]
    replaced = send_file(api, f"{base}/files/{old}/replace", samples.PDF + b"%2\n", "Ký.pdf")
    assert replaced.status_code == 201, replaced.get_json()
    listed = {
        f["id"]: f
        for f in api.client.get(f"{base}/files", headers=api.headers(SECRETARY)).get_json()
    }
    assert listed[old]["replaced_by"] == replaced.get_json()["id"] and listed[old]["retired_at"]
    # Until it is sent again, the latest submission is the one returned (its file added).
    earlier = api.client.get(f"{base}/changes", headers=api.headers(SECRETARY)).get_json()
    assert (earlier["changes"]["since"], earlier["changes"]["version"]) == (1, 2)
    assert [f["name"] for f in earlier["changes"]["files"]["added"]] == ["Biên bản.pdf"]
    complete(api, PROPOSER, task_of(api, RETURNED, "prepare_dossier"), {"action": "submit"})

    changes = api.client.get(f"{base}/changes", headers=api.headers(SECRETARY)).get_json()[
        "changes"
    ]
    assert (changes["since"], changes["version"]) == (2, 3)
    assert [c["field"] for c in changes["fields"]] == ["achievements", "documents"]
    assert changes["fields"][1]["after"] == ["Biên bản có chữ ký"]
    assert changes["files"]["added"] == [] and changes["files"]["removed"] == []
    [swap] = changes["files"]["replaced"]
    assert (swap["before"]["name"], swap["after"]["name"]) == ("Biên bản.pdf", "Ký.pdf")

    versions = api.client.get(f"{base}/versions", headers=api.headers(SECRETARY)).get_json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert [f["name"] for f in versions[2]["files"]] == ["Ký.pdf"]
    with Session(api.db) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "dossier.submitted")
        ).all()
        mine = [e.data for e in events if e.data["nomination"] == nomination]
    assert [e["sha256"] for e in mine] == [v["sha256"] for v in versions]
    assert mine[2]["files"] == [swap["after"]["sha256"]]
    # With the secretary now, the dossier takes no more changes.
    late = api.client.patch(f"{base}/dossier", json={"unit": "x"}, headers=api.headers(PROPOSER))
    assert late.status_code == 409
    other = api.client.patch(f"{base}/dossier", json={"unit": "x"}, headers=api.headers(SECRETARY))
    assert other.status_code == 403


def test_comments_are_read_in_full_within_scope_and_noted_by_the_secretary(api: Api) -> None:
    row = nomination_named(api, "Đỗ Thị Mai Anh")
    sent = api.client.post(f"/api/v1/public/nominations/{row.id}/comments", json=COMMENT)
    assert sent.status_code in (201, 202), sent.get_json()
    assert row.publicity_until is not None
    api.clock.at = row.publicity_until + timedelta(hours=2)
    api.app.extensions["laurel.engine"].fire_due_timers()
    path = f"/api/v1/nominations/{row.id}/comments"

    [comment] = api.client.get(path, headers=api.headers("thuky.dh_hl")).get_json()
    assert {k: comment[k] for k in COMMENT} == COMMENT and comment["may_note"] is True
    assert api.client.get(path, headers=api.headers("canbo.dh_hl")).get_json() == []
    assert api.client.get(path, headers=api.headers("hoidong1.dh_hl")).get_json() == []
    assert api.client.get(path, headers=api.headers("canbo.thcs_ths")).status_code == 404
    [seen] = api.client.get(path, headers=api.headers("thanhtra.cdgdvn")).get_json()
    assert seen["phone"] == COMMENT["phone"] and seen["may_note"] is False
    with Session(api.db) as session:  # an overseer's reading of the senders is in the trail
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "record.read")).all()
        assert [(e.actor, e.data) for e in reads] == [
            ("thanhtra.cdgdvn", {"nomination_id": row.id, "view": "comments"})
        ]

    note = f"{path}/{comment['id']}/note"
    noted = api.client.put(note, json={"note": "Đã xác minh."}, headers=api.headers("thuky.dh_hl"))
    assert noted.status_code == 200, noted.get_json()
    assert (noted.get_json()["note"], noted.get_json()["noted_by"]) == (
        "Đã xác minh.",
        "thuky.dh_hl",
    )
    head = api.client.put(note, json={"note": "x"}, headers=api.headers("chutich.dh_hl"))
    assert head.status_code == 403
    blank = api.client.put(note, json={"note": ""}, headers=api.headers("thuky.dh_hl"))
    assert blank.status_code == 422
    notices = api.client.get("/api/v1/public/notices").get_data(as_text=True)
    assert COMMENT["phone"] not in notices and "Đã xác minh." not in notices


def test_a_withdrawal_without_a_reason_is_refused_and_nothing_changes(api: Api) -> None:
    row = nomination_named(api, RETURNED)
    path = f"/api/v1/nominations/{row.id}/withdraw"
    for body in ({}, {"reason": "   "}):
        refused = api.client.post(path, json=body, headers=api.headers(PROPOSER))
        assert refused.status_code == 422, refused.get_json()
        assert refused.get_json()["errors"]["reason"] == "Hãy nêu lý do rút hồ sơ."
    assert nomination_named(api, RETURNED).status == "open"
