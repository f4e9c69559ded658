"""A Bằng khen cấp bộ climbing three levels, driven only through HTTP (time aside): created,
submitted, appraised, voted, published with a public comment, reviewed, forwarded twice and
awarded at Công đoàn Giáo dục Việt Nam; then the history shows every step and verifies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.api.conftest import Api


class Walk:
    def __init__(self, api: Api, nomination: int) -> None:
        self.api = api
        self.nomination = nomination

    def get(self, path: str, user: str | None) -> Any:
        response = self.api.client.get(path, headers=self.api.headers(user))
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    def do(self, user: str, bpmn_id: str, data: dict[str, Any]) -> Any:
        inbox = self.get(f"/api/v1/tasks?nomination={self.nomination}", user)
        [task] = [t for t in inbox["items"] if t["bpmn_id"] == bpmn_id]
        response = self.api.client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": data},
            headers=self.api.headers(user),
        )
        assert response.status_code == 200, (user, bpmn_id, response.get_json())
        return response.get_json()

    def votes(self, unit: str) -> None:
        for number in (1, 2, 3):
            member = f"hoidong{number}.{unit}"
            inbox = self.get(f"/api/v1/tasks?nomination={self.nomination}&stage=vote", member)
            items = [{"task": t["id"], "data": {"vote": "for"}} for t in inbox["items"]]
            response = self.api.client.post(
                "/api/v1/tasks/complete", json={"items": items}, headers=self.api.headers(member)
            )
            assert [r["status"] for r in response.get_json()["results"]] == [200]

    def wait_for_publicity(self) -> None:
        detail = self.get(f"/api/v1/nominations/{self.nomination}", "thanhtra.cdgdvn")
        assert detail["stage"] == "publicity"
        self.api.clock.at = datetime.fromisoformat(detail["publicity_until"]) + timedelta(hours=1)
        self.api.sign_out_everyone()  # days pass: yesterday's tokens have expired
        # Time passing is the one thing not done over HTTP: the server's timer loop does it.
        self.api.app.extensions["laurel.engine"].fire_due_timers()

    def level(self, unit: str, decision: dict[str, Any]) -> None:
        self.do(f"thuky.{unit}", "appraise", {"result": "complete"})
        self.votes(unit)
        self.wait_for_publicity()
        self.do(f"chutich.{unit}", "decide", decision)


def test_a_nomination_through_three_levels_over_http(api: Api) -> None:
    created = api.client.post(
        "/api/v1/nominations",
        json={
            "org": "THPT_LVT",
            "award_code": "BK_BO_TINH",
            "campaign": "NH2025-2026",
            "nominee": {"kind": "individual", "name": "Trần Văn Nam", "position": "Giáo viên"},
            "achievements": "Hai năm liền Chiến sĩ thi đua cơ sở; sáng kiến cấp tỉnh.",
            "documents": ["Tờ trình", "Báo cáo thành tích"],
        },
        headers=api.headers("canbo.thpt_lvt"),
    )
    assert created.status_code == 201, created.get_json()
    walk = Walk(api, created.get_json()["id"])
    walk.do("canbo.thpt_lvt", "prepare_dossier", {"action": "submit"})

    walk.do("thuky.thpt_lvt", "appraise", {"result": "complete"})
    walk.votes("thpt_lvt")
    notices = walk.get("/api/v1/public/notices", None)
    assert walk.nomination in [n["id"] for n in notices["items"]]
    comment = api.client.post(
        f"/api/v1/public/nominations/{walk.nomination}/comments",
        json={
            "name": "Phạm Văn Hải",
            "phone": "0912 345 678",
            "address": "Hoa Lư, Ninh Bình",
            "content": "Đề nghị làm rõ sáng kiến đã được áp dụng ở những trường nào.",
        },
    )
    assert comment.status_code == 201, comment.get_json()
    walk.wait_for_publicity()
    walk.do("thuky.thpt_lvt", "review_comments", {"outcome": "dismiss", "note": "Đã giải trình"})
    walk.do("chutich.thpt_lvt", "decide", {"decision": "forward"})

    walk.level("cdgdnb", {"decision": "forward"})
    walk.level(
        "cdgdvn",
        {"decision": "award", "decision_no": "1520/QĐ-CĐGDVN", "decision_date": "2026-11-23"},
    )

    detail = walk.get(f"/api/v1/nominations/{walk.nomination}", "canbo.thpt_lvt")
    assert detail["status"] == "awarded"
    assert [d["decision"] for d in detail["decisions"]] == ["forward", "forward", "award"]

    history = walk.get(f"/api/v1/nominations/{walk.nomination}/history", "thanhtra.cdgdvn")
    steps = [
        (e["action"], e.get("bpmn_id"), e.get("org"))
        for e in history["events"]
        if e["action"] == "task.completed"
    ]
    assert steps[:3] == [
        ("task.completed", "prepare_dossier", "THPT_LVT"),
        ("task.completed", "appraise", "THPT_LVT"),
        ("task.completed", "vote", "THPT_LVT"),
    ]
    assert steps[-1] == ("task.completed", "decide", "CDGDVN")
    assert sum(1 for s in steps if s[1] == "vote") == 9
    assert all('"vote":' not in str(e.get("data")) for e in history["events"])
    verify = walk.get("/api/v1/audit/verify", "thanhtra.cdgdvn")
    assert verify["ok"] is True and verify["checked"] > 0
