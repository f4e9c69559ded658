"""Public comment submissions per client, for the hourly limit.

Revision ID: 0004_public
Revises: 0003_auth
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime

revision = "0004_public"
down_revision = "0003_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_comment_attempts_client_at", "comment_attempts", ["client", "at"])


def downgrade() -> None:
    op.drop_table("comment_attempts")
