"""Signing in and out, CSRF, security headers, the language switch."""

from __future__ import annotations

import pytest

from tests.pages.conftest import Browser, text


def test_sign_in_and_out(browser: Browser) -> None:
    response = browser.login("thuky.thcs_ths")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    inbox = text(browser.get("/"))
    assert "Hộp công việc" in inbox and "Đoàn Văn Quý" in inbox

    out = browser.post("/dang-xuat", {}, csrf_from="/")
    assert out.status_code == 302
    after = browser.get("/", follow_redirects=True)
    assert "Đăng nhập" in text(after)
    assert "Đoàn Văn Quý" not in text(after)


def test_wrong_password_is_refused_in_vietnamese(browser: Browser) -> None:
    response = browser.login("thuky.thcs_ths", "sai-mat-khau")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in text(response)
    assert 'aria-invalid="true"' in text(response)


def test_too_many_failures_are_limited(browser: Browser) -> None:
    for _ in range(5):
        browser.login("thuky.thcs_ths", "sai")
    response = browser.login("thuky.thcs_ths")
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in text(response)


def test_a_post_without_the_csrf_token_is_refused(browser: Browser) -> None:
    response = browser.client.post(
        "/dang-nhap", data={"username": "thuky.thcs_ths", "password": "laurel-demo"}
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in text(response)
    forged = browser.client.post(
        "/dang-nhap",
        data={"username": "thuky.thcs_ths", "password": "laurel-demo", "csrf_token": "x"},
    )
    assert forged.status_code == 400


def test_pages_carry_security_headers(browser: Browser) -> None:
    for path in ("/", "/dang-nhap", "/cong-khai", "/static/laurel.css"):
        headers = browser.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
    # The API keeps its own answers (its docs page needs inline scripts).
    assert "Content-Security-Policy" not in browser.get("/api/v1/openapi.json").headers


def test_signed_in_pages_send_anonymous_visitors_to_sign_in(browser: Browser) -> None:
    response = browser.get("/nominations/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap?next=/nominations/new")
    # The sign-in goes back where the visitor was going, and nowhere off the site.
    token = browser.csrf()
    back = browser.client.post(
        "/dang-nhap",
        data={
            "username": "canbo.thcs_ths",
            "password": "laurel-demo",
            "next": "//evil.example/",
            "csrf_token": token,
        },
    )
    assert back.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("canbo.thcs_ths", "/"),
        ("hoidong1.thpt_lvt", "/"),
        ("thanhtra.cdgdvn", "/thanh-tra/tim-kiem"),
        ("quantri", "/quan-tri"),
    ],
)
def test_each_role_lands_where_its_work_is(browser: Browser, username: str, home: str) -> None:
    assert browser.login(username).headers["Location"] == home
    asked = browser.client.post(
        "/dang-nhap?next=/cong-khai",
        data={"username": username, "password": "laurel-demo", "csrf_token": browser.csrf()},
    )
    assert asked.headers["Location"] == "/cong-khai"  # a page asked for still wins


def test_help_page_and_icon(browser: Browser) -> None:
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.content_type.startswith("image/svg+xml")
    anonymous = text(browser.get("/tro-giup"))
    assert "Hướng dẫn sử dụng" in anonymous and "Thư ký Hội đồng" in anonymous
    browser.login("thuky.thcs_ths")
    home = text(browser.get("/"))
    assert 'href="/tro-giup"' in home
    english = text(browser.get("/tro-giup?lang=en"))
    assert "Council secretary" in english and "(your role)" in english


def test_english_switch_is_kept_in_the_session(browser: Browser) -> None:
    page = text(browser.get("/dang-nhap?lang=en"))
    assert '<html lang="en">' in page and "Sign in" in page
    assert '<html lang="en">' in text(browser.get("/cong-khai"))
    wrong = browser.login("thuky.thcs_ths", "wrong")
    assert "Wrong username or password." in text(wrong)
    assert '<html lang="vi">' in text(browser.get("/cong-khai?lang=vi"))
    assert "Bảng công khai" in text(browser.get("/cong-khai"))


def test_the_session_cookie_is_secure_outside_testing(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAUREL_MODE", raising=False)
    browser.app.config["TESTING"] = False
    cookie = browser.get("/dang-nhap").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_credentials_the_api_would_refuse_are_a_wrong_login_not_an_error(
    browser: Browser,
) -> None:
    # Through the API's schema: blank, too long or with a NUL (which PostgreSQL cannot
    # take: a 500 before) are refused as a wrong password is, and the form is shown again.
    for username in ("thuky.thcs_ths\x00", "a" * 101, "", "   "):
        response = browser.login(username)
        assert response.status_code == 401, repr(username)
        assert "Sai tên đăng nhập hoặc mật khẩu." in text(response)
    assert browser.login("thuky.thcs_ths", "x" * 201).status_code == 401
    # Spaces typed around the username are not part of it.
    signed_in = browser.login("  thuky.thcs_ths ")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
