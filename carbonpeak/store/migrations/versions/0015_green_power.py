"""green power: certificates, green-power contracts and on-site renewables of a facility, versioned

Revision ID: 0015_green_power
Revises: 0014_recycling
Create Date: 2026-12-06 22:50:00

``green_instrument`` names one certificate batch, contract or on-site installation of a facility;
``green_instrument_version`` holds what it says, one row per version (corrections and withdrawals are new
versions); ``green_volume`` the electricity a version claims per month.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_green_power"
down_revision = "0014_recycling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "green_instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_green_instrument_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_instrument")),
        sa.UniqueConstraint("code", name=op.f("uq_green_instrument_code")),
    )
    with op.batch_alter_table("green_instrument", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_instrument_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_green_instrument_kind"), ["kind"], unique=False)
    op.create_table(
        "green_instrument_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("source_type", sa.String(length=20), nullable=False),
        sa.Column("project_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty", sa.String(length=200), nullable=True),
        sa.Column("batch_id", sa.String(length=80), nullable=True),
        sa.Column("serial_from", sa.String(length=40), nullable=True),
        sa.Column("serial_to", sa.String(length=40), nullable=True),
        sa.Column("volume_mwh", sa.Float(), nullable=True),
        sa.Column("production_from", sa.String(length=7), nullable=True),
        sa.Column("production_to", sa.String(length=7), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("measurement", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["green_instrument.id"],
            name=op.f("fk_green_instrument_version_instrument_id_green_instrument"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_instrument_version")),
        sa.UniqueConstraint("instrument_id", "version", name=op.f("uq_green_instrument_version_instrument_id")),
    )
    with op.batch_alter_table("green_instrument_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_instrument_version_instrument_id"), ["instrument_id"], unique=False)
    op.create_table(
        "green_volume",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("mwh", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["green_instrument_version.id"],
            name=op.f("fk_green_volume_version_id_green_instrument_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_volume")),
        sa.UniqueConstraint("version_id", "period", name=op.f("uq_green_volume_version_id")),
    )
    with op.batch_alter_table("green_volume", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_volume_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_green_volume_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("green_volume", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_green_volume_version_id"))
        batch_op.drop_index(batch_op.f("ix_green_volume_period"))
    op.drop_table("green_volume")
    with op.batch_alter_table("green_instrument_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_green_instrument_version_instrument_id"))
    op.drop_table("green_instrument_version")
    with op.batch_alter_table("green_instrument", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_green_instrument_kind"))
        batch_op.drop_index(batch_op.f("ix_green_instrument_facility_id"))
    op.drop_table("green_instrument")
