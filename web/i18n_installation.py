"""Messages of the installation admin (web/api/installation.py, web/pages/installation.py):
(Vietnamese, English). The refusals of workflows/installation.py are the `inst_<key>` ones."""

from __future__ import annotations

INSTALLATION_MESSAGES: dict[str, tuple[str, str]] = {
    "nav_admin": ("Quản trị", "Administration"),
    # Refusals (workflows/installation.py keys, prefixed with inst_)
    "inst_admin_required": (
        "Chỉ quản trị hệ thống mới được làm việc này.",
        "Only system administrators may do this.",
    ),
    "inst_field_required": ("Trường này là bắt buộc.", "This field is required."),
    "inst_choose_one": ("Chọn một trong: {options}.", "Choose one of: {options}."),
    "inst_too_long": ("Tối đa {most} ký tự.", "At most {most} characters."),
    "inst_text_invalid": (
        "Không được chứa ký tự điều khiển.",
        "May not contain control characters.",
    ),
    "inst_code_invalid": (
        "Mã gồm chữ cái không dấu, chữ số, '_', '.', '-' (tối đa {most} ký tự).",
        "A code is ASCII letters, digits, '_', '.', '-' (at most {most} characters).",
    ),
    "inst_org_parent_required": (
        "Hãy chọn đơn vị cấp trên: chỉ quản trị ở đơn vị cao nhất mới được lập một hệ thống "
        "đơn vị mới.",
        "Choose a parent: only an administrator at a top organisation may start a new chain.",
    ),
    "inst_org_parent_unknown": (
        "Không có đơn vị cấp trên {code!r} trong phạm vi quản trị của bạn.",
        "No parent organisation {code!r} within your administration.",
    ),
    "inst_org_parent_cycle": (
        "Không thể đặt {parent!r} làm cấp trên của {code!r}: {parent!r} là chính nó hoặc "
        "nằm dưới nó, sẽ tạo vòng lặp.",
        "{parent!r} cannot be the parent of {code!r}: it is {code!r} itself or below it, "
        "which would make a loop.",
    ),
    "inst_org_level_not_below": (
        "Cấp {level} không thấp hơn cấp của đơn vị cấp trên {parent!r} ({parent_level}).",
        "Level {level} is not below its parent {parent!r} ({parent_level}).",
    ),
    "inst_org_level_not_above": (
        "Cấp {level} không cao hơn đơn vị trực thuộc {child!r} ({child_level}).",
        "Level {level} is not above the organisation {child!r} ({child_level}) below it.",
    ),
    "inst_org_code_taken": (
        "Mã đơn vị {code!r} đã được dùng; không có gì được lưu.",
        "The organisation code {code!r} is taken; nothing was stored.",
    ),
    "inst_org_not_found": (
        "Không có đơn vị {code!r} trong phạm vi quản trị của bạn.",
        "No organisation {code!r} within your administration.",
    ),
    "inst_org_not_in_scope": (
        "Không có đơn vị {code!r} trong phạm vi quản trị của bạn.",
        "No organisation {code!r} within your administration.",
    ),
    "inst_person_not_found": (
        "Không có người dùng {username!r} trong phạm vi quản trị của bạn.",
        "No user {username!r} within your administration.",
    ),
    "inst_person_outside_scope": (
        "{username!r} còn giữ vai trò ở đơn vị ngoài phạm vi của bạn ({orgs}); chỉ quản trị "
        "các đơn vị đó mới được sửa thông tin người này.",
        "{username!r} also holds roles outside your administration ({orgs}); only their "
        "administrators may change this person.",
    ),
    "inst_password_short": (
        "Mật khẩu cần ít nhất {least} ký tự.",
        "A password needs at least {least} characters.",
    ),
    "inst_username_invalid": (
        "Tên đăng nhập gồm chữ thường không dấu, chữ số, '.', '_', '-' và bắt đầu bằng chữ "
        "hoặc số.",
        "A username is lower-case ASCII letters, digits, '.', '_', '-', starting with a "
        "letter or digit.",
    ),
    "inst_username_taken": (
        "Tên đăng nhập {username!r} đã được dùng; không có gì được lưu.",
        "The username {username!r} is taken; nothing was stored.",
    ),
    "inst_cannot_deactivate_self": (
        "Bạn không thể tự khóa tài khoản của mình.",
        "You cannot deactivate your own account.",
    ),
    "inst_role_already_held": (
        "{username!r} đã giữ vai trò {role} tại {org!r}.",
        "{username!r} already holds {role} at {org!r}.",
    ),
    "inst_role_not_found": (
        "{username!r} không giữ vai trò {role} tại {org!r} trong phạm vi của bạn.",
        "{username!r} holds no {role} role at {org!r} within your administration.",
    ),
    "inst_last_admin_role": (
        "Đây là vai trò quản trị cuối cùng của bạn: nếu thu hồi, bạn sẽ mất quyền quản trị. "
        "Hãy nhờ một quản trị khác làm việc này.",
        "This is your last administrator role: revoking it would lock you out. Ask another "
        "administrator to do it.",
    ),
    "inst_date_invalid": (
        "Ngày không hợp lệ (từ năm 2000 đến 2100).",
        "Not a valid date (years 2000 to 2100).",
    ),
    "inst_ends_before_starts": (
        "Ngày kết thúc {ends} trước ngày bắt đầu {starts}.",
        "The end {ends} is before the start {starts}.",
    ),
    "inst_campaign_code_taken": (
        "Mã đợt thi đua {code!r} đã được dùng; không có gì được lưu.",
        "The campaign code {code!r} is taken; nothing was stored.",
    ),
    "inst_campaign_not_found": ("Không có đợt thi đua {code!r}.", "No campaign {code!r}."),
    "inst_award_code_taken": (
        "Mã danh hiệu {code!r} đã được dùng; không có gì được lưu.",
        "The award code {code!r} is taken; nothing was stored.",
    ),
    "inst_award_not_found": (
        "Không có danh hiệu, hình thức {code!r} trong danh mục.",
        "No award {code!r} in the catalogue.",
    ),
    "inst_ratio_invalid": (
        "Tỷ lệ phải lớn hơn 0 và không quá 1 (ví dụ 0.5).",
        "A ratio is above 0 and at most 1 (e.g. 0.5).",
    ),
    "inst_number_between": (
        "Số nguyên từ {low} đến {high}.",
        "A whole number from {low} to {high}.",
    ),
    "inst_prerequisites_invalid": (
        "Điều kiện phải là danh sách {{award, consecutive_years}} hoặc {{award, count[, "
        "within_years]}}, số từ 1 đến 50.",
        "Prerequisites are a list of {{award, consecutive_years}} or {{award, count[, "
        "within_years]}}, numbers 1 to 50.",
    ),
    "inst_rule_not_future": (
        "Ngày hiệu lực phải sau hôm nay ({today}): quy định đang áp dụng không được sửa; hãy "
        "thêm phiên bản mới có hiệu lực từ một ngày sau.",
        "The effective date must be after today ({today}): rules in force are never edited; "
        "add a new version effective from a later day.",
    ),
    "inst_rule_date_taken": (
        "Danh hiệu {award} đã có phiên bản quy định hiệu lực từ {day}.",
        "{award} already has a rule version effective from {day}.",
    ),
    "inst_rule_param_needed": (
        "Bắt buộc: chưa có phiên bản trước để kế thừa tham số này.",
        "Required: there is no earlier version to carry it over from.",
    ),
    "inst_rule_not_found": ("Không có phiên bản quy định {id}.", "No rule version {id}."),
    "inst_rule_in_force_kept": (
        "Phiên bản hiệu lực từ {day} đã được áp dụng nên không thể xóa; hãy thêm phiên bản mới "
        "thay thế.",
        "The version effective from {day} has been in force and cannot be removed; add a new "
        "version to supersede it.",
    ),
    "inst_day_past": (
        "Không sửa lịch của ngày đã qua: thời hạn đã tính theo lịch cũ.",
        "Past days cannot change: deadlines were counted on them.",
    ),
    "inst_day_taken": (
        "Ngày {day} đã có trong lịch điều chỉnh; hãy xóa trước khi nhập lại.",
        "{day} is already an exception; remove it first.",
    ),
    "inst_day_already_working": (
        "Ngày {day} đã là ngày làm việc.",
        "{day} is already a working day.",
    ),
    "inst_day_already_off": (
        "Ngày {day} đã là ngày nghỉ.",
        "{day} is already a day off.",
    ),
    "inst_day_not_found": (
        "Ngày {day} không có trong lịch điều chỉnh.",
        "{day} is not among the exceptions.",
    ),
    # Pages
    "inst_title": ("Quản trị hệ thống", "Administration"),
    "inst_processes": ("Quy trình", "Processes"),
    "inst_processes_hint": (
        "Định nghĩa BPMN/DMN, chỉnh sửa và triển khai phiên bản mới.",
        "BPMN/DMN definitions: edit and deploy new versions.",
    ),
    "inst_instances": ("Phiên chạy", "Process instances"),
    "inst_instances_hint": (
        "Các hồ sơ đang chạy theo từng phiên bản; xử lý phiên chạy lỗi.",
        "Running nominations per version; fix instances in error.",
    ),
    "inst_orgs": ("Tổ chức, đơn vị", "Organisations"),
    "inst_orgs_hint": (
        "Cây đơn vị, cấp, đơn vị cấp trên, hình thức biểu quyết.",
        "The organisation tree: levels, parents, voting mode.",
    ),
    "inst_people": ("Người dùng và vai trò", "People and roles"),
    "inst_people_hint": (
        "Tài khoản, mật khẩu, vai trò tại từng đơn vị.",
        "Accounts, passwords, roles at each organisation.",
    ),
    "inst_campaigns": ("Đợt thi đua", "Campaigns"),
    "inst_campaigns_hint": ("Phong trào, đợt thi đua và thời gian.", "Campaigns and their dates."),
    "inst_awards": ("Danh hiệu, hình thức khen thưởng", "Award catalogue"),
    "inst_awards_hint": (
        "Danh mục và các phiên bản tham số theo ngày hiệu lực, kèm căn cứ pháp lý.",
        "The catalogue and its rule versions by effective date, with legal basis.",
    ),
    "inst_calendar": ("Lịch làm việc", "Working-day calendar"),
    "inst_calendar_hint": (
        "Ngày lễ, ngày nghỉ bổ sung và ngày làm bù.",
        "Public holidays, extra days off and make-up working days.",
    ),
    "inst_recent": ("Thay đổi gần đây", "Recent changes"),
    "inst_none": ("Chưa có.", "None yet."),
    "inst_scope": ("Phạm vi quản trị của bạn: {orgs}.", "You administer: {orgs}."),
    "inst_saved": ("Đã lưu.", "Saved."),
    "inst_errors": (
        "Chưa lưu: hãy sửa các lỗi bên dưới.",
        "Not saved: please correct the errors below.",
    ),
    "inst_save": ("Lưu", "Save"),
    "inst_add": ("Thêm", "Add"),
    "inst_edit": ("Sửa", "Edit"),
    "inst_remove": ("Xóa", "Remove"),
    "inst_back": ("Quay lại", "Back"),
    "inst_when": ("Thời điểm", "When"),
    "inst_who": ("Người thực hiện", "By"),
    "inst_what": ("Nội dung", "What"),
    "inst_code": ("Mã", "Code"),
    "inst_name": ("Tên", "Name"),
    "inst_level": ("Cấp", "Level"),
    "inst_parent": ("Đơn vị cấp trên", "Parent"),
    "inst_no_parent": ("(Không có — đơn vị cao nhất)", "(None — top organisation)"),
    "inst_voting": ("Hình thức biểu quyết", "Voting mode"),
    "inst_voting_ballot": ("Bỏ phiếu kín trực tuyến", "Secret ballot online"),
    "inst_voting_meeting": ("Biểu quyết tại cuộc họp", "Vote in a meeting"),
    "inst_new_org": ("Thêm đơn vị", "New organisation"),
    "inst_edit_org": ("Sửa đơn vị {code}", "Edit organisation {code}"),
    "inst_username": ("Tên đăng nhập", "Username"),
    "inst_full_name": ("Họ và tên", "Full name"),
    "inst_password": ("Mật khẩu", "Password"),
    "inst_new_password": ("Mật khẩu mới (để trống nếu không đổi)", "New password (blank: keep)"),
    "inst_active": ("Đang hoạt động", "Active"),
    "inst_inactive": ("Đã khóa", "Deactivated"),
    "inst_roles": ("Vai trò", "Roles"),
    "inst_role": ("Vai trò", "Role"),
    "inst_org": ("Đơn vị", "Organisation"),
    "inst_grant": ("Giao vai trò", "Grant role"),
    "inst_revoke": ("Thu hồi", "Revoke"),
    "inst_first_role": ("Vai trò ban đầu (không bắt buộc)", "First role (optional)"),
    "inst_new_person": ("Thêm người dùng", "New user"),
    "inst_edit_person": ("Người dùng {username}", "User {username}"),
    "inst_search": ("Tìm theo tên hoặc tên đăng nhập", "Search by name or username"),
    "inst_find": ("Tìm", "Search"),
    "inst_starts": ("Bắt đầu", "Starts"),
    "inst_ends": ("Kết thúc", "Ends"),
    "inst_new_campaign": ("Thêm đợt thi đua", "New campaign"),
    "inst_edit_campaign": ("Sửa đợt thi đua {code}", "Edit campaign {code}"),
    "inst_subject": ("Đối tượng", "Subject"),
    "inst_subject_individual": ("Cá nhân", "Individual"),
    "inst_subject_collective": ("Tập thể", "Collective"),
    "inst_kind": ("Loại hình", "Kind"),
    "inst_criteria": ("Tiêu chuẩn", "Criteria"),
    "inst_new_award": ("Thêm danh hiệu, hình thức", "New award"),
    "inst_edit_award": ("Danh hiệu {code}", "Award {code}"),
    "inst_rules": ("Các phiên bản tham số", "Rule versions"),
    "inst_rules_hint": (
        "Phiên bản đã có hiệu lực không được sửa. Thêm phiên bản mới có ngày hiệu lực sau hôm "
        "nay; tham số để trống được kế thừa từ phiên bản trước.",
        "Versions in force are never edited. Add a new version effective after today; "
        "parameters left blank are carried over from the version before.",
    ),
    "inst_new_rule": ("Thêm phiên bản tham số", "New rule version"),
    "inst_rule_in_force": ("Đang áp dụng", "In force"),
    "inst_rule_future": ("Chưa hiệu lực", "Not yet in force"),
    "inst_rule_past": ("Đã được thay thế", "Superseded"),
    "inst_effective_from": ("Hiệu lực từ", "Effective from"),
    "inst_basis": ("Căn cứ pháp lý", "Legal basis"),
    "inst_deciding_level": ("Cấp quyết định", "Deciding level"),
    "inst_vote_threshold": ("Tỷ lệ phiếu đồng ý (0–1)", "Vote threshold (0–1)"),
    "inst_vote_base": ("Cơ sở tính tỷ lệ", "Threshold base"),
    "inst_publicity_working_days": ("Số ngày làm việc công khai", "Publicity (working days)"),
    "inst_appraisal_sla_days": ("Thời hạn thẩm định (ngày làm việc)", "Appraisal limit (days)"),
    "inst_vote_sla_days": ("Thời hạn biểu quyết (ngày làm việc)", "Vote limit (days)"),
    "inst_quota_ratio": (
        "Tỷ lệ tối đa (0–1, để trống: không giới hạn)",
        "Quota (0–1, blank: none)",
    ),
    "inst_prerequisites": ("Điều kiện đã đạt (JSON)", "Prerequisites (JSON)"),
    "inst_keep": ("(giữ như phiên bản trước)", "(as the version before)"),
    "inst_status": ("Trạng thái", "Status"),
    "inst_year": ("Năm", "Year"),
    "inst_holidays": ("Ngày lễ, ngày nghỉ chính thức", "Public holidays"),
    "inst_official_workdays": (
        "Ngày làm bù chính thức (thứ Bảy, Chủ nhật)",
        "Official make-up working days (weekends)",
    ),
    "inst_exceptions": ("Điều chỉnh của quản trị", "Administrator's exceptions"),
    "inst_day": ("Ngày (dd/mm/yyyy)", "Day (dd/mm/yyyy)"),
    "inst_note": ("Ghi chú", "Note"),
    "inst_kind_off": ("Ngày nghỉ bổ sung", "Extra day off"),
    "inst_kind_work": ("Ngày làm bù", "Make-up working day"),
    "inst_add_day": ("Thêm ngày", "Add a day"),
    "inst_prev_year": ("Năm trước", "Previous year"),
    "inst_next_year": ("Năm sau", "Next year"),
    # Audit trail labels
    "audit_action_admin.org.create": ("Thêm đơn vị", "Organisation added"),
    "audit_action_admin.org.update": ("Sửa đơn vị", "Organisation changed"),
    "audit_action_admin.person.create": ("Thêm người dùng", "User added"),
    "audit_action_admin.person.update": ("Sửa người dùng", "User changed"),
    "audit_action_admin.person.role_grant": ("Giao vai trò", "Role granted"),
    "audit_action_admin.person.role_revoke": ("Thu hồi vai trò", "Role revoked"),
    "audit_action_admin.campaign.create": ("Thêm đợt thi đua", "Campaign added"),
    "audit_action_admin.campaign.update": ("Sửa đợt thi đua", "Campaign changed"),
    "audit_action_admin.award.create": ("Thêm danh hiệu, hình thức", "Award added"),
    "audit_action_admin.award.update": ("Sửa danh hiệu, hình thức", "Award changed"),
    "audit_action_admin.rule.create": ("Thêm phiên bản tham số", "Rule version added"),
    "audit_action_admin.rule.delete": (
        "Xóa phiên bản tham số chưa hiệu lực",
        "Rule version withdrawn before taking effect",
    ),
    "audit_action_admin.calendar.add": ("Điều chỉnh lịch làm việc", "Calendar day added"),
    "audit_action_admin.calendar.remove": ("Bỏ điều chỉnh lịch", "Calendar day removed"),
}
