"""The admin pages keep the API's scope (issue 11): the modeler deploys only for an admin at
a root of the organisation tree; the instance pages list, show and act only on instances
whose nomination is now in the admin's subtrees; the retry form refuses owned keys."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, DefinitionVersion, Instance
from tests.pages.conftest import Browser, text
from tests.scoped_admins import (
    PASSWORD,
    SCHOOL_ADMIN,
    STATE_ROOT_ADMIN,
    add_admin,
    an_instance_at,
    instances_now_in,
)
from tests.workflows.variants import a_submitted_nomination, reading_award_code
from workflows.pipeline import pipeline_files

DEPLOY = "/quan-tri/quy-trinh/nomination/trien-khai"
VALIDATE = "/quan-tri/quy-trinh/nomination/kiem-tra"
MODELER = "/quan-tri/quy-trinh/nomination/thiet-ke"
_CSRF = re.compile(r'"csrf": "([^"]+)"')


def _page(browser: Browser, path: str) -> str:
    answer = browser.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return html.unescape(text(answer))


def _versions(browser: Browser) -> list[int]:
    with Session(browser.db) as session:
        return sorted(session.scalars(select(DefinitionVersion.version)))


def _changed() -> dict[str, str]:
    files = {name: xml.decode() for name, xml in pipeline_files().items()}
    files["nomination.bpmn"] = files["nomination.bpmn"].replace("Bỏ phiếu kín", "Bỏ phiếu (v2)")
    return files


def _modeler_post(browser: Browser, url: str) -> tuple[int, dict]:
    token = _CSRF.search(text(browser.get(MODELER)))
    assert token
    answer = browser.client.post(
        url, json={"files": _changed()}, headers={"X-CSRF-Token": token.group(1)}
    )
    return answer.status_code, answer.get_json() or {}


def test_the_modeler_deploys_only_for_an_admin_at_a_root(browser: Browser) -> None:
    browser.login(add_admin(browser.db, SCHOOL_ADMIN), PASSWORD)
    with Session(browser.db) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert _modeler_post(browser, VALIDATE) == (200, {"valid": True, "errors": []})
    status, answer = _modeler_post(browser, DEPLOY)
    assert status == 403
    assert answer["title"].startswith("Chỉ quản trị hệ thống ở cấp cao nhất của cây đơn vị")
    assert _versions(browser) == [1]
    with Session(browser.db) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events

    root = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    root.login(add_admin(browser.db, STATE_ROOT_ADMIN), PASSWORD)
    status, answer = _modeler_post(root, DEPLOY)
    assert (status, answer["version"]) == (200, 2)


def test_a_school_admin_sees_and_counts_only_their_schools_instances(browser: Browser) -> None:
    browser.login(add_admin(browser.db, SCHOOL_ADMIN), PASSWORD)
    mine, other = instances_now_in(browser.db, "THCS_THS"), an_instance_at(browser.db, "TH_DTH")
    listed = _page(browser, "/quan-tri/phien-chay")
    shown = {int(n) for n in re.findall(r'href="/quan-tri/phien-chay/(\d+)"', listed)}
    assert shown == mine and other not in shown

    versions = _page(browser, "/quan-tri/quy-trinh")
    row = re.search(r'<tr class="version" data-version="1">(.*?)</tr>', versions, re.S)
    running = len(instances_now_in(browser.db, "THCS_THS", "active"))
    assert row and re.search(rf'class="running"><a [^>]*>{running}</a>', row.group(1))
    one = _page(browser, "/quan-tri/quy-trinh/nomination/phien-ban/1")
    assert f"<dt>Đang chạy</dt><dd>{running}</dd>" in one


def test_another_schools_instance_is_not_found_on_the_pages(browser: Browser) -> None:
    browser.login(add_admin(browser.db, SCHOOL_ADMIN), PASSWORD)
    other = an_instance_at(browser.db, "TH_DTH")
    with Session(browser.db) as session:
        before = session.get_one(Instance, other).lock_version
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    path = f"/quan-tri/phien-chay/{other}"
    assert browser.get(path).status_code == 404
    for action in ("tam-dung", "tiep-tuc", "chay-lai", "chuyen-phien-ban"):
        answer = browser.post(
            f"{path}/{action}", {"reason": "thử", "data": ""}, "/quan-tri/phien-chay"
        )
        assert answer.status_code == 404, action
    with Session(browser.db) as session:
        found = session.get_one(Instance, other)
        assert (found.status, found.lock_version) == ("active", before)
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    own = an_instance_at(browser.db, "THCS_THS")
    assert browser.get(f"/quan-tri/phien-chay/{own}").status_code == 200


def test_the_retry_form_names_each_key_it_refuses(browser: Browser) -> None:
    engine = browser.app.extensions["laurel.engine"]
    engine.deploy(reading_award_code(), deployed_by="quantri")
    _, view = a_submitted_nomination(engine)
    browser.login(add_admin(browser.db, SCHOOL_ADMIN), PASSWORD)
    path = f"/quan-tri/phien-chay/{view.id}"
    sent = '{"award_code": "LDTT", "final_status": "awarded", "assignee": "canbo.thcs_ths"}'
    browser.post(f"{path}/chay-lai", {"data": sent}, path)
    page = _page(browser, path)
    assert "Không chạy lại: dữ liệu sửa có khóa không được phép sửa" in page
    assert "Không được sửa «final_status»: khóa này do quy trình quản lý" in page
    assert "Không được sửa «assignee»: khóa này do quy trình quản lý" in page
    with Session(browser.db) as session:
        assert session.get_one(Instance, view.id).status == "error"
    browser.post(f"{path}/chay-lai", {"data": '{"award_code": "LDTT"}'}, path)
    assert "Đã chạy lại; trạng thái hiện tại: Đang chạy." in _page(browser, path)
