"""A nomination's files, for the pages and the API alike: add one (checked while it
streamed in, stored once by its sha256, recorded with its audit event), list them, open
one to read (an overseer's reading logged as their other reads are).

Refusals are intake.Refused (a message code and its values); whether the caller may see
the nomination at all is the edge's check, made before it calls here.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from web import context, transfers
from workflows import checklist
from workflows.access import Principal
from workflows.calendar import TIMEZONE
from workflows.files import attachments, intake
from workflows.models import Attachment, Nomination


class FileItem(TypedDict):
    id: int
    nomination_id: int | None
    name: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: datetime
    org: str
    inline: bool
    # Out of the dossier (replaced, or removed) since then, kept as evidence; None while in it.
    retired_at: datetime | None
    replaced_by: int | None
    document: str | None  # the required document it was said to be (workflows.checklist)


def item(row: Attachment) -> FileItem:
    return {
        "id": row.id,
        "nomination_id": row.nomination_id,
        "name": row.name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "added_by": row.added_by,
        "added_at": row.added_at,
        "org": row.org_code,
        "inline": intake.KINDS[row.media_type].inline,
        "retired_at": row.retired_at,
        "replaced_by": row.replaced_by,
        "document": row.document,
    }


def listing(session: Session, nomination_id: int) -> list[FileItem]:
    return [item(row) for row in attachments.of_nomination(session, nomination_id)]


def may_add(who: Principal, nomination: Nomination) -> bool:
    return attachments.may_add(who, nomination)


def overseen(who: Principal, nomination: Nomination) -> bool:
    return attachments.overseen(context.read(), who, nomination)


def check_may_add(who: Principal, nomination: Nomination) -> None:
    attachments.check_may_add(who, nomination)


def check_document(nomination: Nomination, document: str | None) -> str | None:
    """The required document a file is said to be: one of the nomination's checklist, or
    none (Refused `file_document_unknown` otherwise)."""
    if not document:
        return None
    on = context.now().astimezone(TIMEZONE).date()
    if document not in checklist.names_for(context.read(), nomination, on):
        raise intake.Refused("file_document_unknown")
    return document


def add(
    who: Principal,
    nomination: Nomination,
    spool: intake.Spool,
    filename: str,
    document: str | None = None,
) -> FileItem:
    """Add the spooled upload to `nomination` as `who`, as the required `document` if
    given. Every check that can refuse it runs before the blob is stored, so a refused file
    leaves nothing behind; the rules are checked once more in the transaction that records
    it."""
    attachments.check_may_add(who, nomination)
    document = check_document(nomination, document)
    checked = intake.check(spool, filename)
    attachments.check_room(context.read(), nomination.id, checked)
    transfers.storage().put(checked.sha256, spool)
    with context.write() as session:
        row = attachments.record(
            session,
            who,
            session.get_one(Nomination, nomination.id),
            checked,
            context.now(),
            document,
        )
        return item(row)


def find(session: Session, nomination_id: int, file_id: int) -> Attachment | None:
    return session.scalar(
        select(Attachment).where(
            Attachment.id == file_id, Attachment.nomination_id == nomination_id
        )
    )


def open_to_read(who: Principal, nomination: Nomination, row: Attachment) -> BinaryIO:
    """The file's content as a stream (the caller closes it), `who` having been allowed to
    read the nomination; an auditor's or admin's reading goes into the audit trail first."""
    if attachments.overseen(context.read(), who, nomination):
        with context.write() as session:
            attachments.record_read(session, who, nomination, row, context.now())
    return transfers.storage().open(row.sha256)
