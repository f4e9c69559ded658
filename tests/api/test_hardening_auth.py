"""Issue 11's attacks on signing in, sessions, request bodies and tasks, replayed over HTTP:
tokens that outlived a password reset or a revoked role, a login limit that raced on
PostgreSQL and let anyone lock any account, deep JSON that ended in a 500, and a 403 that
named another organisation's task."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.api.conftest import COMMENT, Api
from tests.api.test_tasks import inbox
from workflows import auth
from workflows.models import LoginFailure

PASSWORD = "laurel-demo"
ADMIN = "quantri"
PEOPLE = "/api/v1/installation/people"
ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"


def sign_in(api: Api, username: str, password: str = PASSWORD, address: str = OWNER) -> Any:
    return api.client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def token_of(api: Api, username: str, password: str = PASSWORD) -> str:
    response = sign_in(api, username, password)
    assert response.status_code == 201, response.get_json()
    token: str = response.get_json()["token"]
    return token


def me(api: Api, token: str) -> Any:
    return api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def admin(api: Api, method: str, path: str, body: Any = None) -> Any:
    response = api.client.open(path, method=method, json=body, headers=api.headers(ADMIN))
    assert response.status_code in (200, 201, 204), response.get_json()
    return response


def assert_ended(api: Api, token: str) -> None:
    after = me(api, token)
    assert after.status_code == 401
    assert "thu hồi" in after.get_json()["detail"]


def failures_of(api: Api, username: str) -> int:
    with Session(api.db) as session:
        count = session.scalar(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.username == username)
        )
    return count or 0


# --- a password reset or a role revocation ends every session ---------------------------


def test_a_password_reset_ends_every_token_of_the_person_at_once(api: Api) -> None:
    tokens = [token_of(api, "canbo.thpt_lvt") for _ in range(2)]  # two devices
    assert all(me(api, token).status_code == 200 for token in tokens)
    admin(api, "PATCH", f"{PEOPLE}/canbo.thpt_lvt", {"password": "mat-khau-moi-2026"})
    for token in tokens:
        assert_ended(api, token)
    assert sign_in(api, "canbo.thpt_lvt").status_code == 401  # the old password is gone
    fresh = token_of(api, "canbo.thpt_lvt", "mat-khau-moi-2026")
    assert me(api, fresh).get_json()["username"] == "canbo.thpt_lvt"
    # A change of name ends nothing.
    admin(api, "PATCH", f"{PEOPLE}/canbo.thpt_lvt", {"full_name": "Trần Thị Mai"})
    assert me(api, fresh).status_code == 200


def test_a_revoked_role_ends_every_token_and_the_person_signs_in_again(api: Api) -> None:
    token = token_of(api, "hoidong1.thcs_ths")
    admin(api, "POST", f"{PEOPLE}/hoidong1.thcs_ths/roles", {"role": "council", "org": "TH_DTH"})
    assert me(api, token).status_code == 200  # a role granted takes nothing away
    admin(api, "DELETE", f"{PEOPLE}/hoidong1.thcs_ths/roles/council/THCS_THS")
    assert_ended(api, token)
    again = token_of(api, "hoidong1.thcs_ths")
    roles = me(api, again).get_json()["roles"]
    assert [(r["role"], r["org"]) for r in roles] == [("council", "TH_DTH")]


def test_a_deactivated_account_stays_signed_out_when_reactivated(api: Api) -> None:
    token = token_of(api, "thuky.thpt_lvt")
    admin(api, "PATCH", f"{PEOPLE}/thuky.thpt_lvt", {"active": False})
    assert_ended(api, token)
    admin(api, "PATCH", f"{PEOPLE}/thuky.thpt_lvt", {"active": True})
    assert_ended(api, token)  # the old token does not come back with the account
    assert me(api, token_of(api, "thuky.thpt_lvt")).status_code == 200


def test_a_login_racing_a_password_reset_gets_a_token_that_never_works(api: Api) -> None:
    # The password was checked before the reset committed; the token is issued after it.
    with Session(api.db) as session, session.begin():
        issued = auth.issue_token(session, "canbo.thcs_ths", api.clock.now(), generation=0)
        auth.end_sessions(session, "canbo.thcs_ths")
    assert_ended(api, issued.token)


# --- the login limit --------------------------------------------------------------------


def test_forty_parallel_wrong_passwords_get_at_most_the_limit_checked(api: Api) -> None:
    attempts = 40
    start = threading.Barrier(attempts)

    def attempt(_: int) -> int:
        client = api.app.test_client()
        start.wait()
        response = client.post(
            "/api/v1/auth/token",
            json={"username": ADMIN, "password": "doan-mo"},
            environ_base={"REMOTE_ADDR": ATTACKER},
        )
        return response.status_code

    with ThreadPoolExecutor(attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    limit = auth.PAIR_LIMIT.limit
    assert sorted(set(statuses)) == [401, 429]
    assert statuses.count(401) == limit  # each 401 is one password checked
    assert failures_of(api, ADMIN) == limit


def test_an_attacker_does_not_lock_the_owner_out(api: Api) -> None:
    for _ in range(auth.PAIR_LIMIT.limit):
        assert sign_in(api, ADMIN, "doan-mo", ATTACKER).status_code == 401
    refused = sign_in(api, ADMIN, PASSWORD, ATTACKER)
    assert refused.status_code == 429  # that pair waits, even with the right password
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert sign_in(api, ADMIN, PASSWORD, OWNER).status_code == 201
    api.clock.advance(minutes=16)
    assert sign_in(api, ADMIN, PASSWORD, ATTACKER).status_code == 201


def test_many_addresses_slow_down_but_an_address_without_failures_signs_in(api: Api) -> None:
    crowd = [f"198.51.100.{n}" for n in range(1, 11)]
    for address in crowd:
        for _ in range(auth.PAIR_LIMIT_UNDER_ATTACK.limit):
            assert sign_in(api, ADMIN, "doan-mo", address).status_code == 401
    assert failures_of(api, ADMIN) == auth.ACCOUNT_UNDER_ATTACK
    # Under attack, an address that failed twice waits, without another hash computed...
    assert sign_in(api, ADMIN, PASSWORD, crowd[0]).status_code == 429
    assert failures_of(api, ADMIN) == auth.ACCOUNT_UNDER_ATTACK
    # ...and the owner's address, without failures, is never refused.
    assert sign_in(api, ADMIN, PASSWORD, OWNER).status_code == 201
    api.clock.advance(minutes=16)
    assert sign_in(api, ADMIN, PASSWORD, crowd[0]).status_code == 201


# --- deep JSON --------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [5000, 100_000, 33])
def test_deep_json_is_a_400_problem_on_every_endpoint(
    api: Api, depth: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = '{"data": {"x": ' + nested(depth - 2) + "}}"
    requests = [
        ("/api/v1/auth/token", None),
        ("/api/v1/public/nominations/1/comments", None),
        ("/api/v1/nominations", "canbo.thcs_ths"),
        ("/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete", "thuky.thcs_ths"),
        ("/dang-nhap", None),  # a page, before its CSRF check
    ]
    with caplog.at_level(logging.INFO):
        for path, user in requests:
            response = api.client.post(
                path, data=body, content_type="application/json", headers=api.headers(user)
            )
            assert response.status_code == 400, (path, response.get_data(as_text=True)[:300])
            assert response.content_type == "application/problem+json"
            assert response.get_json()["detail"] == (
                "Dữ liệu JSON lồng nhau quá sâu (tối đa 32 tầng)."
            )
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    english = api.client.post(
        "/api/v1/auth/token",
        data=nested(depth),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert english.get_json()["detail"] == "The JSON is nested too deeply (at most 32 levels)."


def test_json_within_the_depth_limit_is_read_as_before(api: Api) -> None:
    shallow = {"username": ADMIN, "password": PASSWORD, "x": [[[[[]]]]]}
    assert api.client.post("/api/v1/auth/token", json=shallow).status_code == 422  # unknown x
    deep_string = {**COMMENT, "content": "[" * 10_000}  # brackets in a string nest nothing
    response = api.client.post("/api/v1/public/nominations/999999/comments", json=deep_string)
    assert response.status_code == 422  # too long a comment, not too deep


# --- another organisation's task ----------------------------------------------------------


def test_another_organisations_task_is_not_found_to_read_or_complete(api: Api) -> None:
    [ballot] = inbox(api, "hoidong3.cdgdnb")  # a ballot of the province union's council
    for outsider in ("hoidong1.thcs_ths", "hoidong1.cdgdnb"):  # another school; another member
        read = api.client.get(f"/api/v1/tasks/{ballot['id']}", headers=api.headers(outsider))
        done = api.client.post(
            f"/api/v1/tasks/{ballot['id']}/complete",
            json={"data": {"vote": "for"}},
            headers=api.headers(outsider),
        )
        assert (read.status_code, done.status_code) == (404, 404)
        assert read.get_json() == done.get_json()
        assert "CDGD_NB" not in done.get_data(as_text=True)
    assert [t["id"] for t in inbox(api, "hoidong3.cdgdnb")] == [ballot["id"]]
