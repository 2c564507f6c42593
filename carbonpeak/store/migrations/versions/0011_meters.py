"""online energy monitoring: meters of facilities and replacements of their physical meters

Revision ID: 0011_meters
Revises: 0010
Create Date: 2026-12-06 19:40:00

``meter`` holds a facility's meters (energy type, measuring point, unit and multiplier, register or
interval values, collection interval, calibration due date, status); ``meter_replacement`` the days a
physical meter was replaced, with the old register's last and the new one's first value. Readings are
not here: they live in the reading store (carbonpeak.monitoring.store).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_meters"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("energy_type", sa.String(length=40), nullable=False),
        sa.Column("measuring_point", sa.String(length=30), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("multiplier", sa.Float(), nullable=False),
        sa.Column("reading_kind", sa.String(length=20), nullable=False),
        sa.Column("interval_min", sa.Integer(), nullable=False),
        sa.Column("rollover_at", sa.Float(), nullable=True),
        sa.Column("calibration_due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_meter_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter")),
        sa.UniqueConstraint("code", name=op.f("uq_meter_code")),
    )
    with op.batch_alter_table("meter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meter_facility_id"), ["facility_id"], unique=False)
    op.create_table(
        "meter_replacement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_final", sa.Float(), nullable=False),
        sa.Column("new_initial", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meter_id"], ["meter.id"], name=op.f("fk_meter_replacement_meter_id_meter")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_replacement")),
    )
    with op.batch_alter_table("meter_replacement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meter_replacement_meter_id"), ["meter_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("meter_replacement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meter_replacement_meter_id"))
    op.drop_table("meter_replacement")
    with op.batch_alter_table("meter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meter_facility_id"))
    op.drop_table("meter")
