"""Stored reports: one row per made report and one per file of it (PDF, Word, Excel).

A report keeps the data state it was made from (``data_state``, its SHA-256 ``state_sha256``), the
document it rendered (``document``: the figures as shown, so that its files can be made again to the
byte even after the data moved on) and, per file, the bytes and their SHA-256. A signed-off report is
locked: nothing of it changes again (a new report of the same kind, region and period is a new
version). Schema from migrations ``0016_reports`` and ``0017_report_enterprise``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, JSONType, utcnow


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("kind", "region_code", "enterprise_code", "period", "lang", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # carbon_peak_monthly, carbon_peak_yearly
    region_code: Mapped[str] = mapped_column(String(40), index=True)  # an enterprise report: its enterprise's
    # the enterprise an enterprise report is of ('' for a region's report; migration 0017_report_enterprise)
    enterprise_code: Mapped[str] = mapped_column(String(40), index=True, default="", server_default="")
    period: Mapped[str] = mapped_column(String(7))  # 2025-12 (a month) or 2025 (a year)
    lang: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per kind, region, period and language
    status: Mapped[str] = mapped_column(String(20), default="made")  # made, signed (locked)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    made_on: Mapped[dt.date] = mapped_column(Date)  # the day the figures were judged on
    data_state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    state_sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    trigger: Mapped[str] = mapped_column(String(20), default="on_demand")  # on_demand, schedule
    made_by: Mapped[str] = mapped_column(String(100))
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    signed_by: Mapped[str | None] = mapped_column(String(100))
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    files: Mapped[list[ReportFile]] = relationship(back_populates="report", order_by="ReportFile.format")


class ReportFile(Base):
    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("report_id", "format"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))  # pdf, docx, xlsx
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    report: Mapped[Report] = relationship(back_populates="files")
