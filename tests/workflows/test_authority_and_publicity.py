"""The deciding authority and the publicity window, as the head's decision form and the
public comments read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import InvalidTaskData, Message
from web.i18n import say
from workflows import authority, forms, publicity
from workflows.models import Nomination


@pytest.mark.parametrize(
    ("decision", "route", "refused"),
    [
        ("award", "decide", False),
        ("reject", "decide", False),
        ("forward", "decide", True),
        ("award", "forward", True),
        ("forward", "forward", False),
        ("award", "outside", True),
        ("reject", "forward", False),
        ("award", None, True),
    ],
)
def test_a_head_decides_within_the_authority_route_dmn_gave_the_level(
    decision: str, route: str | None, refused: bool
) -> None:
    assert (authority.decision_problem(decision, route) is not None) == refused
    data = {
        "decision": decision,
        "decision_no": "12/QĐ-UBND",
        "decision_date": "2026-05-20",
        "reason": "Chưa đủ tiêu chuẩn",
    }
    if refused:
        with pytest.raises(InvalidTaskData) as error:
            forms.load("decide", data, route=route)
        assert error.value.errors["decision"] == Message(
            authority.decision_problem(decision, route)
        )
    else:
        assert forms.load("decide", data, route=route)["decision"] == decision


def test_the_window_the_process_opened_is_open_until_its_end() -> None:
    end = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
    assert publicity.window_end({"publicity_until": end.isoformat()}) == end
    assert publicity.window_end({"publicity_until": None}) is None
    assert publicity.window_end({}) is None

    nomination = Nomination(stage=publicity.STAGE, publicity_until=end)
    assert publicity.closed_reason(nomination, end - timedelta(seconds=1)) is None
    assert say(Message(publicity.closed_reason(nomination, end) or "")) == (
        "Đã hết thời hạn công khai lấy ý kiến."
    )
    nomination.stage = "decide"
    assert "không trong thời gian công khai" in say(
        Message(publicity.closed_reason(nomination, end) or "")
    )
