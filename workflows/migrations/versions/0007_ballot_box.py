"""Placeholder for unlinkable secret ballots (issue 11).

Revision ID: 0007_ballot_box
Revises: 0006_credentials
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0007_ballot_box"
down_revision = "0006_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
