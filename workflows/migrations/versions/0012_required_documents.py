"""Required documents per award, as a checklist (issue 13).

- `award_rules.documents`: the documents a dossier for the award must hold (JSON rows of
  name, legal basis and whether the simplified procedure asks for it too).
- `nominations.simplified`: the nomination follows the simplified procedure (its shorter list).
- `attachments.document`: which required document a file is, when the uploader said so.

Revision ID: 0012_required_documents
Revises: 0011_dossier_versions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_required_documents"
down_revision = "0011_dossier_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD/DROP COLUMN on both backends: a batch copy of a table would
    # drop one that other tables' foreign keys point at (SQLite).
    op.add_column(
        "award_rules", sa.Column("documents", sa.Text(), nullable=False, server_default="[]")
    )
    op.add_column(
        "nominations",
        sa.Column("simplified", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("attachments", sa.Column("document", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "document")
    op.drop_column("nominations", "simplified")
    op.drop_column("award_rules", "documents")
