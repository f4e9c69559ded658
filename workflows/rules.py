"""Award rule parameters in force on a date, as the process and its decisions use them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import AwardRule


def rule_in_force(session: Session, award: str, on: date) -> AwardRule:
    rule = session.scalars(
        select(AwardRule)
        .where(AwardRule.award_code == award, AwardRule.effective_from <= on)
        .order_by(AwardRule.effective_from.desc())
        .limit(1)
    ).first()
    if rule is None:
        raise LookupError(f"award {award!r} has no rule in force on {on:%Y-%m-%d}")
    return rule


def as_process_data(rule: AwardRule) -> dict[str, Any]:
    """The parameters the BPMN reads (`rules[...]`), with the rule id decisions record."""
    return {
        "rule_id": rule.id,
        "deciding_level": rule.deciding_level,
        "vote_threshold": rule.vote_threshold,
        "vote_base": rule.vote_base,
        "publicity_working_days": rule.publicity_working_days,
        "appraisal_sla_days": rule.appraisal_sla_days,
        "vote_sla_days": rule.vote_sla_days,
        "basis": rule.basis,
    }
