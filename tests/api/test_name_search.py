"""`GET /api/v1/nominations?q=` and `GET /api/v1/tasks?q=` find a name typed with or without
diacritics ("nguyen thi thu ha" finds "Nguyễn Thị Thu Hà"), on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api


def _get(api: Api, path: str, username: str, **query: str) -> dict[str, Any]:
    response = api.client.get(path, query_string=query, headers=api.headers(username))
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize("typed", ["nguyen thi thu ha", "Nguyễn Thị THU HÀ", "thu  ha"])
def test_the_nomination_search_ignores_diacritics(api: Api, typed: str) -> None:
    found = _get(api, "/api/v1/nominations", "thanhtra.cdgdvn", q=typed)["items"]
    assert {n["nominee"]["name"] for n in found} == {"Nguyễn Thị Thu Hà"}
    mai_anh = _get(api, "/api/v1/nominations", "thanhtra.cdgdvn", q="do thi mai anh")["items"]
    assert {n["nominee"]["name"] for n in mai_anh} == {"Đỗ Thị Mai Anh"}
    assert _get(api, "/api/v1/nominations", "thanhtra.cdgdvn", q="thu hai")["total"] == 0


@pytest.mark.parametrize("typed", ["nguyen thi thu ha", "Nguyễn Thị Thu Hà"])
def test_the_task_list_searches_names_without_diacritics(api: Api, typed: str) -> None:
    found = _get(api, "/api/v1/tasks", "thuky.thcs_ths", q=typed)["items"]
    assert [(i["nomination"]["nominee_name"], i["bpmn_id"]) for i in found] == [
        ("Nguyễn Thị Thu Hà", "appraise")
    ]
    assert _get(api, "/api/v1/tasks", "thuky.thcs_ths", q="nguyen van an")["total"] == 0
