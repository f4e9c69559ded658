"""The task inbox over HTTP: my tasks and their forms, completing one, a council's list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, TaskRow
from tests.api.conftest import Api
from tests.api.test_nominations import find, get

SECRETARY = "thuky.thcs_ths"  # the demo's Nguyễn Thị Thu Hà waits for this appraisal
COUNCIL = [f"hoidong{n}.thcs_ths" for n in (1, 2, 3)]


def inbox(api: Api, user: str, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = get(api, "/api/v1/tasks", user, **query)["items"]
    return items


def complete(api: Api, user: str, task_id: str, data: Any, **headers: str) -> Any:
    return api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": data},
        headers=api.headers(user, **headers),
    )


def complete_many(api: Api, user: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = api.client.post(
        "/api/v1/tasks/complete", json={"items": items}, headers=api.headers(user)
    )
    assert response.status_code == 200, response.get_json()
    assert_no_ballot(response.get_json())
    results: list[dict[str, Any]] = response.get_json()["results"]
    return results


def assert_no_ballot(body: Any) -> None:
    """No answer carries a choice: no ballot-like key, no "for"/"against" value."""
    if isinstance(body, dict):
        assert not {"vote", "choice", "ballot", "ballots"} & set(body), body
        for value in body.values():
            assert_no_ballot(value)
    elif isinstance(body, list):
        for value in body:
            assert_no_ballot(value)
    else:
        assert body not in ("for", "against"), body


def counts(api: Api) -> tuple[int, int]:
    """Audit events and ready tasks: what a refused completion must leave as it was."""
    with Session(api.db) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
        ready = session.scalar(
            select(func.count()).select_from(TaskRow).where(TaskRow.state == "ready")
        )
    return events, ready or 0


def test_the_inbox_shows_my_tasks_with_their_forms(api: Api) -> None:
    [task] = inbox(api, SECRETARY)
    thu_ha = find(api, "Nguyễn Thị Thu Hà")["id"]
    assert (task["bpmn_id"], task["title"], task["lane"], task["org"]) == (
        "appraise",
        "Thẩm định hồ sơ",
        "secretary",
        "THCS_THS",
    )
    assert task["overdue"] is True and task["due_at"] == "2026-11-18T17:00:00+00:00"
    assert task["nomination"] == {
        "id": thu_ha,
        "business_key": task["nomination"]["business_key"],
        "nominee_name": "Nguyễn Thị Thu Hà",
        "award_code": "CSTDCS",
        "award_name": "Chiến sĩ thi đua cơ sở",
        "stage": "appraise",
        "current_org": "THCS_THS",
        "level": "L1",
    }
    form = {field["name"]: field for field in task["form"]}
    assert list(form) == ["result", "missing", "reason"]
    assert form["result"]["type"] == "choice" and form["result"]["required"] is True
    assert set(form["result"]["choices"]) == {"complete", "incomplete", "refused"}
    assert form["missing"]["type"] == "list"

    def total(**query: Any) -> int:
        found: int = get(api, "/api/v1/tasks", SECRETARY, **query)["total"]
        return found

    assert total(stage="appraise") == total(overdue="true") == total(org="THCS_THS") == 1
    assert total(nomination=thu_ha, campaign="NH2025-2026") == 1
    assert total(stage="vote") == total(overdue="false") == total(org="THPT_LVT") == 0
    assert total(campaign="CD2026-DOT1") == total(nomination=thu_ha + 1000) == 0

    # A ballot is in its member's inbox only; a member who voted has nothing left.
    [ballot] = inbox(api, "hoidong3.cdgdnb")
    assert ballot["bpmn_id"] == "vote" and [f["name"] for f in ballot["form"]] == ["vote"]
    assert inbox(api, "hoidong1.cdgdnb") == []

    one = get(api, f"/api/v1/tasks/{task['id']}", SECRETARY)
    assert one["state"] == "ready" and one["form"] == task["form"]
    get(api, f"/api/v1/tasks/{task['id']}", "thuky.thpt_lvt", expect=404)
    get(api, f"/api/v1/tasks/{ballot['id']}", "hoidong1.cdgdnb", expect=404)
    # The returned dossier carries the appraisal's list of what is missing.
    [dossier] = inbox(api, "canbo.thcs_ths")
    assert get(api, f"/api/v1/tasks/{dossier['id']}", "canbo.thcs_ths")["missing"] == [
        "Biên bản họp bình xét có chữ ký",
        "Bản nhận xét của tổ chuyên môn",
    ]


def test_completing_a_task_moves_the_nomination_on_exactly_once(api: Api) -> None:
    [task] = inbox(api, SECRETARY)
    done = complete(api, SECRETARY, task["id"], {"result": "complete"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert (body["task"], body["status"]) == (task["id"], "active")
    assert body["nomination"]["stage"] == "vote"
    assert body["nomination"]["id"] == task["nomination"]["id"]
    assert {t["assignee"] for t in body["next_tasks"]} == set(COUNCIL)
    for member in COUNCIL:
        assert [t["nomination"]["id"] for t in inbox(api, member)] == [task["nomination"]["id"]]
    assert inbox(api, SECRETARY) == []

    before = counts(api)
    again = complete(api, SECRETARY, task["id"], {"result": "complete"})
    assert again.status_code == 409
    assert again.get_json()["detail"].startswith("Công việc này đã được xử lý")
    assert counts(api) == before
    # The secretary can still look at what they did.
    assert get(api, f"/api/v1/tasks/{task['id']}", SECRETARY)["state"] == "completed"


def test_completions_refused_for_the_wrong_person_or_bad_data_change_nothing(api: Api) -> None:
    [ballot] = inbox(api, "hoidong3.cdgdnb")
    [appraisal] = inbox(api, SECRETARY)
    before = counts(api)
    # Not in my inbox (another unit's, another member's): not found, as on reading it.
    other_unit = complete(api, "hoidong1.thcs_ths", ballot["id"], {"vote": "for"})
    assert other_unit.status_code == 404
    assert "CDGD_NB" not in other_unit.get_json()["detail"]
    assert complete(api, "hoidong1.cdgdnb", ballot["id"], {"vote": "for"}).status_code == 404
    unknown = complete(api, SECRETARY, "00000000-0000-0000-0000-000000000000", {})
    assert unknown.status_code == 404

    incomplete = complete(api, SECRETARY, appraisal["id"], {"result": "incomplete"})
    assert incomplete.status_code == 422
    assert incomplete.get_json()["title"] == "Dữ liệu không hợp lệ."
    assert incomplete.get_json()["errors"] == {"missing": "Trường này là bắt buộc."}
    english = complete(
        api, SECRETARY, appraisal["id"], {"result": "?"}, **{"Accept-Language": "en"}
    )
    assert english.get_json()["title"] == "The data is not valid."
    assert english.get_json()["errors"] == {
        "result": "Choose one of: complete, incomplete, refused."
    }
    [meeting] = inbox(api, "thuky.th_dth")
    too_many = {"members_total": 3, "for": 3, "against": 1, "minutes_no": "05/BB-HĐTĐKT"}
    over = complete(api, "thuky.th_dth", meeting["id"], too_many)
    assert over.get_json()["errors"] == {"for": "Tổng số phiếu vượt quá số thành viên Hội đồng."}
    not_an_object = complete(api, SECRETARY, appraisal["id"], "complete")
    assert not_an_object.status_code == 422
    assert not_an_object.get_json()["errors"] == {"data": ["Phải là một đối tượng JSON."]}
    # A NUL cannot be stored (PostgreSQL): a field error for a real task, 404 for none.
    nul = complete(api, SECRETARY, appraisal["id"], {"result": "complete", "reason": "a\x00"})
    assert nul.get_json()["errors"] == {"reason": "Giá trị không hợp lệ."}
    assert complete(api, SECRETARY, "nope\x00", {}).status_code == 404
    assert counts(api) == before
    assert inbox(api, SECRETARY) == [appraisal]


def test_a_council_votes_its_meeting_list_in_one_request_each(api: Api) -> None:
    # A second nomination at the same school, submitted, then both appraised in one request.
    created = api.client.post(
        "/api/v1/nominations",
        json={
            "org": "THCS_THS",
            "award_code": "LDTT",
            "campaign": "NH2025-2026",
            "nominee": {"kind": "individual", "name": "Lê Thị Hoa"},
            "achievements": "Hoàn thành tốt nhiệm vụ.",
        },
        headers=api.headers("canbo.thcs_ths"),
    ).get_json()
    [dossier] = created["open_tasks"]
    assert complete(api, "canbo.thcs_ths", dossier["id"], {"action": "submit"}).status_code == 200
    appraisals = inbox(api, SECRETARY)
    assert len(appraisals) == 2
    results = complete_many(
        api, SECRETARY, [{"task": t["id"], "data": {"result": "complete"}} for t in appraisals]
    )
    assert [r["status"] for r in results] == [200, 200]

    ballots = {member: [t["id"] for t in inbox(api, member, stage="vote")] for member in COUNCIL}
    assert all(len(ids) == 2 for ids in ballots.values())
    bad_items = {
        COUNCIL[0]: ("00000000-0000-0000-0000-000000000000", 404),  # no such task
        COUNCIL[1]: (ballots[COUNCIL[2]][0], 404),  # another member's ballot
        COUNCIL[2]: (ballots[COUNCIL[2]][0], 409),  # my own, already cast above in the list
    }
    for member in COUNCIL:
        choice = "against" if member == COUNCIL[2] else "for"
        bad_task, bad_status = bad_items[member]
        items = [{"task": ballots[member][0], "data": {"vote": choice}}]
        items += [{"task": bad_task, "data": {"vote": "for"}}]
        items += [{"task": ballots[member][1], "data": {"vote": choice}}]
        with Session(api.db) as session:
            events = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "task.completed")
            )
        results = complete_many(api, member, items)
        assert [r["status"] for r in results] == [200, bad_status, 200]
        assert results[1]["problem"]["status"] == bad_status and "problem" not in results[0]
        with Session(api.db) as session:
            after = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "task.completed")
            )
        assert after == (events or 0) + 2  # each ballot its own audited change
        assert inbox(api, member) == []

    for nomination in (created["id"], find(api, "Nguyễn Thị Thu Hà")["id"]):
        body = get(api, f"/api/v1/nominations/{nomination}", SECRETARY)
        assert_no_ballot(body)
        assert body["stage"] == "publicity"
        [tally] = body["tallies"]
        assert (tally["votes_for"], tally["votes_against"], tally["members_total"]) == (2, 1, 3)
    cast = get(api, f"/api/v1/tasks/{ballots[COUNCIL[2]][0]}", COUNCIL[2])
    assert cast["state"] == "completed"
    assert_no_ballot(cast)

    assert complete_many(api, SECRETARY, []) == []
    too_many = [{"task": "x", "data": {}}] * 101
    refused = api.client.post(
        "/api/v1/tasks/complete", json={"items": too_many}, headers=api.headers(SECRETARY)
    )
    assert refused.status_code == 422 and "items" in refused.get_json()["errors"]
