"""What the pages show of green power: the two indirect figures and the electricity by source of a
facility, an enterprise or a region for a year (totals, by month, by facility), and the renewable share
of electrolytic aluminium by month and year against the plan's target. Sums of the per facility-month
report of :mod:`carbonpeak.services.green_power`; nothing is computed here that the report does not hold
(the share is the engine's, from summed numerators and denominators)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.engine.emissions.scope2 import renewable_share_pct
from carbonpeak.services import green_power as use
from carbonpeak.services.access import Principal

SUMMED = (
    "grid_mwh",
    "contract_mwh",
    "certificate_mwh",
    "onsite_mwh",
    "electricity_used_mwh",
    "renewable_mwh",
    "location_tco2",
    "market_tco2",
)


@dataclass
class Summary:
    """A year of one scope: totals, one row per month and per facility, and the factors used."""

    year: int
    totals: dict[str, Any]
    months: list[dict[str, Any]] = field(default_factory=list)
    facilities: list[dict[str, Any]] = field(default_factory=list)
    factors: list[dict[str, Any]] = field(default_factory=list)
    reported_only: bool = False  # no instrument registered: every green volume is the form's own

    @property
    def empty(self) -> bool:
        return not self.months


def _sums(frame: pd.DataFrame) -> dict[str, Any]:
    sums: dict[str, Any] = {name: float(frame[name].sum(min_count=1)) for name in SUMMED}
    sums = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in sums.items()}
    aluminium = frame[frame["sector"] == "electrolytic_aluminium"]
    share = renewable_share_pct(aluminium["renewable_mwh"].sum(), aluminium["electricity_used_mwh"].sum())
    sums["share_pct"] = None if aluminium.empty or math.isnan(float(share)) else float(share)
    sums["aluminium_renewable_mwh"] = float(aluminium["renewable_mwh"].sum())
    sums["aluminium_used_mwh"] = float(aluminium["electricity_used_mwh"].sum())
    return sums


def summary(
    session: Session,
    principal: Principal,
    *,
    year: int,
    facility: str | None = None,
    enterprise: str | None = None,
    region: str | None = None,
    include_submitted: bool = False,
) -> Summary:
    report = use.electricity_report(
        session,
        principal,
        facility=facility,
        enterprise=enterprise,
        region=region,
        year=year,
        include_submitted=include_submitted,
    ).reset_index()
    if report.empty:
        return Summary(year, {name: None for name in (*SUMMED, "share_pct")})
    months = [{"period": p, **_sums(rows)} for p, rows in report.groupby("period", sort=True)]
    facilities = [{"facility": f, **_sums(rows)} for f, rows in report.groupby("facility_code", sort=True)]
    report["year"] = report["period"].str.slice(0, 4)
    factors = (
        report.groupby(["year", "residual_basis"], sort=True)[
            ["location_factor_tco2_per_mwh", "residual_factor_tco2_per_mwh", "factor_sources", "factor_sources_en"]
        ]
        .first()
        .reset_index()
        .to_dict("records")
    )
    bases = report[["contract_basis", "certificate_basis", "onsite_basis"]].to_numpy()
    return Summary(
        year,
        _sums(report),
        months,
        facilities,
        factors,
        reported_only=not (bases == "registered").any(),
    )


def share_series(
    session: Session, principal: Principal, *, enterprise: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """The share of electrolytic aluminium by month and by year, with the target it is read against."""
    by_month = use.renewable_share(session, principal, enterprise=enterprise, region=region, by="period")
    by_year = use.renewable_share(session, principal, enterprise=enterprise, region=region, by="year")

    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        out = []
        for row in frame.to_dict("records"):
            share = row.get("share_pct")
            row["share_pct"] = None if share is None or math.isnan(float(share)) else float(share)
            out.append(row)
        return out

    return {"months": rows(by_month), "years": rows(by_year), "target": use.share_target(session)}
