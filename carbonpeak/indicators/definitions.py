"""Plan indicators, each defined once: name (zh/en), unit, the sectors it covers, and its formula.

Every indicator is a pure function of the facts table (one row per counted facility-month, see
:mod:`carbonpeak.indicators.facts`) for one region and year, and returns its value together with
the facilities and months behind it. Nothing here reads the database.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.benchmark import _SUMMED, classify_facilities, sum_to_facility_years
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT, Sector

PRIMARY_METALS = ("electrolytic_aluminium", "copper", "lead", "zinc", "magnesium", "titanium", "industrial_silicon")
RECYCLED_METALS = ("recycled_aluminium", "recycled_copper")


@dataclass
class Value:
    """An indicator's value for one region and year, with what it rests on."""

    indicator: str
    value: float | None
    unit: str
    facilities: list[str] = field(default_factory=list)
    months: int = 0
    note: str = ""
    unverified: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": self.value,
            "unit": self.unit,
            "facilities": len(self.facilities),
            "months": self.months,
            "note": self.note,
        }


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    formula: str
    sectors: tuple[str, ...] | None  # None: every sector
    compute: Callable[[pd.DataFrame, Options], tuple[float | None, str]]


@dataclass(frozen=True)
class Options:
    params: ParameterSet
    benchmark_edition: str | None = None  # None: the edition in force for the year


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> tuple[float | None, str]:
    if denominator == 0 or math.isnan(denominator):
        return None, "no denominator: nothing reported"
    return float(numerator / denominator * scale), ""


def _sum(column: str) -> Callable[[pd.DataFrame, Options], tuple[float | None, str]]:
    def compute(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
        if facts.empty:
            return None, "no counted facility-months"
        return float(facts[column].fillna(0).sum()), ""

    return compute


def _intensity(column: str, scale: float = 1.0) -> Callable[[pd.DataFrame, Options], tuple[float | None, str]]:
    def compute(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
        return _ratio(facts[column].fillna(0).sum(), facts["output_t"].fillna(0).sum(), scale)

    return compute


def _renewable_share(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
    renewable = facts[["direct_renewable_mwh", "green_certificate_mwh", "onsite_renewable_mwh"]].fillna(0).sum().sum()
    used = (
        facts[["grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh"]].fillna(0).sum().sum()
        - facts["exported_electricity_mwh"].fillna(0).sum()
    )
    return _ratio(renewable, used, 100.0)


def _recycled_share(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
    recycled = facts.loc[facts["sector"].isin(RECYCLED_METALS), "output_t"].fillna(0).sum()
    primary = facts.loc[facts["sector"].isin(PRIMARY_METALS), "output_t"].fillna(0).sum()
    return _ratio(recycled, recycled + primary, 100.0)


def _direct_alloying(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
    return _ratio(facts["direct_alloying_t"].fillna(0).sum(), facts["output_t"].fillna(0).sum(), 100.0)


def _waste_utilisation(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
    return _ratio(facts["solid_waste_used_t"].fillna(0).sum(), facts["solid_waste_generated_t"].fillna(0).sum(), 100.0)


def facility_year_frame(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts summed to facility-years, with the indicators benchmark classes use."""
    frame = pd.DataFrame(
        {
            "facility_id": facts["facility_code"],
            "facility_name": facts["facility_code"],
            "sector": facts["sector"],
            "region": facts["province_code"],
            "product": facts["product"].fillna(""),
            "year": facts["year"],
            "months": 1,
            "capacity_t_per_a": facts["capacity_t_per_a"],
            "nonhydro_incentive_weight_pct": np.nan,
            **{c: facts[c].fillna(0.0) for c in _SUMMED},
            **{c: facts[c].fillna(0.0) for c in ("energy_tce", "total_location_tco2e", "total_market_tco2e")},
        }
    )
    return sum_to_facility_years(frame)


def _class_share(kind: str) -> Callable[[pd.DataFrame, Options], tuple[float | None, str]]:
    def compute(facts: pd.DataFrame, options: Options) -> tuple[float | None, str]:
        years = facility_year_frame(facts)
        years = years[years["product"] != ""]
        if years.empty:
            return None, "no facility of a benchmark field"
        try:
            table, _shares, _cited = classify_facilities(years, options.params, edition=options.benchmark_edition)
        except ParameterNotFound as exc:
            return None, str(exc)
        classified = table[table["class"] != "not_classified"]
        capacity = classified["capacity_t_per_a"].fillna(0.0)
        edition = ", ".join(sorted(set(classified["edition"].astype(str))))
        return _ratio(capacity[classified["class"] == kind].sum(), capacity.sum(), 100.0)[0], f"edition {edition}"

    return compute


def _count_distinct(column: str) -> Callable[[pd.DataFrame, Options], tuple[float | None, str]]:
    def compute(facts: pd.DataFrame, _options: Options) -> tuple[float | None, str]:
        return float(facts[column].nunique()), ""

    return compute


INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator(
            "energy_tce",
            "综合能耗",
            "comprehensive energy consumption",
            "tce",
            "Σ energy_tce of counted facility-months",
            None,
            _sum("energy_tce"),
        ),
        Indicator(
            "emissions_location_tco2e",
            "碳排放（基于位置）",
            "emissions, location-based",
            "tCO2e",
            "Σ total_location_tco2e",
            None,
            _sum("total_location_tco2e"),
        ),
        Indicator(
            "emissions_market_tco2e",
            "碳排放（基于市场）",
            "emissions, market-based",
            "tCO2e",
            "Σ total_market_tco2e",
            None,
            _sum("total_market_tco2e"),
        ),
        Indicator("output_t", "产品产量", "product output", "t", "Σ output_t", None, _sum("output_t")),
        Indicator(
            "emission_intensity_tco2e_per_t",
            "单位产品碳排放（基于位置）",
            "emission intensity, location-based",
            "tCO2e/t",
            "Σ total_location_tco2e / Σ output_t (within one sector)",
            None,
            _intensity("total_location_tco2e"),
        ),
        Indicator(
            "energy_intensity_kgce_per_t",
            "单位产品综合能耗",
            "energy per tonne of product",
            "kgce/t",
            "Σ energy_tce × 1000 / Σ output_t (within one sector)",
            None,
            _intensity("energy_tce", 1000.0),
        ),
        Indicator(
            "capacity_share_at_or_above_benchmark",
            "能效标杆水平以上产能占比",
            "share of capacity at or above the benchmark level",
            "%",
            "Σ capacity of facility-years at or above 标杆水平 / Σ classified capacity × 100",
            None,
            _class_share("at_or_above_benchmark"),
        ),
        Indicator(
            "capacity_share_below_baseline",
            "能效基准水平以下产能占比",
            "share of capacity below the baseline level",
            "%",
            "Σ capacity of facility-years below 基准水平 / Σ classified capacity × 100",
            None,
            _class_share("below_baseline"),
        ),
        Indicator(
            "renewable_share_electricity",
            "可再生能源电力使用占比",
            "renewable share of electricity used",
            "%",
            "(direct renewable purchase + green certificates + on-site renewables) / (grid + captive + on-site − "
            "exported) × 100",
            ("electrolytic_aluminium",),
            _renewable_share,
        ),
        Indicator(
            "recycled_metal_share",
            "再生金属供应占比",
            "recycled metal share of supply",
            "%",
            "output of recycled aluminium and copper / (that + primary metal output) × 100",
            None,
            _recycled_share,
        ),
        Indicator(
            "direct_alloying_share",
            "铝液直接合金化比例",
            "share of molten aluminium directly alloyed",
            "%",
            "Σ direct_alloying_t / Σ liquid aluminium output × 100",
            ("electrolytic_aluminium",),
            _direct_alloying,
        ),
        Indicator(
            "solid_waste_utilisation_rate",
            "工业固废综合利用率",
            "comprehensive utilisation rate of solid waste",
            "%",
            "Σ solid_waste_used_t / Σ solid_waste_generated_t × 100",
            None,
            _waste_utilisation,
        ),
        Indicator(
            "reporting_facilities",
            "报送设施数",
            "facilities reporting",
            "facilities",
            "number of distinct facilities with a counted month",
            None,
            _count_distinct("facility_code"),
        ),
    ]
}


def select_region(facts: pd.DataFrame, region: str | None) -> pd.DataFrame:
    """Rows of a province, city, park or cluster (by code); all rows when ``region`` is None."""
    if region is None:
        return facts
    clusters: dict[str, list[str]] = facts.attrs.get("clusters", {})
    if region in clusters:
        return facts[facts["city_code"].isin(clusters[region])]
    for column in ("province_code", "city_code", "park_code"):
        if (facts[column] == region).any():
            return facts[facts[column] == region]
    raise InputError(
        "unknown region",
        field="region",
        value=region,
        expected="a province, city, park or cluster code in the registry",
    )


def compute(
    indicator_id: str,
    facts: pd.DataFrame,
    *,
    region: str | None,
    year: int,
    sector: str | None = None,
    options: Options | None = None,
    sectors: list[str] | None = None,
) -> Value:
    """One indicator for a region, year and (optionally) one sector or several sectors taken together."""
    try:
        indicator = INDICATORS[indicator_id]
    except KeyError:
        raise InputError(
            "unknown indicator", field="indicator", value=indicator_id, expected="one of " + ", ".join(INDICATORS)
        ) from None
    if sector is not None and sector not in {s.value for s in Sector}:
        raise InputError("unknown sector", field="sector", value=sector)
    options = options or Options(params=load())
    rows = select_region(facts, region)
    rows = rows[rows["year"] == year]
    if indicator.sectors is not None:
        rows = rows[rows["sector"].isin(indicator.sectors)]
    if sector is not None:
        rows = rows[rows["sector"] == sector]
    if sectors:
        rows = rows[rows["sector"].isin(sectors)]
    value, note = indicator.compute(rows, options)
    if value is not None and math.isnan(value):
        value = None
    return Value(
        indicator=indicator.id,
        value=value,
        unit=indicator.unit,
        facilities=sorted(set(rows["facility_code"])),
        months=len(rows),
        note=note,
    )


def table(facts: pd.DataFrame, *, region: str | None, year: int, options: Options | None = None) -> pd.DataFrame:
    """Every indicator for a region and year: in total and, where it makes sense, by sector."""
    options = options or Options(params=load())
    rows = []
    sectors = sorted(set(select_region(facts, region)["sector"].dropna()))
    per_sector = {
        "energy_tce",
        "emissions_location_tco2e",
        "emissions_market_tco2e",
        "output_t",
        "emission_intensity_tco2e_per_t",
        "energy_intensity_kgce_per_t",
        "capacity_share_at_or_above_benchmark",
        "capacity_share_below_baseline",
    }
    benchmark_sectors = [s for s in sectors if Sector(s) in SECTOR_BENCHMARK_PRODUCT]
    for indicator in INDICATORS.values():
        scopes: list[str | None] = [None] if indicator.id not in per_sector else [None, *sectors]
        if indicator.id in ("emission_intensity_tco2e_per_t", "energy_intensity_kgce_per_t", "output_t"):
            scopes = list(sectors)  # an intensity across different products means nothing
        if indicator.id.startswith("capacity_share"):
            scopes = list(benchmark_sectors)  # a share of benchmark classes is read per product
        for sector in scopes:
            value = compute(indicator.id, facts, region=region, year=year, sector=sector, options=options)
            if sector is not None and value.months == 0:
                continue
            rows.append(
                {
                    "indicator": indicator.id,
                    "name_zh": indicator.name_zh,
                    "name_en": indicator.name_en,
                    "sector": sector or "all",
                    "value": value.value,
                    "unit": value.unit,
                    "facilities": len(value.facilities),
                    "months": value.months,
                    "note": value.note,
                }
            )
    return pd.DataFrame(rows)
