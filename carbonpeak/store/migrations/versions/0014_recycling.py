"""recycled aluminium and copper: the scrap intake ledger of casthouses and the recorded recycled-metal shares

Revision ID: 0014_recycling
Revises: 0012_footprints
Create Date: 2026-12-06 22:40:31

``scrap_ledger`` is one casthouse (facility) and month; ``scrap_ledger_version`` its versions (the lots of scrap
and the products made, as validated JSON, with the monthly workflow's columns: submitted, verified with an
opinion, returned with a reason, locked); ``recycled_share`` a regional share as recorded, with its numerator,
denominator, basis, sources and gaps.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_recycling"
down_revision = "0012_footprints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recycled_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("numerator_t", sa.Float(), nullable=True),
        sa.Column("denominator_t", sa.Float(), nullable=True),
        sa.Column("share_pct", sa.Float(), nullable=True),
        sa.Column(
            "numerator_source",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "denominator_source",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "gaps", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_recycled_share_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recycled_share")),
    )
    with op.batch_alter_table("recycled_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recycled_share_region_id"), ["region_id"], unique=False)

    op.create_table(
        "scrap_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_scrap_ledger_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrap_ledger")),
        sa.UniqueConstraint("facility_id", "period", name=op.f("uq_scrap_ledger_facility_id")),
    )
    with op.batch_alter_table("scrap_ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scrap_ledger_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scrap_ledger_period"), ["period"], unique=False)

    op.create_table(
        "scrap_ledger_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "lots", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "outputs", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.String(length=100), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("returned_by", sa.String(length=100), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_reason", sa.Text(), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["scrap_ledger.id"], name=op.f("fk_scrap_ledger_version_ledger_id_scrap_ledger")
        ),
        sa.ForeignKeyConstraint(["upload_id"], ["upload.id"], name=op.f("fk_scrap_ledger_version_upload_id_upload")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrap_ledger_version")),
        sa.UniqueConstraint("ledger_id", "version", name=op.f("uq_scrap_ledger_version_ledger_id")),
    )
    with op.batch_alter_table("scrap_ledger_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scrap_ledger_version_ledger_id"), ["ledger_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scrap_ledger_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scrap_ledger_version_ledger_id"))
    op.drop_table("scrap_ledger_version")
    with op.batch_alter_table("scrap_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scrap_ledger_period"))
        batch_op.drop_index(batch_op.f("ix_scrap_ledger_facility_id"))
    op.drop_table("scrap_ledger")
    with op.batch_alter_table("recycled_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recycled_share_region_id"))
    op.drop_table("recycled_share")
