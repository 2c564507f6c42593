"""ets_deposit: the monthly evidence deposit (月度信息化存证) of the national carbon market

Revision ID: 0018_ets_deposit
Revises: 0019_energy_report
Create Date: 2026-12-07 02:10:00

``ets_deposit`` holds one enterprise's month (state, latest values, who deposited and reviewed it, when,
why it was returned); ``ets_deposit_version`` every saved set of values; ``ets_deposit_file`` every
evidence file with its bytes and SHA-256 (a file uploaded again is its next version).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018_ets_deposit"
down_revision = "0019_energy_report"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ets_deposit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("edition", sa.String(length=40), nullable=False),
        sa.Column("deposited_by", sa.String(length=100), nullable=True),
        sa.Column("deposited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_deposit")),
        sa.UniqueConstraint("enterprise_code", "month", name=op.f("uq_ets_deposit_enterprise_code")),
    )
    with op.batch_alter_table("ets_deposit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ets_deposit_enterprise_code"), ["enterprise_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_ets_deposit_month"), ["month"], unique=False)
    op.create_table(
        "ets_deposit_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["ets_deposit.id"], name=op.f("fk_ets_deposit_version_deposit_id_ets_deposit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_deposit_version")),
        sa.UniqueConstraint("deposit_id", "version", name=op.f("uq_ets_deposit_version_deposit_id")),
    )
    with op.batch_alter_table("ets_deposit_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ets_deposit_version_deposit_id"), ["deposit_id"], unique=False)
    op.create_table(
        "ets_deposit_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deposit_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deposit_id"], ["ets_deposit.id"], name=op.f("fk_ets_deposit_file_deposit_id_ets_deposit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ets_deposit_file")),
        sa.UniqueConstraint("deposit_id", "item", "name", "version", name=op.f("uq_ets_deposit_file_deposit_id")),
    )
    with op.batch_alter_table("ets_deposit_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ets_deposit_file_deposit_id"), ["deposit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ets_deposit_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ets_deposit_file_deposit_id"))
    op.drop_table("ets_deposit_file")
    with op.batch_alter_table("ets_deposit_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ets_deposit_version_deposit_id"))
    op.drop_table("ets_deposit_version")
    with op.batch_alter_table("ets_deposit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ets_deposit_month"))
        batch_op.drop_index(batch_op.f("ix_ets_deposit_enterprise_code"))
    op.drop_table("ets_deposit")
