"""The public board: nominations in their publicity window now, as the notice publishes
them, with the working days left to comment."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from web.names import label
from web.paging import Page
from workflows import orgs
from workflows.calendar import WorkingCalendar
from workflows.models import Award, Nomination, Organisation


class Notice(TypedDict):
    """What the notice itself publishes, and nothing else."""

    id: int
    business_key: str
    nominee_name: str
    nominee_kind: str
    nominee_position: str
    nominee_unit: str
    award_code: str
    award_name: str
    org_code: str
    org_name: str
    org_level: str
    org_level_name: str
    achievements: str
    publicity_until: datetime
    working_days_left: int


def notices_query(
    session: Session, now: datetime, org: str | None, award: str | None
) -> Select[Nomination]:
    query = (
        select(Nomination)
        .where(
            Nomination.status == "open",
            Nomination.stage == "publicity",
            Nomination.publicity_until > now,
        )
        .order_by(Nomination.publicity_until, Nomination.id)
    )
    if org:
        query = query.where(Nomination.current_org.in_(orgs.subtree(session, org)))
    if award:
        query = query.where(Nomination.award_code == award)
    return query


def notices(
    session: Session,
    now: datetime,
    org: str | None = None,
    award: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Notice]:
    """Nominations in their publicity window now, the deadline first, with the working days
    left to comment: what the notice itself publishes and nothing else."""
    query = notices_query(session, now, org, award)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    calendar = WorkingCalendar.load(session)
    return {
        "items": [notice(session, n, calendar, now) for n in items],
        "page": page,
        "per_page": per_page,
        "total": total or 0,
    }


def notice(
    session: Session, nomination: Nomination, calendar: WorkingCalendar, now: datetime
) -> Notice:
    org = session.get_one(Organisation, nomination.current_org)
    award = session.get_one(Award, nomination.award_code)
    until = nomination.publicity_until
    assert until is not None
    return {
        "id": nomination.id,
        "business_key": nomination.business_key,
        "nominee_name": nomination.nominee_name,
        "nominee_kind": nomination.nominee_kind,
        "nominee_position": nomination.nominee_position,
        "nominee_unit": nomination.nominee_unit,
        "award_code": award.code,
        "award_name": award.name,
        "org_code": org.code,
        "org_name": org.name,
        "org_level": org.level,
        "org_level_name": label("level", org.level),
        "achievements": nomination.achievements,
        "publicity_until": until,
        "working_days_left": calendar.working_days_between(now, until),
    }
