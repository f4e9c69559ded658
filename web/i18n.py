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
}


def language() -> str:
    """The request's language: `Accept-Language` if it asks for English, else Vietnamese."""
    if not has_request_context():
        return "vi"
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


def t(key: str, **params: object) -> str:
    vi, en = MESSAGES[key]
    return (en if language() == "en" else vi).format(**params)
