"""The task inbox: my tasks with their forms, one task, completing one or a list of them.

The inbox reads only the task projection joined to the nomination row: no workflow is
deserialised to list tasks. What a council member submits is never echoed back.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.ports import InstanceView
from web import context
from web.api import problems
from web.api.auth import BEARER, me
from web.api.common import PageArgs, ProblemSchema
from web.api.nominations import OpenTask
from web.queries import inbox as inbox_queries
from web.queries.inbox import open_task
from web.schemas.nominations import text
from web.services import tasks
from workflows.access import MAX_ID
from workflows.models import Nomination, Organisation

blp = Blueprint("tasks", __name__, url_prefix="", description="Công việc — task inbox")
MAX_BATCH = 100


class TaskArgs(PageArgs):
    stage = text(200, metadata={"description": "BPMN id"})
    org = text(100)
    campaign = text(50)
    overdue = fields.Boolean()
    nomination = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    q = text(200, 1, metadata={"description": "Part of the nominee's name, diacritics optional"})


class CompleteIn(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class BatchItemIn(CompleteIn):
    task = text(100, 1, required=True)


class BatchIn(Schema):
    items = fields.List(
        fields.Nested(BatchItemIn), required=True, validate=validate.Length(max=MAX_BATCH)
    )


class FormField(Schema):
    name = fields.String(required=True)
    type = fields.String(required=True)
    label = fields.String(required=True)
    required = fields.Boolean(required=True)
    choices = fields.Dict(keys=fields.String(), values=fields.String(), allow_none=True)


class TaskNomination(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    nominee_name = fields.String(required=True)
    award_code = fields.String(required=True)
    award_name = fields.String(required=True)
    stage = fields.String(required=True)
    current_org = fields.String(required=True)
    level = fields.String(required=True)


class TaskOut(Schema):
    id = fields.String(required=True)
    bpmn_id = fields.String(required=True)
    form_key = fields.String(
        required=True, metadata={"description": "The form the task shows (its stage)"}
    )
    suspended = fields.Boolean(
        required=True,
        metadata={"description": "The process is suspended: the task cannot be completed now"},
    )
    title = fields.String(required=True)
    lane = fields.String(allow_none=True)
    org = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    nomination = fields.Nested(TaskNomination, required=True)
    form = fields.List(fields.Nested(FormField), required=True)


class TaskDetail(TaskOut):
    state = fields.String(required=True, metadata={"description": "ready, or completed by me"})
    completed_at = fields.DateTime(allow_none=True)
    missing = fields.List(fields.String(), metadata={"description": "prepare_dossier only"})


class TaskPage(Schema):
    items = fields.List(fields.Nested(TaskOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class NominationShort(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True)
    current_org = fields.String(required=True)
    level = fields.String(required=True)


class CompletedOut(Schema):
    task = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "the process instance's"})
    nomination = fields.Nested(NominationShort, required=True)
    next_tasks = fields.List(fields.Nested(OpenTask), required=True)


class BatchResult(Schema):
    task = fields.String(required=True)
    status = fields.Integer(required=True)
    problem = fields.Nested(ProblemSchema)


class BatchOut(Schema):
    results = fields.List(fields.Nested(BatchResult), required=True)


@blp.get("/tasks")
@blp.arguments(TaskArgs, location="query")
@blp.response(200, TaskPage)
@blp.doc(security=BEARER)
def inbox(args: dict[str, Any]) -> Any:
    """My inbox: ready tasks of my lanes at my organisations, soonest due first."""
    filters: dict[str, Any] = {
        k: args[k] for k in ("stage", "org", "campaign", "nomination", "overdue", "q") if k in args
    }
    return inbox_queries.inbox(
        context.read(), me(), context.now(), filters, args["page"], args["per_page"]
    )


@blp.get("/tasks/<task_id>")
@blp.response(200, TaskDetail)
@blp.alt_response(404, response="NOT_FOUND", description="Not in my inbox")
@blp.doc(security=BEARER)
def get_task(task_id: str) -> Any:
    """A task of my inbox, or one I completed myself (with its state); with the form, and
    for a returned dossier the list of what is missing."""
    who = me()
    if not tasks.plausible(task_id):
        raise NotFound("task_not_found")
    item = inbox_queries.my_task(context.read(), context.engine(), who, task_id, context.now())
    if item is None:
        raise NotFound("task_not_found")
    return item


def _completed(session: Session, task_id: str, view: InstanceView) -> dict[str, Any]:
    nomination, level = session.execute(
        select(Nomination, Organisation.level)
        .join(Organisation, Organisation.code == Nomination.current_org)
        .where(Nomination.business_key == view.business_key)
    ).one()
    now = context.now()
    return {
        "task": task_id,
        "status": view.status,
        "nomination": {
            "id": nomination.id,
            "business_key": nomination.business_key,
            "status": nomination.status,
            "stage": nomination.stage,
            "current_org": nomination.current_org,
            "level": level,
        },
        "next_tasks": [open_task(task, now) for task in view.ready_tasks],
    }


@blp.post("/tasks/<task_id>/complete")
@blp.arguments(CompleteIn)
@blp.response(200, CompletedOut)
@blp.alt_response(
    403,
    response="FORBIDDEN",
    description="In my inbox but not mine to do: my own nomination, a dossier I prepared",
)
@blp.alt_response(404, response="NOT_FOUND", description="Not in my inbox, or no such task")
@blp.alt_response(409, response="CONFLICT", description="Already done or no longer ready")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="The form's field errors")
@blp.doc(security=BEARER)
def complete(body: dict[str, Any], task_id: str) -> Any:
    """Complete a task with its form's data; a second identical request is a 409."""
    view = tasks.complete_task(me(), task_id, body["data"])
    context.close_read()  # read what the change left, not the snapshot from before it
    return _completed(context.read(), task_id, view)


@blp.post("/tasks/complete")
@blp.arguments(BatchIn)
@blp.response(200, BatchOut)
@blp.doc(security=BEARER)
def complete_many(body: dict[str, Any]) -> Any:
    """Complete a list of tasks (a council voting on its meeting list), one result per item.

    Each item is its own change, with its own transaction and audit event: one that fails
    leaves the others done."""
    results = []
    for task_id, error in tasks.complete_each(me(), body["items"]):
        if error is None:
            results.append({"task": task_id, "status": 200})
        else:
            answer = _problem(error)
            results.append(
                {"task": task_id, "status": answer.status_code, "problem": answer.get_json()}
            )
    return {"results": results}


def _problem(error: Exception) -> Response:
    if isinstance(error, problems.DOMAIN_ERRORS):
        return problems.from_domain_error(error)
    return problems.unexpected(error)
