"""Signing in and out over HTTP, and what errors look like."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def test_a_token_signs_requests_until_it_is_revoked(api: Api) -> None:
    headers = api.headers("canbo.thpt_lvt")
    me = api.client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    body: dict[str, Any] = me.get_json()
    assert body["full_name"]
    assert body["roles"] == [
        {
            "role": "proposer",
            "org": "THPT_LVT",
            "org_name": "Công đoàn Trường THPT Lương Văn Tụy",
            "level": "L1",
        }
    ]
    assert api.client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    after = api.client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert after.content_type == "application/problem+json"
    assert "thu hồi" in after.get_json()["detail"]


def test_errors_are_problems_in_vietnamese_or_english(api: Api) -> None:
    anonymous = api.client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.get_json() == {
        "type": "about:blank",
        "title": "Bạn cần đăng nhập.",
        "status": 401,
        "detail": "Bạn cần đăng nhập.",
    }
    bad = api.client.post("/api/v1/auth/token", json={"username": 7})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {
        "username": ["Phải là chuỗi ký tự."],
        "password": ["Trường này là bắt buộc."],
    }
    english = api.client.post(
        "/api/v1/auth/token", json={"username": 7}, headers={"Accept-Language": "en"}
    )
    assert english.get_json()["title"] == "The data is not valid."
    assert english.get_json()["errors"]["password"] == ["Missing data for required field."]
    assert api.client.get("/api/v1/no-such-thing").get_json()["status"] == 404


def test_repeated_failed_logins_are_rate_limited(api: Api) -> None:
    for _ in range(5):
        wrong = api.client.post(
            "/api/v1/auth/token", json={"username": "thuky.cdgdnb", "password": "sai"}
        )
        assert wrong.status_code == 401
        assert wrong.get_json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."
    limited = api.client.post(
        "/api/v1/auth/token", json={"username": "thuky.cdgdnb", "password": "laurel-demo"}
    )
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    api.clock.advance(minutes=16)
    assert (
        api.client.post(
            "/api/v1/auth/token", json={"username": "thuky.cdgdnb", "password": "laurel-demo"}
        ).status_code
        == 201
    )


def test_reference_data(api: Api) -> None:
    headers = api.headers("hoidong1.cdgdnb")
    orgs = api.client.get("/api/v1/organizations", headers=headers).get_json()
    by_code = {o["code"]: o for o in orgs}
    assert by_code["DH_HL"]["parent"] == "CDGDVN"
    assert by_code["TH_DTH"]["voting"] == "meeting"
    awards = {a["code"]: a for a in api.client.get("/api/v1/awards", headers=headers).get_json()}
    assert awards["CSTD_BO_TINH"]["rule"]["vote_threshold"] == 0.9
    assert awards["CSTD_BO_TINH"]["rule"]["prerequisites"] == [
        {"award": "CSTDCS", "consecutive_years": 3}
    ]
    assert "Luật" in awards["LDTT"]["rule"]["basis"]
    campaigns = api.client.get("/api/v1/campaigns", headers=headers).get_json()
    assert {c["code"] for c in campaigns} >= {"NH2025-2026"}


def test_the_openapi_document_and_its_page(api: Api) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in spec["paths"]
    page = api.client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger" in page.data.lower()
    assert api.client.get("/api/v1/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_username_with_a_nul_is_refused_at_its_field(api: Api) -> None:
    # PostgreSQL cannot store a NUL: it answered 500 before.
    refused = api.client.post(
        "/api/v1/auth/token", json={"username": "thuky.cdgdnb\x00", "password": "sai"}
    )
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"username"}
    spaced = api.client.post(
        "/api/v1/auth/token", json={"username": " thuky.cdgdnb ", "password": "laurel-demo"}
    )
    assert spaced.status_code == 201
