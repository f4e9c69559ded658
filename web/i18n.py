"""Vietnamese first, English second: the messages the web layer writes itself."""

from __future__ import annotations

from flask import has_request_context, request

LANGUAGES = ("vi", "en")

MESSAGES: dict[str, tuple[str, str]] = {
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


def language() -> str:
    """The request's language: `Accept-Language` if it asks for English, else Vietnamese."""
    if not has_request_context():
        return "vi"
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


def t(key: str, **params: object) -> str:
    vi, en = MESSAGES[key]
    return (en if language() == "en" else vi).format(**params)
