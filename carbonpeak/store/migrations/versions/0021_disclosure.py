"""disclosure: the enterprise's allowance-surrender statements and the regulators' disclosure flags

Revision ID: 0021_disclosure
Revises: 0020_green_register
Create Date: 2026-12-07 02:10:00

``allowance_statement`` (enterprise, year, version: status, quantity surrendered, note) and
``disclosure_flag`` (enterprise, version: obliged or withdrawn, reason); both versioned, never
overwritten (carbonpeak.store.disclosure.models).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_disclosure"
down_revision = "0020_green_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allowance_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("surrendered_tco2e", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allowance_statement")),
        sa.UniqueConstraint("enterprise_code", "year", "version", name=op.f("uq_allowance_statement_enterprise_code")),
    )
    with op.batch_alter_table("allowance_statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allowance_statement_enterprise_code"), ["enterprise_code"], unique=False)
    op.create_table(
        "disclosure_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("obliged", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_flag")),
        sa.UniqueConstraint("enterprise_code", "version", name=op.f("uq_disclosure_flag_enterprise_code")),
    )
    with op.batch_alter_table("disclosure_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disclosure_flag_enterprise_code"), ["enterprise_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("disclosure_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_flag_enterprise_code"))
    op.drop_table("disclosure_flag")
    with op.batch_alter_table("allowance_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allowance_statement_enterprise_code"))
    op.drop_table("allowance_statement")
