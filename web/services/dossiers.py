"""Supplementing a dossier, for the pages and the API alike: edit its fields, replace or
take out a file (kept as evidence), and read its versions and what the latest changed.
Each change is one write transaction with its audit event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from web import context, transfers
from web.services import files
from web.services.files import FileItem
from workflows import dossiers
from workflows.access import Principal
from workflows.dossiers import Changes
from workflows.files import attachments, intake
from workflows.models import DossierVersion, Nomination


def may_edit(who: Principal, nomination: Nomination) -> bool:
    return who.holds("proposer", nomination.origin_org) and attachments.may_add(who, nomination)


def edit(who: Principal, nomination: Nomination, changes: Mapping[str, Any]) -> list[str]:
    """The names of the fields that changed (none: nothing is written)."""
    dossiers.check_may_edit(who, nomination)
    with context.write() as session:
        return dossiers.edit(
            session, who, session.get_one(Nomination, nomination.id), changes, context.now()
        )


def replace(
    who: Principal, nomination: Nomination, file_id: int, spool: intake.Spool, filename: str
) -> FileItem:
    """Add the spooled upload in place of file `file_id`, which is retired, not deleted:
    both in one transaction, each with its audit event. Every check that can refuse the
    upload runs before its blob is stored."""
    attachments.check_may_add(who, nomination)
    # The new file is the same required document as the one it replaces.
    document = dossiers.active_file(context.read(), nomination.id, file_id).document
    checked = intake.check(spool, filename)
    attachments.check_room(context.read(), nomination.id, checked)
    transfers.storage().put(checked.sha256, spool)
    with context.write() as session:
        current = session.get_one(Nomination, nomination.id)
        row = attachments.record(session, who, current, checked, context.now(), document)
        dossiers.retire(session, who, current, file_id, context.now(), replaced_by=row.id)
        return files.item(row)


def remove(who: Principal, nomination: Nomination, file_id: int) -> None:
    """Take file `file_id` out of the dossier; it stays stored and listed as removed."""
    attachments.check_may_add(who, nomination)
    with context.write() as session:
        dossiers.retire(
            session, who, session.get_one(Nomination, nomination.id), file_id, context.now()
        )


def versions(session: Session, nomination_id: int) -> list[DossierVersion]:
    return dossiers.versions(session, nomination_id)


def changes(session: Session, nomination_id: int) -> Changes | None:
    return dossiers.changes(session, nomination_id)
