"""Admin changes in the audit trail are read by the auditors and admins of the organisation
they concern: an auditor sees a role granted or a password reset in their subtree and not in
another tree; an admin of one subtree no longer sees every tree's changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEvent
from tests.api.conftest import Api

ADMIN = "quantri"  # admin at TLD and BO_GDDT, the tops of both demo chains
BASE = "/api/v1/installation"
# THPT_NK is below SO_GDDT_ND (state chain); THPT_LVT below CDGD_NB and CDGDVN (union chain).
GRANT_NK = ("admin.person.role_grant", "canbo.thpt_nk", "THPT_NK")
RESET_NK = ("admin.person.update", "thuky.thpt_nk", None)
GRANT_LVT = ("admin.person.role_grant", "canbo.thpt_lvt", "THPT_LVT")
CAMPAIGN = ("admin.campaign.create", None, None)


def change(api: Api, method: str, path: str, body: Any, user: str = ADMIN) -> None:
    response = api.client.open(f"{BASE}{path}", method=method, json=body, headers=api.headers(user))
    assert response.status_code in (200, 201), response.get_data(as_text=True)


def admin_changes(api: Api, user: str) -> set[tuple[str, str | None, str | None]]:
    """The admin changes `user` reads in the audit trail API, as (action, person, org)."""
    response = api.client.get("/api/v1/audit/events?per_page=100", headers=api.headers(user))
    assert response.status_code == 200, response.get_json()
    return {
        (e["action"], e["data"].get("username"), e["data"].get("org"))
        for e in response.get_json()["items"]
        if e["action"].startswith("admin.")
    }


def make_changes(api: Api) -> None:
    """The installation admin grants a role in each chain and resets a password in one."""
    change(api, "POST", "/people/canbo.thpt_nk/roles", {"role": "council", "org": "THPT_NK"})
    change(api, "PATCH", "/people/thuky.thpt_nk", {"password": "mat-khau-moi-2026"})
    change(api, "POST", "/people/canbo.thpt_lvt/roles", {"role": "council", "org": "THPT_LVT"})
    campaign = {
        "code": "DOT-2027",
        "name": "Đợt 2027",
        "starts": "2027-01-01",
        "ends": "2027-06-30",
    }
    change(api, "POST", "/campaigns", campaign)


def test_an_auditor_reads_the_admin_changes_of_their_subtree_and_not_another_trees(
    api: Api,
) -> None:
    make_changes(api)

    state_chain = admin_changes(api, "thanhtra.sogddtnd")  # auditor at SO_GDDT_ND
    assert {GRANT_NK, RESET_NK, CAMPAIGN} <= state_chain
    assert GRANT_LVT not in state_chain
    union_chain = admin_changes(api, "thanhtra.cdgdvn")  # auditor at CDGDVN
    assert {GRANT_LVT, CAMPAIGN} <= union_chain
    assert not {GRANT_NK, RESET_NK} & union_chain


def test_an_admin_reads_only_their_subtrees_admin_changes(api: Api) -> None:
    local = {
        "username": "quantri.sond",
        "full_name": "Trần Thị Hoa",
        "password": "laurel-demo-2",
        "role": "admin",
        "org": "SO_GDDT_ND",
    }
    change(api, "POST", "/people", local)
    make_changes(api)

    mine = admin_changes(api, "quantri.sond")
    assert {GRANT_NK, RESET_NK, CAMPAIGN} <= mine
    assert ("admin.person.create", "quantri.sond", "SO_GDDT_ND") in mine
    assert GRANT_LVT not in mine
    # The admin at the top of both chains still reads both.
    assert {GRANT_NK, RESET_NK, GRANT_LVT, CAMPAIGN} <= admin_changes(api, ADMIN)
    # Filtering by organisation finds the admin changes scoped there too.
    response = api.client.get(
        "/api/v1/audit/events?per_page=100&org=THPT_NK&action=admin.person.role_grant",
        headers=api.headers("thanhtra.sogddtnd"),
    )
    assert [e["data"]["username"] for e in response.get_json()["items"]] == ["canbo.thpt_nk"]


def test_admin_changes_carry_the_scope_of_the_organisation_they_concern(api: Api) -> None:
    make_changes(api)
    # A person with roles in two schools of one province union: the union is what both share.
    change(api, "POST", "/people/thuky.thpt_lvt/roles", {"role": "council", "org": "THCS_THS"})
    change(api, "PATCH", "/people/thuky.thpt_lvt", {"full_name": "Đinh Văn An"})

    with Session(api.db) as session:
        scopes = [
            (action, scope)
            for action, scope in session.execute(
                select(AuditEvent.action, AuditEvent.org_scope)
                .where(AuditEvent.action.startswith("admin."))
                .order_by(AuditEvent.seq)
            )
        ]
    assert scopes[-6:] == [
        ("admin.person.role_grant", "THPT_NK"),
        ("admin.person.update", "THPT_NK"),
        ("admin.person.role_grant", "THPT_LVT"),
        ("admin.campaign.create", None),  # installation-wide
        ("admin.person.role_grant", "THCS_THS"),
        ("admin.person.update", "CDGD_NB"),
    ]


def test_a_change_spanning_two_chains_is_read_at_their_tops_only(api: Api) -> None:
    """A person with roles in both chains has no organisation above all of them: a change to
    them is read by those overseeing the top of a chain, not by a subtree's auditor."""
    change(api, "POST", "/people/canbo.thpt_nk/roles", {"role": "council", "org": "THPT_LVT"})
    change(api, "PATCH", "/people/canbo.thpt_nk", {"full_name": "Lê Văn Cường"})
    renamed = ("admin.person.update", "canbo.thpt_nk", None)

    assert renamed in admin_changes(api, ADMIN)
    assert renamed not in admin_changes(api, "thanhtra.sogddtnd")
    assert renamed not in admin_changes(api, "thanhtra.cdgdvn")
