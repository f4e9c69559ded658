"""Supplementing a returned dossier and reading public comments (issue 13).

- `dossier_versions`: each submission of a dossier as it was sent (its fields and the files
  then in it), numbered per nomination, with the sha256 its audit event carries.
- `attachments`: a file is never deleted; one replaced or taken out of the dossier is
  retired (when, by whom) and, when replaced, names the file that took its place.
- `public_comments`: how the secretary handled each comment (note, by whom, when).

Revision ID: 0011_dossier_versions
Revises: 0010_proposals
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime

revision = "0011_dossier_versions"
down_revision = "0010_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nomination_id", "number"),
    )
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("replaced_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retired_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("retired_by", sa.String(length=100), nullable=True))
        batch.create_foreign_key(
            "fk_attachments_replaced_by", "attachments", ["replaced_by"], ["id"]
        )
    with op.batch_alter_table("public_comments") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("noted_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("noted_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("public_comments") as batch:
        batch.drop_column("noted_at")
        batch.drop_column("noted_by")
        batch.drop_column("note")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_constraint("fk_attachments_replaced_by", type_="foreignkey")
        batch.drop_column("retired_by")
        batch.drop_column("retired_at")
        batch.drop_column("replaced_by")
    op.drop_table("dossier_versions")
