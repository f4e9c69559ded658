"""The application's schema: the engine's migrations plus the domain's own."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from engine import schema

DOMAIN_MIGRATIONS = [Path(__file__).parent / "migrations" / "versions"]


def migrate(engine: Engine) -> None:
    schema.upgrade(engine, extra_locations=DOMAIN_MIGRATIONS)
