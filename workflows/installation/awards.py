"""The award catalogue and its date-effective rule versions, each with its legal basis."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.checklist import check_documents
from workflows.installation.common import (
    PREREQUISITE_COUNTS,
    Check,
    Scope,
    audit_event,
    clean,
    code_field,
    flush_or_refuse,
    local_today,
    refuse,
    text_field,
)
from workflows.models import LEVELS, SUBJECTS, Award, AwardRule
from workflows.vocabulary import (
    AWARD_CODE_MOST,
    AWARD_KINDS,
    RULE_DEFAULTS,
    RULE_PARAMS,
    VOTE_BASES,
)


def _award_dict(a: Award) -> dict[str, Any]:
    return {"name": a.name, "subject": a.subject, "kind": a.kind, "criteria": a.criteria}


def create_award(session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]) -> Award:
    check = Check()
    code = code_field(check, values, "code", AWARD_CODE_MOST)
    name = text_field(check, values, "name", required=True)
    subject, kind = values.get("subject"), values.get("kind")
    if subject not in SUBJECTS:
        check.add("subject", "choose_one", options=", ".join(SUBJECTS))
    if kind not in AWARD_KINDS:
        check.add("kind", "choose_one", options=", ".join(AWARD_KINDS))
    criteria = text_field(check, values, "criteria", required=False, most=10_000) or ""
    if code and session.get(Award, code) is not None:
        raise refuse("conflict", "code", "award_code_taken", code=code)
    check.done()
    found = Award(code=code, name=name, subject=subject, kind=kind, criteria=criteria)
    session.add(found)
    flush_or_refuse(session, "code", "award_code_taken", code=code)
    audit_event(
        session,
        now,
        scope.who.username,
        "admin.award.create",
        {"award": code, "after": _award_dict(found)},
    )
    return found


def update_award(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Award:
    """Name, kind and criteria; the subject (individual or collective) never changes."""
    found = session.get(Award, code) if clean(code) else None
    if found is None:
        raise refuse("not_found", "_", "award_not_found", code=code)
    before = _award_dict(found)
    check = Check()
    name = text_field(check, values, "name", required=True) if "name" in values else found.name
    kind = values.get("kind", found.kind)
    if kind not in AWARD_KINDS:
        check.add("kind", "choose_one", options=", ".join(AWARD_KINDS))
    criteria = (
        (text_field(check, values, "criteria", required=False, most=10_000) or "")
        if "criteria" in values
        else found.criteria
    )
    check.done()
    found.name, found.kind, found.criteria = name or found.name, kind, criteria
    after = _award_dict(found)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        session.flush()
        audit_event(
            session,
            now,
            scope.who.username,
            "admin.award.update",
            {"award": code, "before": {k: before[k] for k in changed}, "after": changed},
        )
    return found


def rules_of(session: Session, award: str) -> list[AwardRule]:
    return list(
        session.scalars(
            select(AwardRule)
            .where(AwardRule.award_code == award)
            .order_by(AwardRule.effective_from)
        )
    )


def rule_values(rule: AwardRule) -> dict[str, Any]:
    return {
        "effective_from": rule.effective_from.isoformat(),
        **{k: getattr(rule, k) for k in RULE_PARAMS if k not in ("prerequisites", "documents")},
        "prerequisites": rule.prerequisite_list,
        "documents": rule.document_list,
        "basis": rule.basis,
    }


def _check_rule_param(session: Session, check: Check, key: str, value: Any) -> Any:
    if key == "deciding_level":
        if value not in LEVELS:
            check.add(key, "choose_one", options=", ".join(LEVELS))
        return value
    if key == "vote_base":
        if value not in VOTE_BASES:
            check.add(key, "choose_one", options=", ".join(VOTE_BASES))
        return value
    if key in ("vote_threshold", "quota_ratio"):
        if value is None and key == "quota_ratio":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            check.add(key, "ratio_invalid")
        return value
    if key in ("publicity_working_days", "appraisal_sla_days", "vote_sla_days"):
        low, high = (0, 60) if key == "publicity_working_days" else (1, 365)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            check.add(key, "number_between", low=low, high=high)
        return value
    if key == "documents":  # rows of {name, basis[, applies]}
        return check_documents(value, lambda code, **params: check.add(key, code, **params))
    # prerequisites: a list of {award, consecutive_years | count [, within_years]}
    found: list[dict[str, Any]] = []
    if not isinstance(value, list):
        check.add(key, "prerequisites_invalid")
        return "[]"
    for item in value:
        if not isinstance(item, Mapping) or set(item) - {"award", *PREREQUISITE_COUNTS}:
            check.add(key, "prerequisites_invalid")
            continue
        award = item.get("award")
        if not clean(award) or session.get(Award, award) is None:
            check.add(key, "award_not_found", code=str(award))
            continue
        rule: dict[str, Any] = {"award": award}
        for name in PREREQUISITE_COUNTS:
            if name in item:
                number = item[name]
                if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 50:
                    check.add(key, "prerequisites_invalid")
                rule[name] = number
        if ("consecutive_years" in rule) == ("count" in rule) or (
            "within_years" in rule and "count" not in rule
        ):
            check.add(key, "prerequisites_invalid")
        found.append(rule)
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


def add_rule(
    session: Session, scope: Scope, now: datetime, award: str, values: Mapping[str, Any]
) -> AwardRule:
    """A new version of an award's rule parameters from a later date; parameters left out are
    those of the version in force the day before. Versions in force are never edited."""
    if not clean(award) or session.get(Award, award) is None:
        raise refuse("not_found", "_", "award_not_found", code=award)
    check = Check()
    effective_from = values.get("effective_from")
    today = local_today(now)
    if not isinstance(effective_from, date):
        check.add("effective_from", "date_invalid")
    elif effective_from <= today:
        check.add("effective_from", "rule_not_future", today=f"{today:%d/%m/%Y}")
    basis = text_field(check, values, "basis", required=True, most=5000)
    given = {k: _check_rule_param(session, check, k, values[k]) for k in RULE_PARAMS if k in values}
    earlier: AwardRule | None = None
    if isinstance(effective_from, date):
        earlier = session.scalars(
            select(AwardRule)
            .where(AwardRule.award_code == award, AwardRule.effective_from < effective_from)
            .order_by(AwardRule.effective_from.desc())
            .limit(1)
        ).first()
        clash = session.scalar(
            select(AwardRule.id).where(
                AwardRule.award_code == award, AwardRule.effective_from == effective_from
            )
        )
        if clash is not None:
            raise refuse(
                "conflict",
                "effective_from",
                "rule_date_taken",
                award=award,
                day=f"{effective_from:%d/%m/%Y}",
            )
    if earlier is not None:
        merged = {k: getattr(earlier, k) for k in RULE_PARAMS} | given
    else:
        merged = {**RULE_DEFAULTS, **given}
        for k in RULE_PARAMS:
            if k not in merged:
                check.add(k, "rule_param_needed")
    check.done()
    rule = AwardRule(award_code=award, effective_from=effective_from, basis=basis, **merged)
    session.add(rule)
    flush_or_refuse(
        session, "effective_from", "rule_date_taken", award=award, day=str(effective_from)
    )
    payload: dict[str, Any] = {"award": award, "rule_id": rule.id, "after": rule_values(rule)}
    if earlier is not None:
        payload["supersedes"] = {"rule_id": earlier.id, **rule_values(earlier)}
    audit_event(session, now, scope.who.username, "admin.rule.create", payload)
    return rule


def delete_rule(session: Session, scope: Scope, now: datetime, award: str, rule_id: int) -> None:
    """Withdraw a version not yet in force (one in force has been used: it stays)."""
    rule = session.get(AwardRule, rule_id)
    if rule is None or rule.award_code != award:
        raise refuse("not_found", "_", "rule_not_found", id=rule_id)
    if rule.effective_from <= local_today(now):
        raise refuse("conflict", "_", "rule_in_force_kept", day=f"{rule.effective_from:%d/%m/%Y}")
    before = rule_values(rule)
    session.delete(rule)
    session.flush()
    audit_event(
        session,
        now,
        scope.who.username,
        "admin.rule.delete",
        {"award": award, "rule_id": rule_id, "before": before},
    )
