"""Messages of what pages say in place of codes (vote rounds, audit payloads as sentences)
and the per-role help pages, Vietnamese then English (merged into web.i18n)."""

from __future__ import annotations

NAMES_MESSAGES: dict[str, tuple[str, str]] = {
    # A council's vote: which time it voted on this nomination, and how.
    "tally_round": ("lần biểu quyết thứ {round}, {mode}", "vote no. {round}, {mode}"),
    "tally_mode_ballot": ("bỏ phiếu kín", "secret ballot"),
    "tally_mode_meeting": ("biểu quyết tại cuộc họp", "vote at a meeting"),
    "rule_version": ("theo tham số phiên bản {id}", "under parameter version {id}"),
}
NAMES_MESSAGES.update(
    {
        # The timer that closes the publicity window, as the timeline and history name it.
        "stage_publicity_window": ("Hết thời gian công khai", "Publicity window closed"),
        # What a step decided, for choices that had no words of their own.
        "action_submit": ("Đã gửi hồ sơ", "Dossier submitted"),
        "outcome_dismiss": ("Ý kiến không có cơ sở, tiếp tục", "Comments dismissed, continued"),
        "outcome_revote": ("Đưa Hội đồng bỏ phiếu lại", "Sent back to the council to vote again"),
        "outcome_reject": ("Không khen thưởng", "Not awarded"),
        "outcome_awarded": ("Được khen thưởng", "Awarded"),
        "outcome_rejected": ("Không được khen thưởng", "Not awarded"),
        "result_passed": ("Đạt yêu cầu", "Passed"),
        "result_failed": ("Không đạt yêu cầu", "Failed"),
        "field_campaign": ("Đợt thi đua", "Campaign"),
        "field_hash": ("Mã kiểm tra", "Check code"),
        "field_bpmn_id": ("Bước", "Step"),
        "field_org_scope": ("Đơn vị", "Organisation"),
        "field_data": ("Nội dung đã gửi", "Submitted"),
    }
)

# The help page: a few steps for each role, in the order a nomination meets them.
NAMES_MESSAGES.update(
    {
        "nav_help": ("Trợ giúp", "Help"),
        "help_title": ("Hướng dẫn sử dụng", "Help"),
        "help_intro": (
            "Mỗi người làm phần việc của vai trò mình; vai trò của bạn được đánh dấu.",
            "Each person does the work of their role; yours are marked.",
        ),
        "help_roles": ("Các vai trò", "Roles"),
        "help_yours": ("(vai trò của bạn)", "(your role)"),
        "help_proposer_title": ("Cán bộ phụ trách thi đua", "Emulation officer (proposer)"),
        "help_proposer_1": (
            "Chọn «Lập hồ sơ đề nghị», chọn cá nhân hay tập thể, rồi danh hiệu phù hợp.",
            "Choose “New nomination”, an individual or a collective, then a fitting award.",
        ),
        "help_proposer_2": (
            "Ghi thành tích và tài liệu kèm theo, bấm «Lập hồ sơ».",
            "Write the achievements and the documents attached, then “Create”.",
        ),
        "help_proposer_3": (
            "Trong Hộp công việc, mở «Lập và gửi hồ sơ đề nghị» và gửi hồ sơ.",
            "In the inbox, open “Prepare and send the dossier” and send it.",
        ),
        "help_proposer_4": (
            "Nếu hồ sơ bị trả lại, bổ sung đúng những mục còn thiếu rồi gửi lại.",
            "If the dossier comes back, add exactly what is missing and send it again.",
        ),
        "help_secretary_title": ("Thư ký Hội đồng Thi đua - Khen thưởng", "Council secretary"),
        "help_secretary_1": (
            "Mở hồ sơ cần thẩm định trong Hộp công việc.",
            "Open the dossier to appraise from the inbox.",
        ),
        "help_secretary_2": (
            "Chọn kết quả: đủ điều kiện, thiếu (ghi rõ mục còn thiếu) hoặc từ chối.",
            "Choose the result: complete, incomplete (list what is missing) or refused.",
        ),
        "help_secretary_3": (
            "Hội đồng biểu quyết tại cuộc họp: ghi số phiếu và số biên bản.",
            "Where the council votes at a meeting, record the counts and the minutes number.",
        ),
        "help_secretary_4": (
            "Hết thời gian công khai: xem xét các ý kiến nhận được và chọn cách xử lý.",
            "When the publicity window ends, review the comments received and decide how.",
        ),
        "help_council_title": ("Thành viên Hội đồng", "Council member"),
        "help_council_1": (
            "Hộp công việc liệt kê các hồ sơ chờ phiếu của bạn.",
            "The inbox lists the nominations waiting for your vote.",
        ),
        "help_council_2": (
            "Mở từng hồ sơ, hoặc «Danh sách biểu quyết» để bỏ phiếu nhiều hồ sơ một lần.",
            "Open each one, or the council list to vote on several at once.",
        ),
        "help_council_3": (
            "Phiếu là phiếu kín: không ai, kể cả thanh tra, xem được bạn đã chọn gì.",
            "The ballot is secret: nobody, auditors included, can see what you chose.",
        ),
        "help_council_4": (
            "Bạn nhận một mã kiểm tra để tự đối chiếu phiếu của mình.",
            "You get a check code to verify your own ballot.",
        ),
        "help_head_title": ("Thủ trưởng / Chủ tịch", "Head"),
        "help_head_1": (
            "Mở hồ sơ chờ quyết định trong Hộp công việc.",
            "Open the nomination waiting for your decision from the inbox.",
        ),
        "help_head_2": (
            "Trang quyết định cho biết danh hiệu có vượt thẩm quyền của cấp mình không.",
            "The decision page says whether the award is beyond your level's authority.",
        ),
        "help_head_3": (
            "Khen thưởng: ghi số và ngày quyết định (không được sau ngày hôm nay).",
            "To award, enter the decision number and date (not later than today).",
        ),
        "help_head_4": (
            "Vượt thẩm quyền: chọn «Trình cấp trên»; hồ sơ chuyển lên cấp trên.",
            "Beyond your authority, choose “Forward”; the nomination goes up a level.",
        ),
        "help_auditor_title": ("Thanh tra", "Auditor"),
        "help_auditor_1": (
            "Tra cứu thanh tra tìm mọi bước của các hồ sơ trong phạm vi đơn vị của bạn.",
            "The auditor's search finds every step of the nominations in your organisations.",
        ),
        "help_auditor_2": (
            "Mở một hồ sơ để xem toàn bộ lịch sử, sơ đồ quy trình và bản in.",
            "Open a nomination for its whole history, the process diagram and a print view.",
        ),
        "help_auditor_3": (
            "Thống kê và tệp CSV, XLSX có cột mã bên cạnh tên.",
            "Statistics and the CSV and XLSX exports carry codes beside the names.",
        ),
        "help_auditor_4": (
            "«Toàn vẹn dữ liệu» kiểm tra chuỗi nhật ký chưa bị sửa.",
            "“Integrity” checks that the audit chain has not been changed.",
        ),
        "help_admin_title": ("Quản trị", "Administrator"),
        "help_admin_1": (
            "Trang Quản trị: đơn vị, người dùng và vai trò, đợt thi đua, danh hiệu, lịch.",
            "The admin home: organisations, people and roles, campaigns, awards, calendar.",
        ),
        "help_admin_2": (
            "Tham số danh hiệu có hiệu lực từ một ngày; phiên bản cũ vẫn được lưu.",
            "Award parameters take effect from a date; earlier versions are kept.",
        ),
        "help_admin_3": (
            "«Quy trình»: sửa sơ đồ trong trình thiết kế, kiểm tra rồi triển khai.",
            "“Processes”: edit the diagram in the designer, check it, then deploy.",
        ),
        "help_admin_4": (
            "«Phiên chạy»: tạm dừng, tiếp tục hoặc chạy lại một hồ sơ gặp lỗi.",
            "“Instances”: suspend, resume or retry a nomination that failed.",
        ),
        "help_public_title": ("Người dân, cán bộ góp ý", "The public"),
        "help_public_1": (
            "Trang Công khai liệt kê các hồ sơ đang lấy ý kiến.",
            "The public board lists the nominations open for comment.",
        ),
        "help_public_2": (
            "Bấm «Gửi ý kiến về hồ sơ này», ghi họ tên, số điện thoại, địa chỉ.",
            "Choose “Comment on this nomination” and give your name, phone and address.",
        ),
        "help_public_3": (
            "Ý kiến được Thư ký Hội đồng xem xét sau khi hết thời gian công khai.",
            "The council secretary reviews comments when the window closes.",
        ),
        "help_public_4": (
            "Không cần đăng nhập để góp ý.",
            "No sign-in is needed to comment.",
        ),
    }
)

# Award parameters in words (web/pages/installation.py's options).
NAMES_MESSAGES.update(
    {
        "vote_base_all_members": ("Tổng số thành viên Hội đồng", "All council members"),
        "vote_base_present_members": ("Số thành viên có mặt", "Members present"),
        "inst_prerequisites_format": ("Cách ghi:", "Written as:"),
        "inst_prerequisites_words": (
            "Danh hiệu phải có trước và số năm liền, ví dụ: Chiến sĩ thi đua cơ sở, 3 năm liền.",
            "An award held before and for how many years in a row, e.g. 3 years as a "
            "grassroots emulation fighter.",
        ),
    }
)
