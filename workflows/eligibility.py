"""Eligibility findings shown to the secretary at appraisal, each with its legal basis.

They inform and never block: the council and the head decide. Three checks (issue 3):
the same nominee already nominated for the same award in the same year; prerequisite
titles missing from the award history; the CSTĐCS quota of the unit exceeded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Message
from workflows.models import Award, Nomination, PastAward
from workflows.rules import rule_in_force

_CLOSED = ("rejected", "withdrawn")
QUOTA_AWARD, QUOTA_BASE = "CSTDCS", "LDTT"


@dataclass(frozen=True)
class Finding:
    code: str  # duplicate | prerequisite | quota
    message: Message
    basis: Message | str  # the rule's own basis as the admin wrote it, or a message


def findings(session: Session, nomination: Nomination, on: date) -> list[Finding]:
    rule = rule_in_force(session, nomination.award_code, on)
    found = []
    duplicate = session.scalar(
        select(Nomination.business_key).where(
            Nomination.id != nomination.id,
            Nomination.nominee_key == nomination.nominee_key,
            Nomination.award_code == nomination.award_code,
            Nomination.year == nomination.year,
            Nomination.status.not_in(_CLOSED),
        )
    )
    if duplicate:
        found.append(
            Finding(
                "duplicate",
                Message("finding_duplicate", nomination=duplicate, year=nomination.year),
                Message("basis_one_award_per_achievement"),
            )
        )
    for prerequisite in rule.prerequisite_list:
        missing = _missing_prerequisite(session, nomination, prerequisite)
        if missing:
            found.append(Finding("prerequisite", missing, rule.basis))
    if nomination.award_code == QUOTA_AWARD and rule.quota_ratio is not None:
        over = _quota_exceeded(session, nomination, rule.quota_ratio)
        if over:
            found.append(Finding("quota", over, rule.basis))
    return found


def _held_years(session: Session, nominee_key: str, award: str) -> set[int]:
    return set(
        session.scalars(
            select(PastAward.year).where(
                PastAward.nominee_key == nominee_key, PastAward.award_code == award
            )
        )
    )


def _missing_prerequisite(
    session: Session, nomination: Nomination, prerequisite: dict[str, Any]
) -> Message | None:
    award = str(prerequisite["award"])
    name = session.scalar(select(Award.name).where(Award.code == award)) or award
    held = _held_years(session, nomination.nominee_key, award)
    if "consecutive_years" in prerequisite:
        needed = int(prerequisite["consecutive_years"])
        years = range(nomination.year - needed, nomination.year)
        absent = [y for y in years if y not in held]
        if absent:
            return Message(
                "finding_consecutive_missing",
                count=needed,
                award=name,
                first=years[0],
                last=years[-1],
                absent=", ".join(str(y) for y in absent),
            )
        return None
    count = int(prerequisite.get("count", 1))
    within = prerequisite.get("within_years")
    if within is not None:
        held = {y for y in held if y >= nomination.year - int(within)}
    if len(held) < count:
        if within is None:
            return Message("finding_times_missing", count=count, award=name, held=len(held))
        return Message(
            "finding_times_within_missing", count=count, award=name, years=within, held=len(held)
        )
    return None


def _quota_exceeded(session: Session, nomination: Nomination, ratio: float) -> Message | None:
    def count(award: str) -> int:
        return (
            session.scalar(
                select(func.count())
                .select_from(Nomination)
                .where(
                    Nomination.origin_org == nomination.origin_org,
                    Nomination.award_code == award,
                    Nomination.year == nomination.year,
                    Nomination.status.not_in(_CLOSED),
                )
            )
            or 0
        )

    nominated, base = count(QUOTA_AWARD), count(QUOTA_BASE)
    allowed = math.floor(ratio * base)
    if nominated > allowed:
        return Message(
            "finding_quota_exceeded",
            count=nominated,
            year=nomination.year,
            ratio=f"{ratio:.0%}",
            base=base,
            most=allowed,
        )
    return None
