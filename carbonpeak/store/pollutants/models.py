"""Tables of the pollutant ledger (schema from migration ``0022_pollutants``).

A facility's month is a :class:`PollutantMonth` (facility, period); what was reported for it lives in its
versions (:class:`PollutantVersion`): the tonnes of SO2, NOx and particulates (颗粒物) discharged, where the
figures come from (``source``: the pollutant-discharge-permit execution report, continuous emission
monitoring, a manual estimate, or the demonstration), who entered them and when. A correction is a new version
with its reason; no version is overwritten, and only the latest counts. The tonnages are *reported* figures:
the platform never estimates a pollutant from an emission factor.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Facility, utcnow


class PollutantMonth(Base):
    """One facility and month of the pollutant ledger; its figures live in versions."""

    __tablename__ = "pollutant_month"
    __table_args__ = (UniqueConstraint("facility_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    facility: Mapped[Facility] = relationship()
    versions: Mapped[list[PollutantVersion]] = relationship(back_populates="month", order_by="PollutantVersion.version")


class PollutantVersion(Base):
    """What one version says of a facility-month: tonnes discharged and their source. [t]"""

    __tablename__ = "pollutant_version"
    __table_args__ = (UniqueConstraint("month_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month_id: Mapped[int] = mapped_column(ForeignKey("pollutant_month.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    so2_t: Mapped[float] = mapped_column(Float)
    nox_t: Mapped[float] = mapped_column(Float)
    pm_t: Mapped[float] = mapped_column(Float)  # 颗粒物
    source: Mapped[str] = mapped_column(String(30))  # permit_report, cems, manual_estimate, demo
    note: Mapped[str | None] = mapped_column(Text)  # the reporter's note (an explanation of an unusual figure)
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made (versions after the first)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))  # the file it came from, kept
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    month: Mapped[PollutantMonth] = relationship(back_populates="versions")
