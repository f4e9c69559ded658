"""The installation's input as admins send it: organisations, people and roles, campaigns,
awards and their rule versions, calendar days. The API loads JSON through these schemas and
the admin pages their forms (web/schemas/forms.py), so both are refused in the same words:
every refusal is a catalogue message (the domain's `inst_*`), in the request's language.

The rule form of the pages differs from the API's body in what people write, not in what it
checks: ratios as percentages (50 → 0.5) and prerequisites as rows of a table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from web.i18n import lazy_t, t
from workflows import installation as inst
from workflows.checklist import APPLIES, BASIS_MOST, DOCUMENTS_MOST, NAME_MOST
from workflows.models import LEVELS, SUBJECTS, VOTING_MODES
from workflows.roles import ROLES
from workflows.vocabulary import (
    AWARD_CODE_MOST,
    AWARD_KINDS,
    CALENDAR_KINDS,
    CAMPAIGN_CODE_MOST,
    CODE,
    ORG_CODE_MOST,
    VOTE_BASES,
)

PREREQUISITES_MOST = 20
PREREQUISITE_NUMBER = (1, 50)
PUBLICITY_DAYS = (0, 60)
SLA_DAYS = (1, 365)
PREREQUISITE_KINDS = ("consecutive_years", "count")  # how a prerequisite award is counted


class _Worded:
    """Mixed into a field: its own refusals (missing, null, not readable as its type) are the
    catalogue message `invalid`, not marshmallow's English."""

    invalid: tuple[str, dict[str, Any]] = ("mm_invalid_value", {})

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        if key in ("required", "null"):
            return ValidationError(t("inst_field_required"))
        code, params = self.invalid
        return ValidationError(t(code, **params))


class Text(_Worded, fields.String):
    invalid = ("inst_text_invalid", {})


class Day(_Worded, fields.Date):
    """A day from 2000 to 2100, as yyyy-mm-dd (a date input, the API) or dd/mm/yyyy (typed)."""

    invalid = ("inst_date_invalid", {})

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if isinstance(value, str) and "/" in value:
            try:
                return datetime.strptime(value, "%d/%m/%Y").date()
            except ValueError:
                raise self.make_error("invalid") from None
        return super()._deserialize(value, attr, data, **kwargs)


class Count(_Worded, fields.Integer):
    """A whole number from `low` to `high`; `strict` (JSON) refuses "7", a form sends it."""

    def __init__(self, low: int, high: int, *, strict: bool = True, **kwargs: Any) -> None:
        message = lazy_t("inst_number_between", low=low, high=high)
        super().__init__(
            strict=strict, validate=validate.Range(min=low, max=high, error=message), **kwargs
        )
        self.invalid = ("inst_number_between", {"low": low, "high": high})


class Ratio(_Worded, fields.Float):
    """A share above 0 and at most 1, as the API sends it (0.5)."""

    invalid = ("inst_ratio_invalid", {})

    def __init__(self, **kwargs: Any) -> None:
        message = lazy_t(self.invalid[0])
        super().__init__(
            validate=validate.Range(min=0, max=1, min_inclusive=False, error=message), **kwargs
        )


class Percent(Ratio):
    """A share as a person writes it: 50, "62,5" or "50 %" loads as 0.5, 0.625, 0.5."""

    invalid = ("inst_percent_invalid", {})

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, str):
            value = value.replace("%", "").replace(",", ".").strip()
        number = super()._deserialize(value, attr, data, **kwargs)
        # Rounded so that 60 is stored as 0.6, not 0.6000000000000001.
        return round(number / 100, 6)


class Flag(_Worded, fields.Boolean):
    invalid = ("mm_boolean", {})


def _no_control(value: str) -> None:
    if value and not inst.clean(value.replace("\n", " ").replace("\t", " "), most=len(value)):
        raise ValidationError(t("inst_text_invalid"))


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(t("inst_field_required"))


def text_field(most: int, **kwargs: Any) -> Text:
    """Text of at most `most` characters, without control characters; not blank if required."""
    too_long = lazy_t("inst_too_long", most=most)
    checks: list[Callable[[Any], Any]] = [validate.Length(max=most, error=too_long), _no_control]
    return Text(validate=[*checks, _not_blank] if kwargs.get("required") else checks, **kwargs)


def code_field(most: int, **kwargs: Any) -> Text:
    message = lazy_t("inst_code_invalid", most=most)
    return Text(
        validate=[
            validate.Length(min=1, max=most, error=message),
            validate.Regexp(CODE, error=message),
        ],
        **kwargs,
    )


def choice_field(options: tuple[str, ...] | list[str], **kwargs: Any) -> Text:
    message = lazy_t("inst_choose_one", options=", ".join(options))
    return Text(validate=validate.OneOf(options, error=message), **kwargs)


def day_field(**kwargs: Any) -> Day:
    def in_range(value: date) -> None:
        if not inst.YEAR_RANGE[0] <= value.year <= inst.YEAR_RANGE[1]:
            raise ValidationError(t("inst_date_invalid"))

    return Day(validate=in_range, **kwargs)


def _password(**kwargs: Any) -> Text:
    short = lazy_t("inst_password_short", least=8)
    return Text(
        validate=[
            validate.Length(min=8, error=short),
            validate.Length(max=200, error=lazy_t("inst_too_long", most=200)),
        ],
        **kwargs,
    )


def _prerequisites_at_most(value: list[Any]) -> None:
    if len(value) > PREREQUISITES_MOST:
        raise ValidationError(t("inst_prerequisites_too_many", most=PREREQUISITES_MOST))


# --- organisations, people and roles ----------------------------------------------------


class OrgCreate(Schema):
    code = code_field(ORG_CODE_MOST, required=True)
    name = text_field(300, required=True)
    level = choice_field(inst.ORG_LEVELS, required=True)
    parent = text_field(
        50, allow_none=True, metadata={"description": "None: a new top organisation"}
    )
    voting = choice_field(VOTING_MODES, load_default="ballot")


class OrgUpdate(Schema):
    name = text_field(300)
    level = choice_field(inst.ORG_LEVELS)
    parent = text_field(50, allow_none=True)
    voting = choice_field(VOTING_MODES)


class GrantSchema(Schema):
    role = choice_field(list(ROLES), required=True)
    org = text_field(50, required=True)


class PersonCreate(Schema):
    username = Text(
        required=True,
        validate=[
            validate.Length(min=1, error=lazy_t("inst_field_required")),
            validate.Length(max=100, error=lazy_t("inst_too_long", most=100)),
        ],
    )
    full_name = text_field(200, required=True)
    password = _password(required=True)
    role = choice_field(list(ROLES))
    org = text_field(50)


class PersonUpdate(Schema):
    full_name = text_field(200)
    password = _password()
    active = Flag()


# --- campaigns and awards ---------------------------------------------------------------


class CampaignCreate(Schema):
    code = code_field(CAMPAIGN_CODE_MOST, required=True)
    name = text_field(300, required=True)
    starts = day_field(required=True)
    ends = day_field(required=True)


class CampaignUpdate(Schema):
    name = text_field(300)
    starts = day_field()
    ends = day_field()


class AwardCreate(Schema):
    code = code_field(AWARD_CODE_MOST, required=True)
    name = text_field(300, required=True)
    subject = choice_field(SUBJECTS, required=True)
    kind = choice_field(AWARD_KINDS, required=True)
    criteria = text_field(10_000, load_default="")


class AwardUpdate(Schema):
    name = text_field(300)
    kind = choice_field(AWARD_KINDS)
    criteria = text_field(10_000)


# --- rule versions ----------------------------------------------------------------------


class Prerequisite(Schema):
    award = code_field(AWARD_CODE_MOST, required=True)
    consecutive_years = Count(*PREREQUISITE_NUMBER)
    count = Count(*PREREQUISITE_NUMBER)
    within_years = Count(*PREREQUISITE_NUMBER)


class RequiredDocument(Schema):
    """One document a dossier for the award must hold, with its legal basis and the procedure
    asking for it (the regular dossier, the simplified procedure, or both)."""

    name = text_field(NAME_MOST, required=True, metadata={"description": "Tên tài liệu"})
    basis = text_field(BASIS_MOST, required=True, metadata={"description": "The legal basis"})
    applies = choice_field(
        APPLIES,
        load_default="full",
        metadata={
            "description": "full: the regular dossier (Luật TĐKT Art. 84); simplified: "
            "the simplified procedure (Art. 85); both"
        },
    )


def _documents_at_most(value: list[Any]) -> None:
    if len(value) > DOCUMENTS_MOST:
        raise ValidationError(t("inst_documents_too_many", most=DOCUMENTS_MOST))


class RuleCreate(Schema):
    """Parameters left out are carried over from the version in force the day before."""

    effective_from = day_field(required=True, metadata={"description": "After today"})
    basis = text_field(5000, required=True, metadata={"description": "The legal basis"})
    deciding_level = choice_field(LEVELS)
    vote_threshold = Ratio()
    vote_base = choice_field(VOTE_BASES)
    publicity_working_days = Count(*PUBLICITY_DAYS)
    appraisal_sla_days = Count(*SLA_DAYS)
    vote_sla_days = Count(*SLA_DAYS)
    quota_ratio = Ratio(allow_none=True)
    prerequisites = fields.List(fields.Nested(Prerequisite), validate=_prerequisites_at_most)
    documents = fields.List(
        fields.Nested(RequiredDocument),
        validate=_documents_at_most,
        metadata={"description": "The documents a dossier must hold, each with its legal basis"},
    )


class PrerequisiteRow(Schema):
    """One row of the page's prerequisites table: the award (chosen by name), how it is
    counted, how many, and for a count the years it must fall within."""

    award = code_field(AWARD_CODE_MOST, required=True)
    kind = choice_field(PREREQUISITE_KINDS, required=True)
    number = Count(*PREREQUISITE_NUMBER, strict=False, required=True)
    within_years = Count(*PREREQUISITE_NUMBER, strict=False)

    @validates_schema
    def within_only_for_times(self, row: dict[str, Any], **_: Any) -> None:
        if row.get("kind") == "consecutive_years" and "within_years" in row:
            raise ValidationError(t("inst_prerequisite_within_count"), "within_years")

    @post_load
    def as_rule(self, row: dict[str, Any], **_: Any) -> dict[str, Any]:
        """The row as a rule stores it: {award, consecutive_years} or {award, count[,
        within_years]}."""
        found = {"award": row["award"], row["kind"]: row["number"]}
        if "within_years" in row:
            found["within_years"] = row["within_years"]
        return found


class RuleForm(RuleCreate):
    """The page's rule form: the API's checks, with ratios as percentages, whole numbers as
    typed and the prerequisites as rows."""

    vote_threshold = Percent()
    quota_ratio = Percent()
    publicity_working_days = Count(*PUBLICITY_DAYS, strict=False)
    appraisal_sla_days = Count(*SLA_DAYS, strict=False)
    vote_sla_days = Count(*SLA_DAYS, strict=False)
    prerequisites = fields.List(fields.Nested(PrerequisiteRow), validate=_prerequisites_at_most)


# --- calendar ---------------------------------------------------------------------------


class CalendarDaySchema(Schema):
    day = day_field(required=True)
    kind = choice_field(
        CALENDAR_KINDS,
        required=True,
        metadata={"description": "off: an extra day off; work: a make-up working day"},
    )
    note = text_field(300, load_default="")
