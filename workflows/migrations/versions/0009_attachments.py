"""Files attached to nominations (issue 13): one row per attachment naming the blob by its
sha256; the contents live in the file storage, not in the database.

`nomination_id` is nullable so that a proposal's own files can later hang off a column of
their own beside it.

Revision ID: 0009_attachments
Revises: 0008_audit_scope
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime

revision = "0009_attachments"
down_revision = "0008_audit_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachments_nomination_id", "attachments", ["nomination_id"])
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", "attachments")
    op.drop_index("ix_attachments_nomination_id", "attachments")
    op.drop_table("attachments")
