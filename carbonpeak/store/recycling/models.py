"""Tables of the recycled aluminium and copper platform (schema from migration ``0014_recycling``).

A casthouse's month is a :class:`ScrapLedger` (facility, period) whose content lives in versions, exactly as a
monthly submission's: the lots of scrap charged and the products made (canonical JSON, as validated), with the
same workflow columns (draft → submitted → verified → locked, or returned with a reason) and the same rule that a
correction is a new version with its reason. A :class:`RecycledShare` is a regional share as it was recorded, with
its numerator, denominator, basis and their sources.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Facility, JSONType, Region, utcnow


class ScrapLedger(Base):
    """One casthouse (facility) and month of the scrap intake ledger; its content lives in versions."""

    __tablename__ = "scrap_ledger"
    __table_args__ = (UniqueConstraint("facility_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    facility: Mapped[Facility] = relationship()
    versions: Mapped[list[ScrapLedgerVersion]] = relationship(
        back_populates="ledger", order_by="ScrapLedgerVersion.version"
    )


class ScrapLedgerVersion(Base):
    """A version of a casthouse's month: its lots and outputs. Corrections add versions; none is overwritten."""

    __tablename__ = "scrap_ledger_version"
    __table_args__ = (UniqueConstraint("ledger_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("scrap_ledger.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # draft, submitted, returned, verified, locked
    lots: Mapped[list[Any]] = mapped_column(JSONType)  # the lots as validated, file order
    outputs: Mapped[list[Any]] = mapped_column(JSONType)  # the products made, with the balance's other figures
    sha256: Mapped[str] = mapped_column(String(64))  # of the canonical JSON of lots and outputs
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))  # the file it came from
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    opinion: Mapped[str | None] = mapped_column(Text)  # 核查意见
    returned_by: Mapped[str | None] = mapped_column(String(100))
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    returned_reason: Mapped[str | None] = mapped_column(Text)
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ledger: Mapped[ScrapLedger] = relationship(back_populates="versions")


class RecycledShare(Base):
    """A regional recycled-metal share as recorded: never a figure without its numerator, denominator and basis."""

    __tablename__ = "recycled_share"
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(40))  # plan_ten_metals, industry_primary_aluminium
    numerator_t: Mapped[float | None] = mapped_column(Float)
    denominator_t: Mapped[float | None] = mapped_column(Float)
    share_pct: Mapped[float | None] = mapped_column(Float)
    numerator_source: Mapped[dict[str, Any]] = mapped_column(JSONType)  # what was summed, which months/versions
    denominator_source: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the statistic (version) or the months
    gaps: Mapped[list[Any]] = mapped_column(JSONType)  # coded messages: what is missing
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    region: Mapped[Region] = relationship()
