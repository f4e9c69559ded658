"""A tiny domain for engine tests: two roles, people holding them, and one validated form."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from engine.clock import FixedClock
from engine.db import make_session_factory
from engine.errors import InvalidTaskData, NotAllowed
from engine.ports import HumanTask
from engine.runtime import Engine as Laurel

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC

FLOWS = Path(__file__).parent / "flows"
PEOPLE = {"alice": "clerk", "bob": "manager", "carol": "manager"}


class TestRoles:
    def known_roles(self) -> Collection[str]:
        return ("clerk", "manager")


class LaneGuard:
    """People may complete tasks in the lane of their role."""

    def authorize(self, actor: str, task: HumanTask) -> None:
        if PEOPLE.get(actor) != task.lane:
            raise NotAllowed(f"{actor} does not hold the role {task.lane}")


class ReviewForm:
    def clean(self, task: HumanTask, data: Mapping[str, Any]) -> dict[str, Any]:
        if task.bpmn_id == "review" and data.get("decision") not in ("approve", "reject"):
            raise InvalidTaskData({"decision": "choose approve or reject"})
        return dict(data)


def greet(name: str) -> str:
    return f"Hello {name}"


def files(*names: str) -> dict[str, bytes]:
    return {name: (FLOWS / name).read_bytes() for name in names}


def make_engine(db: Engine, clock: FixedClock, **kwargs: Any) -> Laurel:
    return Laurel(
        make_session_factory(db),
        roles=TestRoles(),
        guard=LaneGuard(),
        validator=ReviewForm(),
        helpers={"greet": greet},
        clock=clock,
        **kwargs,
    )
