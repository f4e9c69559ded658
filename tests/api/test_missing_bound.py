"""An appraisal's list of what a dossier lacks is bounded: too many items, or one too long,
is refused at the field with a Vietnamese message (API and task page), and nothing changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from tests.api.conftest import Api
from workflows.forms import MISSING_ITEM_MAX, MISSING_ITEMS_MAX

SECRETARY = "thuky.thcs_ths"  # the demo's Nguyễn Thị Thu Hà waits for this appraisal


def appraisal(db: Engine) -> str:
    with Session(db) as session:
        found = session.scalar(
            select(TaskRow.id).where(
                TaskRow.bpmn_id == "appraise",
                TaskRow.org_scope == "THCS_THS",
                TaskRow.state == "ready",
            )
        )
    assert found is not None
    return found


def state(db: Engine, task_id: str) -> str:
    with Session(db) as session:
        return session.get_one(TaskRow, task_id).state


def complete(api: Api, task_id: str, missing: Any) -> Any:
    return api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": {"result": "incomplete", "missing": missing}},
        headers=api.headers(SECRETARY),
    )


def test_the_api_refuses_a_missing_list_too_long_or_with_an_item_too_long(api: Api) -> None:
    task_id = appraisal(api.db)
    refusals = {
        "many": (["Giấy tờ"] * (MISSING_ITEMS_MAX + 1), f"Tối đa {MISSING_ITEMS_MAX} mục"),
        "long": (["Tờ trình", "x" * (MISSING_ITEM_MAX + 1)], "Mục 2 dài 301 ký tự"),
        "blank": (["Tờ trình", "  "], "Mục 2 đang để trống"),
        "huge": (["y"] * 100_000, "đang có 100000"),
    }
    for name, (missing, message) in refusals.items():
        response = complete(api, task_id, missing)
        assert response.status_code == 422, name
        assert message in response.get_json()["errors"]["missing"], name
        assert state(api.db, task_id) == "ready", name

    largest = [f"Giấy tờ {i}".ljust(MISSING_ITEM_MAX, ".") for i in range(MISSING_ITEMS_MAX)]
    assert complete(api, task_id, largest).status_code == 200
    assert state(api.db, task_id) == "completed"
