"""The national electrolytic-aluminium ceiling: the registry's approved capacity against the ceiling in force.
Pure; :func:`carbonpeak.store.capacity.ceiling_check` reads the events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from carbonpeak.capacity.events import parse_capacity
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.parameters import ParameterSet
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import Sector

CEILING_PARAMETER = "capacity.national_ceiling"
CEILING_SECTOR = Sector.ELECTROLYTIC_ALUMINIUM.value


def ceiling_status(
    approved: pd.DataFrame,
    on_date: dt.date,
    params: ParameterSet,
    national_approved_elsewhere_t_per_a: float | str | None = None,
) -> dict[str, Any]:
    """The approved electrolytic-aluminium capacity of ``approved``
    (:func:`carbonpeak.capacity.ledger.approved_capacity`) against the national ceiling in force on ``on_date``.

    Without ``national_approved_elsewhere_t_per_a`` (the approved capacity of the rest of the country,
    given by the caller) no national total or headroom is stated: the registry is not the country.
    """
    elsewhere: float | None = None
    if national_approved_elsewhere_t_per_a is not None:
        elsewhere = parse_capacity(national_approved_elsewhere_t_per_a, field="national_approved_elsewhere_t_per_a")
        if elsewhere < 0:
            raise InputError(
                code="capacity.elsewhere_negative",
                field="national_approved_elsewhere_t_per_a",
                value=national_approved_elsewhere_t_per_a,
            )
    rows = approved[approved["sector"] == CEILING_SECTOR] if not approved.empty else approved
    by_province = (
        {str(k): float(v) for k, v in rows.groupby("province")["approved_t_per_a"].sum().items()} if len(rows) else {}
    )
    registry_total = float(sum(by_province.values()))
    report: dict[str, Any] = {
        "on_date": on_date.isoformat(),
        "sector": CEILING_SECTOR,
        "registry_provinces": sorted(by_province),
        "registry_approved_by_province_t_per_a": by_province,
        "registry_approved_t_per_a": registry_total,
        "ceiling_t_per_a": None,
        "ceiling": None,
        "citation": None,
        "ceiling_verified": None,
        "registry_share_of_ceiling_pct": None,
        "national_approved_elsewhere_t_per_a": elsewhere,
        "national_approved_t_per_a": None,
        "headroom_t_per_a": None,
        "within_ceiling": None,
        "note": "",
    }
    try:
        cited = params.at(CEILING_PARAMETER, period=on_date, sector=CEILING_SECTOR)
    except ParameterNotFound as exc:
        report["note"] = f"no national ceiling in force: {exc}"
        return report
    ceiling = float(cited.value) * conversion_factor(cited.unit, "t/a")
    report.update(
        {
            "ceiling_t_per_a": ceiling,
            "ceiling": cited.as_dict(),
            "citation": cited.citation(),
            "ceiling_verified": cited.verified,
            "registry_share_of_ceiling_pct": 100.0 * registry_total / ceiling,
        }
    )
    if elsewhere is None:
        report["note"] = (
            "the registry holds only the provinces listed; give the approved capacity of the rest of the country "
            "(national_approved_elsewhere_t_per_a, CLI --national-elsewhere) for a national total and headroom"
        )
    else:
        national = registry_total + elsewhere
        report.update(
            {
                "national_approved_t_per_a": national,
                "headroom_t_per_a": ceiling - national,
                "within_ceiling": bool(national <= ceiling),
                "note": "national total = registry approved + the rest of the country as given by the caller",
            }
        )
    if not cited.verified:
        report["note"] += f"; the ceiling rests on a {cited.confidence.value}-confidence source (unverified)"
    return report
