"""Alembic environment: the connection comes from `engine.schema.upgrade`."""

from __future__ import annotations

from alembic import context

from engine.models import Base

target_metadata = Base.metadata
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata)
with context.begin_transaction():
    context.run_migrations()
