"""Acting on a whole list at once, for the pages and the API alike: the secretary's appraisal
of a list, the council member's ballot sheet and the head's decision on a list. Each is one
change (Engine.complete_tasks): every row is recorded, or none and each refused row is named
(engine.errors.ListRefused)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import PendingEvent
from engine.errors import InvalidTaskData, Message
from engine.ports import InstanceView, TaskCompletion
from web import context
from web.services.tasks import complete_list
from workflows import forwarding
from workflows.access import Principal
from workflows.models import BallotReceipt, Organisation


@dataclass(frozen=True)
class Row:
    """One row of a list as the person sent it: the task, what they chose for it, and the
    version of the nomination's process they saw (None: as it is now)."""

    task_id: str
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True)
class Decision:
    """What a head's list decision shares: the decision's number and date for every row
    awarded, and the level's own tờ trình for the rows forwarded."""

    decision_no: str = ""
    decision_date: date | None = None
    forward: forwarding.Header | None = None


def appraise(who: Principal, rows: Sequence[Row]) -> list[InstanceView]:
    """Each row complete, incomplete (with its missing items) or refused (with a reason)."""
    return complete_list(who, _items(rows), "appraise")


def vote(who: Principal, org: str, rows: Sequence[Row]) -> dict[int, str]:
    """A ballot sheet at `org`: one secret ballot per row, all cast or none. Returns each
    ballot's receipt (the salted hash the audit log keeps), by nomination id."""
    views = complete_list(who, _items(rows), "vote")
    nominations = [int(view.data["nomination_id"]) for view in views]
    context.close_read()  # the ballots were cast after this request's snapshot
    receipts = context.read().execute(
        select(BallotReceipt.nomination_id, BallotReceipt.ballot_hash)
        .where(
            BallotReceipt.nomination_id.in_(nominations),
            BallotReceipt.org_code == org,
            BallotReceipt.username == who.username,
        )
        .order_by(BallotReceipt.round)  # the latest round last, so it is the one kept
    )
    return {nomination: digest for nomination, digest in receipts}


def decide(who: Principal, org: str, rows: Sequence[Row], shared: Decision) -> list[InstanceView]:
    """Award, forward or reject each row; the awarded rows take the shared decision number
    and date, the forwarded ones go up as the level's tờ trình (`shared.forward`)."""
    choices = {row.data.get("decision") for row in rows}
    missing: dict[str, Message | str] = {}
    if "award" in choices:
        if not shared.decision_no:
            missing["decision_no"] = Message("form_required")
        if shared.decision_date is None:
            missing["decision_date"] = Message("form_required")
    if "forward" in choices and shared.forward is None and _has_parent(org):
        missing["forward_no"] = Message("forward_needs_submission")
    if missing:
        raise InvalidTaskData(missing)
    award = {"decision_no": shared.decision_no, "decision_date": _iso(shared.decision_date)}
    items = [
        TaskCompletion(
            row.task_id,
            {**row.data, **award} if row.data.get("decision") == "award" else row.data,
            row.expected_version,
        )
        for row in rows
    ]
    header = shared.forward

    def carry(session: Session, views: list[InstanceView]) -> list[PendingEvent]:
        forwarded = [
            int(view.data["nomination_id"])
            for view, row in zip(views, rows, strict=True)
            if row.data.get("decision") == "forward"
        ]
        if not forwarded or header is None:
            return []
        return forwarding.record(session, who.username, org, header, forwarded, context.now())

    return complete_list(who, items, "decide", carry)


def _has_parent(org: str) -> bool:
    parent = context.read().scalar(select(Organisation.parent_code).where(Organisation.code == org))
    return parent is not None


def _items(rows: Sequence[Row]) -> list[TaskCompletion]:
    return [TaskCompletion(row.task_id, row.data, row.expected_version) for row in rows]


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""
