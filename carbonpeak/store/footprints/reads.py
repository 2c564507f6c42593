"""What a footprint reads from the store: a facility's verified months of a calendar year with the
results accounting computed for them, the months that are not verified, and the upstream supplies.

The months are the same verified versions the indicators count (:mod:`carbonpeak.store.facts`: per
month the latest verified or locked version) and their latest result, so a product footprint and the
facility's reported emissions reconcile.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.store import repository as repo
from carbonpeak.store.footprints.models import FootprintSupply
from carbonpeak.store.models import Facility, Fact, Result, SubmissionVersion

# What each month brings: result columns (t, MWh, t CO2e) and record fields.
RESULT_FIELDS = (
    "output_t",
    "fuel_tco2",
    "process_tco2",
    "pfc_tco2e",
    "heat_tco2",
    "electricity_location_tco2",
    "electricity_market_tco2",
)
RECORD_FIELDS = (
    "grid_electricity_mwh",
    "exported_electricity_mwh",
    "captive_electricity_mwh",
    "direct_renewable_mwh",
    "onsite_renewable_mwh",
    "green_certificate_mwh",
    "scrap_input_t",
    "net_anode_consumption_t_per_t",
)
MONTH_COLUMNS = ["facility_id", "period", "version_id", "version", "result_id", *RESULT_FIELDS, *RECORD_FIELDS]


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def year_months(session: Session, facility_ids: Iterable[int], year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(verified months, months not verified) of the facilities in ``year``.

    Verified: per month the latest verified or locked version with its latest result (a month verified
    without a result yet has NaN results). Not verified: facility_id, period and the latest status
    ("missing" for a month never reported) of each of the year's twelve months that has no verified version.
    """
    ids = sorted(set(int(i) for i in facility_ids))
    periods = [f"{year}-{m:02d}" for m in range(1, 13)]
    rows = session.execute(
        select(
            Fact.facility_id,
            Fact.period,
            Fact.version_id,
            Fact.version,
            Fact.status,
            Fact.result_id,
            Fact.submission_id,
        ).where(Fact.facility_id.in_(ids), Fact.period.in_(periods))
    ).all()
    frame = pd.DataFrame(
        rows, columns=["facility_id", "period", "version_id", "version", "status", "result_id", "submission_id"]
    )
    frame = frame.sort_values(["submission_id", "version"])
    counted = frame[frame["status"].isin(repo.COUNTED)].drop_duplicates("submission_id", keep="last")
    latest = frame.drop_duplicates("submission_id", keep="last")
    result_ids = [int(r) for r in counted["result_id"].dropna()]
    values: dict[int, dict[str, Any]] = (
        dict(session.execute(select(Result.id, Result.values).where(Result.id.in_(result_ids))).all())
        if result_ids
        else {}
    )
    version_ids = [int(v) for v in counted["version_id"]]
    records: dict[int, dict[str, Any]] = (
        dict(
            session.execute(
                select(SubmissionVersion.id, SubmissionVersion.record).where(SubmissionVersion.id.in_(version_ids))
            ).all()
        )
        if version_ids
        else {}
    )
    out = []
    for row in counted.itertuples(index=False):
        result = values.get(int(row.result_id), {}) if pd.notna(row.result_id) else {}
        record = records.get(int(row.version_id), {})
        out.append(
            [
                int(row.facility_id),
                row.period,
                int(row.version_id),
                int(row.version),
                int(row.result_id) if pd.notna(row.result_id) else None,
                *(_number(result.get(name)) if result else float("nan") for name in RESULT_FIELDS),
                *(_number(record.get(name)) for name in RECORD_FIELDS),
            ]
        )
    months = pd.DataFrame(out, columns=MONTH_COLUMNS)
    have = set(zip(counted["facility_id"], counted["period"], strict=True))
    status_of = {(f, p): s for f, p, s in zip(latest["facility_id"], latest["period"], latest["status"], strict=True)}
    pending = [(f, p, status_of.get((f, p), "missing")) for f in ids for p in periods if (f, p) not in have]
    return months, pd.DataFrame(pending, columns=["facility_id", "period", "status"])


def supplies(session: Session, facility_ids: Iterable[int], year: int) -> pd.DataFrame:
    """The latest supply of each (facility, material) for ``year``."""
    ids = sorted(set(int(i) for i in facility_ids))
    rows = session.scalars(
        select(FootprintSupply)
        .where(FootprintSupply.facility_id.in_(ids), FootprintSupply.year == year)
        .order_by(FootprintSupply.id)
    ).all()
    latest: dict[tuple[int, str], FootprintSupply] = {}
    for supply in rows:
        latest[(supply.facility_id, supply.material)] = supply
    codes = dict(session.execute(select(Facility.id, Facility.code)).all())
    return pd.DataFrame(
        [
            {
                "supply_id": s.id,
                "facility_id": s.facility_id,
                "material": s.material,
                "supplier_name": s.supplier_name,
                "supplier_facility_id": s.supplier_facility_id,
                "supplier_facility_code": codes.get(s.supplier_facility_id) if s.supplier_facility_id else None,
                "footprint_tco2e_per_t": s.footprint_tco2e_per_t,
                "quantity_t_per_t": s.quantity_t_per_t,
                "cradle_to_gate": bool(s.cradle_to_gate),
                "evidence": s.evidence,
            }
            for s in latest.values()
        ],
        columns=[
            "supply_id",
            "facility_id",
            "material",
            "supplier_name",
            "supplier_facility_id",
            "supplier_facility_code",
            "footprint_tco2e_per_t",
            "quantity_t_per_t",
            "cradle_to_gate",
            "evidence",
        ],
    )
