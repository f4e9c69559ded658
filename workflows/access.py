"""Who may see what: the rules the API and the pages share.

A person holds roles at organisations. People who work nominations (proposer, secretary,
council, head) at an organisation see the nominations of its units that have reached it;
auditors and admins see everything that started in their organisation's subtree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from engine.models import TaskRow
from workflows import orgs
from workflows.models import Nomination, Person

WORKING_ROLES = ("proposer", "secretary", "council", "head")
OVERSIGHT_ROLES = ("auditor", "admin")


@dataclass(frozen=True)
class Principal:
    username: str
    full_name: str
    roles: tuple[tuple[str, str], ...]  # (role, organisation)

    def holds(self, role: str, org: str | None = None) -> bool:
        return any(r == role and (org is None or o == org) for r, o in self.roles)

    def orgs(self, *roles: str) -> set[str]:
        return {o for r, o in self.roles if r in roles}


def principal(session: Session, username: str) -> Principal | None:
    person = session.get(Person, username)
    if person is None or not person.active:
        return None
    return Principal(username, person.full_name, tuple(orgs.roles_of(session, username)))


def nomination_filter(session: Session, who: Principal) -> ColumnElement[bool]:
    """SQL condition on `Nomination` for what `who` may read."""
    conditions: list[ColumnElement[bool]] = []
    for org in who.orgs(*WORKING_ROLES):
        # Started below `org` and has climbed to it (or beyond): it passed through here.
        conditions.append(
            and_(
                Nomination.origin_org.in_(orgs.subtree(session, org)),
                Nomination.current_org.in_(orgs.ancestors(session, org)),
            )
        )
    for org in who.orgs(*OVERSIGHT_ROLES):
        conditions.append(Nomination.origin_org.in_(orgs.subtree(session, org)))
    return or_(*conditions) if conditions else false()


MAX_ID = 2**31 - 1  # larger ids cannot exist, and SQLite's driver overflows on them


def readable(session: Session, who: Principal, nomination_id: int) -> Nomination | None:
    """The nomination if `who` may read it; None whether it is hidden or does not exist."""
    if not 0 < nomination_id <= MAX_ID:
        return None
    return session.scalars(
        select(Nomination).where(Nomination.id == nomination_id, nomination_filter(session, who))
    ).first()


def inbox_filter(who: Principal) -> ColumnElement[bool]:
    """SQL condition on the task projection for the ready tasks `who` may work."""
    lanes = [
        and_(TaskRow.lane == role, TaskRow.org_scope == org)
        for role, org in who.roles
        if role in WORKING_ROLES
    ]
    if not lanes:
        return false()
    return and_(
        TaskRow.state == "ready",
        or_(*lanes),
        or_(TaskRow.assignee.is_(None), TaskRow.assignee == who.username),
    )


def oversees(session: Session, who: Principal, org: str, role: str) -> bool:
    """Whether `who` holds `role` (auditor, admin) at `org` or above it."""
    return any(o in orgs.ancestors(session, org) for o in who.orgs(role))
