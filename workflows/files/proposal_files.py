"""A proposal's own files (the tờ trình's scan, the unit's meeting minutes): who may add one
and when, the proposal's total, and the row with its audit event.

They are attachments like a nomination's (same table, same blobs by sha256, same intake and
storage, same `file.added` event carrying the digest, so `laurel files verify` checks them
too), hung on `proposal_id` instead. The unit's proposer adds them while the proposal is a
draft; whoever may read the proposal reads them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from workflows import limits
from workflows.access import OVERSIGHT_ROLES, Principal, oversees
from workflows.files import attachments
from workflows.files.attachments import ADDED
from workflows.files.intake import Checked, Refused
from workflows.models import Attachment, Proposal

DRAFT = "draft"  # workflows.proposals.DRAFT (that module imports the pipeline; this one need not)


def may_add(who: Principal, proposal: Proposal) -> bool:
    return who.holds("proposer", proposal.org_code) and proposal.status == DRAFT


def check_may_add(who: Principal, proposal: Proposal) -> None:
    if not who.holds("proposer", proposal.org_code):
        raise Refused("file_not_proposer")
    if proposal.status != DRAFT:
        raise Refused("file_not_editable")


def of_proposal(session: Session, proposal_id: int) -> list[Attachment]:
    """The proposal's files, oldest first."""
    return list(
        session.scalars(
            select(Attachment).where(Attachment.proposal_id == proposal_id).order_by(Attachment.id)
        )
    )


def find(session: Session, proposal_id: int, file_id: int) -> Attachment | None:
    return session.scalar(
        select(Attachment).where(Attachment.id == file_id, Attachment.proposal_id == proposal_id)
    )


def _total(session: Session, proposal_id: int) -> int:
    return attachments.owned_size(session, Attachment.proposal_id == proposal_id)


def check_room(session: Session, proposal_id: int, file: Checked) -> None:
    """Refused if `file` is on the proposal already, or would take its files past the
    total a dossier may hold."""
    attachments.check_owner_room(session, Attachment.proposal_id == proposal_id, file)


def record(
    session: Session,
    who: Principal,
    proposal: Proposal,
    file: Checked,
    now: datetime,
    document: str | None = None,
) -> Attachment:
    """The attachment row and its audit event, in the caller's transaction (the blob stored
    already); the rules checked again once the audit chain is held, as for a nomination.
    `document`: the required document the file is (it counts for every nomination listed)."""
    # Checked before the row exists: once flushed, it would be its own twin.
    check_room(session, proposal.id, file)
    row = Attachment(
        nomination_id=None,
        proposal_id=proposal.id,
        document=document,
        sha256=file.sha256,
        size=file.size,
        media_type=file.media_type,
        name=file.name,
        org_code=proposal.org_code,
        added_by=who.username,
        added_at=now,
    )
    session.add(row)
    session.flush()
    payload = {
        "proposal": proposal.id,
        "file": row.id,
        "name": file.name,
        "media_type": file.media_type,
        "size": file.size,
        "sha256": file.sha256,
        **({"document": document} if document else {}),
    }
    event = audit.PendingEvent(who.username, ADDED, payload=payload, org_scope=proposal.org_code)
    audit.append(session, now, [event])
    session.refresh(proposal)  # as committed, now that the chain is ours
    check_may_add(who, proposal)
    total = _total(session, proposal.id)
    if total > limits.MAX_NOMINATION_BYTES:
        raise attachments.over_total(total - file.size)
    twins = session.scalar(
        select(func.count()).where(
            Attachment.proposal_id == proposal.id, Attachment.sha256 == file.sha256
        )
    )
    if (twins or 0) > 1:
        raise Refused("file_duplicate", name=file.name)
    return row


def overseen(session: Session, who: Principal, proposal: Proposal) -> bool:
    """Whether `who` reads the proposal as an auditor or admin over its unit: logged."""
    return any(oversees(session, who, proposal.org_code, role) for role in OVERSIGHT_ROLES)


def record_read(
    session: Session, who: Principal, proposal: Proposal, row: Attachment, now: datetime
) -> None:
    payload = {"proposal": proposal.id, "view": "file", "file": row.id, "sha256": row.sha256}
    audit.append(session, now, [audit.PendingEvent(who.username, "record.read", payload=payload)])
