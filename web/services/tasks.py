"""Completing human tasks, one or a list, for the inbox pages and the task API alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import PendingEvent
from engine.errors import EngineError, InvalidTaskData, ListRefused, Message, NotAllowed, NotFound
from engine.models import TaskRow
from engine.ports import InstanceView, TaskCompletion
from web import context
from web.json_input import has_nul
from workflows.access import Principal, inbox_filter
from workflows.pipeline import Nominations

TASK_ID_LENGTH = 36


def plausible(task_id: str) -> bool:
    """Task ids are SpiffWorkflow UUIDs; anything else is unknown without asking the database
    (which, on PostgreSQL, refuses a NUL rather than finding nothing)."""
    return len(task_id) <= TASK_ID_LENGTH and not has_nul(task_id)


def complete_task(who: Principal, task_id: str, data: Mapping[str, Any]) -> InstanceView:
    """Complete through the engine, in its transaction; its errors say what went wrong
    (a task done already, a change that lost the race, a suspended process)."""
    if not plausible(task_id):
        raise NotFound("task_not_found")
    if has_nul(data):
        _refuse_nul(task_id, data)
    try:
        return Nominations(context.engine()).complete(task_id, who.username, data)
    except NotAllowed as exc:
        # A task that is not in my inbox does not exist for me, as on reading it: a 403
        # would confirm it and name its organisation. Refusals of a task I see (separation
        # of duties) say why.
        if not _in_inbox(who, task_id):
            raise NotFound("task_not_found") from exc
        raise


def complete_list(
    who: Principal,
    items: Sequence[TaskCompletion],
    form: str,
    then: Callable[[Session, list[InstanceView]], list[PendingEvent]] | None = None,
) -> list[InstanceView]:
    """Complete a list of tasks of one `form` all or nothing (engine.errors.ListRefused
    names every refused row); `then` records the list itself in the same transaction. A
    row that is not in `who`'s inbox, or not of `form`, is refused as not found, as on
    reading it; NUL in a row's data is that row's field error."""
    plausible_ids = [item.task_id for item in items if plausible(item.task_id)]
    forms = dict(
        context.read()
        .execute(select(TaskRow.id, TaskRow.form).where(TaskRow.id.in_(plausible_ids)))
        .all()
    )
    refused: dict[str, EngineError] = {}
    for item in items:
        if forms.get(item.task_id) != form:
            refused[item.task_id] = NotFound("task_not_found")
        elif has_nul(item.data):
            refused[item.task_id] = _nul_fields(item.data)
    if refused:
        raise ListRefused(refused)
    try:
        return Nominations(context.engine()).complete_list(items, who.username, then)
    except ListRefused as exc:
        hidden = {
            task_id: NotFound("task_not_found")
            for task_id, error in exc.problems.items()
            if isinstance(error, NotAllowed) and not _in_inbox(who, task_id)
        }
        raise ListRefused({**exc.problems, **hidden}) from exc


def complete_each(
    who: Principal, items: Iterable[Mapping[str, Any]]
) -> list[tuple[str, Exception | None]]:
    """Complete each item ({"task", "data"}) as its own change, with its own transaction and
    audit event; what went wrong is returned per item, the others are done."""
    results: list[tuple[str, Exception | None]] = []
    for item in items:
        try:
            complete_task(who, item["task"], item["data"])
            results.append((item["task"], None))
        except Exception as exc:  # reported per item
            results.append((item["task"], exc))
    return results


def _in_inbox(who: Principal, task_id: str) -> bool:
    found = context.read().scalar(
        select(TaskRow.id).where(TaskRow.id == task_id, inbox_filter(who))
    )
    return found is not None


def _refuse_nul(task_id: str, data: Mapping[str, Any]) -> None:
    """Data the database could not store is a field error, once the task is known to exist
    (an unknown task stays a 404 whatever is sent)."""
    if context.read().scalar(select(TaskRow.id).where(TaskRow.id == task_id)) is None:
        raise NotFound("task_not_found")
    raise _nul_fields(data)


def _nul_fields(data: Mapping[str, Any]) -> InvalidTaskData:
    invalid = Message("invalid_value")
    return InvalidTaskData({k: invalid for k, v in data.items() if has_nul(k) or has_nul(v)})
