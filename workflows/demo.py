"""The demo installation `make run` serves: the seeds, the pipeline, and nominations at
several stages, walked through the real engine over the last weeks so that every inbox,
the public board and the audit trail have something true to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import definitions
from engine.clock import FixedClock
from engine.models import TaskRow
from workflows.models import Nomination
from workflows.pipeline import PROCESS_KEY, Nominations, Nominee, build_engine, pipeline_files
from workflows.seed import load_seed_file

SEEDS = Path(__file__).parent / "seeds"
PASSWORD = "laurel-demo"
CAMPAIGN = "NH2025-2026"


@dataclass
class _Walk:
    """One nomination walked step by step, the clock moving a day or so between steps."""

    demo: Nominations
    clock: FixedClock
    nomination: Nomination
    log: list[str] = field(default_factory=list)

    def step(self, bpmn_id: str, actor: str, data: dict[str, Any], days: float = 1) -> None:
        self.clock.advance(days=days)
        with self.demo.engine.sessions() as session:
            task_id = session.scalar(
                select(TaskRow.id).where(
                    TaskRow.business_key == self.nomination.business_key,
                    TaskRow.bpmn_id == bpmn_id,
                    TaskRow.state == "ready",
                    (TaskRow.assignee.is_(None)) | (TaskRow.assignee == actor),
                )
            )
        assert task_id is not None, f"demo: no {bpmn_id} for {actor}"
        self.demo.complete(task_id, actor, data)

    def votes(self, unit: str, *choices: str) -> None:
        for number, choice in enumerate(choices, start=1):
            self.step("vote", f"hoidong{number}.{unit}", {"vote": choice}, days=0.2)

    def level(self, unit: str, head: str = "chutich") -> None:
        """Appraisal, three votes for, the publicity window, up to the head's decision."""
        self.step("appraise", f"thuky.{unit}", {"result": "complete"})
        self.votes(unit, "for", "for", "for")
        self.wait_publicity()

    def wait_publicity(self) -> None:
        with self.demo.engine.sessions() as session:
            until = session.get_one(Nomination, self.nomination.id).publicity_until
        assert until is not None
        self.clock.at = until + timedelta(hours=1)
        self.demo.engine.fire_due_timers()


def install(sessions: sessionmaker[Session], now: datetime) -> list[str]:
    """Load seeds, deploy the pipeline and walk the demo nominations; idempotent."""
    with sessions.begin() as session:
        for name in ("catalogue.yaml", "demo.yaml"):
            load_seed_file(session, SEEDS / name)
    clock = FixedClock(now)
    engine = build_engine(sessions, clock=clock)
    with sessions() as session:
        deployed = definitions.latest_version(session, PROCESS_KEY) is not None
        populated = bool(session.scalar(select(func.count()).select_from(Nomination)))
    if not deployed:
        engine.deploy(pipeline_files(), deployed_by="quantri", comment="Quy trình mẫu")
    if populated:
        return []
    demo = Nominations(engine)
    return [walk(demo, clock, now) for walk in _WALKS]


def _start(
    demo: Nominations,
    clock: FixedClock,
    started: datetime,
    unit: str,
    award: str,
    name: str,
    kind: str = "individual",
) -> _Walk:
    clock.at = started
    nomination, _ = demo.create(
        f"canbo.{unit.lower()}",
        org=unit,
        award=award,
        campaign=CAMPAIGN,
        nominee=Nominee(kind, name, "Giáo viên" if kind == "individual" else "", unit),
        achievements=(
            "Hoàn thành xuất sắc nhiệm vụ năm học 2025–2026; có sáng kiến kinh nghiệm được "
            "Hội đồng khoa học cấp cơ sở công nhận."
        ),
        documents=["Tờ trình đề nghị", "Báo cáo thành tích", "Biên bản họp bình xét"],
    )
    return _Walk(demo, clock, nomination)


def _awarded_at_school(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(demo, clock, now - timedelta(days=45), "THPT_LVT", "LDTT", "Nguyễn Văn An")
    walk.step("prepare_dossier", "canbo.thpt_lvt", {"action": "submit"})
    walk.level("thpt_lvt")
    walk.step(
        "decide",
        "chutich.thpt_lvt",
        {
            "decision": "award",
            "decision_no": "31/QĐ-CĐCS",
            "decision_date": (walk.clock.at + timedelta(days=1)).date().isoformat(),
        },
    )
    return "Nguyễn Văn An — Lao động tiên tiến: đã khen thưởng"


def _voting_at_province(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(
        demo, clock, now - timedelta(days=30), "THPT_LVT", "CSTD_BO_TINH", "Phạm Thị Hương"
    )
    walk.step("prepare_dossier", "canbo.thpt_lvt", {"action": "submit"})
    walk.level("thpt_lvt")
    walk.step("decide", "chutich.thpt_lvt", {"decision": "forward"})
    walk.step("appraise", "thuky.cdgdnb", {"result": "complete"})
    walk.votes("cdgdnb", "for", "for")  # the third member has yet to vote
    return "Phạm Thị Hương — CSTĐ cấp bộ, tỉnh: Hội đồng CĐGD Ninh Bình đang bỏ phiếu"


def _returned(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(demo, clock, now - timedelta(days=6), "THCS_THS", "LDTT", "Trần Văn Nam")
    walk.step("prepare_dossier", "canbo.thcs_ths", {"action": "submit"})
    walk.step(
        "appraise",
        "thuky.thcs_ths",
        {
            "result": "incomplete",
            "missing": ["Biên bản họp bình xét có chữ ký", "Bản nhận xét của tổ chuyên môn"],
        },
    )
    return "Trần Văn Nam — Lao động tiên tiến: trả lại để bổ sung hồ sơ"


def _in_publicity(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(demo, clock, now - timedelta(days=3), "DH_HL", "BK_BO_TINH", "Đỗ Thị Mai Anh")
    walk.step("prepare_dossier", "canbo.dh_hl", {"action": "submit"})
    walk.step("appraise", "thuky.dh_hl", {"result": "complete"})
    walk.votes("dh_hl", "for", "for", "for")
    return "Đỗ Thị Mai Anh — Bằng khen cấp bộ: đang công khai lấy ý kiến"


def _awaiting_appraisal(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(demo, clock, now - timedelta(days=20), "THCS_THS", "CSTDCS", "Nguyễn Thị Thu Hà")
    walk.step("prepare_dossier", "canbo.thcs_ths", {"action": "submit"})
    return "Nguyễn Thị Thu Hà — Chiến sĩ thi đua cơ sở: chờ thẩm định"


def _meeting(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(demo, clock, now - timedelta(days=4), "TH_DTH", "LDTT", "Vũ Thị Thúy")
    walk.step("prepare_dossier", "canbo.th_dth", {"action": "submit"})
    walk.step("appraise", "thuky.th_dth", {"result": "complete"})
    return "Vũ Thị Thúy — Lao động tiên tiến: chờ ghi kết quả họp Hội đồng"


def _vote_failed(demo: Nominations, clock: FixedClock, now: datetime) -> str:
    walk = _start(
        demo,
        clock,
        now - timedelta(days=10),
        "THPT_LVT",
        "TTLDTT",
        "Tổ Toán – Tin",
        kind="collective",
    )
    walk.step("prepare_dossier", "canbo.thpt_lvt", {"action": "submit"})
    walk.step("appraise", "thuky.thpt_lvt", {"result": "complete"})
    walk.votes("thpt_lvt", "for", "against", "against")
    return "Tổ Toán – Tin — Tập thể lao động tiên tiến: không đạt tỷ lệ phiếu"


_WALKS: list[Callable[[Nominations, FixedClock, datetime], str]] = [
    _awarded_at_school,
    _voting_at_province,
    _returned,
    _in_publicity,
    _awaiting_appraisal,
    _meeting,
    _vote_failed,
]

LOGINS = [
    ("canbo.thpt_lvt", "Cán bộ thi đua, Công đoàn Trường THPT Lương Văn Tụy"),
    ("thuky.thcs_ths", "Thư ký Hội đồng, Công đoàn Trường THCS Trương Hán Siêu"),
    ("hoidong3.cdgdnb", "Thành viên Hội đồng, Công đoàn Giáo dục tỉnh Ninh Bình"),
    ("thuky.th_dth", "Thư ký Hội đồng (biểu quyết tại họp), Trường TH Đinh Tiên Hoàng"),
    ("chutich.dh_hl", "Chủ tịch Công đoàn Trường Đại học Hoa Lư"),
    ("quantri", "Quản trị hệ thống"),
    ("thanhtra.cdgdvn", "Thanh tra, Công đoàn Giáo dục Việt Nam"),
]
