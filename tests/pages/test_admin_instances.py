"""The administrators' process pages on the demo installation: versions with their counts
and differences, the instance list and page with its diagram, suspend, resume and retry."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Instance, TaskRow
from tests.pages.conftest import Browser, text
from tests.workflows.test_added_task import with_legal_check
from tests.workflows.variants import a_submitted_nomination, reading_award_code
from workflows.pipeline import pipeline_files

PIPELINE = pipeline_files()
NOMINEE = "Nguyễn Thị Thu Hà"  # waits for appraisal by thuky.thcs_ths


def _page(browser: Browser, path: str) -> str:
    answer = browser.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return html.unescape(text(answer))


def _instance_of(browser: Browser, task_id: str) -> int:
    with Session(browser.db) as session:
        found = session.scalar(select(TaskRow.instance_id).where(TaskRow.id == task_id))
    assert found is not None
    return found


def _element_class(page: str, element: str) -> str:
    found = re.search(rf'<g class="([^"]*)" data-element="{element}"', page)
    assert found, element
    return found.group(1)


def test_only_admins_see_the_process_pages(browser: Browser) -> None:
    assert browser.get("/quan-tri/quy-trinh").status_code == 302  # to sign in
    browser.login("thuky.thcs_ths")
    for path in ("/quan-tri/quy-trinh", "/quan-tri/phien-chay", "/quan-tri/phien-chay/1"):
        answer = browser.get(path)
        assert answer.status_code == 403, path
        assert "Chỉ quản trị hệ thống" in text(answer)


def test_versions_with_counts_and_the_diff_after_a_deploy(browser: Browser) -> None:
    browser.login("quantri")
    with Session(browser.db) as session:
        running = session.scalar(
            select(func.count()).select_from(Instance).where(Instance.status == "active")
        )
    page = _page(browser, "/quan-tri/quy-trinh")
    assert "Quy trình nomination" in page
    assert 'href="/quan-tri/quy-trinh/nomination/thiet-ke">Sửa trong trình thiết kế' in page
    row = re.search(r'<tr class="version" data-version="1">(.*?)</tr>', page, re.S)
    assert row and re.search(rf'class="running"><a [^>]*>{running}</a>', row.group(1))

    renamed = PIPELINE["nomination.bpmn"].replace(
        'name="Thẩm định hồ sơ"'.encode(), 'name="Thẩm định hồ sơ (bản 2)"'.encode()
    )
    engine = browser.app.extensions["laurel.engine"]
    engine.deploy(
        {**PIPELINE, "nomination.bpmn": renamed}, deployed_by="quantri", comment="Đổi tên bước"
    )
    page = _page(browser, "/quan-tri/quy-trinh")
    assert "Đổi tên bước" in page and "So với phiên bản 1" in page
    diff = _page(browser, "/quan-tri/quy-trinh/nomination/phien-ban/2")
    assert "Thay đổi so với phiên bản 1" in diff
    assert "Sửa bước người xử lý (userTask) «Thẩm định hồ sơ (bản 2)» (appraise)" in diff
    assert "Tên: «Thẩm định hồ sơ» → «Thẩm định hồ sơ (bản 2)»" in diff
    first = _page(browser, "/quan-tri/quy-trinh/nomination/phien-ban/1")
    assert "Đây là phiên bản đầu tiên" in first
    source = browser.get("/quan-tri/quy-trinh/nomination/phien-ban/2/tep/nomination.bpmn")
    assert source.status_code == 200 and "attachment" in source.headers["Content-Disposition"]
    assert "Thẩm định hồ sơ (bản 2)" in source.get_data(as_text=True)
    assert browser.get("/quan-tri/quy-trinh/nomination/phien-ban/9").status_code == 404
    english = _page(browser, "/quan-tri/quy-trinh/nomination/phien-ban/2?lang=en")
    assert "Changed user task (userTask)" in english and "Name: «Thẩm định hồ sơ»" in english


def test_suspend_stops_the_reviewer_until_resumed(browser: Browser) -> None:
    reviewer = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    reviewer.login("thuky.thcs_ths")
    task_id = reviewer.task_id(NOMINEE, "appraise")
    instance_id = _instance_of(browser, task_id)
    browser.login("quantri")

    listed = _page(browser, "/quan-tri/phien-chay?stage=appraise&org=THCS_THS")
    assert f'href="/quan-tri/phien-chay/{instance_id}"' in listed
    page = _page(browser, f"/quan-tri/phien-chay/{instance_id}")
    assert "active" in _element_class(page, "appraise").split()
    assert "done" in _element_class(page, "prepare_dossier").split()
    assert "Đang chạy" in page

    path = f"/quan-tri/phien-chay/{instance_id}"
    assert browser.post(f"{path}/tam-dung", {"reason": "Xác minh lại"}, path).status_code == 302
    page = _page(browser, path)
    assert "Đã tạm dừng phiên chạy." in page and "Xác minh lại" in page
    assert "Tạm dừng quy trình" in page  # the audited action, by its label
    assert f'href="{path}"' in _page(browser, "/quan-tri/phien-chay?status=suspended")

    assert 'badge paused">Tạm dừng</strong>' in _page(reviewer, "/")  # in the inbox too
    assert "Hồ sơ đang tạm dừng" in _page(reviewer, f"/tasks/{task_id}")
    refused = reviewer.post(f"/tasks/{task_id}", {"result": "complete"})
    assert refused.status_code == 302
    assert "Hồ sơ đang tạm dừng" in _page(reviewer, refused.headers["Location"])
    with Session(browser.db) as session:
        assert session.scalar(select(TaskRow.state).where(TaskRow.id == task_id)) == "ready"

    assert browser.post(f"{path}/tiep-tuc", {}, path).status_code == 302
    page = _page(browser, path)
    assert "Phiên chạy đã tiếp tục." in page and "Tiếp tục quy trình" in page
    assert "badge paused" not in _page(reviewer, "/")
    done = reviewer.post(f"/tasks/{task_id}", {"result": "complete"})
    assert done.status_code == 302
    assert "Đã hoàn thành công việc." in _page(reviewer, "/")


def test_a_suspend_reason_is_read_as_the_api_reads_it(browser: Browser) -> None:
    reviewer = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    reviewer.login("thuky.thcs_ths")
    path = f"/quan-tri/phien-chay/{_instance_of(browser, reviewer.task_id(NOMINEE, 'appraise'))}"
    browser.login("quantri")
    browser.post(f"{path}/tam-dung", {"reason": "x" * 2001}, path)
    page = _page(browser, path)
    assert "Lý do tạm dừng dài quá 2000 ký tự; phiên chạy chưa được tạm dừng." in page
    assert "Đang chạy" in page
    # A NUL (PostgreSQL cannot store one) is dropped, as the page always did.
    browser.post(f"{path}/tam-dung", {"reason": " Xác minh\x00 lại "}, path)
    page = _page(browser, path)
    assert "Đã tạm dừng phiên chạy." in page and "— Xác minh lại" in page


def test_retry_of_an_instance_in_error_with_corrected_data(browser: Browser) -> None:
    engine = browser.app.extensions["laurel.engine"]
    engine.deploy(reading_award_code(), deployed_by="quantri")
    _, view = a_submitted_nomination(engine)
    assert view.status == "error"

    browser.login("quantri")
    assert f"/quan-tri/phien-chay/{view.id}" in _page(browser, "/quan-tri/phien-chay?status=error")
    path = f"/quan-tri/phien-chay/{view.id}"
    page = _page(browser, path)
    assert "Lỗi tại bước enter_level" in page and "award_code" in page
    assert "Khóa được phép sửa ở bước enter_level (thuộc tính retry_data): award_code." in page
    assert "error" in _element_class(page, "enter_level").split()

    for typed in ("[1, 2", '{"a":' * 5000 + "1" + "}" * 5000, '{"award_code": "LD\x00TT"}'):
        browser.post(f"{path}/chay-lai", {"data": typed}, path)
        assert "Dữ liệu sửa phải là một đối tượng JSON" in _page(browser, path)
    browser.post(f"{path}/chay-lai", {"data": '{"award_code": "LDTT"}'}, path)
    page = _page(browser, path)
    assert "Đã chạy lại; trạng thái hiện tại: Đang chạy." in page
    assert "active" in _element_class(page, "appraise").split()
    browser.post(f"{path}/chay-lai", {"data": ""}, path)
    assert "không bị lỗi" in _page(browser, path)


def test_an_instance_is_moved_to_the_newest_version_or_told_why_not(browser: Browser) -> None:
    reviewer = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    reviewer.login("thuky.thcs_ths")
    task_id = reviewer.task_id(NOMINEE, "appraise")
    path = f"/quan-tri/phien-chay/{_instance_of(browser, task_id)}"
    browser.login("quantri")
    assert "Chuyển sang phiên bản" not in _page(browser, path)  # on the newest already

    engine = browser.app.extensions["laurel.engine"]
    engine.deploy(with_legal_check(), deployed_by="quantri", comment="Kiểm tra pháp lý")
    assert "Chuyển sang phiên bản 2" in _page(browser, path)
    assert browser.post(f"{path}/chuyen-phien-ban", {}, path).status_code == 302
    page = _page(browser, path)
    assert "Đã chuyển phiên chạy sang phiên bản 2." in page
    assert "nomination, phiên bản 2" in page and "Chuyển phiên bản quy trình" in page
    assert reviewer.post(f"/tasks/{task_id}", {"result": "complete"}).status_code == 302

    engine.deploy(PIPELINE, deployed_by="quantri", comment="Bỏ bước kiểm tra pháp lý")
    assert browser.post(f"{path}/chuyen-phien-ban", {}, path).status_code == 302
    page = _page(browser, path)
    assert "Không thể chuyển phiên chạy sang phiên bản này; không có gì thay đổi." in page
    assert "Bước “Kiểm tra pháp lý” hồ sơ đã hoặc đang đi qua không còn" in page
    assert "nomination, phiên bản 2" in page
