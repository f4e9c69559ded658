"""The organisation tree and who holds which role where."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Organisation, RoleAssignment

LEVEL_NAMES = {
    "L1": "Cơ sở",
    "L2": "Cấp trên trực tiếp cơ sở",
    "L3": "Tỉnh, ngành",
    "L4": "Trung ương",
    "L5": "Nhà nước",
}


def get_org(session: Session, code: str) -> Organisation:
    org = session.get(Organisation, code)
    if org is None:
        raise LookupError(f"không có đơn vị {code!r}")
    return org


def level_of(session: Session, code: str) -> str:
    return get_org(session, code).level


def parent_of(session: Session, code: str) -> str | None:
    return get_org(session, code).parent_code


def ancestors(session: Session, code: str) -> list[str]:
    """`code` and every organisation above it, nearest first."""
    chain = []
    current: str | None = code
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_of(session, current)
    return chain


def subtree(session: Session, code: str) -> set[str]:
    """`code` and every organisation below it (an auditor's scope)."""
    children: dict[str | None, list[str]] = {}
    for org_code, parent in session.execute(select(Organisation.code, Organisation.parent_code)):
        children.setdefault(parent, []).append(org_code)
    found, todo = set(), [code]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def holders(session: Session, role: str, org: str) -> list[str]:
    """Usernames holding `role` at `org`, in a stable order."""
    return list(
        session.scalars(
            select(RoleAssignment.username)
            .where(RoleAssignment.role == role, RoleAssignment.org_code == org)
            .order_by(RoleAssignment.username)
        )
    )


def holds(session: Session, username: str, role: str, org: str) -> bool:
    return (
        session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.username == username,
                RoleAssignment.role == role,
                RoleAssignment.org_code == org,
            )
        )
        is not None
    )


def roles_of(session: Session, username: str) -> list[tuple[str, str]]:
    """(role, organisation) pairs a person holds."""
    return [
        (role, org)
        for role, org in session.execute(
            select(RoleAssignment.role, RoleAssignment.org_code)
            .where(RoleAssignment.username == username)
            .order_by(RoleAssignment.org_code, RoleAssignment.role)
        )
    ]
