"""Administration over HTTP: deploying definitions, dry runs, instances in error and retry."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent, TaskRow
from tests.api.conftest import Api
from tests.workflows.variants import a_submitted_nomination, reading_award_code
from workflows.pipeline import pipeline_files

PIPELINE = pipeline_files()
BPMN = PIPELINE["nomination.bpmn"]


def _upload(
    api: Api, path: str, files: dict[str, bytes], username: str = "quantri", **form: str
) -> TestResponse:
    data: dict[str, Any] = {"files": [(io.BytesIO(v), name) for name, v in files.items()], **form}
    return api.client.post(
        path, data=data, content_type="multipart/form-data", headers=api.headers(username)
    )


def _billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]><lolz>&lol9;</lolz>'
    ).encode()


def _latest(api: Api) -> int:
    definitions = api.client.get("/api/v1/definitions", headers=api.headers("quantri")).get_json()
    [nomination] = [d for d in definitions if d["key"] == "nomination"]
    latest: int = nomination["latest_version"]
    return latest


def test_only_admins_reach_the_admin_endpoints(api: Api) -> None:
    for username in ("thanhtra.cdgdvn", "chutich.dh_hl", "canbo.thpt_lvt"):
        headers = api.headers(username)
        for path in ("/api/v1/definitions", "/api/v1/instances", "/api/v1/instances?status=error"):
            refused = api.client.get(path, headers=headers)
            assert refused.status_code == 403
            assert refused.get_json()["detail"] == "Chỉ quản trị hệ thống mới được làm việc này."
        assert _upload(api, "/api/v1/definitions", PIPELINE, username).status_code == 403
        retry = api.client.post("/api/v1/instances/1/retry", json={}, headers=headers)
        assert retry.status_code == 403
    assert api.client.get("/api/v1/definitions").status_code == 401


def test_definitions_with_their_versions_and_sources(api: Api) -> None:
    headers = api.headers("quantri")
    [nomination] = api.client.get("/api/v1/definitions", headers=headers).get_json()
    assert nomination["key"] == "nomination" and nomination["latest_version"] == 1
    [v1] = nomination["versions"]
    assert (v1["version"], v1["process_id"], v1["deployed_by"]) == (1, "nomination", "quantri")
    assert (v1["running"], v1["in_error"], v1["finished"]) == (5, 0, 2)
    assert len(v1["sha256"]) == 64

    detail = api.client.get("/api/v1/definitions/nomination/versions/1", headers=headers)
    assert detail.status_code == 200
    assert detail.get_json()["files"]["nomination.bpmn"] == BPMN.decode()
    assert set(detail.get_json()["files"]) == {"nomination.bpmn", "route.dmn"}
    missing = api.client.get("/api/v1/definitions/nomination/versions/9", headers=headers)
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_a_changed_pipeline_becomes_version_2_and_running_nominations_stay_on_1(
    api: Api,
) -> None:
    renamed = BPMN.replace(
        'name="Thẩm định hồ sơ"'.encode(), 'name="Thẩm định hồ sơ (bản 2)"'.encode()
    )
    changed = {**PIPELINE, "nomination.bpmn": renamed}
    assert changed["nomination.bpmn"] != BPMN
    deployed = _upload(api, "/api/v1/definitions", changed, comment="Đổi tên bước thẩm định")
    assert deployed.status_code == 201, deployed.get_json()
    body = deployed.get_json()
    assert (body["key"], body["version"], body["created"]) == ("nomination", 2, True)
    assert body["comment"] == "Đổi tên bước thẩm định"

    # The same content again, as JSON this time: no new version.
    again = api.client.post(
        "/api/v1/definitions",
        json={"files": {k: v.decode() for k, v in changed.items()}},
        headers=api.headers("quantri"),
    )
    assert again.status_code == 200
    assert (again.get_json()["version"], again.get_json()["created"]) == (2, False)

    headers = api.headers("quantri")
    versions = api.client.get("/api/v1/definitions", headers=headers).get_json()[0]["versions"]
    assert [(v["version"], v["running"]) for v in versions] == [(2, 0), (1, 5)]
    listed = api.client.get("/api/v1/instances?definition=nomination&per_page=100", headers=headers)
    assert {i["definition_version"] for i in listed.get_json()["items"]} == {1}
    with Session(api.db) as session:
        titles = session.scalars(select(TaskRow.title).where(TaskRow.bpmn_id == "appraise"))
        assert "Thẩm định hồ sơ (bản 2)" not in set(titles)
        appraisal = session.scalars(
            select(TaskRow.id).where(
                TaskRow.bpmn_id == "appraise",
                TaskRow.state == "ready",
                TaskRow.org_scope == "THCS_THS",
            )
        ).first()
    # A running nomination goes on, on the version it started with.
    assert appraisal is not None
    engine = api.app.extensions["laurel.engine"]
    view = engine.complete_task(appraisal, "thuky.thcs_ths", {"result": "complete"})
    assert (view.definition_version, view.status) == (1, "active")


def test_the_deploy_body_is_documented_as_upload_and_json(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/definitions", "/api/v1/definitions/validate"):
        content = spec["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) == {"multipart/form-data", "application/json"}


def test_a_refused_deploy_lists_every_problem_and_stores_nothing(api: Api) -> None:
    with Session(api.db) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    hostile = BPMN.replace(
        b'<bpmn:lane id="lane_head" name="head">', b'<bpmn:lane id="lane_head" name="giam_doc">'
    ).replace(b"vote_round = vote_round + 1", b"vote_round = vote_round + 1\nimport os")
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    files = {**PIPELINE, "nomination.bpmn": hostile, "bomb.dmn": _billion_laughs(), "xxe.bpmn": xxe}
    for path in ("/api/v1/definitions", "/api/v1/definitions/validate"):
        refused = _upload(api, path, files)
        assert refused.status_code == 422
        assert refused.content_type == "application/problem+json"
        problems = refused.get_json()["errors"]
        by_place = {(p["file"], p["element_id"]): p["message"] for p in problems}
        assert "DOCTYPE" in by_place["bomb.dmn", ""]
        assert "DOCTYPE" in by_place["xxe.bpmn", ""]
        assert "giam_doc" in by_place["nomination.bpmn", "decide"]  # the task in that lane
        assert "import" in by_place["nomination.bpmn", "open_vote"]
        assert len(problems) == 4
    assert _latest(api) == 1
    with Session(api.db) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events

    too_big = _upload(api, "/api/v1/definitions", {"big.bpmn": b" " * (7 * 1024 * 1024)})
    assert too_big.status_code == 413
    assert too_big.content_type == "application/problem+json"
    nothing = _upload(api, "/api/v1/definitions", {})
    assert nothing.status_code == 422
    assert "files" in nothing.get_json()["errors"]


def test_validate_is_a_dry_run(api: Api) -> None:
    changed = {**PIPELINE, "nomination.bpmn": BPMN.replace("Kiểm phiếu".encode(), b"Count")}
    valid = _upload(api, "/api/v1/definitions/validate", changed)
    assert valid.status_code == 200
    assert valid.get_json() == {"valid": True, "process_id": "nomination"}
    as_json = api.client.post(
        "/api/v1/definitions/validate",
        json={"files": {"nomination.bpmn": BPMN.decode()}},  # route.dmn missing
        headers=api.headers("quantri"),
    )
    assert as_json.status_code == 422
    assert any(p["element_id"] == "route_decision" for p in as_json.get_json()["errors"])
    assert _latest(api) == 1


def test_an_instance_in_error_is_listed_and_retried(api: Api) -> None:
    # Version 2 reads a name no nomination has: entering a level fails until it is supplied,
    # which the step declares an admin may do (its retry_data property).
    deployed = _upload(api, "/api/v1/definitions", reading_award_code())
    assert deployed.status_code == 201
    nomination, view = a_submitted_nomination(api.app.extensions["laurel.engine"])
    assert view.status == "error"

    headers = api.headers("quantri")
    errors = api.client.get("/api/v1/instances?status=error", headers=headers).get_json()
    [failed] = errors["items"]
    assert (failed["id"], failed["nomination_id"], failed["error_element"]) == (
        view.id,
        nomination.id,
        "enter_level",
    )
    assert (failed["definition_key"], failed["definition_version"]) == ("nomination", 2)
    assert "award_code" in failed["error_message"]

    path = f"/api/v1/instances/{view.id}/retry"
    still = api.client.post(path, json={}, headers=headers)
    assert (still.status_code, still.get_json()["status"]) == (200, "error")
    fixed = api.client.post(path, json={"data": {"award_code": "LDTT"}}, headers=headers)
    assert fixed.status_code == 200
    assert (fixed.get_json()["status"], fixed.get_json()["error_element"]) == ("active", None)
    assert (
        api.client.get("/api/v1/instances?status=error", headers=headers).get_json()["total"] == 0
    )
    with Session(api.db) as session:
        ready = session.scalars(
            select(TaskRow.bpmn_id).where(TaskRow.instance_id == view.id, TaskRow.state == "ready")
        ).all()
        assert ready == ["appraise"]

    again = api.client.post(path, json={}, headers=headers)
    assert again.status_code == 409
    assert "không bị lỗi" in again.get_json()["detail"]
    assert (
        api.client.post("/api/v1/instances/9999/retry", json={}, headers=headers).status_code == 404
    )
