"""The forms of the pipeline's human tasks: what each takes, validated with Vietnamese messages.

One form per pipeline task id (docs/process-contract.md); a task an admin adds names one of
them in its `form` property — `check` is the general-purpose one for an added review step.
The engine calls `TaskForms.clean` before a task is completed; pages and the API describe the
same forms with `describe`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.clock import SystemClock
from engine.errors import InvalidTaskData
from engine.ports import Clock, HumanTask
from workflows import authority
from workflows.calendar import TIMEZONE

REQUIRED = "Trường này là bắt buộc."
FUTURE_DATE = "Ngày quyết định không được sau ngày hôm nay."
_MESSAGES: dict[str, str | list[Any] | dict[Any, Any]] = {
    "required": REQUIRED,
    "null": REQUIRED,
    "invalid": "Giá trị không hợp lệ.",
}


def _choice(*values: str, labels: dict[str, str]) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(values, error="Chọn một trong: " + ", ".join(values) + "."),
        error_messages=_MESSAGES,
        metadata={"choices": {v: labels[v] for v in values}},
    )


def _text(required: bool = False, **metadata: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(max=2000, error="Tối đa {max} ký tự."),
        error_messages=_MESSAGES,
        metadata=metadata,
    )


def _date(**metadata: Any) -> fields.Date:
    return fields.Date(
        error_messages={**_MESSAGES, "invalid": "Ngày không hợp lệ (YYYY-MM-DD)."},
        metadata=metadata,
    )


def _count(data_key: str | None = None, **metadata: Any) -> fields.Integer:
    return fields.Integer(
        required=True,
        data_key=data_key,
        strict=True,
        validate=validate.Range(min=0, max=10_000, error="Phải là số từ {min} đến {max}."),
        error_messages={**_MESSAGES, "invalid": "Phải là một số nguyên."},
        metadata=metadata,
    )


def _not_after(day: date | None, today: date | None) -> None:
    """A decision is recorded once signed: its date cannot be later than today."""
    if day is not None and today is not None and day > today:
        raise ValidationError(FUTURE_DATE, "decision_date")


def _need(data: Mapping[str, Any], *names: str) -> None:
    missing = {name: [REQUIRED] for name in names if not data.get(name)}
    if missing:
        raise ValidationError(missing)


class PrepareDossier(Schema):
    action = _choice("submit", labels={"submit": "Gửi hồ sơ"})


MISSING_ITEMS_MAX = 50
MISSING_ITEM_MAX = 300


def _check_missing(items: list[str]) -> None:
    """A dossier's missing list is read by people and kept in the process state and the audit
    log: bounded in items and in each item's length, each problem named with its line."""
    if len(items) > MISSING_ITEMS_MAX:
        raise ValidationError(
            f"Tối đa {MISSING_ITEMS_MAX} mục (đang có {len(items)}); gộp các mục cùng loại."
        )
    for number, item in enumerate(items, start=1):
        if not item.strip():
            raise ValidationError(f"Mục {number} đang để trống.")
        if len(item) > MISSING_ITEM_MAX:
            raise ValidationError(
                f"Mục {number} dài {len(item)} ký tự; mỗi mục tối đa {MISSING_ITEM_MAX} ký tự."
            )


class Appraise(Schema):
    result = _choice(
        "complete",
        "incomplete",
        "refused",
        labels={
            "complete": "Hồ sơ đầy đủ, đủ điều kiện",
            "incomplete": "Hồ sơ thiếu, trả lại để bổ sung",
            "refused": "Không đủ tiêu chuẩn, từ chối",
        },
    )
    missing = fields.List(
        fields.String(error_messages=_MESSAGES),
        validate=_check_missing,
        error_messages=_MESSAGES,
        metadata={"label": "Danh sách hồ sơ còn thiếu (ghi đầy đủ một lần)"},
    )
    reason = _text(label="Lý do từ chối")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        if data["result"] == "incomplete":
            _need(data, "missing")
        if data["result"] == "refused":
            _need(data, "reason")


class Vote(Schema):
    vote = _choice("for", "against", labels={"for": "Đồng ý", "against": "Không đồng ý"})


class RecordMeeting(Schema):
    members_total = _count(label="Tổng số thành viên Hội đồng")
    votes_for = _count(data_key="for", label="Số phiếu đồng ý")
    votes_against = _count(data_key="against", label="Số phiếu không đồng ý")
    minutes_no = _text(required=True, label="Số biên bản họp")

    @validates_schema
    def _counts(self, data: dict[str, Any], **_: Any) -> None:
        if data["votes_for"] + data["votes_against"] > data["members_total"]:
            raise ValidationError(
                "Tổng số phiếu vượt quá số thành viên Hội đồng.", field_name="for"
            )
        if data["members_total"] < 1:
            raise ValidationError("Hội đồng phải có ít nhất một thành viên.", "members_total")


class ReviewComments(Schema):
    outcome = _choice(
        "dismiss",
        "revote",
        "reject",
        labels={
            "dismiss": "Ý kiến không có cơ sở, tiếp tục",
            "revote": "Đưa Hội đồng bỏ phiếu lại",
            "reject": "Không khen thưởng",
        },
    )
    note = _text(required=True, label="Tổng hợp, giải trình ý kiến")


class Decide(Schema):
    decision = _choice(
        "award",
        "forward",
        "reject",
        labels={
            "award": "Quyết định khen thưởng",
            "forward": "Trình cấp trên",
            "reject": "Không khen thưởng",
        },
    )
    decision_no = _text(label="Số quyết định")
    decision_date = _date(label="Ngày quyết định")
    reason = _text(label="Lý do")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        problem = authority.decision_problem(data["decision"], self.context_route)
        if problem is not None:
            raise ValidationError(problem, "decision")
        if data["decision"] == "award":
            _need(data, "decision_no", "decision_date")
        if data["decision"] == "reject":
            _need(data, "reason")
        _not_after(data.get("decision_date"), self.context_today)

    context_route: str | None = None
    context_today: date | None = None


class RecordOutsideDecision(Schema):
    outcome = _choice(
        "awarded", "rejected", labels={"awarded": "Được khen thưởng", "rejected": "Không được khen"}
    )
    decision_no = _text(label="Số quyết định")
    decision_date = _date(label="Ngày quyết định")
    issuer = _text(label="Cơ quan, người ký quyết định")

    @validates_schema
    def _conditional(self, data: dict[str, Any], **_: Any) -> None:
        if data["outcome"] == "awarded":
            _need(data, "decision_no", "decision_date", "issuer")


class Check(Schema):
    """An extra review step an admin adds (a legal check, a union committee's opinion…):
    the outcome goes into the process data, where a gateway after the task may route on it."""

    result = _choice(
        "passed", "failed", labels={"passed": "Đạt yêu cầu", "failed": "Không đạt yêu cầu"}
    )
    note = _text(label="Ý kiến")

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
    label: str
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
    """Validate submitted data; field errors in Vietnamese, keyed as submitted. `today` (in
    Vietnam) bounds a decision's date; without it the date is not checked against it."""
    form = FORMS.get(bpmn_id)
    if form is None:
        raise InvalidTaskData({"_": f"Không có biểu mẫu cho công việc {bpmn_id!r}."})
    schema = form()
    if isinstance(schema, Decide):
        schema.context_route = route
        schema.context_today = today
    try:
        loaded: dict[str, Any] = schema.load(dict(data), unknown="exclude")
    except ValidationError as exc:
        raise InvalidTaskData(_flatten(exc.normalized_messages())) from exc  # type: ignore[no-untyped-call]
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in loaded.items()}


def _flatten(messages: dict[str, Any]) -> dict[str, str]:
    flat = {}
    for name, value in messages.items():
        while isinstance(value, (list, dict)):
            value = next(iter(value.values())) if isinstance(value, dict) else value[0]
        flat["_" if name == "_schema" else name] = str(value)
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
