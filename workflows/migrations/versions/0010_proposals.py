"""Proposals (tờ trình đề nghị, issue 13): a unit's or a level's submission with its number,
date and signer, grouping nominations through `proposal_items`; a proposal's own files on
`attachments.proposal_id`; and a folded, indexed name key on nominations so that a unit's
list is searched with or without diacritics without reading the whole table.

Revision ID: 0010_proposals
Revises: 0009_attachments
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.models import UTCDateTime
from workflows.names import folded

revision = "0010_proposals"
down_revision = "0009_attachments"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=50), nullable=False),
        sa.Column("to_org", sa.String(length=50), nullable=True),
        sa.Column("campaign_code", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["org_code"], ["organisations.code"]),
        sa.ForeignKeyConstraint(["to_org"], ["organisations.code"]),
        sa.ForeignKeyConstraint(["campaign_code"], ["campaigns.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proposals_org", "proposals", ["org_code", "id"])
    op.create_index("ix_proposals_to_org", "proposals", ["to_org", "id"])
    op.create_table(
        "proposal_items",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"]),
        sa.ForeignKeyConstraint(["nomination_id"], ["nominations.id"]),
        sa.PrimaryKeyConstraint("proposal_id", "nomination_id"),
    )
    op.create_index("ix_proposal_items_nomination", "proposal_items", ["nomination_id"])
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_attachments_proposal", "proposals", ["proposal_id"], ["id"])
        batch.create_index("ix_attachments_proposal_id", ["proposal_id"])
    with op.batch_alter_table("nominations") as batch:
        batch.add_column(
            sa.Column("nominee_folded", sa.String(length=200), nullable=False, server_default="")
        )
    _fill_folded()
    op.create_index("ix_nominations_origin", "nominations", ["origin_org", "id"])
    op.create_index(
        "ix_nominations_origin_campaign", "nominations", ["origin_org", "campaign_code", "id"]
    )
    op.create_index("ix_nominations_origin_folded", "nominations", ["origin_org", "nominee_folded"])


def _fill_folded() -> None:
    """Existing nominations get their key as `workflows.pipeline` gives a new one."""
    connection = op.get_bind()
    table = sa.table(
        "nominations",
        sa.column("id", sa.Integer),
        sa.column("nominee_name", sa.String),
        sa.column("nominee_folded", sa.String),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.nominee_name)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values(nominee_folded=sa.bindparam("key")),
            [{"row_id": row_id, "key": folded(name)} for row_id, name in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_nominations_origin_folded", "nominations")
    op.drop_index("ix_nominations_origin_campaign", "nominations")
    op.drop_index("ix_nominations_origin", "nominations")
    with op.batch_alter_table("nominations") as batch:
        batch.drop_column("nominee_folded")
    with op.batch_alter_table("attachments") as batch:
        batch.drop_index("ix_attachments_proposal_id")
        batch.drop_constraint("fk_attachments_proposal", type_="foreignkey")
        batch.drop_column("proposal_id")
    op.drop_index("ix_proposal_items_nomination", "proposal_items")
    op.drop_table("proposal_items")
    op.drop_index("ix_proposals_to_org", "proposals")
    op.drop_index("ix_proposals_org", "proposals")
    op.drop_table("proposals")
