"""Eligibility findings at appraisal: shown with their legal basis, never blocking."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.workflows.world import World, make_world
from web.i18n import say
from workflows.eligibility import findings
from workflows.models import Nomination, PastAward
from workflows.names import nominee_key


@pytest.fixture
def world(db: Engine) -> World:
    return make_world(db)


def codes(world: World, nomination: Nomination) -> dict[str, str]:
    with Session(world.db) as session:
        row = session.get_one(Nomination, nomination.id)
        found = findings(session, row, world.clock.now().date())
        return {f.code: say(f.message) for f in found}  # as the secretary reads it


def history(world: World, award: str, *years: int, name: str = "Nguyễn Thị Lan") -> None:
    with Session(world.db) as session, session.begin():
        for year in years:
            session.add(
                PastAward(
                    nominee=name,
                    nominee_key=nominee_key(name),
                    org_code="TRUONG_A",
                    award_code=award,
                    year=year,
                    decision_no=f"{year}/QĐ",
                )
            )


def test_a_clean_nomination_has_no_findings(world: World) -> None:
    assert codes(world, world.nominate("LDTT")) == {}


def test_the_same_nominee_twice_for_one_award_in_a_year(world: World) -> None:
    world.nominate("LDTT")
    second = world.nominate("LDTT")
    found = codes(world, second)
    assert list(found) == ["duplicate"]
    assert "2026" in found["duplicate"]


def test_missing_consecutive_cstdcs_years_are_named(world: World) -> None:
    history(world, "CSTDCS", 2023, 2025)  # 2024 is missing
    found = codes(world, world.nominate("CSTD_BO_TINH"))
    assert found["prerequisite"].endswith("chưa có trong lịch sử khen thưởng: 2024.")

    history(world, "CSTDCS", 2024, name="  nguyễn thị   LAN ")  # spelled differently
    assert "prerequisite" not in codes(world, world.nominate("CSTD_BO_TINH", username=None))


def test_the_cstdcs_quota_of_the_unit(world: World) -> None:
    for _ in range(6):
        world.nominate("LDTT", username=None)
    cstdcs = world.nominate("CSTDCS", username=None)
    assert "tối đa 0" in codes(world, cstdcs)["quota"]  # 15% of 6 LĐTT rounds down to 0

    world.nominate("LDTT", username=None)
    assert "quota" not in codes(world, cstdcs)  # 15% of 7 allows one
