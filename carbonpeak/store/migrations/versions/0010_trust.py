"""figures a regulator can trust: plausibility flags, verification opinion and return, waiting months, jobs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:00:00

``submission_version`` gains the plausibility warnings it was saved with (``flags``), the verifier's
opinion and time (``opinion``, ``verified_at``), a return to the enterprise (``returned_*``) and why it
has no result yet (``waiting``); ``fact`` gains ``held`` (unresolved warnings keep a month out of the
regulators' aggregates); ``job`` records background tasks such as a recompute and their progress.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("submission_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", _JSON, nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("opinion", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("returned_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("waiting", _JSON, nullable=True))
    with op.batch_alter_table("fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("detail", _JSON, nullable=False),
        sa.Column("error", _JSON, nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_status"))
        batch_op.drop_index(batch_op.f("ix_job_kind"))
    op.drop_table("job")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of submission_version
    # would drop the table that fact and result refer to, which SQLite's foreign keys refuse.
    op.execute("ALTER TABLE fact DROP COLUMN held")
    for name in ("waiting", "returned_reason", "returned_at", "returned_by", "opinion", "verified_at", "flags"):
        op.execute(f"ALTER TABLE submission_version DROP COLUMN {name}")
