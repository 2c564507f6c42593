"""The demonstration province's green register, in the caller's transaction: its enterprises' green-factory
flags become dated designations (the year of the flag), its green supply-chain enterprises and two parks get
synthetic years, one factory is removed, and a few enterprises file their dynamic-management indicators
(2024 for most, 2025 for a few). Everything here is synthetic, like the rest of the demo."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services import green_register as use
from carbonpeak.services import green_register_filing as filing
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Enterprise

_SUPPLY_CHAIN_YEARS = {"E01": 2021, "E18": 2022, "E40": 2023}
_PARKS = (("PK02", "national", 2021), ("PK07", "provincial", 2023))
_REMOVED = ("E06", dt.date(2025, 6, 30))  # a synthetic removal: counted in 2024, not in 2025
_NOT_FILED_2024 = {"E06", "E15"}  # E15 does not file for 2024: flagged for removal for the regulator
_FILED_2025 = ("E01", "E02", "E04", "E18")


def load_green_register(session: Session, actor: str) -> int:
    """Write the demo's designations and filings; returns how many designations were written."""
    who = access.operator(actor)
    written = 0
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.code)))
    for e in enterprises:
        if e.green_factory_level:
            data = {"subject": e.code, "kind": "factory", "level": e.green_factory_level, "year": e.green_factory_year}
            use.designate(session, who, {**data, "batch": "示范批次（虚构）"}, today=dt.date(2025, 12, 31))
            written += 1
        if e.code in _SUPPLY_CHAIN_YEARS:
            data = {"subject": e.code, "kind": "supply_chain", "level": "national", "year": _SUPPLY_CHAIN_YEARS[e.code]}
            use.designate(session, who, data, today=dt.date(2025, 12, 31))
            written += 1
    for park, level, year in _PARKS:
        use.designate(session, who, {"subject": park, "kind": "park", "level": level, "year": year})
        written += 1
    code, day = _REMOVED
    removed = next(d for d in use.visible(session, who) if use.subject_code(d) == code and d.kind == "factory")
    use.decide(session, who, removed.id, "remove", "示范：未按期填报动态管理表（虚构）", on=day)
    designated = sorted({e.code for e in enterprises if e.green_factory_level})
    facts = facility_months(session)  # read once for every filing
    for company in designated:
        if company not in _NOT_FILED_2024:
            filing.file(session, who, company, 2024, on=dt.date(2025, 3, 20), facts=facts)
    for company in _FILED_2025:
        filing.file(session, who, company, 2025, on=dt.date(2026, 1, 15), facts=facts)
    return written
