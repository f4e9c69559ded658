"""The admin's modeler in a real browser: bpmn-js and dmn-js as `make assets` bundles them,
validation and deploy by the server, and what the change does to nominations."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import make_session_factory
from engine.models import DefinitionVersion, Instance, TaskRow
from tests.browser.conftest import Live, snap
from workflows.demo import CAMPAIGN, PASSWORD
from workflows.models import Nomination
from workflows.pipeline import Nominations, Nominee, build_engine

# The admin's moves on the canvas: the view is set so the pipeline's "complete" flow sits at a
# known place, then a task is dropped on it from the palette (bpmn-js splits the flow) and a
# lane is added below the secretary's from its context pad. Moving the task into that lane
# and typing the lane's name are the two steps done through the modeler's own commands:
# both are drags and typing on a canvas label, too fiddly to aim at reliably.
SHOW_APPRAISAL = """() => {
  const canvas = window.laurelModeler.bpmn().get("canvas");
  canvas.zoom(1);
  const box = canvas.viewbox();
  canvas.viewbox({ x: 500, y: 150, width: box.width, height: box.height });
}"""
SELECTED = "() => window.laurelModeler.bpmn().get('selection').get().map(e => e.id)"
INTO_NEW_LANE = """(taskId) => {
  const modeler = window.laurelModeler.bpmn();
  const registry = modeler.get("elementRegistry");
  const lane = registry.filter((e) => e.type === "bpmn:Lane" && !e.businessObject.name)[0];
  const task = registry.get(taskId);
  const modeling = modeler.get("modeling");
  modeling.updateLabel(lane, "Pháp chế");
  modeling.moveShape(task, { x: 0, y: lane.y + lane.height / 2 - (task.y + task.height / 2) });
}"""


def sign_in(page: Page, live: Live, username: str) -> None:
    page.goto(f"{live.url}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def open_modeler(page: Page, live: Live) -> None:
    page.goto(f"{live.url}/quan-tri/quy-trinh/nomination/thiet-ke")
    page.locator("body[data-modeler-ready=true]").wait_for(state="attached")


def status(page: Page) -> str:
    done = page.locator("#modeler-status[data-tone=success], #modeler-status[data-tone=error]")
    done.wait_for()
    return page.locator("#modeler-status").inner_text()


def test_an_admin_adds_a_legal_check_and_new_nominations_pass_through_it(
    page: Page, live: Live
) -> None:
    sessions = make_session_factory(live.db)
    with Session(live.db) as session:
        started_before = session.scalar(
            select(Nomination).where(Nomination.nominee_name == "Nguyễn Thị Thu Hà")
        )
        assert started_before is not None and started_before.stage == "appraise"

    sign_in(page, live, "quantri")
    open_modeler(page, live)
    page.evaluate(SHOW_APPRAISAL)
    flow = page.locator('g.djs-connection[data-element-id="f_complete"]').bounding_box()
    assert flow is not None
    page.locator(".djs-palette .entry.bpmn-icon-task").click()
    x, y = flow["x"] + flow["width"] / 2, flow["y"] + flow["height"] / 2
    page.mouse.move(x - 30, y + 10, steps=5)
    page.mouse.move(x, y, steps=5)
    page.mouse.click(x, y)
    [task_id] = page.evaluate(SELECTED)
    panel = page.locator("#modeler-panel")
    panel.get_by_role("button", name="Đổi thành công việc người dùng").click()
    [task_id] = page.evaluate(SELECTED)  # the user task that replaced it
    task = page.locator(f'g.djs-element[data-element-id="{task_id}"]')
    panel.get_by_role("button", name="Chọn làn này").click()
    assert page.evaluate(SELECTED) == ["lane_secretary"]
    page.locator('.djs-context-pad .entry[data-action="lane-insert-below"]').click()
    page.evaluate(INTO_NEW_LANE, task_id)
    # bpmn-js may still be redrawing the moved task: click again until the click lands on it.
    for _ in range(5):
        task.click()
        if page.evaluate(SELECTED) == [task_id]:
            break
        page.wait_for_timeout(200)
    assert page.evaluate(SELECTED) == [task_id]
    panel.get_by_label("Tên").fill("Kiểm tra pháp lý")
    panel.get_by_label("Tên").press("Enter")
    panel.get_by_label("Biểu mẫu").select_option("check")

    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert status(page) == "Định nghĩa quy trình không hợp lệ; không có gì được lưu."
    problems = page.locator("#modeler-problems")
    expect(problems).to_contain_text(
        "Công việc “Kiểm tra pháp lý” nằm trong làn “Pháp chế”, không phải một vai trò"
    )
    expect(task).to_have_class("djs-element djs-shape selected laurel-problem")
    snap(page, "modeler-lane-not-a-role")

    panel.get_by_role("button", name="Chọn làn này").click()  # the task is still selected
    panel.get_by_label("Vai trò của làn").select_option("secretary")
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert status(page) == "Hợp lệ: có thể triển khai."
    expect(problems).to_be_hidden()
    expect(page.locator(".laurel-problem")).to_have_count(0)

    page.get_by_label("Ghi chú phiên bản").fill("Thêm bước kiểm tra pháp lý")
    page.get_by_role("button", name="Triển khai").click()
    assert status(page) == "Đã triển khai phiên bản 2."
    snap(page, "modeler-deployed")
    with Session(live.db) as session:
        newest = session.scalars(
            select(DefinitionVersion).order_by(DefinitionVersion.version.desc())
        ).first()
        assert newest is not None
        assert (newest.version, newest.deployed_by, newest.comment) == (
            2,
            "quantri",
            "Thêm bước kiểm tra pháp lý",
        )

    # The nomination started before the deploy: appraised, it goes straight to the vote.
    engine = build_engine(sessions, clock=live.clock)
    pipeline = Nominations(engine)
    pipeline.complete(
        ready(live, started_before.business_key, "appraise"),
        "thuky.thcs_ths",
        {"result": "complete"},
    )
    assert forms_ready(live, started_before.business_key) == {"vote"}

    # A nomination made after it: the secretary meets the legal check in the inbox.
    nomination, _ = pipeline.create(
        "canbo.thcs_ths",
        org="THCS_THS",
        award="LDTT",
        campaign=CAMPAIGN,
        nominee=Nominee("individual", "Lê Thị Mai", "Giáo viên", "THCS_THS"),
        achievements="Hoàn thành xuất sắc nhiệm vụ.",
        documents=["Tờ trình", "Báo cáo thành tích"],
    )
    pipeline.complete(
        ready(live, nomination.business_key, "prepare_dossier"),
        "canbo.thcs_ths",
        {"action": "submit"},
    )
    pipeline.complete(
        ready(live, nomination.business_key, "appraise"), "thuky.thcs_ths", {"result": "complete"}
    )
    with Session(live.db) as session:
        version = session.scalar(
            select(DefinitionVersion.version)
            .join(Instance, Instance.definition_id == DefinitionVersion.id)
            .where(Instance.business_key == nomination.business_key)
        )
        assert version == 2

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, live, "thuky.thcs_ths")
    row = page.locator("tr", has_text="Lê Thị Mai")
    expect(row).to_contain_text("Kiểm tra pháp lý")
    row.get_by_role("link").first.click()
    page.get_by_label("Không đạt yêu cầu").check()
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator("#f-note-err")).to_have_text("Trường này là bắt buộc.")
    page.get_by_label("Đạt yêu cầu", exact=True).check()
    page.get_by_label("Ý kiến").fill("Hồ sơ đủ căn cứ pháp lý.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    assert forms_ready(live, nomination.business_key) == {"vote"}
    snap(page, "modeler-legal-check-done")


def ready(live: Live, business_key: str, bpmn_id: str) -> str:
    with Session(live.db) as session:
        found = session.scalar(
            select(TaskRow.id).where(
                TaskRow.business_key == business_key,
                TaskRow.bpmn_id == bpmn_id,
                TaskRow.state == "ready",
            )
        )
    assert found is not None, f"no ready {bpmn_id}"
    return found


def forms_ready(live: Live, business_key: str) -> set[str]:
    with Session(live.db) as session:
        return set(
            session.scalars(
                select(TaskRow.form).where(
                    TaskRow.business_key == business_key, TaskRow.state == "ready"
                )
            )
        )


def test_a_bpmn_file_made_elsewhere_can_be_uploaded_and_its_problems_are_marked(
    page: Page, live: Live
) -> None:
    sign_in(page, live, "quantri")
    open_modeler(page, live)
    drawn_elsewhere = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="d" targetNamespace="x">'
        '<process id="camunda_made" isExecutable="true">'
        '<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
        '<userTask id="t" name="Duyệt"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
        '<endEvent id="e"/></process>'
        '<bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="p" bpmnElement="camunda_made">'
        '<bpmndi:BPMNShape id="s_di" bpmnElement="s"><dc:Bounds x="100" y="100" width="36" '
        'height="36"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="t_di" bpmnElement="t"><dc:Bounds x="200" y="80" width="100" '
        'height="80"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="e_di" bpmnElement="e"><dc:Bounds x="360" y="100" width="36" '
        'height="36"/></bpmndi:BPMNShape>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>"
    )
    page.locator("#modeler-upload").set_input_files(
        files=[
            {
                "name": "duyet.bpmn",
                "mimeType": "application/xml",
                "buffer": drawn_elsewhere.encode(),
            }
        ]
    )
    expect(page.locator("#modeler-status")).to_have_text("Đã mở tệp tải lên.")
    expect(page.locator('g.djs-element[data-element-id="t"]')).to_be_visible()
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    assert status(page) == "Định nghĩa quy trình không hợp lệ; không có gì được lưu."
    expect(page.locator("#modeler-problems")).to_contain_text(
        "Công việc “Duyệt” chưa nằm trong làn nào"
    )
    expect(page.locator('g.djs-element[data-element-id="t"]')).to_have_class(
        "djs-element djs-shape laurel-problem"
    )
    with Session(live.db) as session:  # nothing deployed by a validation
        assert session.scalars(select(DefinitionVersion.version)).all() == [1]


def test_the_modeler_is_for_admins_only(page: Page, live: Live) -> None:
    sign_in(page, live, "thuky.thcs_ths")
    response = page.goto(f"{live.url}/quan-tri/quy-trinh/nomination/thiet-ke")
    assert response is not None and response.status == 403
