"""pollutants: SO2, NOx and particulates reported per facility and month, versioned

Revision ID: 0022_pollutants
Revises: 0017_report_enterprise
Create Date: 2026-12-07 02:10:00

``pollutant_month`` names a facility's month of the pollutant ledger; ``pollutant_version`` holds what was
reported for it (t SO2, NOx, particulates, their source, who, when, a correction's reason), one row per version.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_pollutants"
down_revision = "0017_report_enterprise"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pollutant_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_pollutant_month_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pollutant_month")),
        sa.UniqueConstraint("facility_id", "period", name=op.f("uq_pollutant_month_facility_id")),
    )
    with op.batch_alter_table("pollutant_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pollutant_month_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pollutant_month_period"), ["period"], unique=False)
    op.create_table(
        "pollutant_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("so2_t", sa.Float(), nullable=False),
        sa.Column("nox_t", sa.Float(), nullable=False),
        sa.Column("pm_t", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["month_id"], ["pollutant_month.id"], name=op.f("fk_pollutant_version_month_id_pollutant_month")
        ),
        sa.ForeignKeyConstraint(["upload_id"], ["upload.id"], name=op.f("fk_pollutant_version_upload_id_upload")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pollutant_version")),
        sa.UniqueConstraint("month_id", "version", name=op.f("uq_pollutant_version_month_id")),
    )
    with op.batch_alter_table("pollutant_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pollutant_version_month_id"), ["month_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pollutant_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pollutant_version_month_id"))
    op.drop_table("pollutant_version")
    with op.batch_alter_table("pollutant_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pollutant_month_period"))
        batch_op.drop_index(batch_op.f("ix_pollutant_month_facility_id"))
    op.drop_table("pollutant_month")
