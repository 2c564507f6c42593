"""Meters in the registry: one row per meter of a facility, and the replacements of its physical meter.

A meter's versions are audit events (entity ``meter``), like every registry object; its schema comes from
migration ``0011_meters``. The allowed values (energy types, measuring points, units, intervals) are
checked by :mod:`carbonpeak.monitoring.meters`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Facility, utcnow


class Meter(Base):
    """One meter of a facility: what it measures, where, in which unit, how it counts and how often."""

    __tablename__ = "meter"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    energy_type: Mapped[str] = mapped_column(String(40))  # electricity, heat, water, or a fuel code
    measuring_point: Mapped[str] = mapped_column(String(30))  # plant, process, line, electrolysis_ac
    unit: Mapped[str] = mapped_column(String(20))  # the unit of the values the meter sends
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)  # e.g. a current transformer's ratio
    reading_kind: Mapped[str] = mapped_column(String(20))  # register (cumulative) or interval
    interval_min: Mapped[int] = mapped_column(Integer, default=15)  # 15, 30 or 60
    rollover_at: Mapped[float | None] = mapped_column(Float)  # a register's wrap value (e.g. 99999999 + 1)
    calibration_due: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, inactive, retired
    facility: Mapped[Facility] = relationship()


class MeterReplacement(Base):
    """The physical meter behind a meter record was replaced at ``replaced_at``: the old register's last
    value and the new one's first, so that consumption across the change is not read as a negative step."""

    __tablename__ = "meter_replacement"
    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meter.id"), index=True)
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    old_final: Mapped[float] = mapped_column(Float)
    new_initial: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
