"""Admin power has a scope (issue 11): deploying needs the admin role at a root of the
organisation tree; instances are listed, read and handled only within the admin's subtrees;
retry data cannot set what the application owns."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent, DefinitionVersion, Instance
from tests.api.conftest import Api
from tests.scoped_admins import (
    PROVINCE_ADMIN,
    SCHOOL_ADMIN,
    STATE_ROOT_ADMIN,
    add_admin,
    an_instance_at,
    instances_now_in,
)
from tests.workflows.test_added_task import with_legal_check
from tests.workflows.variants import a_submitted_nomination, reading_award_code
from workflows import orgs
from workflows.models import Nomination
from workflows.pipeline import pipeline_files

ROOT_ONLY = (
    "Chỉ quản trị hệ thống ở cấp cao nhất của cây đơn vị mới được triển khai quy trình: "
    "quy trình dùng chung cho mọi đơn vị. Không có gì được lưu."
)


def _call(api: Api, method: str, path: str, username: str, **kwargs: Any) -> TestResponse:
    return api.client.open(path, method=method, headers=api.headers(username), **kwargs)


def _json(files: dict[str, bytes]) -> dict[str, Any]:
    return {"files": {name: xml.decode() for name, xml in files.items()}}


def _versions(api: Api) -> list[int]:
    with Session(api.db) as session:
        return sorted(session.scalars(select(DefinitionVersion.version)))


def _events(api: Api, instance_id: int | None = None) -> int:
    with Session(api.db) as session:
        query = select(func.count()).select_from(AuditEvent)
        if instance_id is not None:
            query = query.where(AuditEvent.instance_id == instance_id)
        return session.scalar(query) or 0


def _row(api: Api, instance_id: int) -> tuple[str, int, int]:
    with Session(api.db) as session:
        found = session.execute(
            select(Instance.status, Instance.lock_version, Instance.definition_id).where(
                Instance.id == instance_id
            )
        ).one()
    return found.status, found.lock_version, found.definition_id


def test_a_school_admin_cannot_deploy_and_nothing_is_stored(api: Api) -> None:
    school = add_admin(api.db, SCHOOL_ADMIN)
    before = _events(api)
    as_json = _call(api, "POST", "/api/v1/definitions", school, json=_json(with_legal_check()))
    assert (as_json.status_code, as_json.content_type) == (403, "application/problem+json")
    assert as_json.get_json()["detail"] == ROOT_ONLY
    upload = api.client.post(
        "/api/v1/definitions",
        data={"files": [(io.BytesIO(v), k) for k, v in with_legal_check().items()]},
        content_type="multipart/form-data",
        headers=api.headers(school),
    )
    assert upload.status_code == 403
    assert (_versions(api), _events(api)) == ([1], before)

    # A dry run is no deploy: any admin may check a changed diagram.
    checked = _call(
        api, "POST", "/api/v1/definitions/validate", school, json=_json(pipeline_files())
    )
    assert checked.status_code == 200


@pytest.mark.parametrize("root_admin", ["quantri", STATE_ROOT_ADMIN[0]])
def test_an_admin_at_a_root_deploys(api: Api, root_admin: str) -> None:
    if root_admin != "quantri":
        add_admin(api.db, STATE_ROOT_ADMIN)  # root of the other chain only
    deployed = _call(api, "POST", "/api/v1/definitions", root_admin, json=_json(with_legal_check()))
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["deployed_by"] == root_admin
    assert _versions(api) == [1, 2]


@pytest.mark.parametrize("admin", [SCHOOL_ADMIN, PROVINCE_ADMIN, ("quantri.thpt_lvt", "THPT_LVT")])
def test_an_admin_lists_and_counts_only_instances_now_in_their_subtree(
    api: Api, admin: tuple[str, str]
) -> None:
    username = add_admin(api.db, admin)
    mine = instances_now_in(api.db, admin[1])
    with Session(api.db) as session:
        everyone = session.scalar(select(func.count()).select_from(Instance))
    assert mine and len(mine) < (everyone or 0)

    page = _call(api, "GET", "/api/v1/instances?per_page=100", username).get_json()
    assert {i["id"] for i in page["items"]} == mine
    assert page["total"] == len(mine)
    with Session(api.db) as session:
        subtree = orgs.subtree(session, admin[1])
    assert all(i["current_org"] in subtree for i in page["items"])
    elsewhere = _call(api, "GET", "/api/v1/instances?org=THPT_LHP", username).get_json()
    assert elsewhere["total"] == 0

    [definition] = _call(api, "GET", "/api/v1/definitions", username).get_json()
    [v1] = definition["versions"]
    counted = v1["running"] + v1["suspended"] + v1["in_error"] + v1["finished"]
    assert counted == len(mine)
    one = _call(api, "GET", "/api/v1/definitions/nomination/versions/1", username).get_json()
    assert one["running"] == v1["running"] == len(instances_now_in(api.db, admin[1], "active"))

    # Phạm Thị Hương's nomination started at THPT_LVT and is now at CDGD_NB: it is the
    # province's to handle, no longer the school's.
    climbed = {i["nominee_name"] for i in page["items"]}
    assert ("Phạm Thị Hương" in climbed) == (admin == PROVINCE_ADMIN)

    national = _call(api, "GET", "/api/v1/instances?per_page=1", "quantri").get_json()
    assert national["total"] == everyone


def test_another_subtrees_instance_is_not_found_whatever_the_action(api: Api) -> None:
    school = add_admin(api.db, SCHOOL_ADMIN)
    other = an_instance_at(api.db, "TH_DTH")  # a sister school's running nomination
    before, events = _row(api, other), _events(api)
    for method, path, body in (
        ("GET", f"/api/v1/instances/{other}", None),
        ("POST", f"/api/v1/instances/{other}/suspend", {"reason": "thử"}),
        ("POST", f"/api/v1/instances/{other}/resume", None),
        ("POST", f"/api/v1/instances/{other}/retry", {"data": {}}),
        ("POST", f"/api/v1/instances/{other}/migrate", {}),
    ):
        kwargs = {"json": body} if body is not None else {}
        answer = _call(api, method, path, school, **kwargs)
        assert answer.status_code == 404, (path, answer.get_json())
        assert answer.get_json()["detail"] == f"Không tìm thấy tiến trình {other}."
    assert (_row(api, other), _events(api)) == (before, events)

    own = an_instance_at(api.db, "THCS_THS")
    assert _call(api, "GET", f"/api/v1/instances/{own}", school).status_code == 200
    suspended = _call(api, "POST", f"/api/v1/instances/{own}/suspend", school, json={})
    assert suspended.get_json()["status"] == "suspended"


def _in_error(api: Api, declared: str | None = "award_code") -> int:
    """A new THCS_THS nomination on a version whose enter_level fails until `award_code`
    is given (which the step declares correctable, or not)."""
    changed = _json(reading_award_code(declared))
    deployed = _call(api, "POST", "/api/v1/definitions", "quantri", json=changed)
    assert deployed.status_code == 201
    _, view = a_submitted_nomination(api.app.extensions["laurel.engine"])
    assert (view.status, view.error_element) == ("error", "enter_level")
    return view.id


@pytest.mark.parametrize(
    "data",
    [
        {"final_status": "awarded"},
        {"org_id": "THPT_LVT"},
        {"assignee": "canbo.thcs_ths"},
        {"award_code": "LDTT", "current_org": "THPT_LVT"},
        {"tally": {"passed": True}, "decision": "award"},
    ],
    ids=lambda d: "+".join(d),
)
def test_retry_refuses_keys_the_application_owns_and_changes_nothing(
    api: Api, data: dict[str, Any]
) -> None:
    instance_id = _in_error(api)
    before, events = _row(api, instance_id), _events(api, instance_id)
    with Session(api.db) as session:
        nomination = session.scalars(
            select(Nomination).where(Nomination.nominee_name == "Lê Thị Hồng")
        ).one()
    answer = _call(
        api, "POST", f"/api/v1/instances/{instance_id}/retry", "quantri", json={"data": data}
    )
    assert (answer.status_code, answer.content_type) == (422, "application/problem+json")
    body = answer.get_json()
    assert body["detail"].startswith("Không chạy lại")
    owned = sorted(k for k in data if k != "award_code")
    assert sorted(body["errors"]) == owned
    for key in owned:
        assert body["errors"][key].startswith(f"Không được sửa «{key}»: khóa này do quy trình")
    assert (_row(api, instance_id), _events(api, instance_id)) == (before, events)
    with Session(api.db) as session:
        row = session.get_one(Nomination, nomination.id)
        assert (row.status, row.current_org, row.stage) == ("open", "THCS_THS", "error")


def test_retry_takes_only_the_keys_the_failed_step_declares(api: Api) -> None:
    instance_id = _in_error(api)
    path = f"/api/v1/instances/{instance_id}/retry"
    undeclared = _call(api, "POST", path, "quantri", json={"data": {"ghi_chu": "sửa tay"}})
    assert undeclared.status_code == 422
    assert undeclared.get_json()["errors"] == {
        "ghi_chu": "Không được sửa «ghi_chu»: bước lỗi enter_level không khai báo khóa này "
        "trong thuộc tính retry_data (được sửa: award_code)."
    }
    assert _row(api, instance_id)[0] == "error"

    # The school's own admin fixes its own nomination; another school's cannot reach it.
    school = add_admin(api.db, SCHOOL_ADMIN)
    elsewhere = add_admin(api.db, ("quantri.thpt_nk", "THPT_NK"))
    assert _call(api, "POST", path, elsewhere, json={"data": {}}).status_code == 404
    fixed = _call(api, "POST", path, school, json={"data": {"award_code": "LDTT"}})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["status"] == "active"


def test_a_step_that_declares_nothing_takes_no_data(api: Api) -> None:
    instance_id = _in_error(api, declared=None)
    answer = _call(
        api,
        "POST",
        f"/api/v1/instances/{instance_id}/retry",
        "quantri",
        json={"data": {"award_code": "LDTT"}},
    )
    assert answer.status_code == 422
    assert "(được sửa: không có)" in answer.get_json()["errors"]["award_code"]
    assert _row(api, instance_id)[0] == "error"
