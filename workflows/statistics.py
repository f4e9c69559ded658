"""Counts for the seeds' reporting duties (domain.md §6): nominations and awards granted by
award, award kind, subject, leaders vs direct workers, deciding level, year and round.

Pure SQLAlchemy, no Flask: the pages and any API share it. The caller passes the scope
(`workflows.access.nomination_filter`) so everyone counts only what they may read.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from workflows.models import Award, Campaign, Decision, Nomination, Organisation

# Titles that make a position a leader's; anyone else is a direct worker (the list and its
# rule are data: seeds/leader_titles.txt).
LEADER_TITLES = tuple(
    line.strip()
    for line in (Path(__file__).parent / "seeds" / "leader_titles.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
)
# The seeds ask to prioritise direct workers: warn when they are under this share of the
# individuals counted.
DIRECT_WORKER_MIN = 0.5

AWARDED = "awarded"
LEADER = "leader"
WORKER = "worker"
DIMENSIONS = ("award", "kind", "subject", "role", "level", "year", "campaign")


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def is_leader(position: str) -> bool:
    """Whether a nominee's position text names a leading or managing post."""
    normal = _normal(position)
    return any(title in normal for title in LEADER_TITLES)


@dataclass(frozen=True)
class Line:
    """One row of a table: a value of the dimension, its label, and the two counts."""

    key: str
    label: str
    nominations: int
    awarded: int


@dataclass(frozen=True)
class Report:
    tables: dict[str, list[Line]] = field(default_factory=dict)
    nominations: int = 0
    awarded: int = 0
    years: list[int] = field(default_factory=list)
    campaigns: list[tuple[str, str]] = field(default_factory=list)

    def worker_ratio(self, counted: str = "nominations") -> float | None:
        """Direct workers' share of the individuals counted, None when there are none."""
        lines = {line.key: getattr(line, counted) for line in self.tables.get("role", [])}
        total = lines.get(LEADER, 0) + lines.get(WORKER, 0)
        return lines.get(WORKER, 0) / total if total else None

    def worker_warning(self, counted: str = "nominations") -> bool:
        ratio = self.worker_ratio(counted)
        return ratio is not None and ratio < DIRECT_WORKER_MIN


@dataclass
class _Tally:
    nominations: Counter[str] = field(default_factory=Counter)
    awarded: Counter[str] = field(default_factory=Counter)
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, label: str, awarded: bool) -> None:
        self.nominations[key] += 1
        if awarded:
            self.awarded[key] += 1
        self.labels.setdefault(key, label)

    def lines(self) -> list[Line]:
        return [
            Line(key, self.labels[key], self.nominations[key], self.awarded[key])
            for key in sorted(self.nominations)
        ]


def _deciding_levels(session: Session, counted: Select[int]) -> dict[int, str]:
    """The level of the organisation of each counted nomination's latest decision; the
    nominations are a subquery, never a list of ids (a national report counts more than a
    statement can carry as parameters)."""
    rows = session.execute(
        select(Decision.nomination_id, Organisation.level)
        .join(Organisation, Organisation.code == Decision.org_code)
        .where(Decision.nomination_id.in_(counted))
        .order_by(Decision.at, Decision.id)
    )
    return {nomination_id: level for nomination_id, level in rows}


def report(
    session: Session,
    scope: ColumnElement[bool],
    year: int | None = None,
    campaign: str | None = None,
) -> Report:
    """Count the nominations in `scope` (and of `year`, `campaign` when given)."""
    query = (
        select(
            Nomination.id,
            Nomination.status,
            Nomination.nominee_kind,
            Nomination.nominee_position,
            Nomination.year,
            Nomination.campaign_code,
            Campaign.name,
            Award.code,
            Award.name,
            Award.kind,
            Award.subject,
        )
        .join(Award, Award.code == Nomination.award_code)
        .join(Campaign, Campaign.code == Nomination.campaign_code)
        .where(scope)
    )
    years = sorted(set(session.scalars(select(Nomination.year).where(scope).distinct())))
    campaigns = [
        (code, name)
        for code, name in session.execute(
            select(Campaign.code, Campaign.name)
            .where(Campaign.code.in_(select(Nomination.campaign_code).where(scope)))
            .order_by(Campaign.starts, Campaign.code)
        )
    ]
    counted = select(Nomination.id).where(scope)
    if year is not None:
        query = query.where(Nomination.year == year)
        counted = counted.where(Nomination.year == year)
    if campaign:
        query = query.where(Nomination.campaign_code == campaign)
        counted = counted.where(Nomination.campaign_code == campaign)
    rows = session.execute(query).all()
    levels = _deciding_levels(session, counted)
    tallies = {name: _Tally() for name in DIMENSIONS}
    awarded_total = 0
    for (
        nomination_id,
        status,
        nominee_kind,
        position,
        row_year,
        campaign_code,
        campaign_name,
        award_code,
        award_name,
        kind,
        subject,
    ) in rows:
        won = status == AWARDED
        awarded_total += won
        tallies["award"].add(award_code, award_name, won)
        tallies["kind"].add(kind, kind, won)
        tallies["subject"].add(subject, subject, won)
        if nominee_kind == "individual":
            role = LEADER if is_leader(position) else WORKER
            tallies["role"].add(role, role, won)
        level = levels.get(nomination_id, "")
        tallies["level"].add(level, level, won)
        tallies["year"].add(str(row_year), str(row_year), won)
        tallies["campaign"].add(campaign_code, campaign_name, won)
    return Report(
        {name: tally.lines() for name, tally in tallies.items()},
        len(rows),
        awarded_total,
        years,
        campaigns,
    )
