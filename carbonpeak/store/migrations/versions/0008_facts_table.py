"""a flat, typed facts table written with each submission version, backfilled from the versions

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05 17:30:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Copied here, not imported: a migration must keep meaning what it meant when it was written.
RECORD_FIELDS = (
    "output_t",
    "grid_electricity_mwh",
    "exported_electricity_mwh",
    "captive_electricity_mwh",
    "green_certificate_mwh",
    "direct_renewable_mwh",
    "onsite_renewable_mwh",
    "nonhydro_renewable_mwh",
    "electrolysis_ac_mwh",
    "auxiliary_ac_mwh",
    "desulphurisation_mwh",
    "scrap_input_t",
    "direct_alloying_t",
    "solid_waste_generated_t",
    "solid_waste_used_t",
    "so2_t",
    "nox_t",
    "particulate_t",
)
RESULT_FIELDS = ("energy_tce", "total_location_tco2e", "total_market_tco2e", "direct_tco2e")


def upgrade() -> None:
    fact = op.create_table(
        "fact",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("metering", sa.String(length=20), nullable=True),
        *[sa.Column(name, sa.Float(), nullable=True) for name in RECORD_FIELDS],
        sa.Column("result_id", sa.Integer(), nullable=True),
        *[sa.Column(name, sa.Float(), nullable=True) for name in RESULT_FIELDS],
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_fact_facility_id_facility")),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], name=op.f("fk_fact_submission_id_submission")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["submission_version.id"], name=op.f("fk_fact_version_id_submission_version")
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_fact")),
    )
    _backfill(fact)
    with op.batch_alter_table("fact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_facility_id"), ["facility_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fact_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_fact_submission_id"), ["submission_id"], unique=False)


def _number(value: object) -> float | None:
    """As the application writes it: a float, or NULL for what is absent, text or NaN."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _backfill(fact: sa.Table) -> None:
    """One fact row per existing version, from its JSON record and its latest result (by id)."""
    bind = op.get_bind()
    meta = sa.MetaData()
    version = sa.Table("submission_version", meta, autoload_with=bind)
    submission = sa.Table("submission", meta, autoload_with=bind)
    result = sa.Table("result", meta, autoload_with=bind)
    latest = (
        sa.select(result.c.version_id, sa.func.max(result.c.id).label("result_id"))
        .group_by(result.c.version_id)
        .subquery()
    )
    query = (
        sa.select(
            version.c.id,
            version.c.submission_id,
            submission.c.facility_id,
            submission.c.period,
            version.c.version,
            version.c.status,
            sa.cast(version.c.record, sa.Text),
            latest.c.result_id,
            sa.cast(result.c["values"], sa.Text),
        )
        .join(submission, submission.c.id == version.c.submission_id)
        .outerjoin(latest, latest.c.version_id == version.c.id)
        .outerjoin(result, result.c.id == latest.c.result_id)
        .order_by(version.c.id)
    )
    rows = bind.execute(query).all()
    for start in range(0, len(rows), 5000):
        batch = []
        for vid, sid, fid, period, number, status, record_text, result_id, values_text in rows[start : start + 5000]:
            record = json.loads(record_text) if record_text else {}
            values = json.loads(values_text) if values_text else {}
            row = {
                "version_id": vid,
                "submission_id": sid,
                "facility_id": fid,
                "period": period,
                "version": number,
                "status": status,
                "metering": record.get("metering") if isinstance(record.get("metering"), str) else None,
                "result_id": result_id,
            }
            row.update({name: _number(record.get(name)) for name in RECORD_FIELDS})
            row.update({name: _number(values.get(name)) for name in RESULT_FIELDS})
            batch.append(row)
        bind.execute(sa.insert(fact), batch)


def downgrade() -> None:
    with op.batch_alter_table("fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_submission_id"))
        batch_op.drop_index(batch_op.f("ix_fact_status"))
        batch_op.drop_index(batch_op.f("ix_fact_facility_id"))
    op.drop_table("fact")
