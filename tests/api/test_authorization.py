"""The authorisation matrix: every endpoint × every role × own / other organisation.

The nomination under test is the demo's Nguyễn Thị Thu Hà (CSTĐCS) at Công đoàn Trường THCS
Trương Hán Siêu, waiting for its appraisal. "Own" people hold their role at that school (or
its auditor's subtree); "other" people hold the same role at another school or subtree. The
school's own admin may do what admins do within it, but not deploy a national definition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.api.conftest import Api
from tests.scoped_admins import SCHOOL_ADMIN, add_admin
from workflows.models import Nomination
from workflows.pipeline import pipeline_files

PEOPLE: dict[str, str | None] = {
    "anonymous": None,
    "proposer": "canbo.thcs_ths",
    "secretary": "thuky.thcs_ths",
    "council": "hoidong1.thcs_ths",
    "head": "chutich.thcs_ths",
    "proposer_other": "canbo.thpt_lvt",
    "secretary_other": "thuky.thpt_lvt",
    "council_other": "hoidong1.thpt_lvt",
    "head_other": "chutich.thpt_lvt",
    "auditor": "thanhtra.cdgdvn",
    "auditor_other": "thanhtra.sogddtnd",
    "admin": "quantri",  # at both roots of the tree
    "admin_school": SCHOOL_ADMIN[0],  # at THCS_THS, the nomination's school, only
}
SIGNED_IN = {role: 200 for role in PEOPLE if role != "anonymous"}
WORKERS = ("proposer", "secretary", "council", "head")
OTHERS = tuple(f"{r}_other" for r in WORKERS)


ADMINS = {"admin": 200, "admin_school": 200}


def everyone(status: int, **exceptions: int) -> dict[str, int]:
    return {"anonymous": 401, **{r: status for r in SIGNED_IN}, **exceptions}


@dataclass(frozen=True)
class Target:
    nomination: int
    appraisal: str  # the ready appraise task


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[Target], str]
    expected: dict[str, int]
    body: Callable[[Target], Any] | None = None
    files: bool = False


def _nomination_body(_: Target) -> dict[str, Any]:
    return {
        "org": "THCS_THS",
        "award_code": "LDTT",
        "campaign": "NH2025-2026",
        "nominee": {"kind": "individual", "name": "Lê Thị Hồng"},
        "achievements": "Hoàn thành tốt nhiệm vụ.",
        "documents": ["Tờ trình"],
    }


ENDPOINTS: dict[str, Endpoint] = {
    "me": Endpoint("GET", lambda t: "/api/v1/me", everyone(200)),
    "organizations": Endpoint("GET", lambda t: "/api/v1/organizations", everyone(200)),
    "awards": Endpoint("GET", lambda t: "/api/v1/awards", everyone(200)),
    "campaigns": Endpoint("GET", lambda t: "/api/v1/campaigns", everyone(200)),
    "nominations list": Endpoint("GET", lambda t: "/api/v1/nominations", everyone(200)),
    "nomination": Endpoint(
        "GET",
        lambda t: f"/api/v1/nominations/{t.nomination}",
        everyone(200, **{r: 404 for r in OTHERS}, auditor_other=404),
    ),
    "create nomination": Endpoint(
        "POST",
        lambda t: "/api/v1/nominations",
        everyone(403, proposer=201),
        body=_nomination_body,
    ),
    "inbox": Endpoint("GET", lambda t: "/api/v1/tasks", everyone(200)),
    "task": Endpoint("GET", lambda t: f"/api/v1/tasks/{t.appraisal}", everyone(404, secretary=200)),
    "complete task": Endpoint(
        "POST",
        lambda t: f"/api/v1/tasks/{t.appraisal}/complete",
        # Invalid data on purpose: the secretary gets as far as validation, nothing changes.
        # A task not in one's inbox is not found, as on reading it.
        everyone(404, secretary=422),
        body=lambda t: {"data": {"result": "bogus"}},
    ),
    "complete tasks": Endpoint(
        "POST",
        lambda t: "/api/v1/tasks/complete",
        everyone(200),  # per-item statuses are checked in test_tasks
        body=lambda t: {"items": []},
    ),
    "public notices": Endpoint(
        "GET", lambda t: "/api/v1/public/notices", everyone(200, anonymous=200)
    ),
    "history": Endpoint(
        "GET",
        lambda t: f"/api/v1/nominations/{t.nomination}/history",
        everyone(403, auditor=200, admin=200, admin_school=200, auditor_other=404),
    ),
    "audit events": Endpoint(
        "GET",
        lambda t: "/api/v1/audit/events",
        everyone(403, auditor=200, auditor_other=200, admin=200, admin_school=200),
    ),
    "audit verify": Endpoint(
        "GET",
        lambda t: "/api/v1/audit/verify",
        everyone(403, auditor=200, auditor_other=200, admin=200, admin_school=200),
    ),
    "definitions": Endpoint("GET", lambda t: "/api/v1/definitions", everyone(403, **ADMINS)),
    "validate definition": Endpoint(
        "POST",
        lambda t: "/api/v1/definitions/validate",
        everyone(403, **ADMINS),
        files=True,
    ),
    # Definitions are national: only an admin at a root of the tree deploys (200: the
    # shipped pipeline is the newest version already, so nothing new is stored).
    "deploy definition": Endpoint(
        "POST", lambda t: "/api/v1/definitions", everyone(403, admin=200), files=True
    ),
    "definition version": Endpoint(
        "GET", lambda t: "/api/v1/definitions/nomination/versions/1", everyone(403, **ADMINS)
    ),
    "instances": Endpoint("GET", lambda t: "/api/v1/instances", everyone(403, **ADMINS)),
    "installation organizations": Endpoint(
        "GET", lambda t: "/api/v1/installation/organizations", everyone(403, **ADMINS)
    ),
    "installation people": Endpoint(
        "GET", lambda t: "/api/v1/installation/people", everyone(403, **ADMINS)
    ),
    "installation awards": Endpoint(
        "GET", lambda t: "/api/v1/installation/awards", everyone(403, **ADMINS)
    ),
    "installation calendar": Endpoint(
        "GET", lambda t: "/api/v1/installation/calendar/2026", everyone(403, **ADMINS)
    ),
    "installation grant role": Endpoint(
        "POST",
        lambda t: "/api/v1/installation/people/thuky.thcs_ths/roles",
        # The school's admin may grant it too: it is held by then (409, not 403).
        everyone(403, admin=201, admin_school=409),
        body=lambda t: {"role": "council", "org": "THCS_THS"},
    ),
    # Last: it changes the nomination, so the one person allowed goes after everyone else.
    "withdraw": Endpoint(
        "POST",
        lambda t: f"/api/v1/nominations/{t.nomination}/withdraw",
        everyone(403, **{r: 404 for r in OTHERS}, auditor_other=404, proposer=200),
        body=lambda t: {"reason": "Thử phân quyền"},
    ),
}


def _target(api: Api) -> Target:
    with Session(api.db) as session:
        nomination = session.scalars(
            select(Nomination).where(Nomination.nominee_name == "Nguyễn Thị Thu Hà")
        ).one()
        task = session.scalars(
            select(TaskRow.id).where(
                TaskRow.business_key == nomination.business_key, TaskRow.bpmn_id == "appraise"
            )
        ).one()
    return Target(nomination.id, task)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_every_role_gets_the_status_its_scope_allows(api: Api, name: str) -> None:
    endpoint = ENDPOINTS[name]
    add_admin(api.db, SCHOOL_ADMIN)
    target = _target(api)
    # Last, in PEOPLE's order: those who succeed, and those who then meet what they did (409).
    roles = sorted(endpoint.expected, key=lambda r: endpoint.expected[r] in (200, 201, 409))
    got = {}
    for role in roles:
        kwargs: dict[str, Any] = {}
        if endpoint.files:
            kwargs["data"] = {
                "files": [(_stream(data), filename) for filename, data in pipeline_files().items()]
            }
            kwargs["content_type"] = "multipart/form-data"
        elif endpoint.body is not None:
            kwargs["json"] = endpoint.body(target)
        response = api.client.open(
            endpoint.path(target),
            method=endpoint.method,
            headers=api.headers(PEOPLE[role]),
            **kwargs,
        )
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.content_type == "application/problem+json", (role, response.data)
    assert got == endpoint.expected


def _stream(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
