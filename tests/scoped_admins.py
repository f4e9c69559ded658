"""Admins below the top of the demo's organisation tree, added the way a root admin adds
them (the installation services), and the instances each should see."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.models import Instance
from tests.conftest import DEMO_NOW
from workflows import orgs
from workflows.access import principal
from workflows.installation import Scope, create_person
from workflows.models import Nomination

PASSWORD = "laurel-demo-scope"
SCHOOL_ADMIN = ("quantri.thcs_ths", "THCS_THS")  # a school of the union chain
PROVINCE_ADMIN = ("quantri.cdgd_nb", "CDGD_NB")  # the province above it and its neighbours
STATE_ROOT_ADMIN = ("quantri.bo", "BO_GDDT")  # a root, of the other chain


def add_admin(db: Engine, admin: tuple[str, str]) -> str:
    username, org = admin
    with Session(db) as session, session.begin():
        root = principal(session, "quantri")
        assert root is not None
        create_person(
            session,
            Scope.of(session, root),
            DEMO_NOW,
            {
                "username": username,
                "full_name": f"Quản trị {org}",
                "password": PASSWORD,
                "role": "admin",
                "org": org,
            },
        )
    return username


def instances_now_in(db: Engine, org: str, status: str | None = None) -> set[int]:
    """Instances whose nomination is now at `org` or below it."""
    with Session(db) as session:
        query = (
            select(Instance.id)
            .join(Nomination, Nomination.business_key == Instance.business_key)
            .where(Nomination.current_org.in_(orgs.subtree(session, org)))
        )
        if status is not None:
            query = query.where(Instance.status == status)
        return set(session.scalars(query))


def an_instance_at(db: Engine, org: str, status: str = "active") -> int:
    found = sorted(instances_now_in(db, org, status))
    assert found, f"the demo has no {status} instance at {org}"
    return found[0]
