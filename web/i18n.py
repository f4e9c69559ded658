"""Vietnamese first, English second: the messages the web layer writes itself."""

from __future__ import annotations

from flask import has_request_context, request, session

from web.i18n_anchors import ANCHOR_MESSAGES
from web.i18n_installation import INSTALLATION_MESSAGES
from web.i18n_instances import INSTANCE_MESSAGES
from web.i18n_names import NAMES_MESSAGES
from web.i18n_processes import PROCESS_MESSAGES

LANGUAGES = ("vi", "en")

# The pages' own strings (web/pages); kept apart from the API's for readability.
PAGE_MESSAGES: dict[str, tuple[str, str]] = {
    "app_name": ("Laurel — Xét duyệt thi đua, khen thưởng", "Laurel — Award nominations"),
    "app_intro": (
        "Hệ thống xét duyệt hồ sơ thi đua, khen thưởng.",
        "Reviewing nominations for emulation titles and commendations.",
    ),
    "engine_up": ("Bộ máy quy trình đang hoạt động.", "The engine is up."),
    "skip_to_content": ("Bỏ qua, đến nội dung chính", "Skip to the main content"),
    "nav_main": ("Điều hướng chính", "Main navigation"),
    "nav_inbox": ("Hộp công việc", "Task inbox"),
    "nav_new": ("Lập hồ sơ đề nghị", "New nomination"),
    "nav_board": ("Bảng công khai", "Public board"),
    "nav_audit_search": ("Tra cứu thanh tra", "Audit search"),
    "nav_stats": ("Thống kê", "Statistics"),
    "nav_integrity": ("Toàn vẹn nhật ký", "Log integrity"),
    "nav_login": ("Đăng nhập", "Sign in"),
    "nav_logout": ("Đăng xuất", "Sign out"),
    "switch_language": ("English", "Tiếng Việt"),
    "signed_in_as": ("Đang đăng nhập: {name}", "Signed in as {name}"),
    # Sign in
    "login_title": ("Đăng nhập", "Sign in"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "login_submit": ("Đăng nhập", "Sign in"),
    "login_needed": ("Vui lòng đăng nhập để tiếp tục.", "Please sign in to continue."),
    "logged_out": ("Bạn đã đăng xuất.", "You have signed out."),
    "csrf_failed": (
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
        "The form has expired or is not valid. Reload the page and send it again.",
    ),
    "error_title": ("Có lỗi xảy ra", "Something went wrong"),
    "back_home": ("Về trang chủ", "Back to the home page"),
    # Inbox
    "inbox_title": ("Hộp công việc", "Task inbox"),
    "inbox_empty": ("Không có công việc nào đang chờ.", "No task is waiting."),
    "inbox_counts": ("Số công việc theo bước", "Tasks per stage"),
    "inbox_total": ("{total} công việc", "{total} tasks"),
    "filters": ("Lọc", "Filter"),
    "filter_stage": ("Bước", "Stage"),
    "filter_campaign": ("Đợt thi đua", "Campaign"),
    "filter_unit": ("Đơn vị", "Unit"),
    "filter_overdue": ("Hạn xử lý", "Due date"),
    "filter_any": ("Tất cả", "All"),
    "filter_late": ("Quá hạn", "Overdue"),
    "filter_on_time": ("Chưa quá hạn", "Not overdue"),
    "filter_apply": ("Áp dụng", "Apply"),
    "col_nominee": ("Người/tập thể được đề nghị", "Nominee"),
    "col_award": ("Danh hiệu, hình thức", "Award"),
    "col_unit": ("Đơn vị", "Unit"),
    "col_stage": ("Bước", "Stage"),
    "col_level": ("Cấp", "Level"),
    "col_received": ("Ngày nhận", "Received"),
    "col_due": ("Hạn xử lý", "Due"),
    "overdue": ("Quá hạn", "Overdue"),
    "open_task": ("Xử lý", "Open"),
    "page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "prev_page": ("Trang trước", "Previous page"),
    "next_page": ("Trang sau", "Next page"),
    "pagination": ("Phân trang", "Pagination"),
    "council_list": (
        "Danh sách biểu quyết của Hội đồng Thi đua - Khen thưởng",
        "Council ballot list",
    ),
    # Task form
    "task_title": ("Công việc: {title}", "Task: {title}"),
    "task_done": ("Công việc này đã được xử lý.", "This task has already been handled."),
    "task_saved": ("Đã hoàn thành công việc.", "The task is done."),
    "task_form": ("Biểu mẫu xử lý", "Form"),
    "task_errors": (
        "Biểu mẫu còn lỗi; xem thông báo ở từng trường.",
        "The form has errors; see the message at each field.",
    ),
    "submit": ("Gửi", "Send"),
    "one_per_line": ("Mỗi dòng một mục.", "One item per line."),
    "required_mark": ("(bắt buộc)", "(required)"),
    "field_action": ("Thao tác", "Action"),
    "field_result": ("Kết quả thẩm định", "Appraisal result"),
    "field_vote": ("Phiếu biểu quyết", "Ballot"),
    "field_outcome": ("Kết quả", "Outcome"),
    "field_decision": ("Quyết định", "Decision"),
    "dossier": ("Hồ sơ", "Dossier"),
    "achievements": ("Thành tích", "Achievements"),
    "documents": ("Tài liệu trong hồ sơ", "Documents"),
    "no_documents": ("Chưa có tài liệu.", "No documents."),
    "findings": ("Kết quả kiểm tra điều kiện", "Eligibility findings"),
    "no_findings": ("Không phát hiện vấn đề.", "Nothing found."),
    "legal_basis": ("Căn cứ", "Legal basis"),
    "tallies": ("Kết quả biểu quyết các cấp", "Council tallies"),
    "tally_line": (
        "{org}, vòng {round}: {votes_for}/{members_total} đồng ý, {votes_against} không "
        "đồng ý — {result}",
        "{org}, round {round}: {votes_for}/{members_total} for, {votes_against} against — {result}",
    ),
    "tally_passed": ("đạt", "passed"),
    "tally_failed": ("không đạt", "not passed"),
    "decisions": ("Quyết định", "Decisions"),
    "decision_line": ("{org}: {decision}", "{org}: {decision}"),
    "decision_no": ("Số quyết định {no}, ngày {date}", "Decision {no} of {date}"),
    "none_yet": ("Chưa có.", "None yet."),
    "missing_list": ("Hồ sơ còn thiếu", "Missing from the dossier"),
    # Council list
    "council_title": ("Biểu quyết — {org}", "Ballots — {org}"),
    "council_intro": (
        "Chọn Đồng ý hoặc Không đồng ý cho từng hồ sơ. Mỗi phiếu được ghi riêng và bỏ "
        "phiếu kín; hồ sơ không chọn sẽ để lại.",
        "Choose for or against for each nomination. Each ballot is recorded on its own "
        "and is secret; nominations left blank stay open.",
    ),
    "council_empty": ("Không có phiếu nào đang chờ.", "No ballot is waiting."),
    "council_submit": ("Gửi các phiếu đã chọn", "Send the chosen ballots"),
    "council_done": ("Đã ghi {count} phiếu.", "{count} ballots recorded."),
    "council_failed": (
        "Không ghi được phiếu cho {name}: {reason}",
        "Not recorded for {name}: {reason}",
    ),
    "council_none_chosen": ("Chưa chọn phiếu nào.", "No ballot was chosen."),
    # Nominations
    "nomination_title": ("Hồ sơ {code}", "Nomination {code}"),
    "status": ("Trạng thái", "Status"),
    "stage": ("Bước hiện tại", "Current stage"),
    "level": ("Cấp đang xét", "Level"),
    "current_org": ("Đơn vị đang xét", "Now at"),
    "origin_org": ("Đơn vị đề nghị", "Proposed by"),
    "campaign": ("Đợt thi đua", "Campaign"),
    "publicity_until": ("Hạn công khai", "Publicity until"),
    "timeline": ("Các bước đã thực hiện", "Steps so far"),
    "timeline_empty": ("Chưa có bước nào.", "No steps yet."),
    "withdraw": ("Rút hồ sơ", "Withdraw"),
    "withdraw_reason": ("Lý do rút hồ sơ", "Reason for withdrawing"),
    "withdrawn": ("Đã rút hồ sơ.", "The nomination was withdrawn."),
    "event_instance.started": ("Lập hồ sơ", "Nomination opened"),
    "event_task.completed": ("Hoàn thành: {step}", "Done: {step}"),
    "event_message.delivered": ("Rút hồ sơ", "Withdrawn"),
    "event_timer.fired": ("Hết thời hạn: {step}", "Time limit reached: {step}"),
    "event_instance.completed": ("Kết thúc quy trình", "Process ended"),
    "event_comment.received": ("Nhận ý kiến công khai", "Public comment received"),
    "new_title": ("Lập hồ sơ đề nghị khen thưởng", "New nomination"),
    "pick_kind": ("Đề nghị khen thưởng cho", "Nominate"),
    "kind_individual": ("Cá nhân", "An individual"),
    "kind_collective": ("Tập thể", "A collective"),
    "change_kind": ("Đổi đối tượng", "Change"),
    "proposing_unit": ("Đơn vị đề nghị", "Proposing unit"),
    "award": ("Danh hiệu, hình thức khen thưởng", "Award"),
    "criteria": ("Tiêu chuẩn", "Criteria"),
    "nominee_name": ("Họ và tên / tên tập thể", "Name"),
    "nominee_position": ("Chức vụ", "Position"),
    "nominee_unit": ("Đơn vị công tác", "Unit"),
    "nominee_username": (
        "Tên đăng nhập của người được đề nghị (nếu có)",
        "The nominee's username (if any)",
    ),
    "documents_hint": ("Tài liệu kèm theo, mỗi dòng một tài liệu", "Documents, one per line"),
    "create_submit": ("Lập hồ sơ", "Create"),
    "created": (
        "Đã lập hồ sơ. Hãy gửi hồ sơ từ Hộp công việc.",
        "The nomination is open. Submit it from the task inbox.",
    ),
    "not_proposer": (
        "Chỉ cán bộ phụ trách thi đua của đơn vị mới được lập hồ sơ đề nghị.",
        "Only a unit's emulation officer may open nominations.",
    ),
    # Public board
    "board_title": ("Bảng công khai", "Public board"),
    "board_intro": (
        "Danh sách đề nghị khen thưởng đang công khai lấy ý kiến. Ý kiến phải ghi rõ họ tên, "
        "số điện thoại và địa chỉ của người gửi.",
        "Nominations open for public comment. A comment must give the sender's name, phone "
        "and address.",
    ),
    "board_empty": (
        "Hiện không có hồ sơ nào đang công khai.",
        "No nomination is open for comment now.",
    ),
    "days_left": (
        "Còn {days} ngày làm việc để góp ý (đến hết ngày {date})",
        "{days} working days left to comment (until the end of {date})",
    ),
    "comment_form": ("Gửi ý kiến về hồ sơ này", "Comment on this nomination"),
    "comment_name": ("Họ và tên", "Name"),
    "comment_phone": ("Số điện thoại", "Phone"),
    "comment_address": ("Địa chỉ", "Address"),
    "comment_content": ("Nội dung ý kiến", "Comment"),
    "comment_honeypot": ("Để trống ô này", "Leave this empty"),
    "comment_submit": ("Gửi ý kiến", "Send comment"),
    "comment_received": (
        "Đã nhận ý kiến của bạn. Xin cảm ơn.",
        "Your comment has been received. Thank you.",
    ),
    "comment_closed": ("Đã hết thời hạn công khai lấy ý kiến.", "The comment period has ended."),
    # Stages and levels
    "stage_prepare_dossier": ("Chuẩn bị hồ sơ", "Preparing the dossier"),
    "stage_appraise": ("Thẩm định hồ sơ", "Appraisal"),
    "stage_check": ("Kiểm tra", "Check"),
    "stage_vote": ("Hội đồng Thi đua - Khen thưởng bỏ phiếu", "Council vote"),
    "stage_record_meeting": ("Ghi kết quả họp Hội đồng", "Recording the council meeting"),
    "stage_publicity": ("Công khai lấy ý kiến", "Public comment"),
    "stage_review_comments": ("Xem xét ý kiến công khai", "Reviewing public comments"),
    "stage_decide": ("Quyết định khen thưởng hoặc trình cấp trên", "Decision"),
    "stage_record_outside_decision": (
        "Ghi quyết định của cấp có thẩm quyền",
        "Recording the outside decision",
    ),
    "stage_processing": ("Đang xử lý", "Processing"),
    "stage_awarded": ("Đã khen thưởng", "Awarded"),
    "stage_rejected": ("Không khen thưởng", "Not awarded"),
    "stage_withdrawn": ("Đã rút", "Withdrawn"),
    "stage_error": ("Lỗi quy trình", "Process error"),
    "stage_withdraw": ("Rút hồ sơ", "Withdrawal"),
    "status_open": ("Đang xét", "Open"),
    "status_awarded": ("Đã khen thưởng", "Awarded"),
    "status_rejected": ("Không khen thưởng", "Not awarded"),
    "status_withdrawn": ("Đã rút", "Withdrawn"),
    "decision_award": ("Quyết định khen thưởng", "Awarded"),
    "decision_forward": ("Trình cấp trên", "Forwarded to the level above"),
    "decision_reject": ("Không khen thưởng", "Not awarded"),
    "decision_awarded": ("Được khen thưởng", "Awarded"),
    "decision_rejected": ("Không được khen thưởng", "Not awarded"),
    # Statistics and integrity pages (web/pages/stats.py, web/pages/integrity.py)
    "stats_title": ("Thống kê thi đua, khen thưởng", "Emulation and commendation statistics"),
    "stats_year": ("Năm", "Year"),
    "stats_apply": ("Xem", "Show"),
    "stats_export_csv": ("Tải CSV", "Download CSV"),
    "stats_export_xlsx": ("Tải Excel (XLSX)", "Download Excel (XLSX)"),
    "stats_totals": (
        "Tổng số hồ sơ đề nghị: {nominations}; được khen thưởng: {awarded}",
        "Nominations: {nominations}; awarded: {awarded}",
    ),
    "stats_worker_ratio": (
        "Tỷ lệ người trực tiếp lao động, công tác trong hồ sơ cá nhân: {ratio}% "
        "(mức tối thiểu {threshold}%)",
        "Direct workers among individual nominations: {ratio}% (minimum {threshold}%)",
    ),
    "stats_worker_warning": (
        "Cảnh báo: tỷ lệ người trực tiếp lao động, công tác dưới {threshold}% — "
        "cần ưu tiên khen thưởng người trực tiếp lao động, công tác.",
        "Warning: direct workers are under {threshold}%; they should be given priority.",
    ),
    "stats_empty": ("Không có số liệu.", "No figures."),
    "stats_no_decision": ("Chưa có quyết định", "No decision yet"),
    "stats_col_table": ("Bảng", "Table"),
    "stats_col_value": ("Tiêu chí", "Value"),
    "stats_col_nominations": ("Số hồ sơ đề nghị", "Nominations"),
    "stats_col_awarded": ("Số được khen thưởng", "Awarded"),
    "stats_by_award": ("Theo danh hiệu, hình thức", "By award"),
    "stats_by_kind": ("Theo loại hình khen thưởng", "By award kind"),
    "stats_by_subject": ("Theo đối tượng (cá nhân, tập thể)", "By subject"),
    "stats_by_role": (
        "Cá nhân: lãnh đạo, quản lý và người trực tiếp lao động, công tác",
        "Individuals: leaders and direct workers",
    ),
    "stats_by_level": ("Theo cấp quyết định", "By deciding level"),
    "stats_by_year": ("Theo năm", "By year"),
    "stats_by_campaign": ("Theo đợt thi đua", "By campaign round"),
    "stats_role_leader": ("Lãnh đạo, quản lý", "Leaders and managers"),
    "stats_role_worker": ("Người trực tiếp lao động, công tác", "Direct workers"),
    "award_kind_thuong_xuyen": ("Thường xuyên", "Regular"),
    "award_kind_chuyen_de": ("Chuyên đề", "Thematic"),
    "award_kind_dot_xuat": ("Đột xuất", "Ad hoc"),
    "award_kind_cong_hien": ("Quá trình cống hiến", "Lifetime contribution"),
    "award_kind_nien_han": ("Niên hạn", "Length of service"),
    "award_kind_doi_ngoai": ("Đối ngoại", "Foreign relations"),
    "integrity_title": ("Kiểm tra toàn vẹn nhật ký", "Audit chain integrity"),
    "integrity_checked": ("Số sự kiện đã kiểm tra", "Events checked"),
    "integrity_head": ("Mã băm đầu chuỗi", "Chain head hash"),
    "integrity_anchors": ("Số mốc đã đối chiếu", "Anchors checked"),
    "integrity_ok": ("Toàn vẹn: chuỗi nhật ký không bị thay đổi.", "OK: the chain holds."),
    "integrity_broken": ("Chuỗi bị phá vỡ tại sự kiện số {seq}", "Broken at event {seq}"),
    "integrity_anchor_form": ("Đối chiếu với mốc đã công bố", "Check published anchors"),
    "integrity_anchor_help": (
        "Các mốc neo do máy chủ ghi đã được đối chiếu ở trên. Dán hoặc tải lên thêm các mốc "
        "lưu ở nơi khác (các dòng JSON của một tệp mốc neo) để đối chiếu cùng.",
        "The anchors the server recorded are checked above. Paste or upload more kept "
        "elsewhere (the JSON lines of an anchor file) to check them too.",
    ),
    "integrity_anchor_paste": ("Các mốc (mỗi dòng một mốc)", "Anchors (one per line)"),
    "integrity_anchor_file": ("Hoặc tải tệp lên", "Or upload a file"),
    "integrity_verify": ("Kiểm tra", "Verify"),
    "integrity_bad_anchor": (
        "Dòng {line} không phải là một mốc hợp lệ.",
        "Line {line} is not a valid anchor.",
    ),
    "integrity_too_big": ("Tệp quá lớn.", "The file is too large."),
    # Auditors' pages (web/pages/auditor.py)
    "audit_history_title": ("Lịch sử hồ sơ {code}", "History of nomination {code}"),
    "audit_dossier_title": ("Hồ sơ thanh tra {code}", "Inspection dossier {code}"),
    "audit_printed_by": ("In bởi: {name}", "Printed by: {name}"),
    "audit_print": ("Bản in hồ sơ", "Printable dossier"),
    "audit_search_title": ("Tra cứu thanh tra", "Audit search"),
    "audit_search_button": ("Tìm kiếm", "Search"),
    "audit_found": ("Tìm thấy {count} sự kiện.", "{count} events found."),
    "audit_diagram": ("Sơ đồ quy trình và đường đi thực tế", "Process diagram and path taken"),
    "audit_legend_done": ("Đã thực hiện", "Done"),
    "audit_legend_active": ("Đang chờ xử lý", "Waiting now"),
    "audit_legend_error": ("Lỗi", "Error"),
    "audit_events": ("Các bước đã ghi nhận", "Recorded steps"),
    "audit_nominee": ("Người/tập thể được đề nghị", "Nominee"),
    "audit_award": ("Danh hiệu, hình thức khen thưởng", "Award"),
    "audit_campaign": ("Đợt thi đua", "Campaign"),
    "audit_origin": ("Đơn vị đề nghị", "Proposing organisation"),
    "audit_process": ("Quy trình", "Process"),
    "audit_version": ("phiên bản {version}", "version {version}"),
    "audit_time": ("Thời gian", "Time"),
    "audit_person": ("Người thực hiện", "Person"),
    "audit_role": ("Vai trò", "Role"),
    "audit_org": ("Đơn vị", "Organisation"),
    "audit_action": ("Thao tác", "Action"),
    "audit_data": ("Nội dung", "Details"),
    "audit_versions": ("Phiên bản quy trình, quy định", "Process and rule versions"),
    "audit_rule": ("quy định #{id}", "rule #{id}"),
    "audit_tallies": ("Kết quả bỏ phiếu", "Vote tallies"),
    "audit_round": ("Vòng", "Round"),
    "audit_votes": ("Số phiếu", "Votes"),
    "audit_tally": (
        "{yes} đồng ý, {no} không đồng ý / {total} thành viên",
        "{yes} for, {no} against / {total} members",
    ),
    "audit_threshold": ("Tỷ lệ cần đạt", "Threshold"),
    "audit_result": ("Kết quả", "Result"),
    "audit_passed": ("Đạt", "Passed"),
    "audit_failed": ("Không đạt", "Not passed"),
    "audit_decisions": ("Quyết định", "Decisions"),
    "audit_decision_no": ("Số quyết định", "Decision number"),
    "audit_dated": ("ngày {date}", "of {date}"),
    "audit_ballot": ("Phiếu", "Ballot"),
    "audit_voted": ("đã bỏ phiếu", "voted"),
    "audit_yes": ("Có", "Yes"),
    "audit_no": ("Không", "No"),
    "audit_from": ("Từ ngày", "From"),
    "audit_to": ("Đến ngày", "To"),
    "audit_pages": ("Trang kết quả", "Result pages"),
    "audit_page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "audit_prev": ("Trang trước", "Previous"),
    "audit_next": ("Trang sau", "Next"),
    "audit_achievements": ("Thành tích", "Achievements"),
    "audit_role_proposer": ("Cán bộ đề nghị", "Proposer"),
    "audit_role_secretary": ("Thư ký Hội đồng", "Council secretary"),
    "audit_role_council": ("Thành viên Hội đồng", "Council member"),
    "audit_role_head": ("Thủ trưởng đơn vị", "Head"),
    "audit_action_instance.started": ("Lập hồ sơ", "Nomination opened"),
    "audit_action_task.completed": ("Hoàn thành bước", "Step completed"),
    "audit_action_timer.fired": ("Hết thời hạn", "Time limit reached"),
    "audit_action_message.delivered": ("Rút hồ sơ", "Withdrawn"),
    "audit_action_instance.completed": ("Kết thúc quy trình", "Process ended"),
    "audit_action_comment.received": ("Nhận ý kiến công khai", "Public comment received"),
    "audit_action_ballot.cast": ("Bỏ phiếu", "Ballot cast"),
    "audit_action_record.read": ("Thanh tra xem hồ sơ", "Record read by an auditor"),
    "export_seq": ("STT sự kiện", "Event no."),
    "export_time": ("Thời gian", "Time"),
    "export_business_key": ("Mã hồ sơ", "Nomination code"),
    "export_nominee": ("Người/tập thể được đề nghị", "Nominee"),
    "export_award": ("Danh hiệu", "Award"),
    "export_org": ("Đơn vị đề nghị", "Proposing organisation"),
    "export_campaign": ("Đợt thi đua", "Campaign"),
    "export_action": ("Thao tác", "Action"),
    "export_person": ("Người thực hiện", "Person"),
    "export_role": ("Vai trò", "Role"),
    "export_step_org": ("Đơn vị thực hiện", "Organisation of the step"),
    "export_data": ("Nội dung", "Details"),
    "field_award": ("Danh hiệu", "Award"),
    "field_business_key": ("Mã hồ sơ", "Nomination code"),
    "field_definition": ("Quy trình", "Process"),
    "field_version": ("Phiên bản", "Version"),
    "field_nominee": ("Người/tập thể được đề nghị", "Nominee"),
    "field_org": ("Đơn vị", "Organisation"),
    "field_decision_no": ("Số quyết định", "Decision number"),
    "field_decision_date": ("Ngày quyết định", "Decision date"),
    "field_missing": ("Hồ sơ còn thiếu", "Missing from the dossier"),
    "field_reason": ("Lý do", "Reason"),
    "field_comment": ("Ý kiến", "Comment"),
    "field_handling": ("Xử lý ý kiến", "Handling of the comment"),
    "field_message": ("Thông điệp", "Message"),
    "field_payload": ("Nội dung", "Content"),
    "field_round": ("Vòng", "Round"),
    "field_nomination": ("Hồ sơ", "Nomination"),
    "result_complete": ("Đủ điều kiện", "Complete"),
    "result_incomplete": ("Chưa đủ, trả lại bổ sung", "Incomplete, returned"),
    "result_refused": ("Từ chối", "Refused"),
}

_API_MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "bad_request": ("Yêu cầu không hợp lệ.", "Bad request."),
    "unauthorized": ("Bạn cần đăng nhập.", "You need to sign in."),
    "token_invalid": (
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
        "The token is invalid, expired or revoked.",
    ),
    "login_refused": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "too_many_attempts": (
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "Too many failed logins. Try again in {seconds} seconds.",
    ),
    "forbidden": ("Bạn không có quyền thực hiện việc này.", "You may not do this."),
    "not_found": ("Không tìm thấy.", "Not found."),
    "method_not_allowed": ("Phương thức không được hỗ trợ.", "Method not allowed."),
    "conflict": ("Xung đột: dữ liệu đã thay đổi.", "Conflict: the data has changed."),
    "invalid": ("Dữ liệu không hợp lệ.", "The data is not valid."),
    "invalid_value": ("Giá trị không hợp lệ.", "Invalid value."),
    "definition_rejected": (
        "Định nghĩa quy trình không hợp lệ; không có gì được lưu.",
        "The process definition was refused; nothing was stored.",
    ),
    "too_large": ("Dữ liệu gửi lên quá lớn.", "The upload is too large."),
    "rate_limited": ("Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests."),
    "server_error": (
        "Lỗi hệ thống; thao tác không được thực hiện.",
        "Server error; nothing was changed.",
    ),
    "unsupported_media": (
        "Dữ liệu phải ở dạng JSON.",
        "The request body must be JSON.",
    ),
    "json_too_deep": (
        "Dữ liệu JSON lồng nhau quá sâu (tối đa {most} tầng).",
        "The JSON is nested too deeply (at most {most} levels).",
    ),
    "nomination_not_found": ("Không tìm thấy hồ sơ {id}.", "Nomination {id} not found."),
    "nomination_ended": (
        "Hồ sơ đã kết thúc hoặc không còn rút được.",
        "The nomination has ended and can no longer be withdrawn.",
    ),
    "unknown_user": ("Không có người dùng này.", "No such user."),
    "task_not_found": ("Không tìm thấy công việc này.", "No such task."),
    "task_not_ready": (
        "Công việc này đã được xử lý hoặc không còn chờ xử lý; không có gì thay đổi.",
        "This task is already done or no longer waiting; nothing was changed.",
    ),
    "task_busy": (
        "Hồ sơ vừa được người khác cập nhật cùng lúc; vui lòng gửi lại.",
        "Someone else changed this nomination at the same moment; please send again.",
    ),
    # Public board, administration and oversight (web/api/public.py, admin.py, auditor.py).
    "length_between": ("Độ dài từ {low} đến {high} ký tự.", "From {low} to {high} characters."),
    "blank": ("Không được để trống.", "May not be blank."),
    "phone_invalid": (
        "Số điện thoại không hợp lệ: 9–11 chữ số, có thể bắt đầu bằng 0 hoặc +84.",
        "Not a valid phone number: 9–11 digits, optionally starting with 0 or +84.",
    ),
    "comment_rate_limited": (
        "Bạn đã gửi quá nhiều ý kiến. Vui lòng thử lại sau {minutes} phút.",
        "Too many comments from your address. Try again in {minutes} minutes.",
    ),
    "notice_not_found": (
        "Không có hồ sơ đang công khai lấy ý kiến với mã này.",
        "No nomination open for public comment has this id.",
    ),
    "admin_required": (
        "Chỉ quản trị hệ thống mới được làm việc này.",
        "Only system administrators may do this.",
    ),
    "auditor_required": (
        "Chỉ thanh tra, kiểm tra hoặc quản trị hệ thống mới được xem.",
        "Only auditors and administrators may read this.",
    ),
    "file_name_invalid": (
        "Tên tệp không hợp lệ hoặc bị trùng: {name!r}.",
        "Missing or repeated file name: {name!r}.",
    ),
    "files_count": (
        "Cần từ 1 đến {most} tệp .bpmn/.dmn (trường files).",
        "Send 1 to {most} .bpmn/.dmn files (field files).",
    ),
    "definition_key_invalid": (
        "Mã quy trình gồm chữ cái không dấu, chữ số, '_', '.', '-' (tối đa 100 ký tự).",
        "A definition key is ASCII letters, digits, '_', '.', '-' (at most 100 characters).",
    ),
    "definition_key_needed": (
        "Mã tiến trình quá dài để làm mã quy trình; hãy nhập mã quy trình (key).",
        "The process id is too long to be the key; give a key.",
    ),
    "definition_not_found": (
        "Không có phiên bản {version} của quy trình {definition!r}.",
        "No version {version} of definition {definition!r}.",
    ),
    "instance_not_found": ("Không tìm thấy tiến trình {id}.", "Process instance {id} not found."),
    "instance_not_in_error": (
        "Tiến trình đang ở trạng thái {status}, không bị lỗi; không có gì để chạy lại.",
        "The instance is {status}, not in error; there is nothing to retry.",
    ),
}


def _merged(*catalogues: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One catalogue from each area's own; a key two areas define is a mistake (one would
    silently change the other's text), refused at import."""
    merged: dict[str, tuple[str, str]] = {}
    for catalogue in catalogues:
        clash = merged.keys() & catalogue.keys()
        if clash:
            raise KeyError(f"message keys defined twice: {sorted(clash)}")
        merged.update(catalogue)
    return merged


MESSAGES = _merged(
    _API_MESSAGES,
    PAGE_MESSAGES,
    INSTANCE_MESSAGES,
    INSTALLATION_MESSAGES,
    PROCESS_MESSAGES,
    ANCHOR_MESSAGES,
    NAMES_MESSAGES,
)


def language() -> str:
    """The request's language: the one chosen on the pages (kept in the session), else
    `Accept-Language` if it asks for English, else Vietnamese."""
    if not has_request_context():
        return "vi"
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


def template(key: str) -> str:
    """The message in the request's language with its `{placeholders}` left in, for a
    page's script to fill."""
    vi, en = MESSAGES[key]
    return en if language() == "en" else vi


def t(key: str, **params: object) -> str:
    return template(key).format(**params)
