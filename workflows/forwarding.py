"""A level's own tờ trình to the level above: the rows its head forwards in one list decision,
grouped so the parent finds them by the tờ trình that carried them (domain.md §4: awards
above a level's authority escalate, where the steps repeat)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import PendingEvent
from engine.errors import InvalidTaskData, Message
from workflows.models import Nomination, Organisation, Proposal, ProposalItem

KIND = "forward"


@dataclass(frozen=True)
class Header:
    """The tờ trình's number, date and signer, as the level issues it."""

    number: str
    signed_on: date
    signer: str


def record(
    session: Session,
    actor: str,
    org: str,
    header: Header,
    nomination_ids: Sequence[int],
    now: datetime,
) -> list[PendingEvent]:
    """The forwarded nominations as `org`'s tờ trình to its parent, one per campaign, with
    an audit event each; in the caller's transaction (the list decision's)."""
    parent = session.scalar(select(Organisation.parent_code).where(Organisation.code == org))
    if parent is None:  # the decision is taken outside the system: nothing to carry
        return []
    rows = session.execute(
        select(Nomination.id, Nomination.campaign_code)
        .where(Nomination.id.in_(nomination_ids))
        .order_by(Nomination.id)
    ).all()
    taken = session.scalar(
        select(Proposal.id).where(
            Proposal.org_code == org, Proposal.kind == KIND, Proposal.number == header.number
        )
    )
    if taken is not None:
        raise InvalidTaskData({"forward_no": Message("forward_number_taken", number=header.number)})
    events = []
    for campaign in sorted({campaign for _, campaign in rows}):
        proposal = Proposal(
            org_code=org,
            to_org=parent,
            campaign_code=campaign,
            kind=KIND,
            number=header.number,
            signed_on=header.signed_on,
            signer=header.signer,
            status="submitted",
            created_by=actor,
            created_at=now,
            submitted_at=now,
        )
        session.add(proposal)
        session.flush()
        carried = [nomination for nomination, of in rows if of == campaign]
        session.add_all(
            ProposalItem(proposal_id=proposal.id, nomination_id=nomination, position=position)
            for position, nomination in enumerate(carried, start=1)
        )
        events.append(
            PendingEvent(
                actor,
                "proposal.forwarded",
                payload={
                    "proposal": proposal.id,
                    "number": header.number,
                    "signed_on": header.signed_on.isoformat(),
                    "signer": header.signer,
                    "to": parent,
                    "nominations": carried,
                },
                org_scope=org,
            )
        )
    return events
