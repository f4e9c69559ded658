"""What an admin's role reaches over processes: definitions are national, instances follow
their nomination.

- A deployed definition is the process every organisation runs, so deploying one needs the
  `admin` role at a root of the organisation tree (an organisation with no parent: TLD,
  BO_GDDT in the demo). There is no separate role for process owners; an admin lower down
  may read definitions and dry-run a changed one, not deploy it.
- An instance is in an admin's scope when its nomination's current organisation is in the
  subtree of an organisation where they hold `admin` — the subtrees the installation's Scope
  already gives them over organisations and people. An admin of every organisation sees
  every instance, those with no nomination included.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.orm import Session

from engine.models import Instance
from workflows.access import Principal
from workflows.installation.common import Scope
from workflows.models import Nomination, Organisation


def national(session: Session, who: Principal) -> bool:
    """Whether `who` holds `admin` at a root of the organisation tree (may deploy)."""
    return bool(who.orgs("admin")) and Scope.of(session, who).top


def instance_scope(session: Session, who: Principal) -> ColumnElement[bool]:
    """SQL condition on `Instance` for the instances `who` administers."""
    if not who.orgs("admin"):
        return false()
    managed = Scope.of(session, who).orgs
    if len(managed) >= (session.scalar(select(func.count()).select_from(Organisation)) or 0):
        return true()  # every organisation: no filter to pay for
    at_home = select(Nomination.business_key).where(Nomination.current_org.in_(managed))
    return Instance.business_key.in_(at_home)
