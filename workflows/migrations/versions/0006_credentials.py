"""Placeholder for credential/session revocation (issue 11).

Revision ID: 0006_credentials
Revises: 0005_task_form
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0006_credentials"
down_revision = "0005_task_form"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
