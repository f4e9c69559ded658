"""Script helpers act on the running instance's own nomination and its current organisation:
a diagram edited to pass another nomination's id, or another organisation, fails the instance
instead of reading or writing someone else's case."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from engine import context
from engine.errors import EngineError
from engine.models import AuditEvent
from tests.workflows.test_added_task import instance_of
from tests.workflows.variants import enter_level_with, opening_the_vote_with
from tests.workflows.world import World, make_world
from workflows.helpers import council_members
from workflows.models import Tally

OWN_OPENING = (
    "vote_round = vote_round + 1\n"
    "members = council_members(current_org, nomination_id)\n"
    "mode = voting_mode(current_org)"
)
# What an edited open_vote may try first; {victim} is another nomination's id.
REACHES = {
    "a tally recorded on another nomination": (
        'tally = meeting_tally({victim}, current_org, 1, rules, 3, 3, 0, "BB-1")',
        "meeting_tally",
    ),
    "another nomination's ballots counted": (
        "tally = count_ballots({victim}, current_org, 1, rules)",
        "count_ballots",
    ),
    "another organisation's council": (
        'members = council_members("TRUONG_S", nomination_id)',
        "council_members",
    ),
    "another organisation's comments": (
        'comments = open_comments(nomination_id, "TRUONG_S")',
        "open_comments",
    ),
    "another nomination's comments": (
        "comments = open_comments({victim}, current_org)",
        "open_comments",
    ),
}


@pytest.fixture
def world(db: Engine) -> World:
    return make_world(db)


def _tallies(world: World, nomination_id: int) -> int:
    with Session(world.db) as session:
        return (
            session.scalar(
                select(func.count()).select_from(Tally).where(Tally.nomination_id == nomination_id)
            )
            or 0
        )


@pytest.mark.parametrize("reach", list(REACHES))
def test_a_helper_called_on_someone_elses_case_puts_the_instance_in_error(
    world: World, reach: str
) -> None:
    victim = world.nominate()
    world.submit(victim)
    world.appraise(victim)  # its vote is open at TRUONG_A
    script, helper = REACHES[reach]
    changed = opening_the_vote_with(script.format(victim=victim.id) + "\n" + OWN_OPENING)
    assert world.engine.deploy(changed, deployed_by="quantri").version.version == 2

    attacker = world.nominate()
    world.submit(attacker)
    world.appraise(attacker)

    failed = instance_of(world, attacker)
    assert (failed.status, failed.error_element) == ("error", "open_vote")
    assert failed.error_message is not None and helper in failed.error_message
    assert "acts only on" in failed.error_message
    assert _tallies(world, victim.id) == 0  # nothing written on the other case
    assert world.stage(victim)[1] == "vote"
    with Session(world.db) as session:
        error = session.scalars(
            select(AuditEvent).where(
                AuditEvent.instance_id == failed.id, AuditEvent.action == "instance.error"
            )
        ).one()
    assert json.loads(error.payload)["element"] == "open_vote"


def test_a_helper_on_the_level_the_process_just_moved_up_to_is_its_own(world: World) -> None:
    """Forwarded, the nomination moves up and the next level takes it up in the same run:
    a script there asking about that level's council asks about its own current
    organisation, though the stored row still names the level below until the run ends."""
    asks = enter_level_with(
        "org_id = current_org\n"
        "rules = award_rules(award)\n"
        "council_here = council_members(current_org, nomination_id)"
    )
    world.engine.deploy(asks, deployed_by="quantri")
    nomination = world.nominate("BK_BO_TINH")  # decided at L3: TRUONG_A forwards it
    world.submit(nomination)
    world.pass_level(nomination)
    view = world.decide(nomination, "forward")
    assert (view.status, view.error_message) == ("active", None)
    assert world.stage(nomination) == ("open", "appraise", "CDGD_NB")
    assert view.data["council_here"] == ["hd1.cdgd_nb", "hd2.cdgd_nb", "hd3.cdgd_nb"]


def test_helpers_outside_a_run_refuse(world: World) -> None:
    with (
        Session(world.db) as session,
        context.bound(session),
        pytest.raises(EngineError, match="helper_outside_instance"),
    ):
        council_members("TRUONG_A")
