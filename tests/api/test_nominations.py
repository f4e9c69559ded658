"""Nominations over HTTP: opening one, lists and search, reading one, withdrawing."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.api.conftest import Api
from workflows.models import Nomination

AUDITOR = "thanhtra.cdgdvn"  # sees every demo nomination: they all start below CDGDVN
NEW = {
    "org": "THPT_LVT",
    "award_code": "CSTD_BO_TINH",
    "campaign": "NH2025-2026",
    "nominee": {"kind": "individual", "name": "Trần Văn Nam", "position": "Giáo viên Toán"},
    "achievements": "Hoàn thành xuất sắc nhiệm vụ; sáng kiến cấp tỉnh.",
    "documents": ["Tờ trình đề nghị", "Báo cáo thành tích"],
}


def find(api: Api, name: str) -> dict[str, Any]:
    """The demo nomination of `name`, as the auditor lists it."""
    found = get(api, "/api/v1/nominations", AUDITOR, q=name)["items"]
    assert len(found) == 1, found
    item: dict[str, Any] = found[0]
    return item


def get(api: Api, path: str, user: str, expect: int = 200, **query: Any) -> Any:
    response = api.client.get(path, query_string=query, headers=api.headers(user))
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def names(page: dict[str, Any]) -> list[str]:
    return [item["nominee"]["name"] for item in page["items"]]


def count_nominations(api: Api) -> int:
    with Session(api.db) as session:
        return session.scalar(select(func.count()).select_from(Nomination)) or 0


def test_a_proposer_opens_a_nomination_and_sees_its_first_task_and_findings(api: Api) -> None:
    created = api.client.post(
        "/api/v1/nominations", json=NEW, headers=api.headers("canbo.thpt_lvt")
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["status"], body["stage"], body["level"]) == ("open", "prepare_dossier", "L1")
    assert (
        body["current_org"]
        == body["origin_org"]
        == {
            "code": "THPT_LVT",
            "name": "Công đoàn Trường THPT Lương Văn Tụy",
        }
    )
    assert body["award"]["name"] == "Chiến sĩ thi đua cấp bộ, ngành, tỉnh"
    assert body["nominee"] == {
        "kind": "individual",
        "name": "Trần Văn Nam",
        "position": "Giáo viên Toán",
        "unit": "",
    }
    assert body["documents"] == NEW["documents"] and body["missing"] == []
    assert body["created_at"] == "2026-11-23T03:00:00+00:00"  # the app's clock
    [task] = body["open_tasks"]
    assert (task["bpmn_id"], task["lane"], task["org"]) == (
        "prepare_dossier",
        "proposer",
        "THPT_LVT",
    )
    # Trần Văn Nam holds CSTĐCS 2024 and 2025 only: the third consecutive year is missing.
    [finding] = body["findings"]
    assert finding["code"] == "prerequisite"
    assert "2023" in finding["message"] and "Luật" in finding["basis"]
    assert get(api, f"/api/v1/nominations/{body['id']}", "canbo.thpt_lvt") == body
    # Newest first.
    assert get(api, "/api/v1/nominations", AUDITOR)["items"][0]["id"] == body["id"]

    # Phạm Thị Hương holds three consecutive CSTĐCS: no prerequisite finding; her level-1
    # tally shows as counts only.
    huong = get(api, f"/api/v1/nominations/{find(api, 'Phạm Thị Hương')['id']}", "thuky.cdgdnb")
    assert [f for f in huong["findings"] if f["code"] == "prerequisite"] == []
    assert huong["decisions"][0]["decision"] == "forward"
    assert huong["tallies"][0]["votes_for"] == 3 and huong["tallies"][0]["passed"] is True
    assert [t["bpmn_id"] for t in huong["open_tasks"]] == ["vote"]


def test_opening_refuses_other_units_and_bad_data_and_stores_nothing(api: Api) -> None:
    before = count_nominations(api)
    headers = api.headers("canbo.thpt_lvt")
    other_unit = api.client.post(
        "/api/v1/nominations", json={**NEW, "org": "THCS_THS"}, headers=headers
    )
    assert other_unit.status_code == 403
    assert other_unit.content_type == "application/problem+json"

    wrong_kind = {**NEW, "nominee": {"kind": "collective", "name": "Tổ Văn"}}
    invalid = api.client.post("/api/v1/nominations", json=wrong_kind, headers=headers)
    assert invalid.status_code == 422
    assert invalid.get_json()["errors"] == {"nominee.kind": "Danh hiệu này dành cho cá nhân."}

    unknown = {**NEW, "award_code": "NO_SUCH", "campaign": "NO_SUCH"}
    errors = api.client.post("/api/v1/nominations", json=unknown, headers=headers).get_json()
    assert set(errors["errors"]) == {"award_code", "campaign"}

    missing = api.client.post(
        "/api/v1/nominations",
        json={"org": "THPT_LVT", "nominee": {"kind": "someone"}, "documents": "x"},
        headers=headers,
    )
    assert missing.status_code == 422
    assert missing.get_json()["errors"] == {
        "award_code": ["Trường này là bắt buộc."],
        "campaign": ["Trường này là bắt buộc."],
        "achievements": ["Trường này là bắt buộc."],
        "documents": ["Phải là danh sách."],
        "nominee": {
            "kind": ["Chọn một trong: individual, collective."],
            "name": ["Trường này là bắt buộc."],
        },
    }
    stranger = {**NEW, "nominee": {**NEW["nominee"], "username": "no.such.person"}}
    response = api.client.post("/api/v1/nominations", json=stranger, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"nominee.username": "Không có người dùng này."}
    nul = {**NEW, "nominee": {"kind": "individual", "name": "Trần\x00Nam"}}
    response = api.client.post("/api/v1/nominations", json=nul, headers=headers)
    assert response.get_json()["errors"] == {"nominee": {"name": ["Giá trị không hợp lệ."]}}
    assert count_nominations(api) == before


def test_lists_filter_paginate_and_show_only_what_the_caller_may_see(api: Api) -> None:
    everything = get(api, "/api/v1/nominations", AUDITOR)
    assert everything["total"] == 7
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids, reverse=True)
    first = get(api, "/api/v1/nominations", AUDITOR, per_page=3)
    last = get(api, "/api/v1/nominations", AUDITOR, per_page=3, page=3)
    assert (first["total"], len(first["items"]), len(last["items"])) == (7, 3, 1)
    assert [i["id"] for i in first["items"]] == ids[:3] and last["items"][0]["id"] == ids[-1]

    def listed(**query: Any) -> set[str]:
        return set(names(get(api, "/api/v1/nominations", AUDITOR, per_page=100, **query)))

    assert listed(stage="vote") == {"Phạm Thị Hương"}
    assert len(listed(status="open")) == 5
    assert listed(status="awarded") == {"Nguyễn Văn An"}
    assert listed(award="LDTT") == {"Nguyễn Văn An", "Trần Văn Nam", "Vũ Thị Thúy"}
    assert len(listed(campaign="NH2025-2026")) == 7 and listed(campaign="CD2026-DOT1") == set()
    assert listed(org="CDGD_NB") == {"Phạm Thị Hương"}  # the level it is at now
    assert listed(org="CDGD_NB", subtree="true") == listed() - {"Đỗ Thị Mai Anh"}
    assert listed(org="THCS_THS") == {"Trần Văn Nam", "Nguyễn Thị Thu Hà"}

    # A school's proposer sees its own; the province's secretary what reached the province.
    assert set(names(get(api, "/api/v1/nominations", "canbo.thcs_ths"))) == {
        "Trần Văn Nam",
        "Nguyễn Thị Thu Hà",
    }
    assert names(get(api, "/api/v1/nominations", "thuky.cdgdnb")) == ["Phạm Thị Hương"]
    bad = api.client.get("/api/v1/nominations?per_page=0", headers=api.headers(AUDITOR))
    assert bad.status_code == 422 and "per_page" in bad.get_json()["errors"]


def test_text_search_matches_names_however_they_are_written(api: Api) -> None:
    def search(q: str) -> list[str]:
        return names(get(api, "/api/v1/nominations", AUDITOR, q=q))

    assert search("Vũ Thị Thúy") == ["Vũ Thị Thúy"]
    assert search("thuý") == ["Vũ Thị Thúy"]  # old-style tone placement
    assert search("  VŨ   THỊ ") == ["Vũ Thị Thúy"]  # case and spaces
    assert search(unicodedata.normalize("NFD", "thúy")) == ["Vũ Thị Thúy"]  # decomposed input
    assert sorted(search("nguyễn")) == ["Nguyễn Thị Thu Hà", "Nguyễn Văn An"]
    assert search("100%") == []  # LIKE wildcards are matched literally
    key = find(api, "Phạm Thị Hương")["business_key"]
    assert search(key.lower()[3:12]) == ["Phạm Thị Hương"]


def test_another_units_nomination_is_not_found_until_it_reaches_your_level(api: Api) -> None:
    huong = find(api, "Phạm Thị Hương")["id"]  # from THPT_LVT, now at CDGD_NB (L2)
    an = find(api, "Nguyễn Văn An")["id"]  # from THPT_LVT, awarded there
    hidden = get(api, f"/api/v1/nominations/{huong}", "canbo.thcs_ths", expect=404)
    unknown = get(api, "/api/v1/nominations/999999", "canbo.thcs_ths", expect=404)
    assert hidden["title"] == unknown["title"] == "Không tìm thấy."
    get(api, f"/api/v1/nominations/{10**20}", "canbo.thcs_ths", expect=404)
    assert get(api, f"/api/v1/nominations/{huong}", "thuky.cdgdnb")["level"] == "L2"
    get(api, f"/api/v1/nominations/{an}", "thuky.cdgdnb", expect=404)
    assert get(api, f"/api/v1/nominations/{an}", "canbo.thpt_lvt")["status"] == "awarded"
    assert api.client.get(f"/api/v1/nominations/{an}").status_code == 401
    # Trần Văn Nam's dossier was sent back: what is missing shows with the nomination.
    nam = get(api, f"/api/v1/nominations/{find(api, 'Trần Văn Nam')['id']}", "canbo.thcs_ths")
    assert nam["missing"] == ["Biên bản họp bình xét có chữ ký", "Bản nhận xét của tổ chuyên môn"]


def test_the_proposer_withdraws_and_the_tasks_leave_the_inboxes(api: Api) -> None:
    thu_ha = find(api, "Nguyễn Thị Thu Hà")["id"]  # waiting for appraisal at THCS_THS
    # Her appraisal went overdue on 18/11; the server's timer loop has marked it by now.
    api.app.extensions["laurel.engine"].fire_due_timers()
    path = f"/api/v1/nominations/{thu_ha}/withdraw"
    inbox = get(api, "/api/v1/tasks", "thuky.thcs_ths")
    assert [t["nomination"]["id"] for t in inbox["items"]] == [thu_ha]

    assert api.client.post(path, headers=api.headers("canbo.thpt_lvt")).status_code == 404
    secretary = api.client.post(path, json={}, headers=api.headers("thuky.thcs_ths"))
    assert secretary.status_code == 403

    done = api.client.post(
        path, json={"reason": "Xin rút để đề nghị năm sau"}, headers=api.headers("canbo.thcs_ths")
    )
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["status"], body["stage"], body["open_tasks"]) == ("withdrawn", "withdrawn", [])
    assert get(api, "/api/v1/tasks", "thuky.thcs_ths")["total"] == 0

    again = api.client.post(path, headers=api.headers("canbo.thcs_ths"))
    assert again.status_code == 409 and again.get_json()["detail"]
    awarded = find(api, "Nguyễn Văn An")["id"]
    ended = api.client.post(
        f"/api/v1/nominations/{awarded}/withdraw", headers=api.headers("canbo.thpt_lvt")
    )
    assert ended.status_code == 409
