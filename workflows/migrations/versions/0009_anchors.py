"""Placeholder for automatic audit anchors (issue 11).

Revision ID: 0009_anchors
Revises: 0008_audit_scope
Create Date: 2026-12-07
"""

from __future__ import annotations

revision = "0009_anchors"
down_revision = "0008_audit_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
