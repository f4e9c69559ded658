"""The organisation tree and who holds which role where."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.models import Organisation, RoleAssignment
from workflows.names import folded

# The levels of the tree, from the unit up (their names are the messages `level_L1`…).
LEVELS = ("L1", "L2", "L3", "L4", "L5")


def get_org(session: Session, code: str) -> Organisation:
    org = session.get(Organisation, code)
    if org is None:
        raise LookupError(f"no organisation {code!r}")
    return org


def name_of(session: Session, code: str) -> str:
    """An organisation's name, or its code if there is none by that code."""
    org = session.get(Organisation, code)
    return org.name if org is not None else code


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
    return subtrees(session, [code])


def subtrees(session: Session, codes: Iterable[str]) -> set[str]:
    """`codes` and every organisation below any of them, the tree read once."""
    children: dict[str | None, list[str]] = {}
    for org_code, parent in session.execute(select(Organisation.code, Organisation.parent_code)):
        children.setdefault(parent, []).append(org_code)
    return _below(children, codes)


def names_within(session: Session, roots: Iterable[str]) -> dict[str, str]:
    """Code → name of every organisation in the subtrees of `roots`, the tree read once."""
    rows = session.execute(select(Organisation.code, Organisation.name, Organisation.parent_code))
    named: dict[str, str] = {}
    children: dict[str | None, list[str]] = {}
    for code, name, parent in rows:
        named[code] = name
        children.setdefault(parent, []).append(code)
    return {code: named[code] for code in _below(children, roots) if code in named}


def _below(children: Mapping[str | None, list[str]], roots: Iterable[str]) -> set[str]:
    found: set[str] = set()
    todo = list(roots)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def by_name(named: Mapping[str, str], text: str) -> list[str]:
    """The codes in `named` (code → name) whose names match what a person typed, whatever
    its case and diacritics: those named exactly so if any, else those whose names contain
    it; in name order."""
    key = folded(text)
    if not key:
        return []
    keys = {code: folded(name) for code, name in named.items()}
    found = [code for code, k in keys.items() if k == key] or [
        code for code, k in keys.items() if key in k
    ]
    return sorted(found, key=lambda code: (keys[code], code))


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
