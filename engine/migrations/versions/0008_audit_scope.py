"""Placeholder for the audit events' organisation scope (issue 11).

Revision ID: 0008_audit_scope
Revises: 0007_ballot_box
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0008_audit_scope"
down_revision = "0007_ballot_box"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
