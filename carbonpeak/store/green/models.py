"""Tables of the green-manufacturing register (schema from migration ``0020_green_register``).

A :class:`GreenDesignation` is one listing of an enterprise (green factory, green supply-chain management
enterprise) or a park (green park) at a level, in a year, by a batch and document, with its status (listed,
warned, removed with its reason and day). Every change is a :class:`GreenDesignationVersion` (the fields after
it, the action, the reason, who and when) and an audit event; the designation row holds the current values.
A :class:`GreenFiling` is an enterprise's annual dynamic-management filing for a year, as a version: the
indicators pre-filled from the platform's measured data and those the enterprise entered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Enterprise, JSONType, Park, Region, utcnow


class GreenDesignation(Base):
    """A designation of an enterprise or a park; its changes live in versions."""

    __tablename__ = "green_designation"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(20))  # enterprise, park
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)  # the subject's region: who manages
    kind: Mapped[str] = mapped_column(String(20))  # factory, park, supply_chain
    level: Mapped[str | None] = mapped_column(String(20))  # national, provincial, city; None: not stated
    year_designated: Mapped[int | None] = mapped_column(Integer)  # None: not known (a registry flag)
    batch: Mapped[str | None] = mapped_column(String(200))  # e.g. 第八批
    document: Mapped[str | None] = mapped_column(String(300))  # e.g. 工信厅节函〔2023〕xxx号
    status: Mapped[str] = mapped_column(String(20))  # listed, warned, removed
    warned_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # of the warning or the removal
    origin: Mapped[str] = mapped_column(String(20), default="register")  # register, registry_flag
    version: Mapped[int] = mapped_column(Integer, default=1)
    enterprise: Mapped[Enterprise | None] = relationship()
    park: Mapped[Park | None] = relationship()
    region: Mapped[Region] = relationship()
    versions: Mapped[list[GreenDesignationVersion]] = relationship(
        back_populates="designation", order_by="GreenDesignationVersion.version"
    )


class GreenDesignationVersion(Base):
    """One change of a designation: designated, corrected, warned, removed, kept (a regulator's decision on a
    unit flagged for removal, for ``year``), with the fields after it."""

    __tablename__ = "green_designation_version"
    __table_args__ = (UniqueConstraint("designation_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    designation_id: Mapped[int] = mapped_column(ForeignKey("green_designation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)  # the filing year a keep or remove decision is about
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    designation: Mapped[GreenDesignation] = relationship(back_populates="versions")


class GreenFiling(Base):
    """A version of an enterprise's dynamic-management filing for a year (a correction is a new version)."""

    __tablename__ = "green_filing"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as filed: indicator id → value
    prefilled: Mapped[dict[str, Any]] = mapped_column(JSONType)  # what the platform measured, with its basis
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    enterprise: Mapped[Enterprise] = relationship()
