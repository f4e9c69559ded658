"""Issue 11's attacks on the pages' sign-in replayed in a browser session: redirects off the
site after signing in, page sessions that outlived a password reset or a revoked role, an
account locked by someone else's failures, another organisation's task."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy.orm import Session

from tests.pages.conftest import PASSWORD, Browser, text
from workflows import auth

PEOPLE = "/api/v1/installation/people"
ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"

# As typed into the address bar (percent-encoded once more than what the page reads).
OFF_SITE = [
    "/%09/evil.example",  # a tab, dropped by browsers and urlsplit: //evil.example
    "/%0a/evil.example",  # a newline: was a 500
    "/%0d%0a/evil.example",
    "%09//evil.example",
    "/%5Cevil.example",  # /\evil.example: browsers read \ as /
    "/%5C%5Cevil.example",
    "%5C%5Cevil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "/%252F%252Fevil.example",  # decodes to //evil.example
    "/%252F/evil.example",
    "/%2509/evil.example",  # decodes to a tab
    "/%255Cevil.example",  # decodes to a backslash
    "/%E2%80%A8/evil.example",  # a line separator
    "/%00/evil.example",
    "/%20/evil.example",
    "evil.example",
    "",
]
SAME_SITE = ["/nominations/new", "/cong-khai?org=THCS_THS", "/thanh-tra/tim-kiem?q=Nguy%E1%BB%85n"]


def sign_in_to(browser: Browser, next_raw: str, username: str = "canbo.thcs_ths") -> Any:
    token = browser.csrf()
    return browser.client.post(
        f"/dang-nhap?next={next_raw}",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
    )


def test_the_sign_in_never_sends_anyone_off_the_site(browser: Browser) -> None:
    for raw in OFF_SITE:
        form = browser.get(f"/dang-nhap?next={raw}")
        assert form.status_code == 200, raw
        assert 'name="next" value=""' in text(form), raw  # "": the person's home page
        signed_in = sign_in_to(browser, raw)
        assert (signed_in.status_code, signed_in.headers["Location"]) == (302, "/"), raw
    for path in SAME_SITE:  # as the sign-in page's link sends them, and kept
        assert sign_in_to(browser, quote(path, safe="/")).headers["Location"] == path


def admin_call(browser: Browser, method: str, path: str, body: Any = None) -> None:
    with Session(browser.db) as session, session.begin():
        token = auth.issue_token(session, "quantri", browser.clock.now()).token
    response = browser.app.test_client().open(
        path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (200, 201, 204), response.get_json()


def assert_signed_out(browser: Browser) -> None:
    page = browser.get("/nominations/new")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/dang-nhap")


@pytest.mark.parametrize(
    ("change", "password"),
    [
        (
            ("PATCH", f"{PEOPLE}/canbo.thcs_ths", {"password": "mat-khau-moi-2026"}),
            "mat-khau-moi-2026",
        ),
        (("DELETE", f"{PEOPLE}/canbo.thcs_ths/roles/proposer/THCS_THS", None), PASSWORD),
    ],
    ids=["password reset", "role revoked"],
)
def test_a_page_session_ends_with_a_password_reset_or_a_revoked_role(
    browser: Browser, change: tuple[str, str, Any], password: str
) -> None:
    assert browser.login("canbo.thcs_ths").status_code == 302
    assert browser.get("/nominations/new").status_code == 200
    admin_call(browser, *change)
    assert_signed_out(browser)
    assert browser.login("canbo.thcs_ths", password).status_code == 302  # and back in
    assert "Đăng xuất" in text(browser.get("/"))


def test_an_attacker_does_not_lock_the_owner_out_of_the_pages(browser: Browser) -> None:
    browser.client.environ_base["REMOTE_ADDR"] = ATTACKER
    for _ in range(auth.PAIR_LIMIT.limit):
        assert browser.login("thuky.thcs_ths", "doan-mo").status_code == 401
    assert browser.login("thuky.thcs_ths").status_code == 429
    browser.client.environ_base["REMOTE_ADDR"] = OWNER
    assert browser.login("thuky.thcs_ths").status_code == 302


def test_another_organisations_task_page_is_not_found_to_read_or_complete(
    browser: Browser,
) -> None:
    ballot = browser.task_id("Phạm Thị Hương", "vote")
    browser.login("hoidong1.thcs_ths")
    assert browser.get(f"/tasks/{ballot}").status_code == 404
    done = browser.post(f"/tasks/{ballot}", {"vote": "for"}, csrf_from="/")
    assert done.status_code == 404
    assert "CDGD_NB" not in text(done)
