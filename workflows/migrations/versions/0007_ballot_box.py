"""Unlinkable secret ballots (issue 11): a ballot box of counts per round replaces the rows
of single choices, which could be paired with the receipts by insertion order.

Revision ID: 0007_ballot_box
Revises: 0006_credentials
Create Date: 2026-12-07
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007_ballot_box"
down_revision = "0006_credentials"
branch_labels = None
depends_on = None

_ROUND = ("nomination_id", "org_code", "round")


def upgrade() -> None:
    op.create_table(
        "ballot_boxes",
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"]),
        sa.PrimaryKeyConstraint(*_ROUND),
    )
    op.execute(
        "INSERT INTO ballot_boxes (nomination_id, org_code, round, votes_for, votes_against) "
        "SELECT nomination_id, org_code, round, "
        "SUM(CASE WHEN choice = 'for' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN choice = 'against' THEN 1 ELSE 0 END) "
        "FROM ballots GROUP BY nomination_id, org_code, round"
    )
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_table("ballots")
        return
    # Zero the freed pages rather than leave the old rows readable in the file.
    was = bind.exec_driver_sql("PRAGMA secure_delete").scalar()
    bind.exec_driver_sql("PRAGMA secure_delete = ON")
    op.drop_table("ballots")
    bind.exec_driver_sql(f"PRAGMA secure_delete = {int(bool(was))}")


def downgrade() -> None:
    """The single choices are gone for good: the old table gets one row per counted ballot,
    all of a round's 'for' rows then its 'against' rows, in no order a receipt shares."""
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    bind = op.get_bind()
    ballots = sa.table(
        "ballots",
        sa.column("id", sa.String),
        sa.column("nomination_id", sa.Integer),
        sa.column("org_code", sa.String),
        sa.column("round", sa.Integer),
        sa.column("choice", sa.String),
    )
    boxes = bind.execute(
        sa.text("SELECT nomination_id, org_code, round, votes_for, votes_against FROM ballot_boxes")
    ).all()
    rows = [
        {
            "id": uuid.uuid4().hex,
            "nomination_id": nomination_id,
            "org_code": org,
            "round": round_no,
            "choice": choice,
        }
        for nomination_id, org, round_no, votes_for, votes_against in boxes
        for choice, count in (("for", votes_for), ("against", votes_against))
        for _ in range(count)
    ]
    if rows:
        op.bulk_insert(ballots, rows)
    op.drop_table("ballot_boxes")
