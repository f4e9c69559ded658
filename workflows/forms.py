"""The forms of the pipeline's human tasks: what each takes, validated.

One form per pipeline task id (docs/process-contract.md); a task an admin adds names one of
them in its `form` property — `check` is the general-purpose one for an added review step.
The engine calls `TaskForms.clean` before a task is completed; pages and the API describe the
same forms with `describe`. Labels, captions and errors are message codes (engine.errors.Message)
that pages and the API say in the reader's language.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from engine.clock import SystemClock
from engine.errors import InvalidTaskData, Message
from engine.ports import Clock, HumanTask
from workflows import authority
from workflows.calendar import TIMEZONE

REQUIRED = Message("form_required")
FUTURE_DATE = Message("form_future_date")
# In lists, as marshmallow keeps its messages (and formats only those that are text).
_MESSAGES: dict[str, Any] = {
    "required": [REQUIRED],
    "null": [REQUIRED],
    "invalid": [Message("form_invalid")],
}
TEXT_MAX = 2000
COUNT_MAX = 10_000


def _fail(code: str, **params: Any) -> ValidationError:
    return ValidationError([Message(code, **params)])


def _one_of(values: tuple[str, ...]) -> Any:
    def check(value: str) -> None:
        if value not in values:
            raise _fail("form_choose_one", options=", ".join(values))

    return check


def _at_most(most: int) -> Any:
    def check(value: str) -> None:
        if len(value) > most:
            raise _fail("form_too_long", most=most)

    return check


def _choice(*values: str, captions: str) -> fields.String:
    """A choice among `values`, each said by the message `{captions}_{value}`."""
    return fields.String(
        required=True,
        validate=_one_of(values),
        error_messages=_MESSAGES,
        metadata={"choices": {v: f"{captions}_{v}" for v in values}},
    )


def _text(required: bool = False, **metadata: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=_at_most(TEXT_MAX),
        error_messages=_MESSAGES,
        metadata=metadata,
    )


def _date(**metadata: Any) -> fields.Date:
    return fields.Date(
        error_messages={**_MESSAGES, "invalid": [Message("form_date_invalid")]},
        metadata=metadata,
    )


def _in_range(value: int) -> None:
    if not 0 <= value <= COUNT_MAX:
        raise _fail("form_count_range", least=0, most=COUNT_MAX)


def _count(data_key: str | None = None, **metadata: Any) -> fields.Integer:
    return fields.Integer(
        required=True,
        data_key=data_key,
        strict=True,
        validate=_in_range,
        error_messages={**_MESSAGES, "invalid": [Message("form_not_integer")]},
        metadata=metadata,
    )


def _not_after(day: date | None, today: date | None) -> None:
    """A decision is recorded once signed: its date cannot be later than today."""
    if day is not None and today is not None and day > today:
        raise ValidationError([FUTURE_DATE], "decision_date")


def _need(data: Mapping[str, Any], *names: str) -> None:
    missing = {name: [REQUIRED] for name in names if not data.get(name)}
    if missing:
        raise ValidationError(missing)


class PrepareDossier(Schema):
    action = _choice("submit", captions="choice_action")


MISSING_ITEMS_MAX = 50
MISSING_ITEM_MAX = 300


def _check_missing(items: list[str]) -> None:
    """A dossier's missing list is read by people and kept in the process state and the audit
    log: bounded in items and in each item's length, each problem named with its line."""
    if len(items) > MISSING_ITEMS_MAX:
        raise _fail("form_missing_too_many", most=MISSING_ITEMS_MAX, count=len(items))
    for number, item in enumerate(items, start=1):
        if not item.strip():
            raise _fail("form_missing_item_empty", number=number)
        if len(item) > MISSING_ITEM_MAX:
            raise _fail(
                "form_missing_item_long", number=number, length=len(item), most=MISSING_ITEM_MAX
            )


class Appraise(Schema):
    result = _choice("complete", "incomplete", "refused", captions="choice_appraise")
    missing = fields.List(
        fields.String(error_messages=_MESSAGES),
        validate=_check_missing,
        error_messages=_MESSAGES,
        metadata={"label": "label_missing_list"},
    )
    reason = _text(label="label_refusal_reason")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        if data["result"] == "incomplete":
            _need(data, "missing")
        if data["result"] == "refused":
            _need(data, "reason")


class Vote(Schema):
    vote = _choice("for", "against", captions="choice_vote")


class RecordMeeting(Schema):
    members_total = _count(label="label_members_total")
    votes_for = _count(data_key="for", label="label_votes_for")
    votes_against = _count(data_key="against", label="label_votes_against")
    minutes_no = _text(required=True, label="label_minutes_no")

    @validates_schema
    def _counts(self, data: dict[str, Any], **_: Any) -> None:
        if data["votes_for"] + data["votes_against"] > data["members_total"]:
            raise ValidationError([Message("form_votes_over_members")], field_name="for")
        if data["members_total"] < 1:
            raise ValidationError([Message("form_no_members")], "members_total")


class ReviewComments(Schema):
    outcome = _choice("dismiss", "revote", "reject", captions="choice_review")
    note = _text(required=True, label="label_review_note")


class Decide(Schema):
    decision = _choice("award", "forward", "reject", captions="choice_decision")
    decision_no = _text(label="label_decision_no")
    decision_date = _date(label="label_decision_date")
    reason = _text(label="label_reason")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        problem = authority.decision_problem(data["decision"], self.context_route)
        if problem is not None:
            raise ValidationError([Message(problem)], "decision")
        if data["decision"] == "award":
            _need(data, "decision_no", "decision_date")
        if data["decision"] == "reject":
            _need(data, "reason")
        _not_after(data.get("decision_date"), self.context_today)

    context_route: str | None = None
    context_today: date | None = None


class RecordOutsideDecision(Schema):
    outcome = _choice("awarded", "rejected", captions="choice_outside")
    decision_no = _text(label="label_decision_no")
    decision_date = _date(label="label_decision_date")
    issuer = _text(label="label_issuer")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        if data["outcome"] == "awarded":
            _need(data, "decision_no", "decision_date", "issuer")


class Check(Schema):
    """An extra review step an admin adds (a legal check, a union committee's opinion…):
    the outcome goes into the process data, where a gateway after the task may route on it."""

    result = _choice("passed", "failed", captions="choice_check")
    note = _text(label="label_check_note")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        if data["result"] == "failed":
            _need(data, "note")


FORMS: dict[str, type[Schema]] = {
    "prepare_dossier": PrepareDossier,
    "appraise": Appraise,
    "vote": Vote,
    "record_meeting": RecordMeeting,
    "review_comments": ReviewComments,
    "decide": Decide,
    "record_outside_decision": RecordOutsideDecision,
    "check": Check,
}
# Submitted but never kept in the workflow state: the secret ballot goes to the ballot box.
PRIVATE_FIELDS = {"vote": ("vote",)}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    label: str  # a message code, as are the choices' captions
    required: bool
    choices: dict[str, str] | None = None


def describe(bpmn_id: str) -> list[FieldSpec]:
    """The fields of a task's form, for pages and the API."""
    schema = FORMS[bpmn_id]()
    specs = []
    for name, field in schema.fields.items():
        kind = {
            fields.Integer: "integer",
            fields.Date: "date",
            fields.List: "list",
        }.get(type(field), "string")
        choices = field.metadata.get("choices")
        specs.append(
            FieldSpec(
                name=field.data_key or name,
                type="choice" if choices else kind,
                label=field.metadata.get("label", ""),
                required=field.required,
                choices=choices,
            )
        )
    return specs


def load(
    bpmn_id: str, data: Mapping[str, Any], route: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Validate submitted data; field errors keyed as submitted. `today` (in
    Vietnam) bounds a decision's date; without it the date is not checked against it."""
    form = FORMS.get(bpmn_id)
    if form is None:
        raise InvalidTaskData({"_": Message("form_unknown", task=bpmn_id)})
    schema = form()
    if isinstance(schema, Decide):
        schema.context_route = route
        schema.context_today = today
    try:
        loaded: dict[str, Any] = schema.load(dict(data), unknown="exclude")
    except ValidationError as exc:
        raise InvalidTaskData(_flatten(exc.normalized_messages())) from exc  # type: ignore[no-untyped-call]
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in loaded.items()}


def _flatten(messages: dict[str, Any]) -> dict[str, Message | str]:
    """The first problem of each field (a list's item included); marshmallow's own messages
    (an unknown field, say) stay its English text, which the edge translates."""
    flat: dict[str, Message | str] = {}
    for name, value in messages.items():
        while isinstance(value, (list, dict)):
            value = next(iter(value.values())) if isinstance(value, dict) else value[0]
        flat["_" if name == "_schema" else name] = (
            value if isinstance(value, Message) else str(value)
        )
    return flat


class TaskForms:
    """The engine's TaskDataValidator and FormCatalog: returns what the workflow keeps of a
    submission, and which forms a deployed user task may name."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    def known_forms(self) -> Collection[str]:
        return FORMS.keys()

    def clean(self, task: HumanTask, data: Mapping[str, Any]) -> dict[str, Any]:
        today = self.clock.now().astimezone(TIMEZONE).date()
        loaded = load(task.form, data, route=task.data.get("route"), today=today)
        for private in PRIVATE_FIELDS.get(task.form, ()):
            loaded.pop(private, None)
        return loaded
