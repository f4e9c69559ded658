"""The admin API over instances and versions: filters, one instance with its diagram's
element states, suspend and resume, and the difference between two versions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import DefinitionVersion, Instance, TaskRow
from tests.api.conftest import Api
from tests.workflows.test_added_task import with_legal_check
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


def _deploy(api: Api, files: dict[str, bytes]) -> int:
    deployed = api.client.post(
        "/api/v1/definitions",
        json={"files": {name: xml.decode() for name, xml in files.items()}},
        headers=api.headers("quantri"),
    )
    assert deployed.status_code == 201, deployed.get_json()
    version: int = deployed.get_json()["version"]
    return version


def test_an_instance_moves_to_the_newest_version_only_where_that_is_safe(api: Api) -> None:
    headers = api.headers("quantri")
    instance_id, task_id, _ = _an_appraisal(api)
    migrate = f"/api/v1/instances/{instance_id}/migrate"
    on_newest = api.client.post(migrate, json={}, headers=headers)
    assert on_newest.status_code == 409
    assert on_newest.get_json()["detail"] == "Phiên chạy đã ở phiên bản 1."
    assert (
        api.client.post(migrate, json={}, headers=api.headers("thuky.thcs_ths")).status_code == 403
    )

    assert _deploy(api, with_legal_check()) == 2
    detail = api.client.get(f"/api/v1/instances/{instance_id}", headers=headers).get_json()
    assert (detail["definition_version"], detail["newest_version"]) == (1, 2)
    moved = api.client.post(migrate, json={}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["definition_version"] == 2
    done = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"result": "complete"}},
        headers=api.headers("thuky.thcs_ths"),
    )
    assert done.status_code == 200
    with Session(api.db) as session:
        waiting = session.scalars(
            select(TaskRow.bpmn_id).where(
                TaskRow.instance_id == instance_id, TaskRow.state == "ready"
            )
        ).all()
    assert waiting == ["legal_check"]

    # Version 3 drops the legal check this nomination now waits at: it stays where it is.
    assert _deploy(api, {**PIPELINE, "route.dmn": PIPELINE["route.dmn"] + b"\n"}) == 3
    refused = api.client.post(migrate, json={}, headers=headers)
    assert refused.status_code == 409
    assert refused.content_type == "application/problem+json"
    body = refused.get_json()
    assert body["detail"] == "Không thể chuyển phiên chạy sang phiên bản này; không có gì thay đổi."
    assert body["errors"] == [
        {
            "element_id": "legal_check",
            "file": "",
            "message": "Bước “Kiểm tra pháp lý” hồ sơ đã hoặc đang đi qua không còn trong "
            "phiên bản mới.",
        }
    ]
    with Session(api.db) as session:
        version = session.scalar(
            select(DefinitionVersion.version)
            .join(Instance, Instance.definition_id == DefinitionVersion.id)
            .where(Instance.id == instance_id)
        )
    assert version == 2
    missing = api.client.post(migrate, json={"to_version": 9}, headers=headers)
    assert missing.status_code == 404
