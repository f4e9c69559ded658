"""Oversight over HTTP: a nomination's history, the audit trail search, the chain check."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance
from tests.api.conftest import COMMENT, Api
from tests.api.conftest import nomination_named as _nomination


def _events(api: Api, username: str, query: str = "") -> dict[str, Any]:
    if "per_page=" not in query:
        query += "&per_page=100"
    response = api.client.get(f"/api/v1/audit/events?{query}", headers=api.headers(username))
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_the_history_shows_every_step_in_order_with_roles_and_no_vote_choice(api: Api) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    posted = api.client.post(f"/api/v1/public/nominations/{nomination.id}/comments", json=COMMENT)
    assert posted.status_code == 201

    response = api.client.get(
        f"/api/v1/nominations/{nomination.id}/history", headers=api.headers("thanhtra.cdgdvn")
    )
    assert response.status_code == 200
    history = response.get_json()
    assert (history["business_key"], history["stage"]) == (nomination.business_key, "publicity")
    assert (history["definition_key"], history["definition_version"]) == ("nomination", 1)
    events = history["events"]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    steps = [(e["action"], e["bpmn_id"], e["lane"], e["org"]) for e in events]
    ballot = ("ballot.cast", None, None, "DH_HL")
    vote = ("task.completed", "vote", "council", "DH_HL")
    assert steps == [
        ("instance.started", None, None, "DH_HL"),
        ("task.completed", "prepare_dossier", "proposer", "DH_HL"),
        ("dossier.submitted", None, None, "DH_HL"),  # the version sent, with its hash
        ("task.completed", "appraise", "secretary", "DH_HL"),
        vote,
        ballot,
        vote,
        ballot,
        vote,
        ballot,
        ("comment.received", None, None, "DH_HL"),
    ]
    appraise = events[3]
    assert (appraise["actor"], appraise["actor_name"], appraise["org_level"]) == (
        "thuky.dh_hl",
        "Nguyễn Hữu Nghĩa",
        "L1",
    )
    assert appraise["data"] == {"result": "complete"}
    assert all(e["definition_version"] == 1 for e in events)
    # Ballots leave only their hash; nothing anywhere says how anyone voted.
    for event in events:
        if event["action"] == "ballot.cast":
            assert len(event["data"]["hash"]) == 64
        assert "vote" not in event["data"]
        assert not {"for", "against"} & set(map(str, event["data"].values()))
    comment = events[-1]
    assert comment["actor"] == "public" and comment["actor_name"] is None
    assert "Trần Văn Bình" not in json.dumps(comment, ensure_ascii=False)
    [tally] = history["tallies"]
    assert (tally["votes_for"], tally["members_total"], tally["passed"]) == (3, 3, True)
    assert tally["rule_id"] is not None
    assert history["decisions"] == []

    awarded = _nomination(api, "Nguyễn Văn An")
    history = api.client.get(
        f"/api/v1/nominations/{awarded.id}/history", headers=api.headers("thanhtra.cdgdvn")
    ).get_json()
    [decision] = history["decisions"]
    assert (decision["decision"], decision["decision_no"], decision["org"]) == (
        "award",
        "31/QĐ-CĐCS",
        "THPT_LVT",
    )
    assert decision["rule_id"] is not None and decision["definition_version"] == 1
    assert [e["action"] for e in history["events"]][-1] == "instance.completed"
    assert "timer.fired" in {e["action"] for e in history["events"]}


def test_the_history_is_for_overseers_of_the_nomination_only(api: Api) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    path = f"/api/v1/nominations/{nomination.id}/history"
    other = api.client.get(path, headers=api.headers("thanhtra.sogddtnd"))
    assert other.status_code == 404  # another subtree: not even told it exists
    assert other.content_type == "application/problem+json"
    assert api.client.get(path, headers=api.headers("quantri")).status_code == 200
    assert api.client.get(path, headers=api.headers("chutich.dh_hl")).status_code == 403
    assert api.client.get(path).status_code == 401
    unknown = api.client.get("/api/v1/nominations/99999/history", headers=api.headers("quantri"))
    assert unknown.status_code == 404
    for path in ("/api/v1/audit/events", "/api/v1/audit/verify"):
        assert api.client.get(path, headers=api.headers("thuky.dh_hl")).status_code == 403
    # Read only: nothing here changes anything.
    headers = api.headers("thanhtra.cdgdvn")
    assert api.client.post("/api/v1/audit/verify", headers=headers).status_code == 405
    assert api.client.get("/api/v1/definitions", headers=headers).status_code == 403


def test_audit_events_in_scope_with_filters(api: Api) -> None:
    with Session(api.db) as session:
        instance_events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id.is_not(None))
        )
    everything = _events(api, "thanhtra.cdgdvn")
    # Every demo nomination started under CDGDVN; deployments are for admins only.
    assert everything["total"] == instance_events
    assert "definition.deployed" not in {e["action"] for e in everything["items"]}
    assert _events(api, "thanhtra.sogddtnd")["total"] == 0
    admin = _events(api, "quantri")
    assert admin["total"] == instance_events + 1
    [deployed] = [e for e in admin["items"] if e["action"] == "definition.deployed"]
    assert (deployed["definition_key"], deployed["definition_version"]) == ("nomination", 1)

    seqs = [e["seq"] for e in everything["items"]]
    assert seqs == sorted(seqs)
    page2 = _events(api, "thanhtra.cdgdvn", "per_page=5&page=2")
    assert [e["seq"] for e in page2["items"]] == seqs[5:10]
    after = _events(api, "thanhtra.cdgdvn", f"after={seqs[9]}")
    assert [e["seq"] for e in after["items"]] == seqs[10:]

    ballots = _events(api, "thanhtra.cdgdvn", "action=ballot.cast")["items"]
    assert len(ballots) == 14 and {e["action"] for e in ballots} == {"ballot.cast"}
    [appraisal] = _events(api, "thanhtra.cdgdvn", "actor=thuky.dh_hl")["items"]
    assert appraisal["bpmn_id"] == "appraise"

    mai_anh = _nomination(api, "Đỗ Thị Mai Anh")
    of_nomination = _events(api, "thanhtra.cdgdvn", f"nomination={mai_anh.id}")["items"]
    assert {e["nomination_id"] for e in of_nomination} == {mai_anh.id}
    at_university = _events(api, "thanhtra.cdgdvn", "org=DH_HL")["items"]
    assert [e["seq"] for e in at_university] == [e["seq"] for e in of_nomination]

    # Phạm Thị Hương climbed from THPT_LVT to CDGD_NB: the school's filter keeps the school's
    # steps and leaves out what the province did.
    huong = _nomination(api, "Phạm Thị Hương")
    school = _events(api, "thanhtra.cdgdvn", f"org=THPT_LVT&nomination={huong.id}")["items"]
    province = _events(api, "thanhtra.cdgdvn", f"org=CDGD_NB&nomination={huong.id}")["items"]
    assert {e["org"] for e in school} == {"THPT_LVT", None}
    assert "CDGD_NB" in {e["org"] for e in province}
    assert len(province) > len(school)  # CDGD_NB's subtree holds the school too
    assert _events(api, "thanhtra.cdgdvn", "org=SO_GDDT_ND")["total"] == 0

    window = "from=2026-11-21T00:00:00%2B07:00&to=2026-11-22T00:00:00%2B07:00&action=task.completed"
    timed = _events(api, "thanhtra.cdgdvn", window)["items"]
    assert timed and all("2026-11-20T17:00" <= e["at"] <= "2026-11-21T17:00" for e in timed)
    with Session(api.db) as session:
        expected = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .join(Instance, Instance.id == AuditEvent.instance_id)
            .where(
                AuditEvent.action == "task.completed",
                AuditEvent.at >= datetime(2026, 11, 20, 17, tzinfo=UTC),
                AuditEvent.at <= datetime(2026, 11, 21, 17, tzinfo=UTC),
            )
        )
    assert len(timed) == expected
    naive = _events(
        api,
        "thanhtra.cdgdvn",
        "from=2026-11-21T00:00:00&to=2026-11-22T00:00:00&action=task.completed",
    )
    assert naive["total"] == len(timed)  # a time without offset is Vietnam's
    bad = api.client.get("/api/v1/audit/events?from=yesterday", headers=api.headers("quantri"))
    assert bad.status_code == 422


def test_the_chain_verifies(api: Api) -> None:
    response = api.client.get("/api/v1/audit/verify", headers=api.headers("thanhtra.sogddtnd"))
    assert response.status_code == 200
    body = response.get_json()
    with Session(api.db) as session:
        head = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert head is not None
    assert body == {
        "ok": True,
        "checked": head.seq,
        "head_hash": head.hash,
        "broken_seq": None,
        "problem": "",
        "code": "",
        "anchors_checked": 0,
        "newest_anchor": None,
        "newest_anchor_age_s": None,
        "newest_anchor_text": "",
        "unanchored": head.seq,
        "warning": "Cảnh báo: chưa có mốc neo nào, nên việc xoá các sự kiện cuối chuỗi sẽ "
        "không bị phát hiện.",
    }
