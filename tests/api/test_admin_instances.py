"""The admin API over instances and versions: filters, one instance with its diagram's
element states, suspend and resume, and the difference between two versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Instance, TaskRow
from tests.api.conftest import Api
from workflows.models import Nomination
from workflows.pipeline import pipeline_files

PIPELINE = pipeline_files()


def _an_appraisal(api: Api) -> tuple[int, str, str]:
    """An instance waiting at appraisal at THCS_THS: its id, the task and its business key."""
    with Session(api.db) as session:
        instance_id, task_id, key = session.execute(
            select(TaskRow.instance_id, TaskRow.id, TaskRow.business_key).where(
                TaskRow.bpmn_id == "appraise",
                TaskRow.state == "ready",
                TaskRow.org_scope == "THCS_THS",
            )
        ).first()  # type: ignore[misc]
    return instance_id, task_id, key


def test_instances_are_filtered_by_version_stage_organisation_and_status(api: Api) -> None:
    headers = api.headers("quantri")

    def listed(query: str) -> list[dict[str, object]]:
        answer = api.client.get(f"/api/v1/instances?per_page=100&{query}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        items: list[dict[str, object]] = answer.get_json()["items"]
        return items

    everything = listed("")
    assert everything and {i["definition_version"] for i in everything} == {1}
    assert listed("definition=nomination&version=2") == []
    appraisals = listed("stage=appraise")
    assert appraisals and all("appraise" in i["open_stages"] for i in appraisals)  # type: ignore[operator]
    instance_id, _, key = _an_appraisal(api)
    assert instance_id in {i["id"] for i in appraisals}
    with Session(api.db) as session:
        org = session.scalar(select(Nomination.current_org).where(Nomination.business_key == key))
    at_org = listed(f"org={org}")
    assert instance_id in {i["id"] for i in at_org}
    assert all(org in (i["current_org"], i["origin_org"]) for i in at_org)
    assert listed("org=NOWHERE") == []
    assert listed("status=suspended") == []
    for garbage in ("version=0", "status=paused", "stage=%00"):
        bad = api.client.get(f"/api/v1/instances?{garbage}", headers=headers)
        assert bad.status_code == 422, garbage


def test_an_instance_shows_its_elements_and_is_suspended_and_resumed(api: Api) -> None:
    headers = api.headers("quantri")
    instance_id, task_id, _ = _an_appraisal(api)
    detail = api.client.get(f"/api/v1/instances/{instance_id}", headers=headers).get_json()
    assert detail["elements"]["active"] == ["appraise"]
    assert "prepare_dossier" in detail["elements"]["done"]
    assert [t["id"] for t in detail["tasks"]] == [task_id]

    suspended = api.client.post(
        f"/api/v1/instances/{instance_id}/suspend", json={"reason": "Kiểm tra"}, headers=headers
    )
    assert (suspended.status_code, suspended.get_json()["status"]) == (200, "suspended")
    assert [
        i["id"]
        for i in api.client.get("/api/v1/instances?status=suspended", headers=headers).get_json()[
            "items"
        ]
    ] == [instance_id]
    refused = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"result": "complete"}},
        headers=api.headers("thuky.thcs_ths"),
    )
    assert refused.status_code == 409
    assert "Hồ sơ đang tạm dừng" in refused.get_json()["detail"]
    again = api.client.post(f"/api/v1/instances/{instance_id}/suspend", json={}, headers=headers)
    assert again.status_code == 409 and "Tạm dừng" in again.get_json()["detail"]

    resumed = api.client.post(f"/api/v1/instances/{instance_id}/resume", headers=headers)
    assert (resumed.status_code, resumed.get_json()["status"]) == (200, "active")
    assert (
        api.client.post(f"/api/v1/instances/{instance_id}/resume", headers=headers).status_code
        == 409
    )
    assert api.client.post("/api/v1/instances/999999/resume", headers=headers).status_code == 404
    assert api.client.get("/api/v1/instances/999999", headers=headers).status_code == 404
    assert (
        api.client.get(
            f"/api/v1/instances/{instance_id}", headers=api.headers("thuky.thcs_ths")
        ).status_code
        == 403
    )
    with Session(api.db) as session:
        assert session.scalar(select(Instance.status).where(Instance.id == instance_id)) == "active"


def test_a_version_diff_in_words(api: Api) -> None:
    headers = api.headers("quantri")
    renamed = PIPELINE["nomination.bpmn"].replace(
        'name="Thẩm định hồ sơ"'.encode(), 'name="Thẩm định hồ sơ (bản 2)"'.encode()
    )
    deployed = api.client.post(
        "/api/v1/definitions",
        json={
            "files": {
                **{k: v.decode() for k, v in PIPELINE.items()},
                "nomination.bpmn": renamed.decode(),
            }
        },
        headers=headers,
    )
    assert deployed.status_code == 201
    diff = api.client.get("/api/v1/definitions/nomination/versions/2/diff", headers=headers)
    body = diff.get_json()
    assert (diff.status_code, body["against"], body["layout_only"]) == (200, 2 - 1, False)
    [change] = body["changes"]
    assert (change["kind"], change["element_id"]) == ("changed", "appraise")
    assert change["details"] == [
        {
            "what": "name",
            "property": None,
            "old": "Thẩm định hồ sơ",
            "new": "Thẩm định hồ sơ (bản 2)",
        }
    ]
    assert "Tên: «Thẩm định hồ sơ» → «Thẩm định hồ sơ (bản 2)»" in change["text"]
    first = api.client.get("/api/v1/definitions/nomination/versions/1/diff", headers=headers)
    assert (first.get_json()["against"], first.get_json()["changes"]) == (None, [])
    back = api.client.get(
        "/api/v1/definitions/nomination/versions/1/diff?against=2", headers=headers
    ).get_json()
    assert back["changes"][0]["details"][0]["new"] == "Thẩm định hồ sơ"
    missing = api.client.get("/api/v1/definitions/nomination/versions/3/diff", headers=headers)
    assert missing.status_code == 404
