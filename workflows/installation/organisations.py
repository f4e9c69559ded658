"""Organisations: the tree an admin sees, creating and moving them within their subtrees."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import orgs
from workflows.installation.common import (
    ORG_LEVELS,
    Check,
    Scope,
    audit_event,
    clean,
    code_field,
    flush_or_refuse,
    refuse,
    text_field,
)
from workflows.models import LEVELS, VOTING_MODES, Organisation, RoleAssignment
from workflows.vocabulary import ORG_CODE_MOST


def org_tree(session: Session, scope: Scope) -> list[tuple[Organisation, int]]:
    """The organisations in scope, each after its parent, with its depth in the tree."""
    rows = session.scalars(
        select(Organisation).order_by(Organisation.name, Organisation.code)
    ).all()
    children: dict[str | None, list[Organisation]] = {}
    for row in rows:
        children.setdefault(row.parent_code, []).append(row)
    shown: list[tuple[Organisation, int]] = []

    def walk(row: Organisation, depth: int) -> None:
        shown.append((row, depth))
        for child in children.get(row.code, []):
            walk(child, depth + 1)

    for row in rows:
        # A top of the admin's scope: in scope, its parent not (or none).
        if row.code in scope.orgs and row.parent_code not in scope.orgs:
            walk(row, 0)
    return shown


def _org_dict(org: Organisation) -> dict[str, Any]:
    return {"name": org.name, "level": org.level, "parent": org.parent_code, "voting": org.voting}


def _check_place(
    session: Session,
    scope: Scope,
    check: Check,
    code: str,
    level: str | None,
    parent: str | None,
) -> None:
    """The organisation `code` at `level` under `parent`: in scope, no loop, levels in order."""
    if parent is None:
        if not scope.top:
            check.add("parent", "org_parent_required")
        return
    upper = session.get(Organisation, parent) if parent in scope.orgs else None
    if upper is None:
        check.add("parent", "org_parent_unknown", code=parent)
        return
    if parent == code or code in orgs.ancestors(session, parent):
        check.add("parent", "org_parent_cycle", code=code, parent=parent)
        return
    if level in LEVELS and LEVELS.index(upper.level) <= LEVELS.index(level):
        check.add(
            "level", "org_level_not_below", level=level, parent=parent, parent_level=upper.level
        )


def create_org(
    session: Session, scope: Scope, now: datetime, values: Mapping[str, Any]
) -> Organisation:
    check = Check()
    code = code_field(check, values, "code", ORG_CODE_MOST)
    name = text_field(check, values, "name", required=True)
    level = values.get("level")
    if level not in ORG_LEVELS:
        check.add("level", "choose_one", options=", ".join(ORG_LEVELS))
    voting = values.get("voting") or "ballot"
    if voting not in VOTING_MODES:
        check.add("voting", "choose_one", options=", ".join(VOTING_MODES))
    parent = values.get("parent") or None
    if parent is not None and not clean(parent):
        check.add("parent", "org_parent_unknown", code=str(parent)[:50])
        parent = None
    if code and session.get(Organisation, code) is not None:
        raise refuse("conflict", "code", "org_code_taken", code=code)
    _check_place(session, scope, check, code, level, parent)
    check.done()
    org = Organisation(code=code, name=name, level=level, parent_code=parent, voting=voting)
    session.add(org)
    flush_or_refuse(session, "code", "org_code_taken", code=code)
    payload: dict[str, Any] = {"org": code, "after": _org_dict(org)}
    if parent is None:
        # A new chain is outside every admin's scope: its creator becomes its admin.
        session.add(RoleAssignment(username=scope.who.username, role="admin", org_code=code))
        session.flush()
        payload["granted"] = {"username": scope.who.username, "role": "admin", "org": code}
    audit_event(session, now, scope.who.username, "admin.org.create", payload)
    return org


def update_org(
    session: Session, scope: Scope, now: datetime, code: str, values: Mapping[str, Any]
) -> Organisation:
    org = scope.org(session, code)
    before = _org_dict(org)
    check = Check()
    name = text_field(check, values, "name", required=False) if "name" in values else org.name
    if "name" in values and not name:
        check.add("name", "field_required")
    level = values.get("level", org.level)
    if level not in ORG_LEVELS:
        check.add("level", "choose_one", options=", ".join(ORG_LEVELS))
    voting = values.get("voting", org.voting)
    if voting not in VOTING_MODES:
        check.add("voting", "choose_one", options=", ".join(VOTING_MODES))
    parent = (values.get("parent") or None) if "parent" in values else org.parent_code
    if parent != org.parent_code or level != org.level:
        if parent != org.parent_code:
            _check_place(session, scope, check, code, level, parent)
        elif parent is not None:
            upper = orgs.get_org(session, parent)
            if level in LEVELS and LEVELS.index(upper.level) <= LEVELS.index(level):
                check.add(
                    "level",
                    "org_level_not_below",
                    level=level,
                    parent=parent,
                    parent_level=upper.level,
                )
        if level in LEVELS:
            for child in session.scalars(
                select(Organisation).where(Organisation.parent_code == code)
            ):
                if LEVELS.index(child.level) >= LEVELS.index(level):
                    check.add(
                        "level",
                        "org_level_not_above",
                        level=level,
                        child=child.code,
                        child_level=child.level,
                    )
    check.done()
    org.name, org.level, org.voting, org.parent_code = name or org.name, level, voting, parent
    after = _org_dict(org)
    if after == before:
        return org
    session.flush()
    changed = {k: v for k, v in after.items() if before[k] != v}
    audit_event(
        session,
        now,
        scope.who.username,
        "admin.org.update",
        {"org": code, "before": {k: before[k] for k in changed}, "after": changed},
    )
    return org
