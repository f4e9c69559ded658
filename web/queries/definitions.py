"""Deployed definition versions as the admin sees them: each with how many instances in the
admin's scope use it (definitions are national, instances are not), and a version's
readable difference against another."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import TypedDict

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, defer

from engine import definitions
from engine.diff import Change, Detail, VersionDiff, diff_versions
from engine.errors import NotFound
from engine.models import DefinitionVersion, Instance
from web.i18n import known, t

# The instance statuses, and the names their counts go by in a version's use.
USE_NAMES = {
    "active": "running",
    "suspended": "suspended",
    "error": "in_error",
    "completed": "finished",
}


class VersionFields(TypedDict):
    key: str
    version: int
    process_id: str
    sha256: str
    deployed_by: str
    deployed_at: datetime
    comment: str


class VersionUse(VersionFields):
    """A version with how many instances in scope use it, by status."""

    running: int
    suspended: int
    in_error: int
    finished: int


class DefinitionVersions(TypedDict):
    key: str
    latest_version: int
    versions: list[VersionUse]


class DetailView(TypedDict):
    what: str
    property: str | None
    old: str
    new: str


class ChangeView(TypedDict):
    kind: str
    element_id: str
    element_type: str
    name: str
    file: str
    decision: str | None
    details: list[DetailView]
    text: str


class DiffView(TypedDict):
    layout_only: bool
    unchanged: bool
    files_added: list[str]
    files_removed: list[str]
    changes: list[ChangeView]


def version_fields(row: DefinitionVersion) -> VersionFields:
    return {
        "key": row.key,
        "version": row.version,
        "process_id": row.process_id,
        "sha256": row.sha256,
        "deployed_by": row.deployed_by,
        "deployed_at": row.deployed_at,
        "comment": row.comment,
    }


def uses(
    session: Session, scope: ColumnElement[bool], definition_id: int | None = None
) -> Mapping[int, dict[str, int]]:
    """Instances in scope per version by status: running, suspended, in error, finished."""
    query = (
        select(Instance.definition_id, Instance.status, func.count())
        .where(scope)
        .group_by(Instance.definition_id, Instance.status)
    )
    if definition_id is not None:
        query = query.where(Instance.definition_id == definition_id)
    found: defaultdict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(USE_NAMES.values(), 0)
    )
    for version_id, status, count in session.execute(query):
        if status in USE_NAMES:
            found[version_id][USE_NAMES[status]] = count
    return found


def definitions_with_versions(
    session: Session, scope: ColumnElement[bool]
) -> list[DefinitionVersions]:
    """Every deployed definition with its versions, newest first, and how many of the
    instances in `scope` use each (definitions are national, instances are not)."""
    counts = uses(session, scope)
    grouped: dict[str, list[VersionUse]] = defaultdict(list)
    for row in session.scalars(
        select(DefinitionVersion)
        .options(defer(DefinitionVersion.sources))
        .order_by(DefinitionVersion.key, DefinitionVersion.version.desc())
    ):
        used = counts[row.id]
        grouped[row.key].append(
            {
                **version_fields(row),
                "running": used["running"],
                "suspended": used["suspended"],
                "in_error": used["in_error"],
                "finished": used["finished"],
            }
        )
    return [
        {"key": key, "latest_version": versions[0]["version"], "versions": versions}
        for key, versions in grouped.items()
    ]


def version_diff(
    session: Session, key: str, number: int, against: int | None = None
) -> tuple[DefinitionVersion, DefinitionVersion | None, VersionDiff | None]:
    """Version `number` of `key`, the one it is compared with (`against`, else the one
    before it; None for a first version) and the difference. NotFound for either missing."""
    row = _version(session, key, number)
    if against is None:
        if number <= 1:
            return row, None, None
        against = number - 1
    other = _version(session, key, against)
    return row, other, diff_versions(other.sources, row.sources)


def _version(session: Session, key: str, number: int) -> DefinitionVersion:
    try:
        return definitions.get_version(session, key, number)
    except NotFound:
        raise NotFound("definition_not_found", definition=key, version=number) from None


def diff_json(diff: VersionDiff) -> DiffView:
    return {
        "layout_only": diff.layout_only,
        "unchanged": diff.unchanged,
        "files_added": diff.files_added,
        "files_removed": diff.files_removed,
        "changes": [
            {
                "kind": c.kind,
                "element_id": c.element_id,
                "element_type": c.element_type,
                "name": c.name,
                "file": c.file,
                "decision": c.parent or None,
                "details": [
                    {"what": d.what, "property": d.key or None, "old": d.old, "new": d.new}
                    for d in c.details
                ],
                "text": change_text(c),
            }
            for c in diff.changes
        ],
    }


def change_title(change: Change) -> str:
    """ "Added userTask «Kiểm tra» (check)", in the reader's language."""
    name = f" «{change.name}»" if change.name else ""
    parent = f" — {t('diff_in_decision', decision=change.parent)}" if change.parent else ""
    kind = t(f"diff_{change.kind}")
    return f"{kind} {_type(change.element_type)}{name} ({change.element_id}){parent}"


def detail_text(detail: Detail) -> str:
    key = f"diff_what_{detail.what}"
    label = t(key) if known(key) else detail.what
    if detail.key:
        label = f"{label} {detail.key!r}"
    if not detail.old:
        return f"{label}: {_quote(detail.new)}"
    if not detail.new:
        return f"{label}: {_quote(detail.old)} → {t('diff_nothing')}"
    return f"{label}: {_quote(detail.old)} → {_quote(detail.new)}"


def change_text(change: Change) -> str:
    lines = [change_title(change), *(detail_text(d) for d in change.details)]
    return "\n".join(lines)


def _type(element_type: str) -> str:
    key = f"diff_type_{element_type}"
    return f"{t(key)} ({element_type})" if known(key) else element_type


def _quote(value: str) -> str:
    return f"«{value}»"
