"""The list API: a list read with each row's version, and one submit for all its rows —
every row recorded, or a 409 naming each refused row and nothing recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, TaskRow
from tests.api.conftest import Api, nomination_named
from workflows.models import BallotReceipt, Decision, Proposal

SECRETARY = "thuky.thcs_ths"


def _events(api: Api) -> int:
    with Session(api.db) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_list_is_read_and_appraised_all_or_nothing(api: Api) -> None:
    headers = api.headers(SECRETARY)
    listed = api.client.get("/api/v1/lists/THCS_THS/appraisals", headers=headers)
    assert listed.status_code == 200
    [group] = listed.get_json()["groups"]
    [row] = group["rows"]
    assert row["nominee"] == "Nguyễn Thị Thu Hà" and row["version"] >= 1
    before = _events(api)

    bad = {
        "rows": [{"task": row["task"], "data": {"result": "incomplete"}, "version": row["version"]}]
    }
    refused = api.client.post("/api/v1/lists/THCS_THS/appraisals", json=bad, headers=headers)
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["errors"] == {row["task"]: {"fields": {"missing": "Trường này là bắt buộc."}}}
    stale = {"rows": [{"task": row["task"], "data": {"result": "complete"}, "version": 0}]}
    refused = api.client.post("/api/v1/lists/THCS_THS/appraisals", json=stale, headers=headers)
    assert refused.status_code == 409 and "detail" in refused.get_json()["errors"][row["task"]]
    assert _events(api) == before

    good = {
        "rows": [{"task": row["task"], "data": {"result": "complete"}, "version": row["version"]}]
    }
    done = api.client.post("/api/v1/lists/THCS_THS/appraisals", json=good, headers=headers)
    assert done.status_code == 200 and done.get_json()["recorded"] == 1
    with Session(api.db) as session:
        assert session.get_one(TaskRow, row["task"]).state == "completed"
    # Not the secretary here, or a stage that is not a list: not found.
    assert api.client.get("/api/v1/lists/CDGD_NB/appraisals", headers=headers).status_code == 404
    assert api.client.get("/api/v1/lists/THCS_THS/other", headers=headers).status_code == 404


def test_a_ballot_sheet_gives_a_receipt_per_ballot(api: Api) -> None:
    member = "hoidong3.cdgdnb"
    headers = api.headers(member)
    [group] = api.client.get("/api/v1/lists/CDGD_NB/ballots", headers=headers).get_json()["groups"]
    rows = [{"task": r["task"], "data": {"vote": "for"}} for r in group["rows"]]
    done = api.client.post("/api/v1/lists/CDGD_NB/ballots", json={"rows": rows}, headers=headers)
    assert done.status_code == 200
    receipts = done.get_json()["receipts"]
    with Session(api.db) as session:
        kept = dict(
            session.execute(
                select(BallotReceipt.nomination_id, BallotReceipt.ballot_hash).where(
                    BallotReceipt.username == member
                )
            ).all()
        )
    assert receipts == {str(k): v for k, v in kept.items()} and len(receipts) == len(rows)
    again = api.client.post("/api/v1/lists/CDGD_NB/ballots", json={"rows": rows}, headers=headers)
    assert again.status_code == 409  # already cast: the second sheet records nothing


def test_a_decision_list_with_a_row_changed_meanwhile_records_nothing_and_names_it(
    api: Api,
) -> None:
    nomination = nomination_named(api, "Đỗ Thị Mai Anh")  # in publicity, above DH_HL's authority
    assert nomination.publicity_until is not None
    api.clock.at = nomination.publicity_until + timedelta(hours=2)
    api.app.extensions["laurel.engine"].fire_due_timers()
    head = api.headers("chutich.dh_hl")
    [group] = api.client.get("/api/v1/lists/DH_HL/decisions", headers=head).get_json()["groups"]
    [row] = group["rows"]
    assert row["route"] == "forward"
    forward = {
        "forward_no": "07/TTr-CĐĐHHL",
        "forward_date": api.clock.now().date().isoformat(),
        "forward_signer": "Nguyễn Văn Hùng",
    }
    before = (_events(api), _count(api, Proposal), _count(api, Decision))

    # Someone changed the nomination's process after the list was read.
    stale = {"task": row["task"], "data": {"decision": "forward"}, "version": row["version"] - 1}
    refused = api.client.post(
        "/api/v1/lists/DH_HL/decisions", json={"rows": [stale], **forward}, headers=head
    )
    assert refused.status_code == 409
    assert "vừa được người khác" in refused.get_json()["errors"][row["task"]]["detail"]
    # Forwarded rows need the level's own tờ trình.
    current = {**stale, "version": row["version"]}
    unnumbered = api.client.post(
        "/api/v1/lists/DH_HL/decisions", json={"rows": [current]}, headers=head
    )
    assert unnumbered.status_code == 422 and "forward_no" in unnumbered.get_json()["errors"]
    assert (_events(api), _count(api, Proposal), _count(api, Decision)) == before

    done = api.client.post(
        "/api/v1/lists/DH_HL/decisions", json={"rows": [current], **forward}, headers=head
    )
    assert done.status_code == 200 and done.get_json()["recorded"] == 1
    with Session(api.db) as session:
        proposal = session.scalars(select(Proposal).where(Proposal.kind == "forward")).one()
        assert (proposal.number, proposal.to_org) == ("07/TTr-CĐĐHHL", "CDGDVN")


def _count(api: Api, model: type[Any]) -> int:
    with Session(api.db) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0
