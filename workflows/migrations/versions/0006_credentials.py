"""Credentials that end sessions, and failed logins per client address (issue 11).

A person's `credentials_generation` goes up when their password is reset, a role is revoked
or the account is deactivated; a token is good only while it carries the person's current
generation, so every API token and page session of that person ends at once (a login whose
password check raced the change is issued with the old generation and is born dead).
Failed logins record the client (a digest of its address), so the limit throttles an
(account, address) pair and no one can lock an owner out from elsewhere.

Revision ID: 0006_credentials
Revises: 0005_task_form
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006_credentials"
down_revision = "0005_task_form"
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN on both databases (SQLite 3.35+ drops a column in place): a batch
# copy of `people` would have to drop a table that roles and tokens reference.
def _columns() -> list[tuple[str, sa.Column[Any]]]:
    """Made afresh per call: a Column belongs to the one table it was first added to."""
    return [
        (
            "people",
            sa.Column("credentials_generation", sa.Integer(), nullable=False, server_default="0"),
        ),
        ("auth_tokens", sa.Column("generation", sa.Integer(), nullable=False, server_default="0")),
        (
            "login_failures",
            sa.Column("client", sa.String(length=64), nullable=False, server_default=""),
        ),
    ]


def upgrade() -> None:
    for table, column in _columns():
        op.add_column(table, column)
    op.create_index("ix_login_failures_pair", "login_failures", ["username", "client", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_pair", table_name="login_failures")
    for table, column in reversed(_columns()):
        op.drop_column(table, column.name)
