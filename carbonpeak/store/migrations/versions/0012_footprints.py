"""product carbon footprints: footprints per product, facility and year, their versions, upstream supplies

Revision ID: 0012_footprints
Revises: 0011_meters
Create Date: 2026-12-06 23:20:00

``footprint`` is one product of one facility in one calendar year; ``footprint_version`` each
computation (value, stages, data shares, cut-off check, provenance, draft → reviewed → published);
``footprint_supply`` where an upstream material comes from (a supplier's declared footprint with its
evidence, or a supplier facility on the platform). Models: carbonpeak/store/footprints/models.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_footprints"
down_revision = "0011_meters"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "footprint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_footprint_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint")),
        sa.UniqueConstraint("facility_id", "product", "year", name=op.f("uq_footprint_facility_id")),
    )
    with op.batch_alter_table("footprint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_footprint_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_footprint_year"), ["year"], unique=False)
    op.create_table(
        "footprint_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("footprint_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", JSONType, nullable=False),
        sa.Column("inputs_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("declared_unit", sa.String(length=40), nullable=False),
        sa.Column("value_tco2e_per_t", sa.Float(), nullable=True),
        sa.Column("value_market_tco2e_per_t", sa.Float(), nullable=True),
        sa.Column("electricity_basis", sa.String(length=20), nullable=False),
        sa.Column("output_t", sa.Float(), nullable=False),
        sa.Column("stages", JSONType, nullable=False),
        sa.Column("primary_share", sa.Float(), nullable=True),
        sa.Column("secondary_share", sa.Float(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("cutoff", sa.String(length=20), nullable=False),
        sa.Column("power_source", sa.String(length=20), nullable=False),
        sa.Column("provenance", JSONType, nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["footprint_id"], ["footprint.id"], name=op.f("fk_footprint_version_footprint_id_footprint")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint_version")),
        sa.UniqueConstraint("footprint_id", "version", name=op.f("uq_footprint_version_footprint_id")),
    )
    with op.batch_alter_table("footprint_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_footprint_version_footprint_id"), ["footprint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_footprint_version_status"), ["status"], unique=False)
    op.create_table(
        "footprint_supply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("material", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("supplier_name", sa.String(length=200), nullable=False),
        sa.Column("supplier_facility_id", sa.Integer(), nullable=True),
        sa.Column("footprint_tco2e_per_t", sa.Float(), nullable=True),
        sa.Column("quantity_t_per_t", sa.Float(), nullable=True),
        sa.Column("cradle_to_gate", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_footprint_supply_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_facility_id"], ["facility.id"], name=op.f("fk_footprint_supply_supplier_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footprint_supply")),
    )
    with op.batch_alter_table("footprint_supply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_footprint_supply_facility_id"), ["facility_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("footprint_supply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footprint_supply_facility_id"))
    op.drop_table("footprint_supply")
    with op.batch_alter_table("footprint_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footprint_version_status"))
        batch_op.drop_index(batch_op.f("ix_footprint_version_footprint_id"))
    op.drop_table("footprint_version")
    with op.batch_alter_table("footprint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_footprint_year"))
        batch_op.drop_index(batch_op.f("ix_footprint_facility_id"))
    op.drop_table("footprint")
