"""green register: dated designations of green factories, parks and supply chains; dynamic-management filings

Revision ID: 0020_green_register
Revises: 0022_pollutants
Create Date: 2026-12-07 02:10:00

``green_designation`` (with ``green_designation_version``, one row per change) replaces the registry's green
flags as what the counts read; ``green_filing`` holds the annual dynamic-management filings as versions.
Data: every enterprise's flags become designations (origin ``registry_flag``): a green factory at its level and
year, a green supply-chain enterprise without level or year (the flag had neither; it counts in every year as
before). The enterprise columns stay (the registry's forms and imports still show and take them).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020_green_register"
down_revision = "0022_pollutants"
branch_labels = None
depends_on = None

ACTOR = "migration:0020_green_register"


def upgrade() -> None:
    op.create_table(
        "green_designation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("year_designated", sa.Integer(), nullable=True),
        sa.Column("batch", sa.String(length=200), nullable=True),
        sa.Column("document", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("warned_on", sa.Date(), nullable=True),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_green_designation_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(["park_id"], ["park.id"], name=op.f("fk_green_designation_park_id_park")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_green_designation_region_id_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_designation")),
    )
    with op.batch_alter_table("green_designation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_designation_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_green_designation_park_id"), ["park_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_green_designation_region_id"), ["region_id"], unique=False)
    op.create_table(
        "green_designation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("designation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["designation_id"],
            ["green_designation.id"],
            name=op.f("fk_green_designation_version_designation_id_green_designation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_designation_version")),
        sa.UniqueConstraint("designation_id", "version", name=op.f("uq_green_designation_version_designation_id")),
    )
    with op.batch_alter_table("green_designation_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_green_designation_version_designation_id"), ["designation_id"], unique=False
        )
    op.create_table(
        "green_filing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("indicators", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("prefilled", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_green_filing_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_filing")),
        sa.UniqueConstraint("enterprise_id", "year", "version", name=op.f("uq_green_filing_enterprise_id")),
    )
    with op.batch_alter_table("green_filing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_green_filing_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_green_filing_year"), ["year"], unique=False)
    _flags_to_designations()


def _flags_to_designations() -> None:
    """Every enterprise's green flags become designations, each with its first version and an audit event."""
    bind = op.get_bind()
    meta = sa.MetaData()
    enterprise = sa.Table("enterprise", meta, autoload_with=bind)
    designation = sa.Table("green_designation", meta, autoload_with=bind)
    version = sa.Table("green_designation_version", meta, autoload_with=bind)
    audit = sa.Table("audit_event", meta, autoload_with=bind)
    now = dt.datetime.now(dt.UTC)
    rows = bind.execute(
        sa.select(
            enterprise.c.id,
            enterprise.c.code,
            enterprise.c.region_id,
            enterprise.c.green_factory_level,
            enterprise.c.green_factory_year,
            enterprise.c.green_supply_chain,
        ).order_by(enterprise.c.id)
    ).all()
    for row in rows:
        wanted = []
        if row.green_factory_level:
            wanted.append(("factory", row.green_factory_level, row.green_factory_year))
        if row.green_supply_chain:
            wanted.append(("supply_chain", None, None))
        for kind, level, year in wanted:
            fields = {"kind": kind, "level": level, "year_designated": year, "status": "listed"}
            new_id = bind.execute(
                designation.insert().values(
                    subject="enterprise",
                    enterprise_id=row.id,
                    park_id=None,
                    region_id=row.region_id,
                    kind=kind,
                    level=level,
                    year_designated=year,
                    status="listed",
                    origin="registry_flag",
                    version=1,
                )
            ).inserted_primary_key[0]
            bind.execute(
                version.insert().values(
                    designation_id=new_id,
                    version=1,
                    action="designated",
                    year=None,
                    fields=fields,
                    reason="registry flag moved to the green register",
                    created_by=ACTOR,
                    created_at=now,
                )
            )
            bind.execute(
                audit.insert().values(
                    actor=ACTOR,
                    action="designated",
                    entity="green_designation",
                    entity_key=f"{row.code}:{kind}",
                    before=None,
                    after=fields,
                    at=now,
                )
            )


def downgrade() -> None:
    op.drop_table("green_filing")
    op.drop_table("green_designation_version")
    op.drop_table("green_designation")
