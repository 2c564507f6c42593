"""The plant stock at the base year, built from accounted facility-months (pure: frames in, frames out).

One row per facility of the region that has counted output in the base year, with its registry
attributes, its benchmark class and its base-year totals split the way the pathway model needs:

- ``process_tco2e`` = direct − fuel combustion (process CO2, PFC, carbonates, reductants);
- ``captive_tco2`` / ``captive_tce``: the fuel combustion of the captive power units, found by
  difference: the plant's fuel combustion minus what the plants of its sector without captive power
  burn per tonne (carbonpeak's method, docs/methods/pathways.md §1); ``fuel_tco2`` is the rest;
- ``other_location_tco2e`` / ``other_market_tco2e`` = accounted total − direct − electricity: purchased
  heat and anything else the accounted total holds, so that the base-year emissions of the model equal
  the accounted ones exactly.

``history`` sums the counted months of every year from the horizon's start to the base year, per
sector and province (actual figures: the pathway starts from them).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators.definitions import facility_year_frame, select_region
from carbonpeak.parameters import ParameterSet

__all__ = [
    "BREAKDOWN_COLUMNS",
    "HISTORY_COLUMNS",
    "PLANT_COLUMNS",
    "REGISTRY_COLUMNS",
    "Stock",
    "base_classes",
    "build_stock",
    "region_months",
    "stock_of_region",
]

PLANT_COLUMNS = [
    "facility_code",
    "enterprise_code",
    "sector",
    "product",
    "technology",
    "process_route",
    "province_code",
    "city_code",
    "status",
    "status_since",
    "retired_on",
    "commissioning_year",
    "capacity_t_per_a",
    "months",
    "output_t",
    "direct_tco2e",
    "process_tco2e",
    "fuel_tco2",
    "captive_tco2",
    "electricity_location_tco2",
    "electricity_market_tco2",
    "other_location_tco2e",
    "other_market_tco2e",
    "total_location_tco2e",
    "total_market_tco2e",
    "grid_mwh",
    "captive_mwh",
    "onsite_renewable_mwh",
    "green_mwh",
    "exported_mwh",
    "electrolysis_ac_mwh",
    "energy_tce",
    "fuel_tce",
    "captive_tce",
    "direct_alloying_t",
    "scrap_t",
    "benchmark_class",
    "indicator_value",
    "indicator_unit",
    "benchmark_level",
    "baseline_level",
    "benchmark_edition",
    "deadline",
]
HISTORY_COLUMNS = [
    "year",
    "sector",
    "province_code",
    "facilities",
    "months",
    "output_t",
    "energy_tce",
    "total_location_tco2e",
    "total_market_tco2e",
    "grid_mwh",
    "captive_mwh",
    "onsite_renewable_mwh",
    "green_mwh",
    "exported_mwh",
    "direct_alloying_t",
    "scrap_t",
]
_MONTH_FLOWS = {
    "output_t": "output_t",
    "energy_tce": "energy_tce",
    "total_location_tco2e": "total_location_tco2e",
    "total_market_tco2e": "total_market_tco2e",
    "direct_tco2e": "direct_tco2e",
    "grid_mwh": "grid_electricity_mwh",
    "captive_mwh": "captive_electricity_mwh",
    "onsite_renewable_mwh": "onsite_renewable_mwh",
    "exported_mwh": "exported_electricity_mwh",
    "electrolysis_ac_mwh": "electrolysis_ac_mwh",
    "direct_alloying_t": "direct_alloying_t",
    "scrap_t": "scrap_input_t",
}
# The result breakdown of each month the stock needs (a result's values), and the registry's attributes.
BREAKDOWN_COLUMNS = ["fuel_tco2", "fuel_tce", "electricity_location_tco2", "electricity_market_tco2"]
REGISTRY_COLUMNS = ["facility_code", "process_route", "status", "status_since", "retired_on", "commissioning_year"]


@dataclass
class Stock:
    """The base-year stock of a region and its history."""

    region: str
    base_year: int
    plants: pd.DataFrame
    history: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """sha256 of the stock's content (what a saved run records and a reproduction checks)."""
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "base_year": self.base_year,
            "plants": _records(self.plants),
            "history": _records(self.history),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stock:
        return cls(
            region=str(data["region"]),
            base_year=int(data["base_year"]),
            plants=pd.DataFrame(data["plants"], columns=PLANT_COLUMNS),
            history=pd.DataFrame(data["history"], columns=HISTORY_COLUMNS),
            notes=list(data.get("notes", [])),
        )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()})
    return out


def build_stock(
    months: pd.DataFrame,
    registry: pd.DataFrame,
    classes: pd.DataFrame,
    *,
    region: str,
    base_year: int,
    start_year: int,
    notes: list[str] | None = None,
) -> Stock:
    """The stock from counted facility-months of the region.

    ``months``: the facts table of :func:`carbonpeak.store.facts.facility_months` for the region,
    with the result columns fuel_tco2, fuel_tce, electricity_location_tco2, electricity_market_tco2 added
    (NaN where a month has none). ``registry``: facility_code, process_route, status, status_since,
    retired_on, commissioning_year. ``classes``: facility_code, benchmark_class, indicator_value,
    indicator_unit, benchmark_level, baseline_level, benchmark_edition, deadline (base-year classes).
    """
    notes = list(notes or [])
    frame = months.copy()
    frame["green_mwh"] = frame["green_certificate_mwh"].fillna(0.0) + frame["direct_renewable_mwh"].fillna(0.0)
    flows = {**_MONTH_FLOWS, "green_mwh": "green_mwh"}
    for column in [*flows.values(), *BREAKDOWN_COLUMNS]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    base = frame[frame["year"] == base_year]
    if base.empty:
        raise ValueError(f"no counted facility-month of region {region!r} in the base year {base_year}")
    grouped = base.groupby("facility_code", sort=True)
    plants = grouped.agg(
        enterprise_code=("enterprise_code", "first"),
        sector=("sector", "first"),
        product=("product", "first"),
        technology=("technology", "first"),
        province_code=("province_code", "first"),
        city_code=("city_code", "first"),
        capacity_t_per_a=("capacity_t_per_a", "max"),
        months=("period", "count"),
        **{name: (source, "sum") for name, source in flows.items()},
        **{name: (name, "sum") for name in BREAKDOWN_COLUMNS},
    ).reset_index()
    plants = plants[plants["output_t"] > 0].reset_index(drop=True)
    plants["product"] = plants["product"].fillna("").astype(str)
    plants["technology"] = plants["technology"].fillna("").astype(str)
    plants["process_tco2e"] = plants["direct_tco2e"] - plants["fuel_tco2"]
    _split_captive(plants)
    plants["other_location_tco2e"] = (
        plants["total_location_tco2e"] - plants["direct_tco2e"] - plants["electricity_location_tco2"]
    )
    plants["other_market_tco2e"] = (
        plants["total_market_tco2e"] - plants["direct_tco2e"] - plants["electricity_market_tco2"]
    )
    extra = registry.set_index("facility_code")
    for column in ("process_route", "status", "status_since", "retired_on", "commissioning_year"):
        plants[column] = plants["facility_code"].map(extra[column]) if column in extra else None
    cls = classes.set_index("facility_code") if not classes.empty else pd.DataFrame()
    for column, default in (
        ("benchmark_class", "not_classified"),
        ("indicator_value", np.nan),
        ("indicator_unit", ""),
        ("benchmark_level", np.nan),
        ("baseline_level", np.nan),
        ("benchmark_edition", ""),
        ("deadline", ""),
    ):
        mapped = plants["facility_code"].map(cls[column]) if column in cls else pd.Series(np.nan, index=plants.index)
        plants[column] = mapped.where(mapped.notna(), default)
    short = plants[plants["months"] < 12]
    for _, row in short.iterrows():
        notes.append(
            f"{row['facility_code']}: {int(row['months'])} counted months in {base_year}; its base-year figures "
            "are what was counted (not annualised)"
        )
    missing = sorted(set(frame["facility_code"]) - set(plants["facility_code"]))
    if missing:
        notes.append(
            f"not in the stock (no counted output in {base_year}): {', '.join(missing)}; they count in the history only"
        )
    history = _history(frame, start_year, base_year)
    return Stock(region=region, base_year=base_year, plants=plants[PLANT_COLUMNS], history=history, notes=notes)


def _split_captive(plants: pd.DataFrame) -> None:
    """Fuel combustion of captive power units, by difference against the sector's plants without them."""
    plants["captive_tco2"] = 0.0
    plants["captive_tce"] = 0.0
    with_captive = plants["captive_mwh"] > 0
    for sector, group in plants[with_captive].groupby("sector"):
        reference = plants[(plants["sector"] == sector) & ~with_captive]
        output = float(reference["output_t"].sum())
        per_t_co2 = float(reference["fuel_tco2"].sum()) / output if output > 0 else 0.0
        per_t_tce = float(reference["fuel_tce"].sum()) / output if output > 0 else 0.0
        index = group.index
        plants.loc[index, "captive_tco2"] = np.clip(
            group["fuel_tco2"] - per_t_co2 * group["output_t"], 0.0, group["fuel_tco2"]
        )
        plants.loc[index, "captive_tce"] = np.clip(
            group["fuel_tce"] - per_t_tce * group["output_t"], 0.0, group["fuel_tce"]
        )
    plants["fuel_tco2"] = plants["fuel_tco2"] - plants["captive_tco2"]
    plants["fuel_tce"] = plants["fuel_tce"] - plants["captive_tce"]


def _history(frame: pd.DataFrame, start_year: int, base_year: int) -> pd.DataFrame:
    rows = frame[(frame["year"] >= start_year) & (frame["year"] <= base_year)]
    if rows.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    history = (
        rows.groupby(["year", "sector", "province_code"], sort=True)
        .agg(
            facilities=("facility_code", "nunique"),
            months=("period", "count"),
            output_t=("output_t", "sum"),
            energy_tce=("energy_tce", "sum"),
            total_location_tco2e=("total_location_tco2e", "sum"),
            total_market_tco2e=("total_market_tco2e", "sum"),
            grid_mwh=("grid_electricity_mwh", "sum"),
            captive_mwh=("captive_electricity_mwh", "sum"),
            onsite_renewable_mwh=("onsite_renewable_mwh", "sum"),
            green_mwh=("green_mwh", "sum"),
            exported_mwh=("exported_electricity_mwh", "sum"),
            direct_alloying_t=("direct_alloying_t", "sum"),
            scrap_t=("scrap_input_t", "sum"),
        )
        .reset_index()
    )
    return history[HISTORY_COLUMNS]


def region_months(facts: pd.DataFrame, region: str, base_year: int) -> pd.DataFrame:
    """The counted facility-months of ``region`` (:func:`carbonpeak.store.facts.facility_months`), refused
    when the store holds none or none in the base year."""
    if facts.empty:
        raise InputError(code="pathways.store_empty")
    rows = select_region(facts, region).copy()
    held = sorted(set(rows["year"]))
    if base_year not in held:
        raise InputError(
            code="pathways.no_base_year_data",
            field="base_year",
            value=base_year,
            region=region,
            years=", ".join(map(str, held)),
        )
    return rows


def stock_of_region(
    months: pd.DataFrame,
    breakdown: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    region: str,
    base_year: int,
    start_year: int,
    benchmark_edition: str | None,
    params: ParameterSet,
) -> Stock:
    """The stock of ``region`` at ``base_year`` with its history from ``start_year``.

    ``months`` from :func:`region_months`; ``breakdown`` the :data:`BREAKDOWN_COLUMNS` of each month's
    latest result, indexed by version_id (empty when none); ``registry`` has :data:`REGISTRY_COLUMNS`.
    """
    rows = months.copy()
    for column in BREAKDOWN_COLUMNS:
        rows[column] = rows["version_id"].map(breakdown[column]) if not breakdown.empty else float("nan")
    classes, notes = base_classes(rows[rows["year"] == base_year], params, benchmark_edition)
    return build_stock(rows, registry, classes, region=region, base_year=base_year, start_year=start_year, notes=notes)


def base_classes(months: pd.DataFrame, params: ParameterSet, edition: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Benchmark class of each facility in the base year (one classification per product).

    A product whose levels have no value for the edition is left unclassified and named in the notes.
    """
    columns = [
        "facility_code",
        "benchmark_class",
        "indicator_value",
        "indicator_unit",
        "benchmark_level",
        "baseline_level",
        "benchmark_edition",
        "deadline",
    ]
    notes: list[str] = []
    years = facility_year_frame(months) if not months.empty else pd.DataFrame(columns=["product"])
    years = years[years["product"] != ""]
    parts = []
    for product, group in years.groupby("product", sort=True):
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound as exc:
            notes.append(f"{product}: not classified ({exc})")
            continue
        parts.append(
            pd.DataFrame(
                {
                    "facility_code": table["facility_id"],
                    "benchmark_class": table["class"],
                    "indicator_value": table["unit_consumption"],
                    "indicator_unit": table["unit"],
                    "benchmark_level": table["benchmark_level"],
                    "baseline_level": table["baseline_level"],
                    "benchmark_edition": table["edition"].astype(str),
                    "deadline": table["deadline"].astype(str),
                }
            )
        )
    classes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return classes[columns], notes
