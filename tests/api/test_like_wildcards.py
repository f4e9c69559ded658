"""LIKE's wildcards typed into a search are looked for literally: `q=%` and `q=_` list only
what holds a `%` or a `_`, in the people search and every other text search."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

ADMIN = "quantri"


def people(api: Api, q: str) -> set[str]:
    response = api.client.get(
        "/api/v1/installation/people",
        query_string={"q": q, "per_page": 100},
        headers=api.headers(ADMIN),
    )
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body["total"] <= 100
    return {p["username"] for p in body["items"]}


def test_the_people_search_takes_wildcards_literally(api: Api) -> None:
    everyone = people(api, "")
    assert people(api, "%") == set()
    assert people(api, "\\") == set()
    underscored = {u for u in everyone if "_" in u}
    assert people(api, "_") == underscored and "quantri" not in underscored
    assert people(api, "n_") == set()  # "n" then any character would match many

    created = api.client.post(
        "/api/v1/installation/people",
        json={"username": "gv.moi", "full_name": "Đạt 100% chỉ tiêu", "password": "mat-khau-1"},
        headers=api.headers(ADMIN),
    )
    assert created.status_code == 201, created.get_json()
    assert people(api, "%") == {"gv.moi"}
    assert people(api, "0% c") == {"gv.moi"}
    assert people(api, "QUANTRI") == {"quantri"} | {u for u in everyone if "quantri" in u}


def nominations(api: Api, **query: str) -> set[str]:
    response = api.client.get(
        "/api/v1/nominations",
        query_string={**query, "per_page": 100},
        headers=api.headers("thanhtra.cdgdvn"),
    )
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body["total"] <= 100
    return {n["business_key"] for n in body["items"]}


def test_the_nomination_search_takes_wildcards_literally(api: Api) -> None:
    everything = nominations(api)
    assert nominations(api, q="%") == set() and nominations(api, q="\\") == set()
    # Business keys hold the award code: those with a "_" in it, not every one.
    underscored = {key for key in everything if "_" in key}
    assert set() < nominations(api, q="_") == underscored < everything
