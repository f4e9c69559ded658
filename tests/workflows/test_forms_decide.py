"""The head's decision form: a decision is recorded once signed, so its date is never later
than today (in Vietnam); and the route table's answer bounds what may be decided."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.clock import FixedClock
from engine.errors import InvalidTaskData
from engine.ports import HumanTask
from workflows import forms

AWARD = {"decision": "award", "decision_no": "12/QĐ-CĐCS"}


def test_a_decision_dated_after_today_is_refused_at_its_field() -> None:
    today = date(2026, 11, 23)
    with pytest.raises(InvalidTaskData) as refused:
        forms.load("decide", {**AWARD, "decision_date": "2026-11-24"}, "decide", today=today)
    assert refused.value.errors == {"decision_date": forms.FUTURE_DATE}
    kept = forms.load("decide", {**AWARD, "decision_date": "2026-11-23"}, "decide", today=today)
    assert kept["decision_date"] == "2026-11-23"


def test_today_is_the_engine_clocks_day_in_vietnam() -> None:
    # 18:00 UTC on the 23rd is already the 24th in Hà Nội (UTC+7).
    clock = FixedClock(datetime(2026, 11, 23, 18, 0, tzinfo=UTC))
    task = HumanTask(
        id="t",
        instance_id=1,
        business_key="HS-1",
        bpmn_id="decide",
        form="decide",
        title="",
        lane="head",
        org_scope="X",
        assignee=None,
        due_at=None,
        data={"route": "decide"},
    )
    cleaned = forms.TaskForms(clock).clean(task, {**AWARD, "decision_date": "2026-11-24"})
    assert cleaned["decision_date"] == "2026-11-24"
    with pytest.raises(InvalidTaskData):
        forms.TaskForms(clock).clean(task, {**AWARD, "decision_date": "2026-11-25"})
