"""An enterprise's energy-utilisation status report of a year, kept as versions (migration
``0019_energy_report``).

Each save of what the enterprise completes (表5–表10) is a new row: ``draft`` → ``submitted`` (filed) →
``accepted`` (locked: nothing of the year is written again) or ``returned`` (with the regulator's reason;
the correction is a new version). The platform's figures are not stored here: they are read from the
ledger each time, and a filed version keeps the fingerprint of the figures it was filed with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, JSONType, utcnow


class EnergyReportVersion(Base):
    __tablename__ = "energy_report_version"
    __table_args__ = (UniqueConstraint("enterprise_code", "year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # draft, submitted, returned, accepted
    entries: Mapped[dict[str, Any]] = mapped_column(JSONType)  # table id -> rows, as checked
    figures_sha256: Mapped[str | None] = mapped_column(String(64))  # the platform's figures when submitted
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was returned (or a note on acceptance)
