"""Disclosure's own tables (migration ``0021_disclosure``); every change is a new version, none is
overwritten.

* ``allowance_statement``: the enterprise's statement of its allowance surrender (配额清缴) for a year. The
  platform keeps no allowance ledger, so what the MEE disclosure's carbon section says of the surrender
  is what the enterprise recorded here: a status and, where it gives it, the quantity surrendered.
* ``disclosure_flag``: a regulator's decision that an enterprise outside the carbon-market sectors must
  disclose (or, withdrawn, no longer must), with its reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carbonpeak.store.models import Base, utcnow


class AllowanceStatement(Base):
    __tablename__ = "allowance_statement"
    __table_args__ = (UniqueConstraint("enterprise_code", "year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(Integer)  # the compliance year the surrender is for
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # completed, partly, not_completed
    surrendered_tco2e: Mapped[float | None] = mapped_column(Float)  # allowances surrendered, as stated
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DisclosureFlag(Base):
    __tablename__ = "disclosure_flag"
    __table_args__ = (UniqueConstraint("enterprise_code", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    obliged: Mapped[bool] = mapped_column(Boolean)  # True: flagged; False: the flag withdrawn
    reason: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
