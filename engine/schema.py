"""Alembic owns the schema; this runs its migrations against a database."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(extra_locations: list[Path] | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = [MIGRATIONS / "versions", *(extra_locations or [])]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return config


def upgrade(
    engine: Engine, revision: str = "heads", extra_locations: list[Path] | None = None
) -> None:
    """Bring the database to `revision`; domain packages add their own version folders."""
    config = alembic_config(extra_locations)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
