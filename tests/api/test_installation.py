"""The installation admin over HTTP: organisations, people and roles, campaigns, awards and
their rule versions, the calendar — what changes for users, the audit trail, and refusals
that store nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent, Instance
from tests.api.conftest import Api
from workflows.calendar import WorkingCalendar
from workflows.models import AwardRule, Nomination, Organisation, Person

ADMIN = "quantri"  # admin at TLD and BO_GDDT, the tops of both demo chains
BASE = "/api/v1/installation"


def call(api: Api, method: str, path: str, user: str = ADMIN, body: Any = None) -> Any:
    response = api.client.open(f"{BASE}{path}", method=method, json=body, headers=api.headers(user))
    return response


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return None if status == 204 else response.get_json()


def events(api: Api, action: str) -> list[tuple[str, dict[str, Any]]]:
    with Session(api.db) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.payload)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        ).all()
    return [(actor, json.loads(payload)) for actor, payload in rows]


def event_count(api: Api) -> int:
    with Session(api.db) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def chain_holds(api: Api) -> bool:
    with api.db.connect() as connection:
        return audit.verify(connection).ok


def test_a_new_organisation_appears_in_the_tree_and_can_be_a_parent(api: Api) -> None:
    body = {"code": "CDGD_HN", "name": "Công đoàn Giáo dục Hà Nội", "level": "L2"}
    created = ok(call(api, "POST", "/organizations", body={**body, "parent": "CDGDVN"}), 201)
    assert created == {**body, "parent": "CDGDVN", "voting": "ballot", "depth": 2}
    child = {"code": "THPT_CVA", "name": "Công đoàn Trường THPT Chu Văn An", "level": "L1"}
    ok(call(api, "POST", "/organizations", body={**child, "parent": "CDGD_HN"}), 201)

    tree = ok(call(api, "GET", "/organizations"))
    codes = [o["code"] for o in tree]
    assert codes.index("CDGDVN") < codes.index("CDGD_HN") < codes.index("THPT_CVA")
    assert {o["code"]: o["depth"] for o in tree}["THPT_CVA"] == 3
    # Everyone reads it in the reference list too (a proposer picks organisations there).
    reference = api.client.get("/api/v1/organizations", headers=api.headers("canbo.thcs_ths"))
    assert "THPT_CVA" in {o["code"] for o in reference.get_json()}

    changed = ok(call(api, "PATCH", "/organizations/THPT_CVA", body={"voting": "meeting"}))
    assert changed["voting"] == "meeting"
    [(actor, payload)] = events(api, "admin.org.update")
    assert actor == ADMIN
    assert payload == {
        "org": "THPT_CVA",
        "before": {"voting": "ballot"},
        "after": {"voting": "meeting"},
    }
    created_events = events(api, "admin.org.create")
    assert [p["org"] for _, p in created_events] == ["CDGD_HN", "THPT_CVA"]
    assert created_events[0][1]["after"]["parent"] == "CDGDVN"
    assert chain_holds(api)


def test_a_loop_levels_out_of_order_and_a_taken_code_are_refused_and_nothing_is_stored(
    api: Api,
) -> None:
    before = event_count(api)
    loop = ok(call(api, "PATCH", "/organizations/CDGDVN", body={"parent": "THPT_LVT"}), 422)
    assert "vòng lặp" in loop["errors"]["parent"][0]
    too_high = {"code": "X1", "name": "Đơn vị X", "level": "L3", "parent": "CDGD_NB"}
    refused = ok(call(api, "POST", "/organizations", body=too_high), 422)
    assert "không thấp hơn" in refused["errors"]["level"][0]
    above_children = ok(call(api, "PATCH", "/organizations/CDGD_NB", body={"level": "L1"}), 422)
    assert "THPT_LVT" in above_children["errors"]["level"][0]
    taken = {"code": "THPT_LVT", "name": "Trùng mã", "level": "L1", "parent": "CDGD_NB"}
    conflict = ok(call(api, "POST", "/organizations", body=taken), 409)
    assert "THPT_LVT" in conflict["detail"] and "đã được dùng" in conflict["detail"]
    blank = ok(
        call(api, "POST", "/organizations", body={"code": "a b", "name": "", "level": "L9"}), 422
    )
    assert set(blank["errors"]) >= {"code", "level"}
    english = api.client.post(
        f"{BASE}/organizations",
        json=too_high,
        headers=api.headers(ADMIN, **{"Accept-Language": "en"}),
    ).get_json()
    assert "is not below its parent" in english["errors"]["level"][0]

    assert event_count(api) == before
    with Session(api.db) as session:
        assert session.get(Organisation, "X1") is None
        assert session.get(Organisation, "CDGDVN").parent_code == "TLD"  # type: ignore[union-attr]
        assert session.get(Organisation, "CDGD_NB").level == "L2"  # type: ignore[union-attr]


def _appraisals(api: Api, user: str) -> list[str]:
    tasks = ok(api.client.get("/api/v1/tasks", headers=api.headers(user)))
    return [t["nomination"]["nominee_name"] for t in tasks["items"] if t["bpmn_id"] == "appraise"]


def test_a_person_granted_secretary_sees_the_units_appraisals_until_revoked(api: Api) -> None:
    person = {"username": "thuky2.thcs_ths", "full_name": "Đỗ Thị Lan", "password": "mat-khau-moi"}
    created = ok(call(api, "POST", "/people", body=person), 201)
    assert created == {
        "username": "thuky2.thcs_ths",
        "full_name": "Đỗ Thị Lan",
        "active": True,
        "roles": [],
    }
    assert "Nguyễn Thị Thu Hà" not in _appraisals(api, "thuky2.thcs_ths")

    role = {"role": "secretary", "org": "THCS_THS"}
    granted = ok(call(api, "POST", "/people/thuky2.thcs_ths/roles", body=role), 201)
    assert granted["roles"] == [role]
    assert "Nguyễn Thị Thu Hà" in _appraisals(api, "thuky2.thcs_ths")
    again = ok(call(api, "POST", "/people/thuky2.thcs_ths/roles", body=role), 409)
    assert "đã giữ vai trò" in again["detail"]

    # The password works, and neither it nor its hash is in any answer or in the trail.
    token = api.client.post(
        "/api/v1/auth/token", json={"username": "thuky2.thcs_ths", "password": "mat-khau-moi"}
    )
    assert token.status_code == 201
    with Session(api.db) as session:
        stored = session.get(Person, "thuky2.thcs_ths")
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        hashed = stored.password_hash
    trail = json.dumps(events(api, "admin.person.create"))
    assert "mat-khau-moi" not in trail and hashed not in trail
    listed = ok(call(api, "GET", "/people?q=thuky2"))
    assert listed["total"] == 1 and "password_hash" not in json.dumps(listed)

    ok(call(api, "DELETE", "/people/thuky2.thcs_ths/roles/secretary/THCS_THS"), 204)
    api.sign_out_everyone()
    assert "Nguyễn Thị Thu Hà" not in _appraisals(api, "thuky2.thcs_ths")
    assert events(api, "admin.person.role_grant") == [
        (ADMIN, {"username": "thuky2.thcs_ths", **role})
    ]
    assert events(api, "admin.person.role_revoke") == [
        (ADMIN, {"username": "thuky2.thcs_ths", **role})
    ]

    changed = ok(
        call(
            api,
            "PATCH",
            "/people/thuky2.thcs_ths",
            body={"active": False, "password": "mat-khau-khac"},
        )
    )
    assert changed["active"] is False
    [(_, payload)] = events(api, "admin.person.update")
    assert payload == {
        "username": "thuky2.thcs_ths",
        "before": {"active": True},
        "after": {"active": False},
        "password_changed": True,
    }
    assert chain_holds(api)


def test_an_admin_manages_only_their_subtree_and_keeps_their_last_admin_role(api: Api) -> None:
    local = {
        "username": "quantri.cdgdnb",
        "full_name": "Vũ Minh Tâm",
        "password": "laurel-demo-2",
        "role": "admin",
        "org": "CDGD_NB",
    }
    ok(call(api, "POST", "/people", body=local), 201)
    me = "quantri.cdgdnb"
    tree = ok(call(api, "GET", "/organizations", user=me))
    assert {o["code"] for o in tree} == {"CDGD_NB", "THPT_LVT", "THCS_THS", "TH_DTH"}
    before = event_count(api)
    # Outside: as if it did not exist.
    assert call(api, "PATCH", "/organizations/THPT_LHP", me, {"name": "X"}).status_code == 404
    assert call(api, "PATCH", "/organizations/CDGDVN", me, {"name": "X"}).status_code == 404
    assert call(api, "GET", "/people/thanhtra.sogddtnd", me).status_code == 404
    outside = call(
        api, "POST", "/people/thuky.thcs_ths/roles", me, {"role": "head", "org": "THPT_LHP"}
    )
    assert outside.status_code == 422 and "phạm vi" in outside.get_json()["errors"]["org"][0]
    top = {"code": "MOI", "name": "Đơn vị mới", "level": "L4"}
    assert "parent" in ok(call(api, "POST", "/organizations", me, top), 422)["errors"]
    last = ok(call(api, "DELETE", "/people/quantri.cdgdnb/roles/admin/CDGD_NB", me), 409)
    assert "vai trò quản trị cuối cùng" in last["detail"]
    assert event_count(api) == before
    # Inside: a school of the province union.
    ok(call(api, "PATCH", "/organizations/TH_DTH", me, {"voting": "ballot"}))
    ok(
        call(
            api, "POST", "/people/thuky.thcs_ths/roles", me, {"role": "council", "org": "THCS_THS"}
        ),
        201,
    )
    # The installation-wide admin may revoke it.
    ok(call(api, "DELETE", "/people/quantri.cdgdnb/roles/admin/CDGD_NB"), 204)


def test_people_without_the_admin_role_are_refused(api: Api) -> None:
    for user in ("canbo.thcs_ths", "thanhtra.cdgdvn", "chutich.tld"):
        for method, path, body in [
            ("GET", "/organizations", None),
            ("GET", "/people", None),
            ("GET", "/calendar/2026", None),
            ("POST", "/calendar/days", {"day": "2026-12-26", "kind": "work"}),
            ("PATCH", "/organizations/THCS_THS", {"name": "Đổi tên"}),
        ]:
            response = call(api, method, path, user, body)
            assert response.status_code == 403, (user, path)
            assert response.content_type == "application/problem+json"
    assert api.client.get(f"{BASE}/organizations").status_code == 401


def test_a_make_up_working_day_brings_deadlines_forward(api: Api) -> None:
    start = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday
    with Session(api.db) as session:
        deadline_before = WorkingCalendar.load(session).add_working_days(start, 2)
    made_up = {"day": "2026-11-28", "kind": "work", "note": "Làm bù"}  # a Saturday
    assert ok(call(api, "POST", "/calendar/days", body=made_up), 201) == made_up
    with Session(api.db) as session:
        deadline_after = WorkingCalendar.load(session).add_working_days(start, 2)
    assert deadline_after < deadline_before  # Friday and Saturday, not Friday and Monday

    year = ok(call(api, "GET", "/calendar/2026"))
    assert any(h["day"] == "2026-09-02" for h in year["holidays"])
    assert made_up in year["days"]
    # Refusals: a past day, a day that already works, a repeat.
    before = event_count(api)
    past = ok(call(api, "POST", "/calendar/days", body={"day": "2026-11-20", "kind": "off"}), 422)
    assert "đã qua" in past["errors"]["day"][0]
    weekday = ok(
        call(api, "POST", "/calendar/days", body={"day": "2026-11-27", "kind": "work"}), 422
    )
    assert "đã là ngày làm việc" in weekday["errors"]["kind"][0]
    assert call(api, "POST", "/calendar/days", body=made_up).status_code == 409
    assert (
        call(api, "POST", "/calendar/days", body={"day": "2026-13-01", "kind": "off"}).status_code
        == 422
    )
    assert event_count(api) == before

    ok(call(api, "DELETE", "/calendar/days/2026-11-28"), 204)
    assert call(api, "DELETE", "/calendar/days/2026-11-28").status_code == 404
    assert events(api, "admin.calendar.add") == [(ADMIN, {"after": made_up})]
    assert events(api, "admin.calendar.remove") == [(ADMIN, {"before": made_up})]
    assert chain_holds(api)


def _open_nomination(api: Api, name: str) -> int:
    body = {
        "org": "THCS_THS",
        "award_code": "LDTT",
        "campaign": "NH2025-2026",
        "nominee": {"kind": "individual", "name": name},
        "achievements": "Hoàn thành tốt nhiệm vụ.",
        "documents": ["Tờ trình"],
    }
    proposer = api.headers("canbo.thcs_ths")
    created = api.client.post("/api/v1/nominations", json=body, headers=proposer)
    assert created.status_code == 201, created.get_json()
    # A level reads the rules in force when the dossier reaches it.
    [task] = created.get_json()["open_tasks"]
    submitted = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"action": "submit"}},
        headers=proposer,
    )
    assert submitted.status_code == 200, submitted.get_json()
    with Session(api.db) as session:
        key = session.scalar(select(Nomination.business_key).where(Nomination.nominee_name == name))
        instance = session.scalar(select(Instance.id).where(Instance.business_key == key))
    assert instance is not None
    rules: dict[str, Any] = api.app.extensions["laurel.engine"].get_instance(instance).data["rules"]
    return int(rules["rule_id"])


def test_a_new_rule_version_applies_from_its_effective_date_and_the_old_one_before(
    api: Api,
) -> None:
    with Session(api.db) as session:
        old = session.scalars(select(AwardRule).where(AwardRule.award_code == "LDTT")).one()
    version = {
        "effective_from": "2026-12-01",
        "publicity_working_days": 7,
        "basis": "Quyết định thử nghiệm số 1/QĐ-TLĐ: công khai 7 ngày làm việc.",
    }
    created = ok(call(api, "POST", "/awards/LDTT/rules", body=version), 201)
    assert created["status"] == "future" and created["publicity_working_days"] == 7
    assert created["vote_threshold"] == old.vote_threshold  # carried over
    in_place = ok(
        call(api, "POST", "/awards/LDTT/rules", body={**version, "effective_from": "2026-11-23"}),
        422,
    )
    assert "sau hôm nay" in in_place["errors"]["effective_from"][0]
    assert call(api, "POST", "/awards/LDTT/rules", body=version).status_code == 409
    no_basis = ok(
        call(
            api, "POST", "/awards/LDTT/rules", body={"effective_from": "2027-01-01", "basis": " "}
        ),
        422,
    )
    assert "basis" in no_basis["errors"]

    assert _open_nomination(api, "Trước Ngày Mới") == old.id
    api.clock.advance(days=9)  # 2 December 2026
    api.sign_out_everyone()  # tokens expire
    assert _open_nomination(api, "Sau Ngày Mới") == created["id"]

    awards = {a["code"]: a for a in ok(call(api, "GET", "/awards"))}
    assert [r["status"] for r in awards["LDTT"]["rules"]] == ["superseded", "in_force"]
    # In force now: it stays; a later correction is a new version.
    assert call(api, "DELETE", f"/awards/LDTT/rules/{created['id']}").status_code == 409
    [(actor, payload)] = events(api, "admin.rule.create")
    assert actor == ADMIN and payload["supersedes"]["rule_id"] == old.id
    assert payload["after"]["basis"] == version["basis"]
    assert chain_holds(api)


def test_campaigns_and_awards_are_added_and_changed(api: Api) -> None:
    campaign = {
        "code": "TLD2027-1",
        "name": "Đợt 1 năm 2027",
        "starts": "2027-01-01",
        "ends": "2027-07-31",
    }
    backwards = {**campaign, "ends": "2026-12-31"}
    assert "ends" in ok(call(api, "POST", "/campaigns", body=backwards), 422)["errors"]
    assert ok(call(api, "POST", "/campaigns", body=campaign), 201) == campaign
    assert call(api, "POST", "/campaigns", body=campaign).status_code == 409
    ok(call(api, "PATCH", "/campaigns/TLD2027-1", body={"ends": "2027-07-28"}))
    assert campaign["code"] in {c["code"] for c in ok(call(api, "GET", "/campaigns"))}

    award = {
        "code": "KN_GD",
        "name": "Kỷ niệm chương Vì sự nghiệp giáo dục",
        "subject": "individual",
        "kind": "cong_hien",
    }
    created = ok(call(api, "POST", "/awards", body=award), 201)
    assert created["rules"] == []
    first = {"effective_from": "2027-01-01", "basis": "Thông tư thử nghiệm."}
    missing = ok(call(api, "POST", "/awards/KN_GD/rules", body=first), 422)["errors"]
    assert {"deciding_level", "vote_threshold", "publicity_working_days"} <= set(missing)
    full = {
        **first,
        "deciding_level": "L4",
        "vote_threshold": 0.5,
        "publicity_working_days": 5,
        "appraisal_sla_days": 10,
        "vote_sla_days": 5,
        "prerequisites": [{"award": "LDTT", "count": 5}],
    }
    rule = ok(call(api, "POST", "/awards/KN_GD/rules", body=full), 201)
    assert rule["prerequisites"] == [{"award": "LDTT", "count": 5}]
    ok(call(api, "DELETE", f"/awards/KN_GD/rules/{rule['id']}"), 204)  # not in force yet
    ok(call(api, "PATCH", "/awards/KN_GD", body={"criteria": "Có thời gian công tác 20 năm."}))
    actions = [a for a, _ in _admin_actions(api)]
    assert actions == [
        "admin.campaign.create",
        "admin.campaign.update",
        "admin.award.create",
        "admin.rule.create",
        "admin.rule.delete",
        "admin.award.update",
    ]
    assert chain_holds(api)


def _admin_actions(api: Api) -> list[tuple[str, str]]:
    with Session(api.db) as session:
        return [
            (action, actor)
            for action, actor in session.execute(
                select(AuditEvent.action, AuditEvent.actor)
                .where(AuditEvent.action.like("admin.%"))
                .order_by(AuditEvent.seq)
            )
        ]


def test_admin_changes_are_in_the_audit_event_search(api: Api) -> None:
    ok(
        call(
            api, "POST", "/calendar/days", body={"day": "2026-12-31", "kind": "off", "note": "Nghỉ"}
        ),
        201,
    )
    found = ok(
        api.client.get("/api/v1/audit/events?action=admin.calendar.add", headers=api.headers(ADMIN))
    )
    assert [e["actor"] for e in found["items"]] == [ADMIN]
    assert date.fromisoformat(found["items"][0]["data"]["after"]["day"]) == date(2026, 12, 31)


def test_a_schema_message_made_at_import_follows_each_requests_language(api: Api) -> None:
    """The code rule's message is built with the schema, before any request: an English
    client reads it in English, a Vietnamese one in Vietnamese."""
    bad_code = {"code": "a b", "name": "Đơn vị X", "level": "L3", "parent": "CDGD_NB"}
    english = api.client.post(
        f"{BASE}/organizations",
        json=bad_code,
        headers=api.headers(ADMIN, **{"Accept-Language": "en"}),
    ).get_json()
    assert english["errors"]["code"] == [
        "A code is ASCII letters, digits, '_', '.', '-' (at most 50 characters)."
    ]
    vietnamese = ok(call(api, "POST", "/organizations", body=bad_code), 422)
    assert vietnamese["errors"]["code"] == [
        "Mã gồm chữ cái không dấu, chữ số, '_', '.', '-' (tối đa 50 ký tự)."
    ]
