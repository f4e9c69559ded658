"""Supplementing a dossier: the proposer edits its fields and replaces or takes out files
while it is in the unit's hands; each submission is kept as a numbered version, and the
secretary reads what changed since the version they returned.

A version holds the fields and the files as submitted, who sent it and when, as canonical
JSON; its sha256 goes into the audit event of the submission, so an auditor can check the
stored version is the one sent. Files are never deleted: a replaced or removed file is
retired (workflows.models.Attachment) and stays readable as evidence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Conflict, InvalidTaskData, Message, NotAllowed, NotFound
from engine.models import Instance
from workflows.access import Principal
from workflows.files import attachments
from workflows.models import Attachment, DossierVersion, Nomination
from workflows.names import folded, nominee_key

# The fields a proposer may change while supplementing; the award and campaign stay, as the
# process was started for them.
EDITABLE = ("name", "position", "unit", "achievements", "documents")
SUBMITTED = "dossier.submitted"
EDITED = "dossier.edited"
REPLACED = "file.replaced"
REMOVED = "file.removed"


class VersionFile(TypedDict):
    id: int
    name: str
    sha256: str
    size: int
    media_type: str


class FieldChange(TypedDict):
    field: str
    before: Any
    after: Any


class Replacement(TypedDict):
    before: VersionFile
    after: VersionFile


class FileChanges(TypedDict):
    added: list[VersionFile]
    replaced: list[Replacement]
    removed: list[VersionFile]


class Changes(TypedDict):
    """What changed from version `since` (the one returned) to `version` (the latest)."""

    since: int
    version: int
    submitted_by: str
    submitted_at: datetime
    fields: list[FieldChange]
    files: FileChanges


def fields_of(nomination: Nomination) -> dict[str, Any]:
    return {
        "name": nomination.nominee_name,
        "position": nomination.nominee_position,
        "unit": nomination.nominee_unit,
        "achievements": nomination.achievements,
        "documents": nomination.document_list,
    }


def _apply(nomination: Nomination, name: str, value: Any) -> None:
    if name == "name":
        nomination.nominee_name = value
        nomination.nominee_key = nominee_key(value)
        nomination.nominee_folded = folded(value)
    elif name == "documents":
        nomination.documents = json.dumps(list(value), ensure_ascii=False)
    elif name == "achievements":
        nomination.achievements = value
    else:
        setattr(nomination, f"nominee_{name}", value)


def check_may_edit(who: Principal, nomination: Nomination) -> None:
    """NotAllowed unless `who` proposes for the unit; Conflict unless the dossier is in the
    unit's hands now (being prepared, or returned as incomplete)."""
    if not who.holds("proposer", nomination.origin_org):
        raise NotAllowed("dossier_not_proposer")
    if not attachments.may_add(who, nomination):
        raise Conflict("dossier_not_editable")


def _instance_id(session: Session, nomination: Nomination) -> int | None:
    return session.scalar(
        select(Instance.id).where(Instance.business_key == nomination.business_key)
    )


def edit(
    session: Session,
    who: Principal,
    nomination: Nomination,
    changes: Mapping[str, Any],
    now: datetime,
) -> list[str]:
    """Apply `changes` (a subset of EDITABLE, as the edge's schema loaded them) in the
    caller's transaction with a `dossier.edited` event; the names of the fields that
    changed. The rules are checked again once the audit chain is held, as for files."""
    check_may_edit(who, nomination)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidTaskData({name: Message("form_invalid") for name in sorted(unknown)})
    if "name" in changes and not str(changes["name"]).strip():
        raise InvalidTaskData({"name": Message("form_required")})
    before = fields_of(nomination)
    changed = [name for name in EDITABLE if name in changes and changes[name] != before[name]]
    if not changed:
        return []
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                who.username,
                EDITED,
                _instance_id(session, nomination),
                payload={"nomination": nomination.id, "fields": changed},
                org_scope=nomination.current_org,
            )
        ],
    )
    session.refresh(nomination)  # as committed now that the chain is ours
    check_may_edit(who, nomination)
    for name in changed:
        _apply(nomination, name, changes[name])
    return changed


def active_file(session: Session, nomination_id: int, file_id: int) -> Attachment:
    """A file in the dossier now (not retired); NotFound otherwise."""
    row = session.scalar(
        select(Attachment).where(
            Attachment.id == file_id,
            Attachment.nomination_id == nomination_id,
            Attachment.retired_at.is_(None),
        )
    )
    if row is None:
        raise NotFound("file_not_found")
    return row


def retire(
    session: Session,
    who: Principal,
    nomination: Nomination,
    file_id: int,
    now: datetime,
    replaced_by: int | None = None,
) -> Attachment:
    """Take a file out of the dossier, replaced by `replaced_by` or removed, with its audit
    event, in the caller's transaction; the file itself is kept."""
    attachments.check_may_add(who, nomination)
    row = active_file(session, nomination.id, file_id)
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                who.username,
                REPLACED if replaced_by is not None else REMOVED,
                _instance_id(session, nomination),
                payload={
                    "nomination": nomination.id,
                    "file": row.id,
                    "name": row.name,
                    "sha256": row.sha256,
                    **({"replaced_by": replaced_by} if replaced_by is not None else {}),
                },
                org_scope=nomination.current_org,
            )
        ],
    )
    session.refresh(nomination)
    attachments.check_may_add(who, nomination)
    row = active_file(session, nomination.id, file_id)  # not retired meanwhile
    row.retired_at, row.retired_by, row.replaced_by = now, who.username, replaced_by
    return row


def _file(row: Attachment) -> VersionFile:
    return {
        "id": row.id,
        "name": row.name,
        "sha256": row.sha256,
        "size": row.size,
        "media_type": row.media_type,
    }


def digest(version: DossierVersion) -> str:
    """The sha256 of a stored version, recomputed from its row."""
    return _digest(
        version.nomination_id,
        version.number,
        version.submitted_by,
        version.submitted_at,
        json.loads(version.content),
    )


def _digest(nomination_id: int, number: int, by: str, at: datetime, content: dict[str, Any]) -> str:
    signed = {
        "nomination": nomination_id,
        "number": number,
        "submitted_by": by,
        "submitted_at": audit.at_text(at),
        **content,
    }
    return hashlib.sha256(audit.canonical_payload(signed).encode()).hexdigest()


def snapshot(
    session: Session,
    nomination_id: int,
    actor: str,
    now: datetime,
    instance_id: int | None = None,
    task_id: str | None = None,
) -> audit.PendingEvent:
    """Keep the dossier as it is submitted now as its next version; the submission's audit
    event (to chain with the change), carrying the version's sha256 and its files'."""
    nomination = session.get_one(Nomination, nomination_id)
    files = [
        _file(row)
        for row in attachments.of_nomination(session, nomination_id)
        if row.retired_at is None
    ]
    content = {"fields": fields_of(nomination), "files": files}
    last = session.scalar(
        select(func.max(DossierVersion.number)).where(DossierVersion.nomination_id == nomination_id)
    )
    number = (last or 0) + 1
    sha256 = _digest(nomination_id, number, actor, now, content)
    session.add(
        DossierVersion(
            nomination_id=nomination_id,
            number=number,
            content=audit.canonical_payload(content),
            sha256=sha256,
            submitted_by=actor,
            submitted_at=now,
        )
    )
    return audit.PendingEvent(
        actor,
        SUBMITTED,
        instance_id,
        task_id,
        payload={
            "nomination": nomination_id,
            "org": nomination.current_org,
            "version": number,
            "sha256": sha256,
            "files": [f["sha256"] for f in files],
        },
    )


def versions(session: Session, nomination_id: int) -> list[DossierVersion]:
    return list(
        session.scalars(
            select(DossierVersion)
            .where(DossierVersion.nomination_id == nomination_id)
            .order_by(DossierVersion.number)
        )
    )


def changes(session: Session, nomination_id: int) -> Changes | None:
    """What the latest submission changed since the one before it (the version the
    secretary returned); None before a second submission."""
    latest = session.scalars(
        select(DossierVersion)
        .where(DossierVersion.nomination_id == nomination_id)
        .order_by(DossierVersion.number.desc())
        .limit(2)
    ).all()
    if len(latest) < 2:
        return None
    after, before = latest
    old, new = json.loads(before.content), json.loads(after.content)
    fields = [
        FieldChange(field=name, before=old["fields"].get(name), after=new["fields"].get(name))
        for name in EDITABLE
        if old["fields"].get(name) != new["fields"].get(name)
    ]
    return {
        "since": before.number,
        "version": after.number,
        "submitted_by": after.submitted_by,
        "submitted_at": after.submitted_at,
        "fields": fields,
        "files": _file_changes(session, nomination_id, old["files"], new["files"]),
    }


def _file_changes(
    session: Session, nomination_id: int, old: list[VersionFile], new: list[VersionFile]
) -> FileChanges:
    before = {f["id"]: f for f in old}
    now_in = {f["id"] for f in new}
    # Which file each replaced one gave way to, for the whole nomination: a file may have
    # been replaced twice between two submissions.
    predecessors: dict[int, list[int]] = {}
    for file_id, successor in session.execute(
        select(Attachment.id, Attachment.replaced_by).where(
            Attachment.nomination_id == nomination_id, Attachment.replaced_by.is_not(None)
        )
    ):
        if successor is not None:
            predecessors.setdefault(successor, []).append(file_id)
    added: list[VersionFile] = []
    replaced: list[Replacement] = []
    accounted: set[int] = set()
    for file in new:
        if file["id"] in before:
            continue
        origins = _origins(file["id"], predecessors, before)
        for origin in origins:
            replaced.append({"before": before[origin], "after": file})
            accounted.add(origin)
        if not origins:
            added.append(file)
    removed = [f for f in old if f["id"] not in now_in and f["id"] not in accounted]
    return {"added": added, "replaced": replaced, "removed": removed}


def _origins(
    file_id: int, predecessors: Mapping[int, list[int]], before: Mapping[int, VersionFile]
) -> list[int]:
    """The files of the earlier version that `file_id` replaced, through any files that
    came and went in between."""
    found: list[int] = []
    queue, seen = list(predecessors.get(file_id, [])), {file_id}
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if current in before:
            found.append(current)
        else:
            queue.extend(predecessors.get(current, []))
    return sorted(found)
