"""Proposals (tờ trình đề nghị): a unit's list of nominations with its number, date and
signer, opened as a draft, filled by rows (typed one by one or imported, workflows.
proposal_import) and submitted whole.

Each row is a nomination of its own (workflows.pipeline.Nominations.create: its own process
instance, path and audit trail); the proposal groups them through `proposal_items`. Adding
rows and submitting are all or nothing: the proposal's rows and every nomination they open
(or every `prepare_dossier` task they complete) are one database transaction, so a list with
one bad row leaves no proposal row, no nomination, no instance and no audit event behind.

That one transaction spans several engine changes (Engine.batch: each change a savepoint,
the audit chain taken once, at its end, so a 500-row import does not hold every other
writer back while it runs), and our commit is theirs. Refusals are codes (`Message`), never prose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit, clock
from engine.errors import (
    EngineError,
    InvalidTaskData,
    ListRefused,
    Message,
    NotAllowed,
    NotFound,
)
from engine.models import TaskRow
from engine.ports import TaskCompletion
from engine.runtime import Engine
from workflows import limits, orgs
from workflows.models import Award, Campaign, Nomination, Proposal, ProposalItem
from workflows.names import folded, nominee_key
from workflows.pipeline import Nominations, Nominee

UNIT, FORWARD = "unit", "forward"  # a unit's own list; a level's rows sent to its parent
DRAFT, SUBMITTED = "draft", "submitted"
MAX_ROWS = 1000  # rows of one list (an import or a proposal)
DUPLICATE_STATUSES = ("open", "awarded")  # a nominee already proposed for the award
_LOCK_CLASS = 13  # limits.one_at_a_time: adding rows for one unit and campaign
# Text columns and their most characters (the database's).
LENGTHS = {"name": 200, "position": 200, "unit": 200, "achievements": 20_000}


@dataclass(frozen=True)
class Header:
    """What the tờ trình itself says: who proposes, in which campaign, its number, date
    and signer."""

    org: str
    campaign: str
    number: str
    signed_on: date
    signer: str


@dataclass(frozen=True)
class Row:
    """One row of a list: the nominee, the award (its code, or its name as typed), the
    achievements. `line` is where a person finds it (a spreadsheet's row number)."""

    line: int
    nominee: Nominee
    award: str
    achievements: str
    simplified: bool = False  # follows the simplified procedure (its shorter document list)


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str  # name | kind | position | unit | award | achievements
    message: Message


class RowsRefused(Exception):
    """A list refused whole, every problem named by its row and column; nothing stored."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problems")


class SubmitRefused(Exception):
    """A submit refused whole: each refused row's nomination id and why; nothing recorded."""

    def __init__(self, problems: Mapping[int, EngineError]) -> None:
        self.problems = dict(problems)
        super().__init__(f"{len(self.problems)} rows refused")


# --- reading -------------------------------------------------------------------------------


def get(session: Session, proposal_id: int) -> Proposal | None:
    if not 0 < proposal_id < 2**31:
        return None
    return session.get(Proposal, proposal_id)


def nomination_ids(session: Session, proposal_id: int) -> list[int]:
    """The proposal's rows, in their order."""
    return list(
        session.scalars(
            select(ProposalItem.nomination_id)
            .where(ProposalItem.proposal_id == proposal_id)
            .order_by(ProposalItem.position)
        )
    )


def awards_by_text(session: Session) -> dict[str, Award]:
    """The catalogue by what a row may name an award with: its code, or its name folded."""
    found: dict[str, Award] = {}
    for award in session.scalars(select(Award)):
        found[folded(award.name)] = award
        found[folded(award.code)] = award
    return found


# --- opening -------------------------------------------------------------------------------


def check_header(session: Session, actor: str, header: Header) -> None:
    """Refused (NotAllowed, InvalidTaskData naming each field) unless `actor` may propose
    for `header.org` and the tờ trình says all it must."""
    if not orgs.holds(session, actor, "proposer", header.org):
        raise NotAllowed("not_proposer_of", org=orgs.name_of(session, header.org))
    errors: dict[str, Message | str] = {}
    if session.get(Campaign, header.campaign) is None:
        errors["campaign"] = Message("campaign_unknown")
    for name in ("number", "signer"):
        if not str(getattr(header, name)).strip():
            errors[name] = Message("form_required")
    if errors:
        raise InvalidTaskData(errors)


def open_proposal(session: Session, actor: str, header: Header) -> Proposal:
    """A draft proposal of `header.org`, with its audit event, in the caller's transaction."""
    check_header(session, actor, header)
    now = clock.now()
    proposal = Proposal(
        org_code=header.org,
        to_org=None,
        campaign_code=header.campaign,
        kind=UNIT,
        number=header.number.strip(),
        signed_on=header.signed_on,
        signer=header.signer.strip(),
        status=DRAFT,
        created_by=actor,
        created_at=now,
    )
    session.add(proposal)
    session.flush()
    _event(session, actor, "proposal.opened", proposal, count=0)
    return proposal


def _event(session: Session, actor: str, action: str, proposal: Proposal, **extra: Any) -> None:
    audit.record(
        session,
        clock.now(),
        [
            audit.PendingEvent(
                actor,
                action,
                payload={
                    "proposal": proposal.id,
                    "number": proposal.number,
                    "signed_on": proposal.signed_on.isoformat(),
                    "signer": proposal.signer,
                    "campaign": proposal.campaign_code,
                    **extra,
                },
                org_scope=proposal.org_code,
            )
        ],
    )


def _editable(session: Session, actor: str, proposal_id: int) -> Proposal:
    proposal = get(session, proposal_id)
    if proposal is None:
        raise NotFound("proposal_not_found", id=proposal_id)
    if not orgs.holds(session, actor, "proposer", proposal.org_code):
        raise NotAllowed("not_proposer_of", org=orgs.name_of(session, proposal.org_code))
    if proposal.status != DRAFT or proposal.kind != UNIT:
        raise InvalidTaskData({"proposal": Message("proposal_submitted")})
    return proposal


# --- checking rows ---------------------------------------------------------------------------


def check_rows(session: Session, org: str, campaign: str, rows: Sequence[Row]) -> list[RowProblem]:
    """Every problem of `rows` as a list of `org` in `campaign`: required fields, lengths,
    the award known and meant for the nominee's kind, the same nominee and award twice in
    the list or already proposed (open or awarded) by the unit in the campaign."""
    problems: list[RowProblem] = []
    if len(rows) > MAX_ROWS:
        return [
            RowProblem(rows[MAX_ROWS].line, "name", Message("import_too_many_rows", most=MAX_ROWS))
        ]
    catalogue = awards_by_text(session)
    seen: dict[tuple[str, str], int] = {}
    wanted: dict[tuple[str, str], int] = {}
    for row in rows:
        for column, value in (
            ("name", row.nominee.name),
            ("position", row.nominee.position),
            ("unit", row.nominee.unit),
            ("achievements", row.achievements),
        ):
            if column in ("name", "achievements") and not value.strip():
                problems.append(RowProblem(row.line, column, Message("form_required")))
            elif len(value) > LENGTHS[column]:
                problems.append(
                    RowProblem(row.line, column, Message("import_too_long", most=LENGTHS[column]))
                )
        award = catalogue.get(folded(row.award)) if row.award.strip() else None
        if not row.award.strip():
            problems.append(RowProblem(row.line, "award", Message("form_required")))
        elif award is None:
            problems.append(
                RowProblem(row.line, "award", Message("import_award_unknown", award=row.award))
            )
        elif row.nominee.kind and award.subject != row.nominee.kind:
            problems.append(RowProblem(row.line, "award", Message(f"award_for_{award.subject}")))
        if award is None or not row.nominee.name.strip():
            continue
        key = (nominee_key(row.nominee.name), award.code)
        if key in seen:
            problems.append(
                RowProblem(row.line, "name", Message("import_duplicate_row", line=seen[key]))
            )
            continue
        seen[key] = wanted[key] = row.line
    problems.extend(_already_proposed(session, org, campaign, wanted))
    return sorted(problems, key=lambda p: p.line)


def _already_proposed(
    session: Session, org: str, campaign: str, wanted: dict[tuple[str, str], int]
) -> list[RowProblem]:
    """Rows whose nominee the unit already proposed for the award in the campaign; one
    indexed query per chunk of names (ix_nominations_nominee)."""
    problems: list[RowProblem] = []
    keys = sorted({name for name, _ in wanted})
    for start in range(0, len(keys), 500):
        found = session.execute(
            select(Nomination.nominee_key, Nomination.award_code, Nomination.nominee_name).where(
                Nomination.nominee_key.in_(keys[start : start + 500]),
                Nomination.origin_org == org,
                Nomination.campaign_code == campaign,
                Nomination.status.in_(DUPLICATE_STATUSES),
            )
        ).all()
        for key, award, name in found:
            line = wanted.get((key, award))
            if line is not None:
                problems.append(
                    RowProblem(line, "name", Message("import_duplicate_open", name=name))
                )
    return problems


# --- adding rows and submitting ------------------------------------------------------------


@contextmanager
def joined(engine: Engine) -> Iterator[tuple[Session, Engine]]:
    """One transaction for our rows and several engine changes (Engine.batch: each change a
    savepoint of it, the audit chain taken once, at its end); committed on leaving the
    block, rolled back whole if anything raised."""
    with engine.batch() as session:
        yield session, engine


def add_rows(
    engine: Engine,
    actor: str,
    proposal_id: int,
    rows: Sequence[Row],
    problems: Sequence[RowProblem] = (),
) -> list[int]:
    """Open a nomination for each row and put it on the draft's list, all or nothing:
    RowsRefused names every problem, `problems` (found reading them) included, and nothing
    is stored; NotAllowed and NotFound as for any proposal."""
    with joined(engine) as (session, inner):
        return _add(session, inner, actor, _editable(session, actor, proposal_id), rows, problems)


def create_with_rows(
    engine: Engine,
    actor: str,
    header: Header,
    rows: Sequence[Row],
    problems: Sequence[RowProblem] = (),
) -> int:
    """A proposal and its whole list in one transaction: if any row is refused there is no
    proposal either (RowsRefused); its id otherwise."""
    with joined(engine) as (session, inner):
        proposal = open_proposal(session, actor, header)
        _add(session, inner, actor, proposal, rows, problems)
        return proposal.id


def _add(
    session: Session,
    inner: Engine,
    actor: str,
    proposal: Proposal,
    rows: Sequence[Row],
    problems: Sequence[RowProblem],
) -> list[int]:
    limits.one_at_a_time(session, _LOCK_CLASS, f"{proposal.org_code}/{proposal.campaign_code}")
    found = check_rows(session, proposal.org_code, proposal.campaign_code, rows)
    if found or problems:
        raise RowsRefused(sorted([*problems, *found], key=lambda p: p.line))
    position = session.scalar(
        select(func.coalesce(func.max(ProposalItem.position), 0)).where(
            ProposalItem.proposal_id == proposal.id
        )
    )
    position = int(position or 0)
    if position + len(rows) > MAX_ROWS:
        raise RowsRefused(
            [RowProblem(rows[0].line, "name", Message("import_too_many_rows", most=MAX_ROWS))]
        )
    catalogue = awards_by_text(session)
    nominations = Nominations(inner)
    created: list[int] = []
    for row in rows:
        nomination, _ = nominations.create(
            actor,
            org=proposal.org_code,
            award=catalogue[folded(row.award)].code,
            campaign=proposal.campaign_code,
            nominee=row.nominee,
            achievements=row.achievements,
            simplified=row.simplified,
        )
        created.append(nomination.id)
    session.add_all(
        ProposalItem(proposal_id=proposal.id, nomination_id=n, position=position + i)
        for i, n in enumerate(created, start=1)
    )
    _event(session, actor, "proposal.rows_added", proposal, count=len(created))
    return created


def ready_dossier_tasks(session: Session, proposal_id: int) -> dict[int, str]:
    """The ready `prepare_dossier` task of each row still in the unit's hands."""
    rows = session.execute(
        select(Nomination.id, TaskRow.id)
        .join(ProposalItem, ProposalItem.nomination_id == Nomination.id)
        .join(TaskRow, TaskRow.business_key == Nomination.business_key)
        .where(
            ProposalItem.proposal_id == proposal_id,
            TaskRow.state == "ready",
            TaskRow.form == "prepare_dossier",
        )
        .order_by(ProposalItem.position)
    ).all()
    return {nomination_id: task_id for nomination_id, task_id in rows}


def submit(engine: Engine, actor: str, proposal_id: int) -> list[int]:
    """Submit every row's dossier, all or nothing (SubmitRefused names each refused row's
    nomination and why), and mark the proposal submitted in the same transaction."""
    with joined(engine) as (session, inner):
        proposal = _editable(session, actor, proposal_id)
        tasks = ready_dossier_tasks(session, proposal.id)
        if not tasks:
            raise InvalidTaskData({"proposal": Message("proposal_empty")})
        try:
            inner.complete_tasks(
                [TaskCompletion(task_id, {"action": "submit"}) for task_id in tasks.values()],
                actor,
            )
        except ListRefused as refused:
            of_task = {task_id: n for n, task_id in tasks.items()}
            raise SubmitRefused(
                {of_task[task_id]: why for task_id, why in refused.problems.items()}
            ) from refused
        proposal.status = SUBMITTED
        proposal.submitted_at = clock.now()
        _event(session, actor, "proposal.submitted", proposal, count=len(tasks))
        return list(tasks)
