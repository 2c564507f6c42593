"""Stored monthly evidence deposits (月度信息化存证) of the national carbon market: one row per enterprise
and month (its state: draft, deposited, returned, accepted), every saved set of values as a version, and
every evidence file with its SHA-256 (a file uploaded again under the same item and name is its next
version; earlier ones stay). An accepted month is locked: nothing of it changes again. Schema from
migration ``0018_ets_deposit``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carbonpeak.store.models import Base, JSONType, utcnow


class EtsDeposit(Base):
    __tablename__ = "ets_deposit"
    __table_args__ = (UniqueConstraint("enterprise_code", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(40), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, deposited, returned, accepted
    version: Mapped[int] = mapped_column(Integer, default=0)  # the values' latest version (0: none saved)
    values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # the latest version's values
    edition: Mapped[str] = mapped_column(String(40))  # the configuration's edition the items came from
    deposited_by: Mapped[str | None] = mapped_column(String(100))
    deposited_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[str | None] = mapped_column(Text)  # why a month was returned
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # made by the demonstration loader
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    versions: Mapped[list[EtsDepositVersion]] = relationship(order_by="EtsDepositVersion.version")
    files: Mapped[list[EtsDepositFile]] = relationship(order_by="EtsDepositFile.id")


class EtsDepositVersion(Base):
    __tablename__ = "ets_deposit_version"
    __table_args__ = (UniqueConstraint("deposit_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("ets_deposit.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EtsDepositFile(Base):
    __tablename__ = "ets_deposit_file"
    __table_args__ = (UniqueConstraint("deposit_id", "item", "name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("ets_deposit.id"), index=True)
    item: Mapped[str] = mapped_column(String(120))  # facility:item
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # a synthetic demonstration file
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
