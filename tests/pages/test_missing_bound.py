"""The task page says at the field that an appraisal's missing list is too long, keeps what was
typed, and completes nothing."""

from __future__ import annotations

from tests.api.test_missing_bound import SECRETARY, appraisal, state
from tests.pages.conftest import Browser, text
from workflows.forms import MISSING_ITEMS_MAX


def test_the_task_page_says_it_at_the_field(browser: Browser) -> None:
    task_id = appraisal(browser.db)
    browser.login(SECRETARY)
    lines = "\n".join(f"Giấy tờ {i}" for i in range(MISSING_ITEMS_MAX + 1))
    response = browser.post(f"/tasks/{task_id}", {"result": "incomplete", "missing": lines})
    assert response.status_code == 422
    page = text(response)
    assert 'aria-invalid="true"' in page and "Giấy tờ 50" in page  # kept as typed
    field_error = page.split('id="f-missing-err"', 1)
    assert len(field_error) == 2, "no error at the missing field"
    assert f"Tối đa {MISSING_ITEMS_MAX} mục (đang có {MISSING_ITEMS_MAX + 1})" in field_error[1]
    assert state(browser.db, task_id) == "ready"
