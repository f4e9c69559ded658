"""Opening and withdrawing a nomination, for the proposer's pages and the API alike; each is
one engine transaction (which binds the engine's clock for the domain rows it writes too)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import InvalidTaskData, Message
from engine.ports import InstanceView
from web import context
from workflows.access import Principal
from workflows.models import Nomination, Person
from workflows.pipeline import Nominations, Nominee


def create(
    who: Principal,
    *,
    org: str,
    award: str,
    campaign: str,
    nominee: Nominee,
    achievements: str,
    documents: Sequence[str],
    simplified: bool = False,
) -> Nomination:
    """Open a nomination at `org` as `who`; its first task is preparing the dossier."""
    # Checked here, not by the database's foreign key; a non-proposer still gets the 403 first.
    if (
        nominee.username is not None
        and who.holds("proposer", org)
        and context.read().get(Person, nominee.username) is None
    ):
        raise InvalidTaskData({"nominee.username": Message("unknown_user")})
    nomination, _ = Nominations(context.engine()).create(
        who.username,
        org=org,
        award=award,
        campaign=campaign,
        nominee=nominee,
        achievements=achievements,
        documents=documents,
        simplified=simplified,
    )
    return nomination


def withdraw(who: Principal, nomination_id: int, reason: str) -> InstanceView:
    """Withdraw a nomination at any stage (a proposer of its origin unit)."""
    return Nominations(context.engine()).withdraw(nomination_id, who.username, reason)
