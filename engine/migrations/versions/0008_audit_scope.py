"""The audit events' organisation scope (issue 11): an indexed column beside the hash chain,
so reads by organisation subtree (an auditor's, an admin's) need no join and admin changes,
which belong to no instance, can be scoped too.

The scope is not part of the hashed event: chains written before it verify unchanged.
Existing rows get it where it can be known: the `org_scope` or `org` their payload names,
else (an instance's event without one) the scope of the instance's newest task created by
then, that is where the instance was. The append-only triggers are lifted for this one
update and put back in the same transaction.

Revision ID: 0008_audit_scope
Revises: 0007_ballot_box
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_scope"
down_revision = "0007_ballot_box"
branch_labels = None
depends_on = None

INDEX = "ix_audit_events_scope"
# A payload key's value when it is a JSON string, else NULL.
_PAYLOAD_TEXT = {
    "sqlite": "CASE WHEN json_type(payload, '$.{key}') = 'text' "
    "THEN json_extract(payload, '$.{key}') END",
    "postgresql": "CASE WHEN jsonb_typeof(payload::jsonb -> '{key}') = 'string' "
    "THEN payload::jsonb ->> '{key}' END",
}
_FROM_TASKS = """
UPDATE audit_events SET org_scope = (
    SELECT t.org_scope FROM tasks t
    WHERE t.instance_id = audit_events.instance_id AND t.created_at <= audit_events.at
    ORDER BY t.created_at DESC LIMIT 1
)
WHERE org_scope IS NULL AND instance_id IS NOT NULL
"""
_SQLITE_TRIGGERS = {
    "audit_events_no_update": "UPDATE",
    "audit_events_no_delete": "DELETE",
}


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("org_scope", sa.String(100), nullable=True))
    op.create_index(INDEX, "audit_events", ["org_scope", "seq"])
    with _append_only_lifted():
        text = _PAYLOAD_TEXT[op.get_bind().dialect.name]
        named = ", ".join(text.format(key=key) for key in ("org_scope", "org"))
        op.execute(f"UPDATE audit_events SET org_scope = COALESCE({named})")
        op.execute(_FROM_TASKS)


def downgrade() -> None:
    op.drop_index(INDEX, "audit_events")
    with _append_only_lifted(), op.batch_alter_table("audit_events") as batch:
        batch.drop_column("org_scope")


@contextmanager
def _append_only_lifted() -> Iterator[None]:
    """The append-only triggers off for the block, then on again as 0001 made them (an
    error leaves them alone: the migration's transaction rolls back, triggers included)."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif _pg_trigger_exists():
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    yield
    if sqlite:
        for name, verb in _SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
    elif _pg_trigger_exists():
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")


def _pg_trigger_exists() -> bool:
    found = op.get_bind().execute(
        sa.text(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_events_no_change' "
            "AND tgrelid = 'audit_events'::regclass"
        )
    )
    return found.first() is not None
