"""A small, complete world for scenario tests: an organisation tree with people in every role,
award rules, a campaign, and the real bpmn/ pipeline deployed on a real database."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.clock import FixedClock
from engine.db import make_session_factory
from engine.models import TaskRow
from engine.ports import InstanceView
from workflows.models import (
    Award,
    AwardRule,
    Campaign,
    Nomination,
    Organisation,
    Person,
    RoleAssignment,
)
from workflows.pipeline import Nominations, Nominee, build_engine, pipeline_files

# code, level, parent, voting mode
ORGS = [
    ("TLD", "L4", None, "ballot"),
    ("CDGDVN", "L3", "TLD", "ballot"),
    ("CDGD_NB", "L2", "CDGDVN", "ballot"),
    ("TRUONG_A", "L1", "CDGD_NB", "ballot"),
    ("DH_HL", "L1", "CDGDVN", "ballot"),  # a university union reporting straight to L3
    ("BO", "L4", None, "ballot"),
    ("SO", "L3", "BO", "meeting"),
    ("TRUONG_S", "L1", "SO", "ballot"),
]
# award: subject, deciding level, threshold, publicity working days, prerequisites, quota
RULES: dict[str, tuple[str, str, float, int, list[dict[str, Any]], float | None]] = {
    "LDTT": ("individual", "L1", 0.5, 5, [], None),
    "CSTDCS": ("individual", "L1", 0.5, 5, [], 0.15),
    "CSTD_BO_TINH": (
        "individual",
        "L3",
        0.9,
        5,
        [{"award": "CSTDCS", "consecutive_years": 3}],
        None,
    ),
    "BK_BO_TINH": ("individual", "L3", 0.8, 5, [], None),
    "HCLD3": ("individual", "L5", 0.9, 10, [], None),
}
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def people_at(org: str) -> dict[str, str]:
    low = org.lower()
    return {
        "secretary": f"tk.{low}",
        "head": f"ct.{low}",
        "council": f"hd1.{low} hd2.{low} hd3.{low}",
        "proposer": f"cb.{low}",
    }


def build(db: Engine) -> None:
    with Session(db) as session, session.begin():
        for code, level, _parent, voting in ORGS:
            session.add(Organisation(code=code, name=f"Đơn vị {code}", level=level, voting=voting))
        session.flush()
        for code, _level, parent_code, _voting in ORGS:
            session.get_one(Organisation, code).parent_code = parent_code
        for code, *_ in ORGS:
            for role, names in people_at(code).items():
                for username in names.split():
                    if session.get(Person, username) is None:
                        session.add(
                            Person(username=username, full_name=username, password_hash="-")
                        )
                    session.add(RoleAssignment(username=username, role=role, org_code=code))
        session.add(Person(username="gv.a", full_name="Nguyễn Thị Lan", password_hash="-"))
        session.add(
            Campaign(
                code="NH2025-2026",
                name="Năm học 2025-2026",
                starts=date(2025, 9, 5),
                ends=date(2026, 5, 31),
            )
        )
        for award, (subject, level, threshold, publicity, needs, quota) in RULES.items():
            session.add(Award(code=award, name=award, subject=subject, kind="thuong_xuyen"))
            session.flush()
            session.add(
                AwardRule(
                    award_code=award,
                    effective_from=date(2024, 1, 1),
                    deciding_level=level,
                    vote_threshold=threshold,
                    publicity_working_days=publicity,
                    appraisal_sla_days=10,
                    vote_sla_days=5,
                    prerequisites=json.dumps(needs),
                    quota_ratio=quota,
                    basis="Luật Thi đua, khen thưởng 2022 (thử nghiệm)",
                )
            )


@dataclass
class World:
    db: Engine
    clock: FixedClock
    nominations: Nominations

    @property
    def engine(self) -> Any:
        return self.nominations.engine

    def nominate(
        self, award: str = "LDTT", org: str = "TRUONG_A", username: str | None = "gv.a"
    ) -> Nomination:
        nomination, _ = self.nominations.create(
            f"cb.{org.lower()}",
            org=org,
            award=award,
            campaign="NH2025-2026",
            nominee=Nominee("individual", "Nguyễn Thị Lan", "Giáo viên", org, username),
            achievements="Hoàn thành xuất sắc nhiệm vụ năm học.",
            documents=["Tờ trình", "Báo cáo thành tích", "Biên bản bình xét"],
        )
        return nomination

    def tasks(self, nomination: Nomination, bpmn_id: str | None = None) -> list[TaskRow]:
        with Session(self.db) as session:
            query = select(TaskRow).where(
                TaskRow.business_key == nomination.business_key, TaskRow.state == "ready"
            )
            if bpmn_id:
                query = query.where(TaskRow.bpmn_id == bpmn_id)
            return list(session.scalars(query.order_by(TaskRow.assignee)))

    def do(
        self, nomination: Nomination, bpmn_id: str, actor: str, data: Mapping[str, Any]
    ) -> InstanceView:
        """`actor` completes the ready `bpmn_id` task meant for them."""
        candidates = [t for t in self.tasks(nomination, bpmn_id) if t.assignee in (None, actor)]
        assert candidates, f"no ready {bpmn_id} for {actor}: {self.stage(nomination)}"
        return self.nominations.complete(candidates[0].id, actor, data)

    def row(self, nomination: Nomination) -> Nomination:
        with Session(self.db) as session:
            return session.get_one(Nomination, nomination.id)

    def stage(self, nomination: Nomination) -> tuple[str, str, str]:
        row = self.row(nomination)
        return row.status, row.stage, row.current_org

    # -- whole steps at one level ---------------------------------------------------------

    def submit(self, nomination: Nomination) -> None:
        org = self.row(nomination).origin_org
        self.do(nomination, "prepare_dossier", f"cb.{org.lower()}", {"action": "submit"})

    def appraise(self, nomination: Nomination, **data: Any) -> None:
        org = self.row(nomination).current_org
        self.do(nomination, "appraise", f"tk.{org.lower()}", data or {"result": "complete"})

    def vote(self, nomination: Nomination, *choices: str) -> None:
        org = self.row(nomination).current_org.lower()
        for number, choice in enumerate(choices, start=1):
            self.do(nomination, "vote", f"hd{number}.{org}", {"vote": choice})

    def end_publicity(self, nomination: Nomination) -> int:
        until = self.row(nomination).publicity_until
        assert until is not None, self.stage(nomination)
        self.clock.at = until + timedelta(minutes=1)
        return int(self.engine.fire_due_timers())

    def pass_level(self, nomination: Nomination) -> None:
        """Appraisal complete, all three members for, the publicity window with no comment."""
        self.appraise(nomination)
        self.vote(nomination, "for", "for", "for")
        self.end_publicity(nomination)

    def decide(self, nomination: Nomination, decision: str, **data: Any) -> InstanceView:
        org = self.row(nomination).current_org
        return self.do(nomination, "decide", f"ct.{org.lower()}", {"decision": decision, **data})


def make_world(db: Engine) -> World:
    build(db)
    clock = FixedClock(MONDAY)
    engine = build_engine(make_session_factory(db), clock=clock)
    engine.deploy(pipeline_files(), deployed_by="quantri")
    return World(db, clock, Nominations(engine))
