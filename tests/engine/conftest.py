"""The engine over a real database (the `db` fixture) at a fixed, movable time."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from engine.clock import FixedClock
from engine.runtime import Engine as Laurel
from tests.engine.support import T0, make_engine


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def laurel(db: Engine, clock: FixedClock) -> Laurel:
    return make_engine(db, clock)
