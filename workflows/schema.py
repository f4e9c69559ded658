"""The application's schema: the engine's migrations plus the domain's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from engine import schema

# The domain's tables get their own Alembic version folder here when they arrive.
DOMAIN_MIGRATIONS: list[Path] = []


def migrate(engine: Engine) -> None:
    schema.upgrade(engine, extra_locations=DOMAIN_MIGRATIONS)
