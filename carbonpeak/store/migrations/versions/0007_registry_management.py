"""registry managed in the platform: enterprise park and contacts, facility commissioning day, change proposals

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(sa.Column("park_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contact_person", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_enterprise_park_id_park"), "park", ["park_id"], ["id"])
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commissioned_on", sa.Date(), nullable=True))
    op.create_table(
        "facility_change_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("changes", JSONType, nullable=False),
        sa.Column("before", JSONType, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_facility_change_proposal_facility_id_facility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_change_proposal")),
    )
    with op.batch_alter_table("facility_change_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_change_proposal_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_change_proposal_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("facility_change_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_change_proposal_status"))
        batch_op.drop_index(batch_op.f("ix_facility_change_proposal_facility_id"))
    op.drop_table("facility_change_proposal")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_column("commissioned_on")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_enterprise_park_id_park"), type_="foreignkey")
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_person")
        batch_op.drop_column("park_id")
