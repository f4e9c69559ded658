"""The public board and public comments, without signing in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from engine.models import AuditEvent
from tests.api.conftest import COMMENT, Api
from tests.api.conftest import nomination_named as _nomination
from web.app import create_app
from web.settings import Settings
from workflows.models import CommentAttempt, PublicComment


def _post(api: Api, nomination_id: int, body: Any, address: str, **kwargs: Any) -> TestResponse:
    return api.client.post(
        f"/api/v1/public/nominations/{nomination_id}/comments",
        json=body,
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


def test_the_board_lists_nominations_in_their_window_with_working_days_left(api: Api) -> None:
    board = api.client.get("/api/v1/public/notices")
    assert board.status_code == 200
    body = board.get_json()
    assert body["total"] == 1
    [notice] = body["items"]
    assert notice["nominee_name"] == "Đỗ Thị Mai Anh"
    assert (notice["award_code"], notice["org_code"], notice["org_level"]) == (
        "BK_BO_TINH",
        "DH_HL",
        "L1",
    )
    assert notice["org_name"] == "Công đoàn Trường Đại học Hoa Lư"
    assert notice["achievements"].startswith("Hoàn thành xuất sắc")
    # Monday 23/11 10:00; the window ends with Tuesday 1/12: 25–27/11, 30/11 and 1/12 remain
    # (24/11, Ngày Văn hóa Việt Nam, is a public holiday).
    assert notice["publicity_until"].startswith("2026-12-01T17:00")
    assert notice["working_days_left"] == 5
    # What the notice publishes, and no more (no account, documents, author, phone...).
    assert set(notice) == {
        "id",
        "business_key",
        "nominee_name",
        "nominee_kind",
        "nominee_position",
        "nominee_unit",
        "award_code",
        "award_name",
        "org_code",
        "org_name",
        "org_level",
        "org_level_name",
        "achievements",
        "publicity_until",
        "working_days_left",
    }

    def total(query: str) -> int:
        count: int = api.client.get(f"/api/v1/public/notices?{query}").get_json()["total"]
        return count

    assert total("org=DH_HL") == total("org=CDGDVN") == total("award=BK_BO_TINH") == 1
    assert total("org=THPT_LVT") == total("award=LDTT") == total("org=NO_SUCH") == 0

    api.clock.advance(days=4)  # Friday 27/11: 30/11 and 1/12 remain
    assert api.client.get("/api/v1/public/notices").get_json()["items"][0]["working_days_left"] == 2


def test_a_signed_comment_is_stored_and_traced_without_personal_data(api: Api) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    created = _post(api, nomination.id, COMMENT, "10.0.0.1")
    assert created.status_code == 201, created.get_json()
    receipt = created.get_json()
    assert set(receipt) == {"id", "received_at"}
    with Session(api.db) as session:
        stored = session.get_one(PublicComment, receipt["id"])
        assert (stored.nomination_id, stored.org_code, stored.handling) == (
            nomination.id,
            "DH_HL",
            None,
        )
        assert (stored.name, stored.phone, stored.address) == (
            "Trần Văn Bình",
            "0912 345 678",
            "Hoa Lư, Ninh Bình",
        )
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert event is not None and event.action == "comment.received"
        assert event.data["comment"] == receipt["id"]
        assert "Trần Văn Bình" not in event.payload and "0912" not in event.payload


def test_bad_comments_get_field_errors_in_vietnamese_and_store_nothing(api: Api) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    missing = _post(api, nomination.id, {"name": "Bình"}, "10.0.0.2")
    assert missing.status_code == 422
    assert missing.content_type == "application/problem+json"
    assert missing.get_json()["errors"] == {
        "phone": ["Trường này là bắt buộc."],
        "address": ["Trường này là bắt buộc."],
        "content": ["Trường này là bắt buộc."],
    }
    bad = _post(
        api,
        nomination.id,
        {**COMMENT, "name": "B", "phone": "12-34", "content": "ngắn", "address": "   "},
        "10.0.0.2",
    )
    assert bad.status_code == 422
    errors = bad.get_json()["errors"]
    assert errors["name"] == ["Độ dài từ 2 đến 200 ký tự."]
    assert errors["content"] == ["Độ dài từ 10 đến 5000 ký tự."]
    assert errors["address"] == ["Không được để trống."]
    assert "Số điện thoại không hợp lệ" in errors["phone"][0]
    english = _post(
        api,
        nomination.id,
        {**COMMENT, "phone": "abc"},
        "10.0.0.2",
        headers={"Accept-Language": "en"},
    )
    assert "Not a valid phone number" in english.get_json()["errors"]["phone"][0]
    for phone in ("+84 912 345 678", "024 3826 1234", "912345678"):
        assert _post(api, nomination.id, {**COMMENT, "phone": phone}, phone).status_code == 201

    # Unknown, or not open for comments: the same 404, nothing said about which.
    appraisal = _nomination(api, "Nguyễn Thị Thu Hà")
    for nomination_id in (appraisal.id, 99_999):
        refused = _post(api, nomination_id, COMMENT, "10.0.0.3")
        assert refused.status_code == 404
        assert refused.get_json()["detail"].startswith("Không có hồ sơ đang công khai")
    with Session(api.db) as session:
        assert len(session.scalars(select(PublicComment)).all()) == 3


def test_comments_after_the_window_are_refused(api: Api) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    assert nomination.publicity_until is not None
    # The window has closed; its timer has not fired yet, so the stage is still publicity.
    api.clock.at = nomination.publicity_until + timedelta(minutes=1)
    late = _post(api, nomination.id, COMMENT, "10.0.0.4")
    assert late.status_code == 409
    assert late.get_json()["detail"] == "Đã hết thời hạn công khai lấy ý kiến."
    assert api.client.get("/api/v1/public/notices").get_json()["total"] == 0
    with Session(api.db) as session:
        assert session.scalars(select(PublicComment)).first() is None


def test_the_sixth_comment_from_one_address_in_an_hour_is_refused(
    api: Api, demo_database_url: str
) -> None:
    nomination = _nomination(api, "Đỗ Thị Mai Anh")
    for _ in range(5):
        assert _post(api, nomination.id, COMMENT, "203.0.113.9").status_code == 201
        api.clock.advance(minutes=1)
    limited = _post(api, nomination.id, COMMENT, "203.0.113.9")
    assert limited.status_code == 429
    assert limited.content_type == "application/problem+json"
    assert limited.headers["Retry-After"] == str(55 * 60)  # the first one leaves the hour then
    assert "quá nhiều ý kiến" in limited.get_json()["detail"]
    assert _post(api, nomination.id, COMMENT, "203.0.113.10").status_code == 201

    # The count is in the database: another web process refuses the address too.
    other = create_app(Settings(demo_database_url, "test"), clock=api.clock)
    again = other.test_client().post(
        f"/api/v1/public/nominations/{nomination.id}/comments",
        json=COMMENT,
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert again.status_code == 429
    other.extensions["laurel.db"].dispose()

    api.clock.advance(minutes=55)
    assert _post(api, nomination.id, COMMENT, "203.0.113.9").status_code == 201
    with Session(api.db) as session:
        clients = session.scalars(select(CommentAttempt.client)).all()
        assert "203.0.113.9" not in clients  # only a digest of the address is kept
