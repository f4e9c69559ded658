"""The modeler page's server side: who may open it, what it hands the script, and the JSON
validate and deploy calls with their CSRF header (the script itself: tests/browser)."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, DefinitionVersion
from tests.pages.conftest import Browser, text
from workflows.pipeline import pipeline_files

MODELER = "/quan-tri/quy-trinh/nomination/thiet-ke"
VALIDATE = "/quan-tri/quy-trinh/nomination/kiem-tra"
DEPLOY = "/quan-tri/quy-trinh/nomination/trien-khai"
_CONFIG = re.compile(r'<script type="application/json" id="modeler-config">(.*?)</script>', re.S)


def config(browser: Browser) -> dict:
    page = browser.get(MODELER)
    assert page.status_code == 200
    found = _CONFIG.search(text(page))
    assert found
    return json.loads(found.group(1))


def post(browser: Browser, url: str, body: object, token: str | None) -> tuple[int, dict]:
    headers = {"X-CSRF-Token": token} if token else {}
    response = browser.client.post(url, json=body, headers=headers)
    return response.status_code, (response.get_json(silent=True) or {})


def versions(browser: Browser) -> list[int]:
    with Session(browser.db) as session:
        return list(session.scalars(select(DefinitionVersion.version)))


def sources() -> dict[str, str]:
    return {name: data.decode() for name, data in pipeline_files().items()}


def test_the_page_opens_the_newest_version_with_the_contract_vocabulary(browser: Browser) -> None:
    browser.login("quantri")
    settings = config(browser)
    assert settings["version"] == 1
    assert set(settings["files"]) == {"nomination.bpmn", "route.dmn"}
    assert settings["roles"]["secretary"] == "Thường trực / thư ký Hội đồng TĐKT"
    assert "admin" not in settings["roles"]  # not a role a lane may name
    assert settings["forms"]["check"] == "Kiểm tra"
    assert settings["messages"]["wrong_file"] == "{name}: chỉ nhận tệp .bpmn hoặc .dmn."
    page = browser.get(MODELER)
    assert "style-src 'self' 'unsafe-inline'" in page.headers["Content-Security-Policy"]
    assert "script-src" not in page.headers["Content-Security-Policy"]  # scripts stay 'self'
    assert browser.get("/quan-tri/quy-trinh/no_such/thiet-ke").status_code == 404
    assert browser.get("/quan-tri/quy-trinh/a%00b/thiet-ke").status_code == 404


def test_only_admins_open_the_modeler_or_deploy(browser: Browser) -> None:
    anonymous = browser.get(MODELER)
    assert anonymous.status_code == 302 and "/dang-nhap" in anonymous.headers["Location"]
    browser.login("thuky.thcs_ths")
    assert browser.get(MODELER).status_code == 403
    token = browser.csrf("/")
    assert post(browser, DEPLOY, {"files": sources()}, token)[0] == 403
    assert versions(browser) == [1]


def test_validate_and_deploy_need_the_session_token(browser: Browser) -> None:
    browser.login("quantri")
    assert post(browser, DEPLOY, {"files": sources()}, None)[0] == 400
    assert post(browser, DEPLOY, {"files": sources()}, "forged")[0] == 400
    assert versions(browser) == [1]


def test_a_refused_definition_comes_back_with_its_problems_and_nothing_is_stored(
    browser: Browser,
) -> None:
    browser.login("quantri")
    token = config(browser)["csrf"]
    with Session(browser.db) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    files = sources()
    files["nomination.bpmn"] = files["nomination.bpmn"].replace(
        '<bpmn:lane id="lane_head" name="head">', '<bpmn:lane id="lane_head" name="Ban giám đốc">'
    )
    for url in (VALIDATE, DEPLOY):
        status, answer = post(browser, url, {"files": files, "comment": "thử"}, token)
        assert status == 422
        assert answer["title"] == "Định nghĩa quy trình không hợp lệ; không có gì được lưu."
        places = {(p["file"], p["element_id"]) for p in answer["errors"]}
        assert ("nomination.bpmn", "decide") in places
        assert all("Ban giám đốc" in p["message"] for p in answer["errors"])
        decide = next(p for p in answer["errors"] if p["element_id"] == "decide")
        assert decide["message"] == (
            "Công việc “Quyết định khen thưởng hoặc trình cấp trên” nằm trong làn “Ban giám đốc”, "
            "không phải một vai trò (các vai trò: council, head, proposer, secretary)."
        )
    unknown = "/quan-tri/quy-trinh/new_key/trien-khai"  # deploys only to a deployed key
    assert post(browser, unknown, {"files": sources()}, token)[0] == 404
    status, answer = post(browser, DEPLOY, {"files": {"x.txt": "<a/>"}}, token)
    assert status == 422 and answer["errors"]
    status, answer = post(browser, DEPLOY, ["not", "an", "object"], token)
    assert status == 422 and answer["title"] == "Yêu cầu không hợp lệ."
    assert versions(browser) == [1]
    with Session(browser.db) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_deploy_makes_a_new_version_once(browser: Browser) -> None:
    browser.login("quantri")
    token = config(browser)["csrf"]
    files = sources()
    files["nomination.bpmn"] = files["nomination.bpmn"].replace("Bỏ phiếu kín", "Bỏ phiếu kín (v2)")
    status, answer = post(browser, VALIDATE, {"files": files}, token)
    assert (status, answer["valid"]) == (200, True)
    assert versions(browser) == [1]  # validation stores nothing

    status, answer = post(browser, DEPLOY, {"files": files, "comment": "Đổi tên bước"}, token)
    assert status == 200
    assert answer == {
        "version": 2,
        "created": True,
        "message": "Đã triển khai phiên bản 2.",
        "url": "/quan-tri/quy-trinh/nomination/phien-ban/2",
    }
    again = post(browser, DEPLOY, {"files": files, "comment": "lần nữa"}, token)[1]
    assert (again["version"], again["created"]) == (2, False)
    assert again["message"] == "Không có thay đổi: phiên bản 2 vẫn là phiên bản mới nhất."
    assert config(browser)["version"] == 2
    with Session(browser.db) as session:
        deployed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "definition.deployed")
        ).all()
        assert [(e.actor, json.loads(e.payload)["version"]) for e in deployed][-1] == (
            "quantri",
            2,
        )
    index = text(browser.get("/quan-tri"))  # the admin's recent changes
    assert "Triển khai quy trình" in index
