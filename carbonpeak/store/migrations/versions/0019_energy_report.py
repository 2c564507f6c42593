"""energy_report_version: an enterprise's energy-utilisation status report of a year, as versions

Revision ID: 0019_energy_report
Revises: 0021_disclosure
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_energy_report"
down_revision = "0021_disclosure"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "energy_report_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("entries", JSON, nullable=False),
        sa.Column("figures_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_report_version")),
        sa.UniqueConstraint(
            "enterprise_code", "year", "version", name=op.f("uq_energy_report_version_enterprise_code")
        ),
    )
    with op.batch_alter_table("energy_report_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_energy_report_version_enterprise_code"), ["enterprise_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("energy_report_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_energy_report_version_enterprise_code"))
    op.drop_table("energy_report_version")
