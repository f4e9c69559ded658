"""Domain tables: organisations, people and roles, campaigns, awards and rules, nominations,
ballots, tallies, public comments, decisions, calendar exceptions.

Revision ID: 0002_domain
Revises: 0001_engine
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime

revision = "0002_domain"
down_revision = "0001_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "awards",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "campaigns",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "organisations",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=2), nullable=False),
        sa.Column("parent_code", sa.String(length=50), nullable=True),
        sa.Column("voting", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["organisations.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "people",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "award_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_code", sa.String(length=30), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("deciding_level", sa.String(length=2), nullable=False),
        sa.Column("vote_threshold", sa.Double(), nullable=False),
        sa.Column("vote_base", sa.String(length=20), nullable=False),
        sa.Column("publicity_working_days", sa.Integer(), nullable=False),
        sa.Column("appraisal_sla_days", sa.Integer(), nullable=False),
        sa.Column("vote_sla_days", sa.Integer(), nullable=False),
        sa.Column("prerequisites", sa.Text(), nullable=False),
        sa.Column("quota_ratio", sa.Double(), nullable=True),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_code"],
            ["awards.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("award_code", "effective_from"),
    )
    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=40), nullable=False),
        sa.Column("campaign_code", sa.String(length=50), nullable=False),
        sa.Column("award_code", sa.String(length=30), nullable=False),
        sa.Column("nominee_kind", sa.String(length=12), nullable=False),
        sa.Column("nominee_name", sa.String(length=200), nullable=False),
        sa.Column("nominee_key", sa.String(length=200), nullable=False),
        sa.Column("nominee_username", sa.String(length=100), nullable=True),
        sa.Column("nominee_position", sa.String(length=200), nullable=False),
        sa.Column("nominee_unit", sa.String(length=200), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("origin_org", sa.String(length=50), nullable=False),
        sa.Column("current_org", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("publicity_until", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_code"],
            ["awards.code"],
        ),
        sa.ForeignKeyConstraint(
            ["campaign_code"],
            ["campaigns.code"],
        ),
        sa.ForeignKeyConstraint(
            ["current_org"],
            ["organisations.code"],
        ),
        sa.ForeignKeyConstraint(
            ["nominee_username"],
            ["people.username"],
        ),
        sa.ForeignKeyConstraint(
            ["origin_org"],
            ["organisations.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("business_key"),
    )
    op.create_index(
        op.f("ix_nominations_current_org"), "nominations", ["current_org"], unique=False
    )
    op.create_index(
        "ix_nominations_nominee", "nominations", ["nominee_key", "award_code"], unique=False
    )
    op.create_index("ix_nominations_publicity", "nominations", ["stage", "publicity_until"])
    op.create_index(op.f("ix_nominations_origin_org"), "nominations", ["origin_org"], unique=False)
    op.create_index(op.f("ix_nominations_status"), "nominations", ["status"], unique=False)
    op.create_table(
        "past_awards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee", sa.String(length=200), nullable=False),
        sa.Column("nominee_key", sa.String(length=200), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("award_code", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_no", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_code"],
            ["awards.code"],
        ),
        sa.ForeignKeyConstraint(
            ["org_code"],
            ["organisations.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_past_awards_nominee", "past_awards", ["nominee_key", "award_code", "year"], unique=False
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_code"],
            ["organisations.code"],
        ),
        sa.ForeignKeyConstraint(
            ["username"],
            ["people.username"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "role", "org_code"),
    )
    op.create_index(
        op.f("ix_role_assignments_org_code"), "role_assignments", ["org_code"], unique=False
    )
    op.create_table(
        "ballot_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("ballot_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nomination_id", "org_code", "round", "username"),
    )
    op.create_table(
        "ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decision_no", sa.String(length=100), nullable=True),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("definition_version", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_decisions_nomination_id"), "decisions", ["nomination_id"], unique=False
    )
    op.create_table(
        "public_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("handling", sa.String(length=20), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_public_comments_nomination_id"), "public_comments", ["nomination_id"], unique=False
    )
    op.create_table(
        "tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("members_total", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("minutes_no", sa.String(length=100), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_tallies_nomination_id"), "tallies", ["nomination_id"], unique=False)


def downgrade() -> None:
    for table in (
        "tallies",
        "public_comments",
        "decisions",
        "ballots",
        "ballot_receipts",
        "role_assignments",
        "past_awards",
        "nominations",
        "award_rules",
        "people",
        "organisations",
        "campaigns",
        "calendar_days",
        "awards",
    ):
        op.drop_table(table)
