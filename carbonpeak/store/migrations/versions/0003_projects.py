"""high-energy, high-emission projects: records, versions, stored reviews

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("enterprise", sa.String(length=300), nullable=False),
        sa.Column("province", sa.String(length=40), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=False),
        sa.Column("product", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("capacity_t_per_a", sa.Float(), nullable=False),
        sa.Column("net_new_capacity_t_per_a", sa.Float(), nullable=False),
        sa.Column("in_key_air_pollution_area", sa.Boolean(), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_project_facility_id_facility")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("code", name=op.f("uq_project_code")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_province"), ["province"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_sector"), ["sector"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_status"), ["status"], unique=False)

    op.create_table(
        "project_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record", JSON, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_project_version_project_id_project")),
        sa.ForeignKeyConstraint(["upload_id"], ["upload.id"], name=op.f("fk_project_version_upload_id_upload")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_version")),
        sa.UniqueConstraint("project_id", "version", name=op.f("uq_project_version_project_id")),
    )
    with op.batch_alter_table("project_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_version_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("decisive", JSON, nullable=False),
        sa.Column("national_approved_capacity_t_per_a", sa.Float(), nullable=True),
        sa.Column("result", JSON, nullable=False),
        sa.Column("parameter_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parameter_fingerprint"],
            ["parameter_snapshot.fingerprint"],
            name=op.f("fk_project_review_parameter_fingerprint_parameter_snapshot"),
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_project_review_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_review")),
    )
    with op.batch_alter_table("project_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_review_classification"), ["classification"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_project_review_parameter_fingerprint"), ["parameter_fingerprint"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_review_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("project_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_review_project_id"))
        batch_op.drop_index(batch_op.f("ix_project_review_parameter_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_project_review_classification"))

    op.drop_table("project_review")
    with op.batch_alter_table("project_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_version_project_id"))

    op.drop_table("project_version")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_status"))
        batch_op.drop_index(batch_op.f("ix_project_sector"))
        batch_op.drop_index(batch_op.f("ix_project_province"))
        batch_op.drop_index(batch_op.f("ix_project_facility_id"))

    op.drop_table("project")
