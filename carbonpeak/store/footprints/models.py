"""Footprints, their versions and the upstream supplies behind them (migration ``0012_footprints``).

A footprint is one product of one facility in one calendar year. Each computation whose inputs differ
from the latest version's (a newly verified month, a new parameter value, a changed supply) adds a
version with its reason; no version is overwritten. A version moves draft → reviewed → published by a
regulator of the facility's region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Facility, JSONType, utcnow


class Footprint(Base):
    """One product of one facility in one calendar year; its content lives in versions."""

    __tablename__ = "footprint"
    __table_args__ = (UniqueConstraint("facility_id", "product", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    product: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer, index=True)
    facility: Mapped[Facility] = relationship()
    versions: Mapped[list[FootprintVersion]] = relationship(
        back_populates="footprint", order_by="FootprintVersion.version"
    )


class FootprintVersion(Base):
    """One computation of a footprint: the value, its stages, data shares, cut-off check, provenance."""

    __tablename__ = "footprint_version"
    __table_args__ = (UniqueConstraint("footprint_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    footprint_id: Mapped[int] = mapped_column(ForeignKey("footprint.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # draft, reviewed, published
    reason: Mapped[dict[str, Any]] = mapped_column(JSONType)  # a coded message: why this version exists
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of months, parameters, supplies
    method: Mapped[str] = mapped_column(String(40))
    declared_unit: Mapped[str] = mapped_column(String(40))
    value_tco2e_per_t: Mapped[float | None] = mapped_column(Float)  # sum of the stages quantified
    value_market_tco2e_per_t: Mapped[float | None] = mapped_column(Float)  # market-based electricity
    electricity_basis: Mapped[str] = mapped_column(String(20))  # location or market: the headline's
    output_t: Mapped[float] = mapped_column(Float)
    stages: Mapped[dict[str, Any]] = mapped_column(JSONType)  # stage -> t CO2e/t (None: missing)
    primary_share: Mapped[float | None] = mapped_column(Float)
    secondary_share: Mapped[float | None] = mapped_column(Float)
    complete: Mapped[bool] = mapped_column(Boolean)
    cutoff: Mapped[str] = mapped_column(String(20))  # pass, fail, unknown
    power_source: Mapped[str] = mapped_column(String(20))  # grid, captive, renewable: the largest supply
    provenance: Mapped[dict[str, Any]] = mapped_column(JSONType)  # months, parameters, supplies
    computed_by: Mapped[str] = mapped_column(String(100))
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    footprint: Mapped[Footprint] = relationship(back_populates="versions")


class FootprintSupply(Base):
    """Where a facility's upstream material of a year comes from: a supplier's declared footprint with
    its evidence, or a supplier facility on this platform (its own verified months). A correction adds
    a row; the latest row of (facility, material, year) counts."""

    __tablename__ = "footprint_supply"
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    material: Mapped[str] = mapped_column(String(40))  # alumina, anode, copper_concentrate ...
    year: Mapped[int] = mapped_column(Integer)
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"))
    footprint_tco2e_per_t: Mapped[float | None] = mapped_column(Float)  # declared; None for a platform facility
    quantity_t_per_t: Mapped[float | None] = mapped_column(Float)  # the facility's own consumption per t product
    cradle_to_gate: Mapped[bool] = mapped_column(Boolean)  # the declared value includes the supplier's upstream
    evidence: Mapped[str | None] = mapped_column(Text)  # the declaration's document: required for a declared value
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
