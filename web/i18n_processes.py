"""Messages of the admin's modeler page, Vietnamese then English (merged into web.i18n)."""

from __future__ import annotations

# Read by the modeler's script (web/assets/), handed over in the page's settings.
SCRIPT_MESSAGES: dict[str, tuple[str, str]] = {
    "panel_title": ("Thuộc tính", "Properties"),
    "panel_empty": (
        "Chọn một phần tử trên sơ đồ để xem và sửa thuộc tính.",
        "Select an element on the diagram to see and edit its properties.",
    ),
    "field_name": ("Tên", "Name"),
    "field_role": ("Vai trò của làn", "Role of the lane"),
    "hint_role": (
        "Người giữ vai trò này tại đơn vị của hồ sơ làm các công việc trong làn.",
        "People holding this role at the nomination's organisation do the lane's tasks.",
    ),
    "choose_role": ("— chọn vai trò —", "— choose a role —"),
    "not_a_role": ("không phải vai trò", "not a role"),
    "field_form": ("Biểu mẫu", "Form"),
    "hint_form": (
        "Biểu mẫu người thực hiện điền. “Kiểm tra” dùng cho bước rà soát thêm (đạt/không đạt).",
        "The form the person fills in. “Check” suits an added review step (passed/failed).",
    ),
    "form_by_id": ("Theo mã công việc", "By task id"),
    "unknown_form": ("biểu mẫu không có", "no such form"),
    "field_lane": ("Làn", "Lane"),
    "no_lane": ("Chưa nằm trong làn nào", "Not in any lane"),
    "edit_lane": ("Chọn làn này", "Select this lane"),
    "make_user_task": ("Đổi thành công việc người dùng", "Make it a user task"),
    "field_called_decision": ("Bảng quyết định được gọi", "Decision called"),
    "choose_decision": ("— chọn bảng quyết định —", "— choose a decision —"),
    "unknown_decision": ("không có trong các tệp DMN", "not in the DMN files"),
    "field_script": ("Mã lệnh (Python)", "Script (Python)"),
    "hint_sandbox": (
        "Chạy trong hộp cát: không import, không tên bắt đầu bằng “_”.",
        "Runs sandboxed: no imports, no names starting with “_”.",
    ),
    "field_working_days": ("Số ngày làm việc", "Working days"),
    "hint_working_days": (
        "Hạn tính theo ngày làm việc (trừ ngày nghỉ lễ, tính ngày làm bù).",
        "Deadline in working days (public holidays skipped, make-up days counted).",
    ),
    "field_timer_kind": ("Loại hẹn giờ", "Timer kind"),
    "timer_timeDate": ("Thời điểm", "Date"),
    "timer_timeDuration": ("Khoảng thời gian", "Duration"),
    "timer_timeCycle": ("Chu kỳ", "Cycle"),
    "field_timer": ("Biểu thức hẹn giờ", "Timer expression"),
    "hint_timer": (
        'Ví dụ: working_days_after(rules["vote_sla_days"]) hoặc "P3D".',
        'For example working_days_after(rules["vote_sla_days"]) or "P3D".',
    ),
    "field_condition": ("Điều kiện", "Condition"),
    "hint_condition": (
        'Biểu thức Python trên dữ liệu hồ sơ, ví dụ: result == "passed".',
        'A Python expression on the process data, e.g. result == "passed".',
    ),
    "hint_default_flow": (
        "Luồng mặc định: đi khi không luồng nào khác thỏa.",
        "Default flow: taken when no other flow's condition holds.",
    ),
    "document": ("Tài liệu", "Document"),
    "validating": ("Đang kiểm tra…", "Validating…"),
    "valid": ("Hợp lệ: có thể triển khai.", "Valid: ready to deploy."),
    "model_invalid": ("Có lỗi cần sửa.", "There are problems to fix."),
    "deploying": ("Đang triển khai…", "Deploying…"),
    "uploaded": ("Đã mở tệp tải lên.", "Uploaded file opened."),
    "wrong_file": (
        "{name}: chỉ nhận tệp .bpmn hoặc .dmn.",
        "{name}: only .bpmn or .dmn files.",
    ),
    "import_failed": ("Không mở được", "Could not open"),
    "import_warnings": (
        "Đã mở, có {count} cảnh báo khi đọc tệp.",
        "Opened with {count} warnings while reading the file.",
    ),
}

PROCESS_MESSAGES: dict[str, tuple[str, str]] = {
    **SCRIPT_MESSAGES,
    "modeler_title": ("Thiết kế quy trình {definition}", "Process designer: {definition}"),
    "modeler_open": ("Phiên bản đang mở:", "Version open:"),
    "modeler_intro": (
        "Sửa sơ đồ, bấm “Kiểm tra” để máy chủ soát lỗi, rồi "
        "“Triển khai” thành phiên bản mới. Hồ sơ đang chạy giữ nguyên phiên bản cũ; hồ sơ "
        "mới chạy theo phiên bản mới nhất.",
        "Edit the diagram, press “Validate” to have the server "
        "check it, then “Deploy” it as a new version. Running nominations stay on their "
        "version; new ones take the newest.",
    ),
    "modeler_versions": ("Các phiên bản", "Versions"),
    "modeler_files": ("Tệp của định nghĩa", "Files of the definition"),
    "modeler_upload": ("Tải tệp .bpmn/.dmn lên", "Upload a .bpmn/.dmn file"),
    "modeler_validate": ("Kiểm tra", "Validate"),
    "modeler_comment": ("Ghi chú phiên bản", "Version comment"),
    "modeler_deploy": ("Triển khai", "Deploy"),
    "modeler_download": ("Tải xuống", "Download"),
    "modeler_problems": ("Lỗi cần sửa", "Problems to fix"),
    "modeler_needs_script": (
        "Trình thiết kế cần JavaScript.",
        "The designer needs JavaScript.",
    ),
    # Definition problems the engine gives a code (engine/validation.py), in our words.
    "problem_no_lane": (
        "Công việc “{task}” chưa nằm trong làn nào; hãy đặt vào làn của vai trò thực hiện.",
        "Task “{task}” is not in any lane; put it in the lane of the role that does it.",
    ),
    "problem_lane_unnamed": (
        "Công việc “{task}” nằm trong làn “{lane}” chưa có tên; hãy chọn vai trò cho làn.",
        "Task “{task}” is in lane “{lane}”, which has no name; choose the lane's role.",
    ),
    "problem_lane_not_role": (
        "Công việc “{task}” nằm trong làn “{lane}”, không phải một vai trò (các vai trò: {roles}).",
        "Task “{task}” is in lane “{lane}”, which is not a role (roles: {roles}).",
    ),
    "problem_form_unknown": (
        "Công việc “{task}” dùng biểu mẫu “{form}” không có; hãy chọn một trong: {forms}.",
        "Task “{task}” shows form “{form}”, which does not exist; choose one of: {forms}.",
    ),
    "problem_migration_ran_removed": (
        "Bước “{task}” hồ sơ đã hoặc đang đi qua không còn trong phiên bản mới.",
        "Step “{task}”, which this nomination has been through or is at, is not in the new "
        "version.",
    ),
    "problem_migration_live_changed": (
        "Bước “{task}” hồ sơ đang chờ đã bị sửa trong phiên bản mới.",
        "Step “{task}”, where this nomination waits, is changed in the new version.",
    ),
    "problem_migration_subprocess_removed": (
        "Quy trình con “{task}” đang chạy không còn trong phiên bản mới.",
        "The running subprocess “{task}” is not in the new version.",
    ),
    "migration_refused": (
        "Không thể chuyển phiên chạy sang phiên bản này; không có gì thay đổi.",
        "This instance cannot move to that version; nothing was changed.",
    ),
    "instance_not_running": (
        "Phiên chạy đang ở trạng thái “{status}”: chỉ phiên đang chạy hoặc tạm dừng mới chuyển "
        "được phiên bản.",
        "The instance is “{status}”: only a running or suspended instance can change version.",
    ),
    "instance_on_version": (
        "Phiên chạy đã ở phiên bản {version}.",
        "The instance is already on version {version}.",
    ),
    "instance_migrate": ("Chuyển sang phiên bản {version}", "Move to version {version}"),
    "instance_migrate_hint": (
        "Chỉ chuyển được khi các bước hồ sơ đã qua và đang chờ không bị xóa hay sửa trong "
        "phiên bản mới; các bước phía trước chạy theo phiên bản mới.",
        "Possible when no step the nomination has been through or waits at is removed or "
        "changed in the new version; the steps ahead follow the new version.",
    ),
    "instance_migrated_done": (
        "Đã chuyển phiên chạy sang phiên bản {version}.",
        "The instance now runs on version {version}.",
    ),
    "audit_action_instance.migrated": ("Chuyển phiên bản quy trình", "Moved to another version"),
    "audit_action_definition.deployed": ("Triển khai quy trình", "Process deployed"),
    "modeler_bad_request": ("Yêu cầu không hợp lệ.", "Malformed request."),
    "deploy_root_admin_required": (
        "Chỉ quản trị hệ thống ở cấp cao nhất của cây đơn vị mới được triển khai quy trình: "
        "quy trình dùng chung cho mọi đơn vị. Không có gì được lưu.",
        "Only an admin at the top of the organisation tree may deploy a process: it serves "
        "every organisation. Nothing was stored.",
    ),
    "modeler_deployed": (
        "Đã triển khai phiên bản {version}.",
        "Deployed as version {version}.",
    ),
    "modeler_unchanged": (
        "Không có thay đổi: phiên bản {version} vẫn là phiên bản mới nhất.",
        "Nothing changed: version {version} is still the newest.",
    ),
    "role_proposer": ("Cán bộ phụ trách thi đua", "Emulation officer (proposer)"),
    "role_secretary": ("Thường trực / thư ký Hội đồng TĐKT", "Council secretary"),
    "role_council": ("Thành viên Hội đồng TĐKT", "Council member"),
    "role_head": ("Thủ trưởng / chủ tịch", "Head"),
}
