"""Anchors over HTTP: a deploy records one, the verify endpoint checks them without being
asked and says how old the newest is, and the public API publishes it."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.anchoring import AnchorFile
from engine.worker import TimerWorker
from tests.api.conftest import Api
from tests.conftest import tamper
from workflows.pipeline import pipeline_files

AUDITOR = "thanhtra.sogddtnd"


def _anchors(api: Api) -> AnchorFile:
    sink: AnchorFile = api.app.extensions["laurel.anchors"]
    return sink


def _loop(api: Api) -> TimerWorker:
    """The server's background loop, driven here one round at a time."""
    return TimerWorker(api.app.extensions["laurel.engine"], anchors=_anchors(api))


def _head(api: Api) -> audit.Anchor:
    with api.db.connect() as conn:
        return audit.head(conn, api.clock.now())


def _verify(api: Api, **headers: str) -> dict[str, Any]:
    response = api.client.get("/api/v1/audit/verify", headers=api.headers(AUDITOR, **headers))
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_a_deploy_writes_an_anchor_of_the_head_it_leaves(api: Api) -> None:
    files = pipeline_files()
    renamed = files["nomination.bpmn"].replace(
        'name="Thẩm định hồ sơ"'.encode(), 'name="Thẩm định hồ sơ (bản 2)"'.encode()
    )
    data = {
        "files": [
            (io.BytesIO(renamed), "nomination.bpmn"),
            (io.BytesIO(files["route.dmn"]), "route.dmn"),
        ]
    }
    deployed = api.client.post(
        "/api/v1/definitions",
        data=data,
        content_type="multipart/form-data",
        headers=api.headers("quantri"),
    )
    assert deployed.status_code == 201, deployed.get_json()
    assert _anchors(api).read() == ([_head(api)], [])


def test_verify_fails_on_a_tail_deleted_behind_the_loops_anchor(api: Api) -> None:
    _loop(api).run_once()
    anchored = _head(api)
    assert _anchors(api).newest() == anchored
    api.clock.advance(minutes=12)
    body = _verify(api)
    assert body["ok"] and body["anchors_checked"] == 1
    assert body["newest_anchor"] == {
        "seq": anchored.seq,
        "hash": anchored.hash,
        "at": "2026-11-23T03:00:00+00:00",
    }
    assert body["newest_anchor_age_s"] == 12 * 60
    assert body["newest_anchor_text"] == (
        f"Mốc neo mới nhất: 12 phút trước (sự kiện số {anchored.seq}, lúc 23/11/2026 10:00)"
    )
    assert body["warning"] == "" and body["unanchored"] == 0

    tamper(api.db, "DELETE FROM audit_events WHERE seq > :last", params={"last": anchored.seq - 3})
    body = _verify(api)
    assert (body["ok"], body["code"], body["broken_seq"]) == (
        False,
        "anchor_removed",
        anchored.seq - 2,
    )
    assert body["problem"] == (
        f"chuỗi kết thúc ở sự kiện số {anchored.seq - 3} nhưng đã được neo ở sự kiện số "
        f"{anchored.seq} lúc 23/11/2026 10:00: các sự kiện cuối chuỗi đã bị xoá"
    )
    english = _verify(api, **{"Accept-Language": "en"})
    assert english["problem"] == (
        f"the chain ends at event {anchored.seq - 3} but was anchored at event "
        f"{anchored.seq} on 23/11/2026 10:00: events were removed"
    )
    assert english["newest_anchor_text"].startswith("Newest anchor: 12 minutes ago")


def test_verify_warns_of_an_old_anchor_with_events_after_it(api: Api) -> None:
    _loop(api).run_once()
    api.clock.advance(days=2)
    with Session(api.db) as session, session.begin():
        audit.append(session, api.clock.now(), [audit.PendingEvent("quantri", "admin.note")])
    body = _verify(api, **{"Accept-Language": "en"})
    assert body["ok"] and body["unanchored"] == 1
    assert body["newest_anchor_text"].startswith("Newest anchor: 2 days ago")
    assert body["warning"] == (
        "Warning: the newest anchor is over 24 hours old and 1 event after it is not "
        "anchored. Check the server's background worker."
    )


def test_the_public_api_publishes_the_newest_anchor(api: Api) -> None:
    missing = api.client.get("/api/v1/public/anchor")
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    _loop(api).run_once()
    head = _head(api)
    published = api.client.get("/api/v1/public/anchor")  # no sign-in
    assert published.status_code == 200
    assert published.get_json() == {
        "seq": head.seq,
        "hash": head.hash,
        "at": "2026-11-23T03:00:00+00:00",
    }
