"""A nomination's files: who may add one and when, the per-nomination total, and the row
with its audit event, written in the caller's transaction.

The proposer of the unit that opened the nomination adds files while the dossier is in
the unit's hands (being prepared, or returned as incomplete): the nomination is open and
waiting at `prepare_dossier`. Anyone who may read the nomination may read its files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent, Instance
from workflows import limits
from workflows.access import OVERSIGHT_ROLES, Principal, oversees
from workflows.files.intake import Checked, Refused
from workflows.files.storage import CHUNK, MissingBlob, Storage
from workflows.models import Attachment, Nomination

EDITABLE_STAGE = "prepare_dossier"
ADDED = "file.added"


def may_add(who: Principal, nomination: Nomination) -> bool:
    return who.holds("proposer", nomination.origin_org) and _editable(nomination)


def check_may_add(who: Principal, nomination: Nomination) -> None:
    """Refused unless `who` may add a file to `nomination` now."""
    if not who.holds("proposer", nomination.origin_org):
        raise Refused("file_not_proposer")
    if not _editable(nomination):
        raise Refused("file_not_editable")


def _editable(nomination: Nomination) -> bool:
    return nomination.status == "open" and nomination.stage == EDITABLE_STAGE


def of_nomination(session: Session, nomination_id: int) -> list[Attachment]:
    """The nomination's files, oldest first."""
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.nomination_id == nomination_id)
            .order_by(Attachment.id)
        )
    )


def total_size(session: Session, nomination_id: int) -> int:
    return owned_size(session, Attachment.nomination_id == nomination_id)


def owned_size(session: Session, owner: ColumnElement[bool]) -> int:
    """The bytes of the files of one owner (a nomination, a proposal)."""
    found = session.scalar(select(func.coalesce(func.sum(Attachment.size), 0)).where(owner))
    return int(found or 0)


def check_room(session: Session, nomination_id: int, file: Checked) -> None:
    check_owner_room(session, Attachment.nomination_id == nomination_id, file)


def check_owner_room(session: Session, owner: ColumnElement[bool], file: Checked) -> None:
    """Refused if `file` is one of the owner's files already, or would take them past the
    total a dossier may hold."""
    same = session.scalar(
        select(Attachment.name).where(owner, Attachment.sha256 == file.sha256).limit(1)
    )
    if same is not None:
        raise Refused("file_duplicate", name=same)
    used = owned_size(session, owner)
    if used + file.size > limits.MAX_NOMINATION_BYTES:
        raise over_total(used)


def over_total(used: int) -> Refused:
    return Refused(
        "file_total_exceeded",
        most=limits.MAX_NOMINATION_BYTES // limits.MIB,
        used=round(used / limits.MIB, 1),
    )


def record(
    session: Session,
    who: Principal,
    nomination: Nomination,
    file: Checked,
    now: datetime,
    document: str | None = None,
) -> Attachment:
    """The attachment row and its audit event (with the blob's sha256), in the caller's
    transaction; the blob must already be stored. The rules are checked again once the
    audit chain is held, which serialises this with every other writer (the engine's
    submit, another upload): nothing slips in between the check and the commit.
    `document`: the required document (workflows.checklist) the uploader says the file is."""
    row = Attachment(
        nomination_id=nomination.id,
        document=document,
        sha256=file.sha256,
        size=file.size,
        media_type=file.media_type,
        name=file.name,
        org_code=nomination.origin_org,
        added_by=who.username,
        added_at=now,
    )
    session.add(row)
    session.flush()
    instance_id = session.scalar(
        select(Instance.id).where(Instance.business_key == nomination.business_key)
    )
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                who.username,
                ADDED,
                instance_id,
                payload={
                    "nomination": nomination.id,
                    "file": row.id,
                    "name": file.name,
                    "media_type": file.media_type,
                    "size": file.size,
                    "sha256": file.sha256,
                    **({"document": document} if document else {}),
                },
                org_scope=nomination.current_org,
            )
        ],
    )
    session.refresh(nomination)  # as committed now that the chain is ours
    check_may_add(who, nomination)
    total = total_size(session, nomination.id)
    if total > limits.MAX_NOMINATION_BYTES:
        raise over_total(total - file.size)
    twins = session.scalar(
        select(func.count()).where(
            Attachment.nomination_id == nomination.id, Attachment.sha256 == file.sha256
        )
    )
    if (twins or 0) > 1:
        raise Refused("file_duplicate", name=file.name)
    return row


def overseen(session: Session, who: Principal, nomination: Nomination) -> bool:
    """Whether `who` reads this nomination as an auditor or admin over it: such reads of a
    file are logged, as their reads of a history are."""
    return any(oversees(session, who, nomination.origin_org, role) for role in OVERSIGHT_ROLES)


def record_read(
    session: Session, who: Principal, nomination: Nomination, row: Attachment, now: datetime
) -> None:
    """The `record.read` event of an overseer's view of a file, in the caller's transaction."""
    audit.append(
        session,
        now,
        [
            audit.PendingEvent(
                who.username,
                "record.read",
                payload={
                    "nomination_id": nomination.id,
                    "view": "file",
                    "file": row.id,
                    "sha256": row.sha256,
                },
            )
        ],
    )


@dataclass(frozen=True)
class FileProblem:
    """An attachment that does not hold: its blob `missing`, `altered` (its content no longer
    hashes to the digest), or `unrecorded` (no audit event added it with that digest)."""

    file_id: int
    nomination_id: int | None
    sha256: str
    problem: str


def verify(session: Session, storage: Storage) -> tuple[int, list[FileProblem]]:
    """Every attachment checked against its blob (read again and hashed) and against the
    audit event that added it; how many were checked, and what does not hold."""
    recorded: dict[int, str] = {}
    for payload in session.scalars(select(AuditEvent.payload).where(AuditEvent.action == ADDED)):
        data = json.loads(payload)
        recorded[int(data["file"])] = str(data["sha256"])
    hashed: dict[str, str | None] = {}  # a blob attached twice is read once
    problems: list[FileProblem] = []
    checked = 0
    for row in session.scalars(select(Attachment).order_by(Attachment.id)):
        checked += 1
        if row.sha256 not in hashed:
            hashed[row.sha256] = _digest_of(storage, row.sha256)
        found = hashed[row.sha256]
        problem = (
            "missing"
            if found is None
            else "altered"
            if found != row.sha256
            else "unrecorded"
            if recorded.get(row.id) != row.sha256
            else ""
        )
        if problem:
            problems.append(FileProblem(row.id, row.nomination_id, row.sha256, problem))
    return checked, problems


def _digest_of(storage: Storage, digest: str) -> str | None:
    try:
        stream = storage.open(digest)
    except MissingBlob:
        return None
    content = hashlib.sha256()
    try:
        while block := stream.read(CHUNK):
            content.update(block)
    finally:
        stream.close()
    return content.hexdigest()
