"""Reads for the disclosed figures: the parts of each counted month's latest result (the result columns
the facts table does not carry), and the latest allowance statement and flags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.store.disclosure.models import AllowanceStatement, DisclosureFlag
from carbonpeak.store.models import Fact, Result

PARTS = ("fuel_tco2", "process_tco2", "pfc_tco2e", "electricity_location_tco2", "electricity_market_tco2", "heat_tco2")
_CHUNK = 2000


def result_parts(session: Session, version_ids: Iterable[int]) -> pd.DataFrame:
    """Per version (``version_id``), its latest result's method and the parts of :data:`PARTS` (t CO2e)."""
    ids = sorted({int(v) for v in version_ids})
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(Fact.version_id, Result.method, Result.values)
            .join(Result, Fact.result_id == Result.id)
            .where(Fact.version_id.in_(ids[start : start + _CHUNK]))
        )
        for version_id, method, values in session.execute(query):
            values = values or {}
            rows.append({"version_id": int(version_id), "method": method, **{p: _number(values.get(p)) for p in PARTS}})
    return pd.DataFrame(rows, columns=["version_id", "method", *PARTS])


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def latest_statement(session: Session, enterprise_code: str, year: int) -> AllowanceStatement | None:
    return session.scalar(
        select(AllowanceStatement)
        .where(AllowanceStatement.enterprise_code == enterprise_code, AllowanceStatement.year == year)
        .order_by(AllowanceStatement.version.desc())
        .limit(1)
    )


def next_statement_version(session: Session, enterprise_code: str, year: int) -> int:
    latest = session.scalar(
        select(func.max(AllowanceStatement.version)).where(
            AllowanceStatement.enterprise_code == enterprise_code, AllowanceStatement.year == year
        )
    )
    return int(latest or 0) + 1


def flags(session: Session) -> dict[str, DisclosureFlag]:
    """Each flagged enterprise's latest flag (withdrawn ones included: ``obliged`` False)."""
    out: dict[str, DisclosureFlag] = {}
    for row in session.scalars(select(DisclosureFlag).order_by(DisclosureFlag.enterprise_code, DisclosureFlag.version)):
        out[row.enterprise_code] = row
    return out


def next_flag_version(session: Session, enterprise_code: str) -> int:
    latest = session.scalar(
        select(func.max(DisclosureFlag.version)).where(DisclosureFlag.enterprise_code == enterprise_code)
    )
    return int(latest or 0) + 1
