"""Facility-year indicators, benchmark classes with deadlines, capacity shares and the aluminium surcharge.

Monthly records are summed to facility-years first: a benchmark class or a surcharge is a statement
about a year's unit consumption, not a month's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import ratios
from carbonpeak.accounting.emissions.records import AccountingResult
from carbonpeak.engine import benchmark as bm
from carbonpeak.engine import energy as en
from carbonpeak.engine import surcharge as sc
from carbonpeak.errors import InputError, ParameterValueMissing
from carbonpeak.messages import Message
from carbonpeak.parameters import Cited, ParameterSet, PeriodLike, load
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT, BenchmarkClass, Sector

_SUMMED = [
    "output_t",
    "electrolysis_ac_mwh",
    "auxiliary_ac_mwh",
    "desulphurisation_mwh",
    "grid_electricity_mwh",
    "captive_electricity_mwh",
    "onsite_renewable_mwh",
    "exported_electricity_mwh",
    "nonhydro_renewable_mwh",
]
INDICATOR_COLUMN = {
    "ac_power_liquid_aluminium": ("ac_power_liquid_aluminium_kwh_per_t", "kWh/t"),
    "comprehensive_energy": ("comprehensive_energy_kgce_per_t", "kgce/t"),
}
_CLASS_BY_CODE = {
    bm.AT_OR_ABOVE_BENCHMARK: BenchmarkClass.AT_OR_ABOVE_BENCHMARK,
    bm.BETWEEN: BenchmarkClass.BETWEEN,
    bm.BELOW_BASELINE: BenchmarkClass.BELOW_BASELINE,
}


def facility_years(result: AccountingResult) -> pd.DataFrame:
    """Sum a result's records to facility-years and compute their unit-consumption indicators."""
    records = result.batch.records
    frame = pd.DataFrame(
        {
            "facility_id": records["facility_id"],
            "facility_name": records["facility_name"],
            "sector": records["sector"],
            "region": records["region"],
            "product": records["product"],
            "year": records["period"].str.slice(0, 4).astype(int),
            "months": 1,
            "capacity_t_per_a": records["capacity_t_per_a"],
            "nonhydro_incentive_weight_pct": records["nonhydro_incentive_weight_pct"],
            **{c: np.nan_to_num(records[c].to_numpy(dtype=float)) for c in _SUMMED if c != "output_t"},
            "output_t": records["output_t"].to_numpy(dtype=float),
            "energy_tce": result.table["energy_tce"],
            "total_location_tco2e": result.table["total_location_tco2e"],
            "total_market_tco2e": result.table["total_market_tco2e"],
        }
    )
    return sum_to_facility_years(frame)


def sum_to_facility_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum facility-month rows to facility-years and compute their unit-consumption indicators.

    ``frame`` has facility_id, facility_name, sector, region, product, year, months,
    capacity_t_per_a, nonhydro_incentive_weight_pct, the summed flows and energy_tce,
    total_location_tco2e, total_market_tco2e (missing flows as 0).

    A month without a result (NaN energy or emissions: it waits for a parameter) makes its
    facility-year's total and the unit consumption made from it NaN: missing, never counted as zero.
    """
    grouped = frame.groupby(["facility_id", "year"], sort=True, as_index=False).agg(
        facility_name=("facility_name", "first"),
        sector=("sector", "first"),
        region=("region", "first"),
        product=("product", "first"),
        months=("months", "sum"),
        capacity_t_per_a=("capacity_t_per_a", "max"),
        nonhydro_incentive_weight_pct=("nonhydro_incentive_weight_pct", "max"),
        **{c: (c, "sum") for c in _SUMMED},
    )
    results = ["energy_tce", "total_location_tco2e", "total_market_tco2e"]
    keys = [frame["facility_id"], frame["year"]]
    sums = frame[results].astype(float).groupby(keys, sort=True).sum(min_count=1)
    waiting = frame[results].isna().groupby(keys, sort=True).any()
    for column in results:
        grouped[column] = sums[column].where(~waiting[column]).to_numpy()
    default_product = grouped["sector"].map(lambda s: SECTOR_BENCHMARK_PRODUCT.get(Sector(s), ""))
    grouped["product"] = grouped["product"].where(grouped["product"] != "", default_product)
    output = grouped["output_t"].to_numpy(dtype=float)
    for indicator in ratios.ratios():  # the AC power indicators, by their one definition
        grouped[indicator] = ratios.evaluate(indicator, grouped)
    grouped["comprehensive_energy_kgce_per_t"] = en.unit_consumption(grouped["energy_tce"], output, 1000.0)
    grouped["electricity_consumption_mwh"] = (
        grouped["grid_electricity_mwh"]
        + grouped["captive_electricity_mwh"]
        + grouped["onsite_renewable_mwh"]
        - grouped["exported_electricity_mwh"]
    )
    return grouped


#: The parameter family of the NDRC benchmark (标杆) and baseline (基准) levels, editions 2021 and 2023.
LEVEL_PARAMETER = "benchmarks.ndrc_level"


def benchmark_level(
    params: ParameterSet,
    product: str,
    level: str,
    period: PeriodLike = None,
    edition: str | None = None,
    *,
    parameter: str = LEVEL_PARAMETER,
) -> Cited:
    """One level of ``product``: ``level`` is ``benchmark`` (标杆水平) or ``baseline`` (基准水平).

    The level of ``edition`` when one is named, else of the edition in force at ``period`` (a year, a
    month or a day). This is the one lookup of benchmark levels: facility classification
    (:func:`classify_facilities`) and the review of new projects (:mod:`carbonpeak.projects.review`)
    both go through it.

    Raises
    ------
    ParameterValueMissing
        the edition has the entry but no official value in carbonpeak (e.g. the 2023 edition's
        non-ferrous levels);
    ParameterNotFound
        no edition is in force at ``period``, or the product has no level.
    """
    return params.at(parameter, period=None if edition else period, edition=edition, product=product, level=level)


def benchmark_levels(
    params: ParameterSet, product: str, period: PeriodLike, edition: str | None = None
) -> tuple[Cited, Cited]:
    """(benchmark, baseline) levels of ``product`` (see :func:`benchmark_level`); a missing official value
    is reported with a hint to choose an edition that has one."""
    try:
        return (
            benchmark_level(params, product, "benchmark", period, edition),
            benchmark_level(params, product, "baseline", period, edition),
        )
    except ParameterValueMissing as exc:
        # The hint names what to choose, not an option: the same words reach the CLI commands (whose options
        # differ: classify --edition, indicators --benchmark-edition) and the web pages.
        raise ParameterValueMissing(
            code="benchmark.level_missing",
            **exc.params,
            parameter=f"{LEVEL_PARAMETER}[product={product}]",
            hint="" if edition else Message("benchmark.choose_edition", edition="2021"),
        ) from None


def classify_facilities(
    frame: pd.DataFrame, params: ParameterSet | None = None, edition: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Cited]]:
    """Benchmark class of each facility-year, with levels, deadline and capacity shares by class.

    ``frame`` needs facility_id, year, product (or sector), capacity_t_per_a, and either the indicator
    columns of :func:`facility_years` or a ``unit_consumption`` column in the indicator's unit.
    Returns (facility table, shares by product and year, cited parameters used).
    """
    params = params or load()
    frame = frame.reset_index(drop=True)
    frame = frame[frame["product"].fillna("").astype(str) != ""]  # alumina, magnesium, other: no benchmark field
    parts: list[pd.DataFrame] = []
    cited: dict[str, Cited] = {}
    # Parameters are looked up once per product and year; the rows of a group are classified together.
    for (product, year), group in frame.groupby([frame["product"].astype(str), frame["year"].astype(int)]):
        indicator_cited = params.at("benchmarks.ndrc_indicator", product=product)
        column, unit = INDICATOR_COLUMN[str(indicator_cited.value)]
        values = group["unit_consumption"] if "unit_consumption" in group else group.get(column)
        benchmark, baseline = benchmark_levels(params, product, int(year), edition)
        deadline = params.at("benchmarks.baseline_deadline", product=product)
        for c in (indicator_cited, benchmark, baseline, deadline):
            cited[c.label] = c
        parts.append(
            pd.DataFrame(
                {
                    "facility_id": group["facility_id"].to_numpy(),
                    "year": int(year),
                    "sector": group["sector"].to_numpy() if "sector" in group else "",
                    "region": group["region"].to_numpy() if "region" in group else "",
                    "product": product,
                    "indicator": indicator_cited.value,
                    "unit": unit,
                    "unit_consumption": pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
                    if values is not None
                    else np.nan,
                    "benchmark_level": float(benchmark.value) * conversion_factor(benchmark.unit, unit),
                    "baseline_level": float(baseline.value) * conversion_factor(baseline.unit, unit),
                    "edition": benchmark.edition,
                    "deadline": deadline.value,
                    "capacity_t_per_a": pd.to_numeric(group["capacity_t_per_a"], errors="coerce").to_numpy(dtype=float)
                    if "capacity_t_per_a" in group
                    else np.nan,
                    "_row": group.index.to_numpy(),
                }
            )
        )
    rows = pd.concat(parts).sort_values("_row") if parts else pd.DataFrame()
    table = rows.reset_index(drop=True)
    if table.empty:
        raise InputError(
            "no facility belongs to a benchmark field",
            expected="records of electrolytic aluminium, "
            "copper, lead, zinc or industrial silicon, or a 'product' column",
        )
    codes = bm.classify(table["unit_consumption"], table["benchmark_level"], table["baseline_level"])
    table["class"] = [(_CLASS_BY_CODE[c].value if c >= 0 else "not_classified") for c in codes]
    table["class_zh"] = [(_CLASS_BY_CODE[c].label_zh if c >= 0 else "无产量，未分级") for c in codes]
    table["gap_to_benchmark"] = bm.gap_to_level(table["unit_consumption"], table["benchmark_level"])
    table["must_act_by"] = np.where(codes == bm.BELOW_BASELINE, table["deadline"], "")
    table["_code"] = codes
    shares = []
    for (product, year), group in table.groupby(["product", "year"]):
        capacity = group["capacity_t_per_a"].fillna(0.0).to_numpy()
        share = bm.capacity_shares(group["_code"].to_numpy(), capacity)
        shares.append(
            {
                "product": product,
                "year": year,
                "facilities": len(group),
                "capacity_t_per_a": float(capacity[group["_code"].to_numpy() >= 0].sum()),
                **{f"share_{_CLASS_BY_CODE[k].value}": v for k, v in share.items()},
            }
        )
    return table.drop(columns=["_row", "_code"]), pd.DataFrame(shares), list(cited.values())


def surcharge_facilities(
    frame: pd.DataFrame, params: ParameterSet | None = None, late_payment: bool = False
) -> tuple[pd.DataFrame, list[Cited]]:
    """The tiered electricity surcharge of each electrolytic-aluminium facility-year.

    Under 1239 (from 2022) the grading indicator is 铝液综合交流电耗 excluding desulphurisation; under the
    2013 notice (2014-2021) it is 铝液电解交流电耗. The surcharge applies to the liquid-aluminium
    production electricity, taken as AC power to electrolysis plus auxiliaries.
    """
    params = params or load()
    rows: list[dict[str, Any]] = []
    cited: dict[str, Cited] = {}
    aluminium = frame[frame["sector"] == Sector.ELECTROLYTIC_ALUMINIUM].reset_index(drop=True)
    if aluminium.empty:
        raise InputError(
            "no electrolytic-aluminium facility in the input",
            field="sector",
            expected="records with sector electrolytic_aluminium",
        )
    for _, row in aluminium.iterrows():
        year = int(row["year"])
        indicator = params.at("benchmarks.tiered_price_al", period=year, item="indicator")
        edition = str(indicator.edition)
        used = [indicator]
        electricity_mwh = float(row["electrolysis_ac_mwh"] + row["auxiliary_ac_mwh"])

        def item(name: str, unit: str, *, _year: int = year, _edition: str = edition, _used: list[Any] = used) -> float:
            c = params.at("benchmarks.tiered_price_al", period=_year, edition=_edition, item=name)
            _used.append(c)
            return float(c.value) * conversion_factor(c.unit, unit)

        out: dict[str, Any] = {
            "facility_id": row["facility_id"],
            "year": year,
            "region": row["region"],
            "edition": edition,
            "electricity_mwh": electricity_mwh,
        }
        if edition == "1239":
            u = float(row["comprehensive_ac_power_excl_desulphurisation_kwh_per_t"])
            threshold = item("threshold", "kWh/t")
            step = item("step", "kWh/t")
            share = (
                100.0 * float(row["nonhydro_renewable_mwh"]) / float(row["electricity_consumption_mwh"])
                if row["electricity_consumption_mwh"] > 0
                else 0.0
            )
            min_share = item("relief_min_share", "percent")
            weight = np.inf  # unused unless the share passes the 15 % condition
            if share > min_share:
                if pd.notna(row.get("nonhydro_incentive_weight_pct", np.nan)):
                    weight = float(row["nonhydro_incentive_weight_pct"])
                else:
                    w = params.at("benchmarks.nonhydro_incentive_weight", province=row["region"])
                    used.append(w)
                    weight = float(w.value)
            relief = float(sc.renewable_relief_factor_1239(share, weight, min_share, item("relief_rate", "percent")))
            steps = float(sc.surcharge_steps_1239(u, threshold, step))
            per_kwh = float(sc.surcharge_yuan_per_kwh_1239(u, threshold, step, item("increment", "yuan/kWh"), relief))
            out.update(
                {
                    "indicator": "铝液综合交流电耗（不含脱硫）",
                    "indicator_kwh_per_t": u,
                    "threshold_kwh_per_t": threshold,
                    "steps": steps,
                    "nonhydro_share_pct": share,
                    "relief_factor": relief,
                }
            )
            multiplier = item("late_payment_multiplier", "dimensionless") if late_payment else 1.0
        else:
            u = float(row["ac_power_liquid_aluminium_kwh_per_t"])
            tier1 = item("tier1_upper", "kWh/t")
            per_kwh = float(
                sc.surcharge_yuan_per_kwh_2013(
                    u,
                    tier1,
                    item("tier2_upper", "kWh/t"),
                    item("tier2_surcharge", "yuan/kWh"),
                    item("tier3_surcharge", "yuan/kWh"),
                )
            )
            out.update({"indicator": "铝液电解交流电耗", "indicator_kwh_per_t": u, "threshold_kwh_per_t": tier1})
            multiplier = 1.0
        out["surcharge_yuan_per_kwh"] = per_kwh
        out["surcharge_yuan"] = float(sc.surcharge_yuan(per_kwh, electricity_mwh, multiplier))
        rows.append(out)
        for c in used:
            cited[c.label + str(c.valid_from)] = c
    return pd.DataFrame(rows), list(cited.values())
