"""Green-power instruments of a facility, versioned; schema from migration ``0015_green_power``.

An instrument (``green_instrument``) is one certificate batch, one contract or one on-site
installation, named by the code the enterprise gives it. What it says lives in its versions
(``green_instrument_version``): a correction or a withdrawal is a new version with its reason; no
version is overwritten. Each version holds the volumes it claims per month (``green_volume``). Only the
latest version of an instrument counts, and only when it is not withdrawn.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, Facility, utcnow


class GreenInstrument(Base):
    """One green-power instrument of a facility: ``kind`` certificate, contract or onsite."""

    __tablename__ = "green_instrument"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)  # the beneficiary
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    facility: Mapped[Facility] = relationship()
    versions: Mapped[list[GreenInstrumentVersion]] = relationship(
        back_populates="instrument", order_by="GreenInstrumentVersion.version"
    )


class GreenInstrumentVersion(Base):
    """What an instrument says, as of one version.

    Certificates: batch id, serial range (digits, both ends included), volume, source type, project,
    production period, cancellation date. Contracts: counterparty, source type, and the serial range
    of the certificates delivered with the power where given (so they cannot be claimed again as
    unbundled certificates). On-site: source type and whether the volumes are metered or reported.
    """

    __tablename__ = "green_instrument_version"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("green_instrument.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    source_type: Mapped[str] = mapped_column(String(20))  # wind, solar, hydro, biomass, geothermal, other
    project_name: Mapped[str | None] = mapped_column(String(200))
    counterparty: Mapped[str | None] = mapped_column(String(200))  # contracts: the seller
    batch_id: Mapped[str | None] = mapped_column(String(80))
    serial_from: Mapped[str | None] = mapped_column(String(40))  # digits; compared as integers
    serial_to: Mapped[str | None] = mapped_column(String(40))
    volume_mwh: Mapped[float | None] = mapped_column(Float)  # certificates: the batch's volume
    production_from: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    production_to: Mapped[str | None] = mapped_column(String(7))
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)  # certificates: 核销 for the beneficiary
    measurement: Mapped[str | None] = mapped_column(String(20))  # on-site: metered or reported
    reason: Mapped[str | None] = mapped_column(Text)  # why a version after the first was made
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    instrument: Mapped[GreenInstrument] = relationship(back_populates="versions")
    volumes: Mapped[list[GreenVolume]] = relationship(order_by="GreenVolume.period")


class GreenVolume(Base):
    """The electricity a version claims for one month of its facility. [MWh]"""

    __tablename__ = "green_volume"
    __table_args__ = (UniqueConstraint("version_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("green_instrument_version.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    mwh: Mapped[float] = mapped_column(Float)
