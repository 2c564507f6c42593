"""report: reports of an enterprise (the ETS annual report, the monthly deposit, the energy-utilisation
report, green manufacturing, disclosure) beside the regions' reports

Revision ID: 0017_report_enterprise
Revises: 0016_reports
Create Date: 2026-12-07 02:05:00

``report.enterprise_code``: the enterprise an enterprise report is of ('' for a region's report, so that
the uniqueness of kind, region, enterprise, period, language and version holds for both: NULLs would not
be compared). ``region_code`` stays the region the report belongs to (an enterprise report: its
enterprise's region), which decides the regulators who read it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_report_enterprise"
down_revision = "0016_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_code", sa.String(length=40), nullable=False, server_default=""))
        batch_op.drop_constraint("uq_report_kind", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_kind"), ["kind", "region_code", "enterprise_code", "period", "lang", "version"]
        )
        batch_op.create_index(batch_op.f("ix_report_enterprise_code"), ["enterprise_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_enterprise_code"))
        batch_op.drop_constraint("uq_report_kind", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_report_kind"), ["kind", "region_code", "period", "lang", "version"]
        )
        batch_op.drop_column("enterprise_code")
