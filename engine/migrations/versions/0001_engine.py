"""Engine tables: definition versions, instances, task projection, audit chain.

Revision ID: 0001_engine
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime

revision = "0001_engine"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_events", "definition_versions")


def upgrade() -> None:
    op.create_table(
        "definition_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("sources", sa.JSON, nullable=False),
        sa.Column("deployed_by", sa.String(100), nullable=False),
        sa.Column("deployed_at", UTCDateTime(), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.UniqueConstraint("key", "version"),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "definition_id", sa.Integer, sa.ForeignKey("definition_versions.id"), nullable=False
        ),
        sa.Column("business_key", sa.String(100), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("next_timer_at", UTCDateTime(), nullable=True),
        sa.Column("error_element", sa.String(200), nullable=True),
        sa.Column("error_message", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
    )
    op.create_index("ix_instances_timer", "instances", ["next_timer_at"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("instances.id"), nullable=False),
        sa.Column("business_key", sa.String(100), nullable=False, index=True),
        sa.Column("bpmn_id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("lane", sa.String(100), nullable=True),
        sa.Column("org_scope", sa.String(100), nullable=True),
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("completed_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_tasks_inbox", "tasks", ["state", "lane", "org_scope", "due_at"])
    op.create_index("ix_tasks_instance", "tasks", ["instance_id", "state"])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False, index=True),
        sa.Column("instance_id", sa.Integer, nullable=True, index=True),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    for table in APPEND_ONLY:
        _refuse_changes(table)


def _refuse_changes(table: str) -> None:
    """Triggers make the table append-only for every client, not only this app."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
        return
    op.execute(
        f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"""
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
    )


def downgrade() -> None:
    for table in ("audit_events", "tasks", "instances", "definition_versions"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        for table in APPEND_ONLY:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
