"""No script holds the server: expressions that spend seconds or gigabytes inside one C call,
put into the real pipeline by an admin, stop at the run's limits while other people's
requests keep being answered; the instance goes to `error` with the element, nothing is lost."""

from __future__ import annotations

import re
import resource
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, Instance
from engine.sandbox import MAX_MEMORY_GROWTH
from tests.api.conftest import Api
from workflows.models import Nomination
from workflows.pipeline import pipeline_files

# Each is one call the guards cannot see into: ~10⁹ steps of hashing, a 1 GB string, a
# big-integer division of tens of seconds, ~10¹⁰ comparisons of two distinct nested lists.
FORMS = {
    "hash": "hash((((0,)*1000,)*1000,)*1000) != 0",
    "repr": "len(repr([['x'*1000000]*1000])) > 0",
    "bigint": "int.from_bytes(b'\\xff'*10**6,'big') // int.from_bytes(b'\\x7f'*500000,'big') > 0",
    "compare": "[[[0] * 1000] * 1000] * 10000 == [[[0] * 1000] * 1000] * 10000",
}


def _in_script(xml: str, expression: str) -> str:
    return xml.replace(
        "rules = award_rules(award)</bpmn:script>",
        f"rules = award_rules(award)\nprobe = {expression}</bpmn:script>",
    )


def _in_timer(xml: str, expression: str) -> str:
    timer = 'working_days_after(rules["appraisal_sla_days"])'
    return xml.replace(
        f"<bpmn:timeDate>{timer}</bpmn:timeDate>",
        f"<bpmn:timeDate>{timer} if {expression} else {timer}</bpmn:timeDate>",
    )


def _in_condition(xml: str, expression: str) -> str:
    return xml.replace(
        '<bpmn:conditionExpression>result == "incomplete"</bpmn:conditionExpression>',
        f'<bpmn:conditionExpression>({expression}) and result == "incomplete"'
        "</bpmn:conditionExpression>",
    )


# form, where it sits, the element that fails, the step that reaches it
CASES = [
    *[(form, _in_script, "enter_level", "submit") for form in FORMS],
    ("hash", _in_timer, "appraisal_sla", "submit"),
    ("bigint", _in_condition, "appraisal_result", "appraise"),
]


def _resident_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _complete(api: Api, user: str, nomination: int, bpmn_id: str, data: dict[str, Any]) -> Any:
    inbox = api.client.get(f"/api/v1/tasks?nomination={nomination}", headers=api.headers(user))
    [task] = [t for t in inbox.get_json()["items"] if t["bpmn_id"] == bpmn_id]
    return api.client.post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=api.headers(user)
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("form", "place", "element", "trigger"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_an_expensive_expression_stops_at_its_limit_while_others_are_served(
    api: Api, form: str, place: Any, element: str, trigger: str
) -> None:
    files = pipeline_files()
    xml = place(files["nomination.bpmn"].decode(), FORMS[form])
    assert FORMS[form] in xml
    api.app.extensions["laurel.engine"].deploy(
        {**files, "nomination.bpmn": xml.encode()}, deployed_by="quantri"
    )
    created = api.client.post(
        "/api/v1/nominations",
        json={
            "org": "THPT_LVT",
            "award_code": "LDTT",
            "campaign": "NH2025-2026",
            "nominee": {"kind": "individual", "name": "Lê Thị Hồng Nhung", "position": "Giáo viên"},
            "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
            "documents": ["Tờ trình"],
        },
        headers=api.headers("canbo.thpt_lvt"),
    )
    assert created.status_code == 201, created.get_json()
    nomination = created.get_json()["id"]
    if trigger == "appraise":
        _complete(api, "canbo.thpt_lvt", nomination, "prepare_dossier", {"action": "submit"})

    # Someone else, elsewhere, reads the award catalogue over and over meanwhile.
    reader = api.app.test_client()
    headers = api.headers("thuky.cdgdvn")
    assert reader.get("/api/v1/awards", headers=headers).status_code == 200  # warm, untimed
    waits: list[float] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            started = time.monotonic()
            assert reader.get("/api/v1/awards", headers=headers).status_code == 200
            waits.append(time.monotonic() - started)

    peak_before = _resident_peak()
    thread = threading.Thread(target=read)
    thread.start()
    try:
        if trigger == "submit":
            answer = _complete(
                api, "canbo.thpt_lvt", nomination, "prepare_dossier", {"action": "submit"}
            )
        else:
            answer = _complete(
                api,
                "thuky.thpt_lvt",
                nomination,
                "appraise",
                {"result": "incomplete", "missing": ["Tờ trình"]},
            )
    finally:
        done.set()
        thread.join()

    assert answer.status_code < 500, answer.get_json()
    assert len(waits) >= 3  # the reader was served all along, not once at the end
    assert max(waits) < 1.0
    assert _resident_peak() - peak_before < MAX_MEMORY_GROWTH
    with Session(api.db) as session:
        key = session.scalar(select(Nomination.business_key).where(Nomination.id == nomination))
        instance = session.scalars(select(Instance).where(Instance.business_key == key)).one()
        assert (instance.status, instance.error_element) == ("error", element)
        assert re.search(r"longer than 2 seconds|MB of memory", instance.error_message or "")
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.instance_id == instance.id)
        ).all()
    # The person's step is kept, and so is the failure, for an admin to retry after a fix
    # (a submission's step is followed by the dossier's version, kept with it).
    steps = [action for action in actions if action != "dossier.submitted"]
    assert steps[-2:] == ["task.completed", "instance.error"] and "dossier.submitted" in actions
    assert api.client.get("/api/v1/awards", headers=headers).status_code == 200
