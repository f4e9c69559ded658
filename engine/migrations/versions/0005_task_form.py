"""The form a human task shows, from its BPMN `form` property (the BPMN id by default).

Revision ID: 0005_task_form
Revises: 0004_public
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_task_form"
down_revision = "0004_public"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("form", sa.String(200), nullable=True))
    op.execute("UPDATE tasks SET form = bpmn_id")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("form", existing_type=sa.String(200), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("form")
