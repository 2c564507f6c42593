"""reports: made reports with their data state, their files and the files' SHA-256

Revision ID: 0016_reports
Revises: 0015_green_power
Create Date: 2026-12-06 22:45:00

``report`` holds each made report (kind, region, period, language, version, made/signed, provisional,
the data state and its SHA-256, the document as rendered, who made and signed it); ``report_file`` its
files (pdf, docx, xlsx) with their bytes and SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_reports"
down_revision = "0015_green_power"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("data_state", JSON, nullable=False),
        sa.Column("state_sha256", sa.String(length=64), nullable=False),
        sa.Column("document", JSON, nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("made_by", sa.String(length=100), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.String(length=100), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("kind", "region_code", "period", "lang", "version", name=op.f("uq_report_kind")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_report_region_code"), ["region_code"], unique=False)
    op.create_table(
        "report_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_report_file_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_file")),
        sa.UniqueConstraint("report_id", "format", name=op.f("uq_report_file_report_id")),
    )
    with op.batch_alter_table("report_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_file_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_file_report_id"))
    op.drop_table("report_file")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_region_code"))
        batch_op.drop_index(batch_op.f("ix_report_kind"))
    op.drop_table("report")
