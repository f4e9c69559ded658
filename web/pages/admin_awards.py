"""The award catalogue's admin pages (/quan-tri/danh-hieu): the awards, each award's rule
versions read as sentences (levels, vote bases and awards by name, ratios as percentages),
and the form for a new version: percentages as people write them, prerequisites and
required documents as rows of tables, loaded through the same schema as the API's."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest
from typing import Any

from flask import abort, redirect, request, url_for
from sqlalchemy import select

from web import context
from web.i18n import language, t
from web.names import names
from web.pages.admin_forms import admin_only, change, form_values, level_options, store
from web.pages.common import bp, level_name, render
from web.schemas import forms
from web.schemas.installation import (
    PREREQUISITE_KINDS,
    AwardCreate,
    AwardUpdate,
    PrerequisiteRow,
    RuleForm,
)
from web.services import installation
from workflows import installation as inst
from workflows.access import MAX_ID
from workflows.checklist import APPLIES
from workflows.models import LEVELS, SUBJECTS, Award, AwardRule
from workflows.vocabulary import AWARD_KINDS, RULE_PARAMS, VOTE_BASES

BLANK_PREREQUISITE_ROWS = 3  # rows offered for new prerequisites below the existing ones
BLANK_DOCUMENT_ROWS = 2  # rows offered for new required documents below the existing ones
DOCUMENT_COLUMNS = ("name", "basis", "applies")


def _awards_page(values: dict[str, str], errors: dict[str, str]) -> Any:
    session = context.read()
    today = inst.local_today(context.now())
    awards = []
    for award in session.scalars(select(Award).order_by(Award.code)):
        rules = inst.rules_of(session, award.code)
        current = [r for r in rules if r.effective_from <= today]
        awards.append((award, current[-1] if current else None, len(rules) - len(current)))
    return render(
        "admin_awards.html",
        422 if errors else 200,
        awards=awards,
        subject_options=[(s, t(f"inst_subject_{s}")) for s in SUBJECTS],
        kind_options=[(k, t(f"award_kind_{k}")) for k in AWARD_KINDS],
        values=values,
        errors=errors,
    )


@bp.get("/quan-tri/danh-hieu")
@admin_only
def admin_awards(scope: inst.Scope) -> Any:
    return _awards_page({}, {})


@bp.post("/quan-tri/danh-hieu")
@admin_only
def admin_award_create(scope: inst.Scope) -> Any:
    values = form_values(AwardCreate())
    stored, errors = store(AwardCreate(), values, lambda v: installation.create_award(scope, v))
    if stored:
        return redirect(url_for("pages.admin_award", code=values["code"]))
    return _awards_page(values, errors)


def percent(ratio: float) -> str:
    """A share as people read it: 0.5 → "50 %", 0.625 → "62,5 %" (in Vietnamese)."""
    number = f"{ratio * 100:.4g}"
    return f"{number.replace('.', ',') if language() == 'vi' else number} %"


def _prerequisite_words(item: Mapping[str, Any]) -> str:
    award = names().award(str(item.get("award", "")))
    if "consecutive_years" in item:
        return t("inst_prerequisite_consecutive", award=award, count=item["consecutive_years"])
    if "within_years" in item:
        return t(
            "inst_prerequisite_count_within",
            award=award,
            count=item.get("count", 1),
            within=item["within_years"],
        )
    return t("inst_prerequisite_count", award=award, count=item.get("count", 1))


def rule_words(rule: AwardRule) -> list[str]:
    """A rule version's parameters as sentences: levels, bases and awards by their names,
    ratios as percentages."""
    words = [
        t("inst_rule_deciding", level=level_name(rule.deciding_level)),
        t(
            "inst_rule_vote",
            percent=percent(rule.vote_threshold),
            base=t(f"vote_base_{rule.vote_base}"),
        ),
        t("inst_rule_publicity", count=rule.publicity_working_days),
        t("inst_rule_appraisal", count=rule.appraisal_sla_days),
        t("inst_rule_voting", count=rule.vote_sla_days),
        t("inst_rule_quota", percent=percent(rule.quota_ratio))
        if rule.quota_ratio is not None
        else t("inst_rule_no_quota"),
    ]
    prerequisites = [_prerequisite_words(item) for item in rule.prerequisite_list]
    if prerequisites:
        words.append(t("inst_rule_prerequisites", list="; ".join(prerequisites)))
    for document in rule.document_list:
        words.append(
            t(
                "inst_rule_document",
                name=document["name"],
                applies=t(f"inst_document_applies_{document.get('applies', 'full')}"),
                basis=document["basis"],
            )
        )
    return words


def _kept(rule: AwardRule | None) -> dict[str, str]:
    """The latest version's parameters in words, for the new version's fields left blank."""
    if rule is None:
        return {}
    quota = rule.quota_ratio
    return {
        "deciding_level": level_name(rule.deciding_level),
        "vote_threshold": percent(rule.vote_threshold),
        "vote_base": t(f"vote_base_{rule.vote_base}"),
        "publicity_working_days": str(rule.publicity_working_days),
        "appraisal_sla_days": str(rule.appraisal_sla_days),
        "vote_sla_days": str(rule.vote_sla_days),
        "quota_ratio": percent(quota) if quota is not None else t("inst_rule_no_quota"),
    }


def _rows_of(rule: AwardRule | None) -> list[dict[str, Any]]:
    """A rule's prerequisites as the rows of the page's table."""
    rows = []
    for item in rule.prerequisite_list if rule else []:
        kind = "consecutive_years" if "consecutive_years" in item else "count"
        row = {"award": item.get("award", ""), "kind": kind, "number": item.get(kind, "")}
        rows.append({**row, "within_years": item.get("within_years", "")})
    return rows


def _award_page(
    code: str,
    values: dict[str, Any],
    errors: dict[str, str],
    rule_values: dict[str, Any] | None,
    rule_errors: dict[str, str],
) -> Any:
    session = context.read()
    award = session.get(Award, code) if inst.clean(code) else None
    if award is None:
        abort(404)
    today = inst.local_today(context.now())
    rules = inst.rules_of(session, code)
    in_force = max((r.effective_from for r in rules if r.effective_from <= today), default=None)
    shown = [
        (
            r,
            "future"
            if r.effective_from > today
            else ("in_force" if r.effective_from == in_force else "past"),
            rule_words(r),
        )
        for r in reversed(rules)
    ]
    if rule_values is None:  # a new version starts from the latest one's rows
        latest = rules[-1] if rules else None
        rule_values = {
            "prerequisites": _rows_of(latest),
            "documents": latest.document_list if latest else [],
        }
    rows = [*rule_values.get("prerequisites", []), *[{}] * BLANK_PREREQUISITE_ROWS]
    document_rows = [*rule_values.get("documents", []), *[{}] * BLANK_DOCUMENT_ROWS]
    return render(
        "admin_award.html",
        422 if errors or rule_errors else 200,
        award=award,
        rules=shown,
        kind_options=[(k, t(f"award_kind_{k}")) for k in AWARD_KINDS],
        level_options=level_options(LEVELS),
        base_options=[(b, t(f"vote_base_{b}")) for b in VOTE_BASES],
        award_options=[
            (a.code, a.name)
            for a in session.scalars(select(Award).order_by(Award.name))
            if a.code != code
        ],
        prerequisite_kinds=[(k, t(f"inst_prerequisite_kind_{k}")) for k in PREREQUISITE_KINDS],
        values=values or {"name": award.name, "kind": award.kind, "criteria": award.criteria},
        errors=errors,
        rule_values=rule_values,
        rule_errors=rule_errors,
        prerequisite_rows=rows,
        document_rows=document_rows,
        applies_options=[(a, t(f"inst_document_applies_{a}")) for a in APPLIES],
        kept=_kept(rules[-1] if rules else None),
    )


@bp.route("/quan-tri/danh-hieu/<code>", methods=["GET", "POST"])
@admin_only
def admin_award(scope: inst.Scope, code: str) -> Any:
    if request.method == "POST":
        values = form_values(AwardUpdate())
        stored, errors = store(
            AwardUpdate(), values, lambda v: installation.update_award(scope, code, v)
        )
        if stored:
            return redirect(url_for("pages.admin_award", code=code))
        return _award_page(code, values, errors, None, {})
    return _award_page(code, {}, {}, None, {})


def _prerequisite_rows() -> list[dict[str, str]] | None:
    """The rows of the posted prerequisites table that say something, in order, blank cells
    left out; None when no table was posted (the prerequisites are kept as before)."""
    if "prerequisite_award" not in request.form:
        return None
    columns = [
        [forms.tidy(v) for v in request.form.getlist(f"prerequisite_{name}")]
        for name in PrerequisiteRow().fields
    ]
    rows = []
    for cells in zip_longest(*columns, fillvalue=""):
        row = {k: v for k, v in zip(PrerequisiteRow().fields, cells, strict=True) if v}
        if set(row) - {"kind"}:  # the kind is a select: it always says something
            rows.append(row)
    return rows


def _document_rows() -> list[dict[str, str]] | None:
    """The rows of the posted required-documents table with a name or a basis, in order; None
    when no table was posted (the documents are kept as before)."""
    if "document_name" not in request.form:
        return None
    columns = [
        [forms.tidy(v) for v in request.form.getlist(f"document_{name}")]
        for name in DOCUMENT_COLUMNS
    ]
    rows = []
    for cells in zip_longest(*columns, fillvalue=""):
        row = {k: v for k, v in zip(DOCUMENT_COLUMNS, cells, strict=True) if v}
        if set(row) - {"applies"}:  # the procedure is a select: it always says something
            rows.append(row)
    return rows


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban")
@admin_only
def admin_rule_add(scope: inst.Scope, code: str) -> Any:
    values: dict[str, Any] = form_values(RuleForm())
    rows = _prerequisite_rows()
    if rows is not None:
        values["prerequisites"] = rows
    documents = _document_rows()
    if documents is not None:
        values["documents"] = documents
    stored, errors = store(
        RuleForm(),
        values,
        lambda v: installation.add_rule(scope, code, v),
        blank_is_absent=RULE_PARAMS,  # carried over from the version before
    )
    if stored:
        return redirect(url_for("pages.admin_award", code=code))
    return _award_page(code, {}, {}, values, errors)


@bp.post("/quan-tri/danh-hieu/<code>/phien-ban/<int:rule_id>/xoa")
@admin_only
def admin_rule_delete(scope: inst.Scope, code: str, rule_id: int) -> Any:
    if rule_id > MAX_ID:
        abort(404)
    change(lambda: installation.delete_rule(scope, code, rule_id))
    return redirect(url_for("pages.admin_award", code=code))
