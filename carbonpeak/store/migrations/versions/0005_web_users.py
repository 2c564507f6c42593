"""web platform: users, verifier assignments, API tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00

Tables of carbonpeak/store/accounts.py (they share the store's Base and naming convention).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_web_user_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_web_user_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("username", name=op.f("uq_web_user_username")),
    )
    op.create_table(
        "web_verifier_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_web_verifier_assignment_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["web_user.id"], name=op.f("fk_web_verifier_assignment_user_id_web_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_verifier_assignment")),
        sa.UniqueConstraint("user_id", "enterprise_id", name=op.f("uq_web_verifier_assignment_user_id")),
    )
    with op.batch_alter_table("web_verifier_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_verifier_assignment_user_id"), ["user_id"], unique=False)
    op.create_table(
        "web_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["web_user.id"], name=op.f("fk_web_api_token_user_id_web_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_api_token_token_hash")),
    )
    with op.batch_alter_table("web_api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_api_token_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_api_token_user_id"))
    op.drop_table("web_api_token")
    with op.batch_alter_table("web_verifier_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_verifier_assignment_user_id"))
    op.drop_table("web_verifier_assignment")
    op.drop_table("web_user")
