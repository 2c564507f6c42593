"""region statistics entered by the regulator

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "region_statistic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("entered_value", sa.Float(), nullable=False),
        sa.Column("entered_unit", sa.String(length=40), nullable=False),
        sa.Column("price_basis", sa.String(length=60), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_region_statistic_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_statistic")),
        sa.UniqueConstraint(
            "region_id", "name", "scope", "year", "version", name=op.f("uq_region_statistic_region_id")
        ),
    )
    with op.batch_alter_table("region_statistic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_statistic_region_id"), ["region_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("region_statistic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_statistic_region_id"))
    op.drop_table("region_statistic")
