"""Nominations through the engine: create, work tasks, withdraw, and keep the domain's rows
(stage, ballots, decisions, handled comments, award history) in step with every change."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import clock
from engine.audit import PendingEvent
from engine.errors import InvalidTaskData, Message, NotAllowed, NotFound, NotWaiting
from engine.parsing import ParsedDefinition
from engine.ports import Clock, CompletedTask, InstanceView, TaskCompletion
from engine.runtime import Engine
from engine.validation import validate_definition
from workflows import comments, dossiers, orgs, publicity, voting
from workflows.calendar import TIMEZONE
from workflows.forms import TaskForms
from workflows.guard import NominationGuard
from workflows.helpers import HELPERS
from workflows.models import Award, Campaign, Decision, Nomination, PastAward
from workflows.names import folded, nominee_key
from workflows.roles import DomainRoles

PROCESS_KEY = "nomination"
BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"
PIPELINE_FILES = ("nomination.bpmn", "route.dmn")
# The order in which a nomination's open tasks name its stage.
TASK_STAGES = (
    "prepare_dossier",
    "appraise",
    "check",
    "record_meeting",
    "vote",
    "review_comments",
    "decide",
    "record_outside_decision",
)


def pipeline_files(directory: Path = BPMN_DIR) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in PIPELINE_FILES}


def check_definition(files: Mapping[str, bytes]) -> ParsedDefinition:
    """A deploy's checks with nothing stored: the lanes must name our roles, the user tasks
    our forms. Raises DefinitionRejected with every problem."""
    return validate_definition(files, DomainRoles().known_roles(), forms=TaskForms().known_forms())


def build_engine(
    sessions: sessionmaker[Session], clock: Clock | None = None, **kwargs: Any
) -> Engine:
    """The engine wired to the nomination domain."""
    return Engine(
        sessions,
        roles=DomainRoles(),
        guard=NominationGuard(),
        validator=TaskForms(clock),
        forms=TaskForms(clock),
        helpers=HELPERS,
        clock=clock,
        listeners=[NominationSync()],
        **kwargs,
    )


@dataclass(frozen=True)
class Nominee:
    kind: str  # individual | collective
    name: str
    position: str = ""
    unit: str = ""
    username: str | None = None


class Nominations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        actor: str,
        *,
        org: str,
        award: str,
        campaign: str,
        nominee: Nominee,
        achievements: str,
        documents: Sequence[str] = (),
        simplified: bool = False,
    ) -> tuple[Nomination, InstanceView]:
        """A proposer opens a nomination at their unit; its first task is the dossier.
        `simplified`: it follows the simplified procedure (the shorter document list)."""
        created: dict[str, Nomination] = {}
        # Unique without a round trip; the engine turns a clash into a conflict anyway.
        business_key = f"HS-{award}-{uuid4().hex[:10].upper()}"

        def prepare(session: Session) -> Mapping[str, Any]:
            nomination = _new_nomination(
                session, actor, org, award, campaign, nominee, achievements, documents
            )
            nomination.business_key = business_key
            nomination.simplified = simplified
            created["row"] = nomination
            return {
                "nomination_id": nomination.id,
                "award": award,
                "origin_org": org,
                "current_org": org,
                "org_id": org,
                "vote_round": 0,
                "returns": 0,
                "final_status": "open",
            }

        view = self.engine.start(
            PROCESS_KEY,
            business_key,
            actor=actor,
            prepare=prepare,
            audit_payload={
                "org": org,
                "award": award,
                "nominee": nominee.name,
                **({"simplified": True} if simplified else {}),
            },
        )
        return created["row"], view

    def complete(self, task_id: str, actor: str, data: Mapping[str, Any]) -> InstanceView:
        return self.engine.complete_task(task_id, actor, data)

    def complete_list(
        self,
        items: Sequence[TaskCompletion],
        actor: str,
        then: Callable[[Session, list[InstanceView]], list[PendingEvent]] | None = None,
    ) -> list[InstanceView]:
        """A list of the nominations' tasks (a proposal submitted, a list appraised, a
        ballot sheet, a list decided): every row or none (engine.errors.ListRefused)."""
        return self.engine.complete_tasks(items, actor, then)

    def withdraw(self, nomination_id: int, actor: str, reason: str = "") -> InstanceView:
        """A proposer of the origin unit ends the nomination at any stage: the check and the
        withdrawal are one transaction."""

        def withdrawable(session: Session) -> str:
            nomination = session.get(Nomination, nomination_id)
            if nomination is None:
                raise NotFound("nomination_not_found", id=nomination_id)
            if not orgs.holds(session, actor, "proposer", nomination.origin_org):
                raise NotAllowed("withdraw_origin_proposer_only")
            if nomination.status != "open":
                raise NotWaiting("nomination_ended")
            if not reason.strip():  # a withdrawal is kept with why it was made
                raise InvalidTaskData({"reason": Message("withdraw_reason_required")})
            return nomination.business_key

        try:
            return self.engine.deliver_message(
                withdrawable, "withdraw", {"reason": reason}, actor=actor
            )
        except NotWaiting as exc:  # what the process waits for no longer includes withdrawal
            raise NotWaiting("nomination_ended") from exc


def _new_nomination(
    session: Session,
    actor: str,
    org: str,
    award_code: str,
    campaign_code: str,
    nominee: Nominee,
    achievements: str,
    documents: Sequence[str],
) -> Nomination:
    errors: dict[str, Message | str] = {}
    if not orgs.holds(session, actor, "proposer", org):
        raise NotAllowed("not_proposer_of", org=orgs.name_of(session, org))
    award = session.get(Award, award_code)
    if award is None:
        errors["award_code"] = Message("award_unknown")
    elif award.subject != nominee.kind:
        errors["nominee.kind"] = Message(f"award_for_{award.subject}")
    campaign = session.get(Campaign, campaign_code)
    if campaign is None:
        errors["campaign"] = Message("campaign_unknown")
    if not nominee.name.strip():
        errors["nominee.name"] = Message("form_required")
    if errors:
        raise InvalidTaskData(errors)
    assert campaign is not None
    now = clock.now()
    nomination = Nomination(
        business_key="",  # the caller sets it
        campaign_code=campaign_code,
        award_code=award_code,
        nominee_kind=nominee.kind,
        nominee_name=nominee.name.strip(),
        nominee_key=nominee_key(nominee.name),
        nominee_folded=folded(nominee.name),
        nominee_username=nominee.username,
        nominee_position=nominee.position,
        nominee_unit=nominee.unit,
        achievements=achievements,
        documents=json.dumps(list(documents), ensure_ascii=False),
        origin_org=org,
        current_org=org,
        status="open",
        stage="prepare_dossier",
        created_by=actor,
        created_at=now,
        year=campaign.ends.year,
    )
    session.add(nomination)
    session.flush()
    return nomination


class NominationSync:
    """The engine's change listener: the domain's rows follow the process."""

    def completing(self, session: Session, completed: CompletedTask) -> list[PendingEvent]:
        """A ballot goes into the box before the process counts them."""
        task = completed.task
        if task.form == "prepare_dossier":  # each submission is kept as a version
            event = dossiers.snapshot(
                session,
                int(task.data["nomination_id"]),
                completed.actor,
                clock.now(),
                task.instance_id,
                task.id,
            )
            return [event]
        if task.form != "vote":
            return []
        nomination_id = int(task.data["nomination_id"])
        org, round_no = str(task.data["current_org"]), int(task.data["vote_round"])
        digest = voting.cast_ballot(
            session, nomination_id, org, round_no, completed.actor, completed.submitted["vote"]
        )
        return [
            PendingEvent(
                completed.actor,
                "ballot.cast",
                task.instance_id,
                task.id,
                {"nomination": nomination_id, "org": org, "round": round_no, "hash": digest},
            )
        ]

    def changed(
        self, session: Session, view: InstanceView, completed: CompletedTask | None
    ) -> None:
        nomination = session.scalars(
            select(Nomination).where(Nomination.business_key == view.business_key)
        ).one()
        if completed is not None:
            _record_task(session, nomination, view, completed)
        _sync_stage(session, nomination, view)


def _record_task(
    session: Session, nomination: Nomination, view: InstanceView, completed: CompletedTask
) -> None:
    task, data = completed.task, completed.data
    org = str(task.data.get("current_org", nomination.current_org))
    now = clock.now()
    if task.form in ("decide", "record_outside_decision"):
        rules = task.data.get("rules") or {}
        session.add(
            Decision(
                nomination_id=nomination.id,
                org_code=org,
                decision=data.get("decision") or data["outcome"],
                decision_no=data.get("decision_no"),
                decision_date=_date(data.get("decision_date")),
                issuer=data.get("issuer"),
                reason=data.get("reason"),
                decided_by=completed.actor,
                rule_id=rules.get("rule_id"),
                definition_version=view.definition_version,
                at=now,
            )
        )
    elif task.form == "review_comments":
        comments.handle_comments(session, nomination.id, org, data["outcome"], completed.actor)


def _sync_stage(session: Session, nomination: Nomination, view: InstanceView) -> None:
    data = view.data
    nomination.current_org = str(data.get("current_org", nomination.current_org))
    nomination.publicity_until = None
    if view.status == "completed":
        final = str(data.get("final_status", "rejected"))
        if final == "awarded" and nomination.status != "awarded":
            _remember_award(session, nomination)
        nomination.status = nomination.stage = final
        return
    nomination.status = "open"
    open_stages = {t.form for t in view.ready_tasks}
    stage = next((s for s in TASK_STAGES if s in open_stages), None)
    if view.status == "error":
        stage = "error"
    elif stage is None and (until := publicity.window_end(data)) is not None:
        stage = publicity.STAGE
        nomination.publicity_until = until
    nomination.stage = stage or "processing"


def _remember_award(session: Session, nomination: Nomination) -> None:
    decision = session.scalars(
        select(Decision)
        .where(Decision.nomination_id == nomination.id)
        .order_by(Decision.id.desc())
        .limit(1)
    ).first()
    session.add(
        PastAward(
            nominee=nomination.nominee_name,
            nominee_key=nomination.nominee_key,
            org_code=nomination.origin_org,
            award_code=nomination.award_code,
            year=nomination.year,
            decision_no=(decision.decision_no if decision else None) or "",
        )
    )


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def local_today() -> date:
    return clock.now().astimezone(TIMEZONE).date()
