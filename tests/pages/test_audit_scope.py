"""The admin index's recent changes list only the changes of the admin's own subtree."""

from __future__ import annotations

from tests.pages.conftest import Browser, text


def grant(browser: Browser, username: str, role: str, org: str) -> None:
    granted = browser.post(
        f"/quan-tri/nguoi-dung/{username}/vai-tro",
        {"role": role, "org": org},
        csrf_from="/quan-tri/nguoi-dung",
    )
    assert granted.status_code == 302


def test_an_admin_of_one_subtree_sees_its_changes_and_not_another_trees(
    browser: Browser,
) -> None:
    browser.login("quantri")  # admin at the tops of both demo chains
    created = browser.post(
        "/quan-tri/nguoi-dung",
        {
            "username": "quantri.sond",
            "full_name": "Trần Thị Hoa",
            "password": "laurel-demo-2",
            "role": "admin",
            "org": "SO_GDDT_ND",
        },
    )
    assert created.status_code == 302
    grant(browser, "canbo.thpt_nk", "council", "THPT_NK")  # below SO_GDDT_ND
    grant(browser, "canbo.thpt_lvt", "council", "THPT_LVT")  # in the union chain

    local = Browser(browser.app, browser.app.test_client(), browser.clock, browser.db)
    local.login("quantri.sond", "laurel-demo-2")
    index = text(local.get("/quan-tri"))
    assert "canbo.thpt_nk" in index and "quantri.sond" in index
    assert "canbo.thpt_lvt" not in index and "THPT_LVT" not in index
    # The admin over both chains still sees both.
    assert "canbo.thpt_lvt" in text(browser.get("/quan-tri"))
