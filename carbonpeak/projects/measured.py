"""Measured against approved: what a built project's facility measured in a year, next to what the project
designed and had approved. Pure: the counted facility-months come as a DataFrame (the store reads them,
:func:`carbonpeak.store.projects.measured_vs_approved`); nothing is estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.engine.energy import unit_consumption
from carbonpeak.errors import InputError
from carbonpeak.projects.model import Indicator, Project

__all__ = [
    "IndicatorComparison",
    "MeasuredVsApproved",
    "TotalComparison",
    "check_year",
    "compare_measured",
    "not_built",
]

# How each indicator is measured from a facility's counted months: numerator column of the facts table,
# scale to the indicator's unit per t of output, the numerator's unit, and the formula in words.
_MEASURE: dict[Indicator, tuple[str, float, str, str]] = {
    Indicator.COMPREHENSIVE_ENERGY: ("energy_tce", 1000.0, "tce", "Σ energy_tce × 1000 / Σ output_t"),
    Indicator.AC_POWER_LIQUID_ALUMINIUM: (
        "electrolysis_ac_mwh",
        1000.0,
        "MWh",
        "Σ electrolysis_ac_mwh × 1000 / Σ output_t",
    ),
}


@dataclass(frozen=True)
class IndicatorComparison:
    """A designed unit consumption against the one measured over the counted months (difference = measured −
    designed; percent of designed). ``measured`` is None, with ``no_data`` saying why, where the months give
    no value."""

    indicator: Indicator
    unit: str
    designed: float
    measured: float | None
    difference: float | None
    percent: float | None
    formula: str
    months: int  # months with both the numerator and output
    numerator: float | None  # Σ numerator over those months [numerator_unit]
    numerator_unit: str
    designed_at_output: float | None  # designed × Σ output / scale [numerator_unit]
    no_data: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.value,
            "unit": self.unit,
            "designed": self.designed,
            "measured": self.measured,
            "difference": self.difference,
            "percent": self.percent,
            "formula": self.formula,
            "months": self.months,
            "numerator": self.numerator,
            "numerator_unit": self.numerator_unit,
            "designed_at_output": self.designed_at_output,
            "no_data": self.no_data,
        }


@dataclass(frozen=True)
class TotalComparison:
    """A measured total for the year against the annual amount approved, where the record states one."""

    item: str  # energy_tce, location_tco2e, market_tco2e
    unit: str
    measured: float | None
    approved: float | None  # per year; None: not stated in the record
    difference: float | None
    percent: float | None
    note: str
    note_zh: str = ""

    def note_in(self, lang: str) -> str:
        return self.note if lang == "en" or not self.note_zh else self.note_zh

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "unit": self.unit,
            "measured": self.measured,
            "approved": self.approved,
            "difference": self.difference,
            "percent": self.percent,
            "note": self.note,
            "note_zh": self.note_zh,
        }


@dataclass(frozen=True)
class MeasuredVsApproved:
    """What a built project measured in a year (from the store) next to what was designed and approved.

    ``status``: ``measured``; ``no_data`` (linked, but no counted month of the facility in the year);
    ``not_built`` (not linked to a facility). ``message_en``/``message_zh`` say which, and why.
    """

    code: str
    version: int
    year: int
    status: str
    message_en: str
    message_zh: str
    facility_code: str | None = None
    months_counted: int = 0
    months_with_result: int = 0
    periods: tuple[str, ...] = ()
    output_t: float | None = None
    capacity_t_per_a: float | None = None
    indicators: tuple[IndicatorComparison, ...] = ()
    totals: tuple[TotalComparison, ...] = ()
    years_with_data: tuple[int, ...] = ()
    declared: dict[str, Any] | None = None  # the record's own ``measured`` block for the year, if any
    sources: list[dict[str, Any]] = field(default_factory=list)  # facility-months used: period, version, status

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def indicator(self, indicator: Indicator) -> IndicatorComparison:
        for comparison in self.indicators:
            if comparison.indicator is indicator:
                return comparison
        raise KeyError(indicator)

    def total(self, item: str) -> TotalComparison:
        for comparison in self.totals:
            if comparison.item == item:
                return comparison
        raise KeyError(item)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "year": self.year,
            "status": self.status,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
            "facility_code": self.facility_code,
            "months_counted": self.months_counted,
            "months_with_result": self.months_with_result,
            "periods": list(self.periods),
            "output_t": self.output_t,
            "capacity_t_per_a": self.capacity_t_per_a,
            "indicators": [c.as_dict() for c in self.indicators],
            "totals": [c.as_dict() for c in self.totals],
            "years_with_data": list(self.years_with_data),
            "declared": self.declared,
            "sources": self.sources,
        }


def _sum(values: pd.Series) -> float:
    return float(np.nansum(values.to_numpy(dtype=float)))


def _difference(measured: float | None, reference: float | None) -> tuple[float | None, float | None]:
    if measured is None or reference is None:
        return None, None
    difference = measured - reference
    return difference, (difference / reference * 100.0 if reference else None)


def compare_measured(
    project: Project,
    months: pd.DataFrame,
    year: int,
    *,
    facility_code: str,
    version: int = 1,
    years_with_data: Sequence[int] = (),
) -> MeasuredVsApproved:
    """Measured against designed and approved, from the counted facility-months of one facility and year.

    Pure. ``months`` has one row per counted facility-month of ``year`` (columns of
    :func:`carbonpeak.store.facts.facility_months`: period, version, status, output_t, energy_tce,
    electrolysis_ac_mwh, total_location_tco2e, total_market_tco2e, has_result).

    Definitions
        For each designed indicator, over the months that report both its numerator and an output:
        comprehensive energy [kgce/t] = Σ energy_tce × 1000 / Σ output_t; AC power per t of liquid aluminium
        [kWh/t] = Σ electrolysis_ac_mwh × 1000 / Σ output_t (as in the benchmark classification).
        ``designed_at_output`` = designed × Σ output_t / 1000: what the months would have used at the designed
        value. Totals (energy, location- and market-based emissions) sum the months that have a result; they
        are set against the annual amounts approved (``approved_energy_tce_per_a``,
        ``approved_emissions_tco2e_per_a``) where the record states them. Difference = measured − designed
        (or approved); percent of designed (or approved). No value is invented: a month without a result
        counts in no energy or emission figure, and an indicator without months says so.
    """
    periods = tuple(sorted(str(p) for p in months["period"])) if not months.empty else ()
    declared = None
    if project.measured is not None and project.measured.year == year:
        declared = project.measured.model_dump(mode="json", exclude_none=True)
    base: dict[str, Any] = {
        "code": project.id,
        "version": version,
        "year": year,
        "facility_code": facility_code,
        "capacity_t_per_a": project.capacity_t_per_a,
        "years_with_data": tuple(years_with_data),
        "declared": declared,
    }
    if months.empty:
        others = ", ".join(str(y) for y in years_with_data)
        tail_en = f"; counted months exist for {others}" if others else "; it has no counted month in any year"
        tail_zh = f"；有已计入月份的年份：{others}" if others else "；该设施尚无任何已计入月份"
        return MeasuredVsApproved(
            status="no_data",
            message_en=f"no data: facility {facility_code} has no counted (verified or locked) month in {year}"
            f"{tail_en}. Nothing is estimated.",
            message_zh=f"无数据：设施 {facility_code} 在 {year} 年没有已计入（已核查或已锁定）的月份{tail_zh}。"
            "不作估算。",
            **base,
        )
    output = pd.to_numeric(months["output_t"], errors="coerce")
    has_result = months["has_result"].astype(bool) if "has_result" in months else months["energy_tce"].notna()
    indicators = []
    for indicator, quantity in project.designed_unit_consumption.items():
        column, scale, numerator_unit, formula = _MEASURE[indicator]
        designed = quantity.canonical(indicator)
        values = pd.to_numeric(months[column], errors="coerce") if column in months else pd.Series(np.nan, months.index)
        usable = values.notna() & output.notna() & (output > 0)
        if column == "energy_tce":
            usable &= has_result
        n = int(usable.sum())
        if n == 0:
            why_en = (
                f"no counted month of {year} reports {column} with an output"
                if column != "energy_tce"
                else f"no counted month of {year} has both a result (energy_tce) and an output"
            )
            indicators.append(
                IndicatorComparison(
                    indicator=indicator,
                    unit=indicator.unit,
                    designed=designed,
                    measured=None,
                    difference=None,
                    percent=None,
                    formula=formula,
                    months=0,
                    numerator=None,
                    numerator_unit=numerator_unit,
                    designed_at_output=None,
                    no_data=why_en,
                )
            )
            continue
        numerator = _sum(values[usable])
        produced = _sum(output[usable])
        measured = float(unit_consumption(numerator, produced, scale))
        difference, percent = _difference(measured, designed)
        indicators.append(
            IndicatorComparison(
                indicator=indicator,
                unit=indicator.unit,
                designed=designed,
                measured=measured,
                difference=difference,
                percent=percent,
                formula=formula,
                months=n,
                numerator=numerator,
                numerator_unit=numerator_unit,
                designed_at_output=designed * produced / scale,
            )
        )
    with_result = months[has_result]
    n_result = len(with_result)
    caveats_en, caveats_zh = [], []
    if len(months) != 12:
        caveats_en.append(f"{len(months)} of 12 months counted: totals are for part of the year")
        caveats_zh.append(f"仅 {len(months)}/12 个月已计入，合计为部分年度")
    if n_result != len(months):
        caveats_en.append(
            f"{len(months) - n_result} counted month(s) without a result yet (a parameter awaited) are left out of "
            "energy and emissions"
        )
        caveats_zh.append(f"{len(months) - n_result} 个已计入月份尚无核算结果，未计入能耗与排放")
    totals = []
    for item, unit, approved, stated in (
        ("energy_tce", "tce", project.approved_energy_tce_per_a, "approved_energy_tce_per_a"),
        ("total_location_tco2e", "tCO2e", project.approved_emissions_tco2e_per_a, "approved_emissions_tco2e_per_a"),
        ("total_market_tco2e", "tCO2e", project.approved_emissions_tco2e_per_a, "approved_emissions_tco2e_per_a"),
    ):
        measured_total = _sum(with_result[item]) if n_result else None
        difference, percent = _difference(measured_total, approved)
        notes = [*caveats_en, f"the record states no {stated}" if approved is None else f"against {stated} (per year)"]
        notes_zh = [*caveats_zh, f"项目记录未申报 {stated}" if approved is None else f"对照 {stated}（年度）"]
        if not n_result:
            notes.append(f"no counted month of {year} has a result: no figure")
            notes_zh.append(f"{year} 年已计入月份均无核算结果，无数值")
        totals.append(
            TotalComparison(
                item, unit, measured_total, approved, difference, percent, "; ".join(notes), "；".join(notes_zh)
            )
        )
    shown = [c for c in indicators if c.measured is not None and c.difference is not None and c.percent is not None]
    if shown:
        first = shown[0]
        assert first.measured is not None and first.difference is not None and first.percent is not None
        sign = "+" if first.difference >= 0 else ""
        summary_en = (
            f"{first.indicator.label_en}: designed {first.designed:,.1f} {first.unit}, measured {first.measured:,.1f} "
            f"{first.unit} ({sign}{first.difference:,.1f} {first.unit}, {sign}{first.percent:.2f} %)"
        )
        summary_zh = (
            f"{first.indicator.label_zh}：设计 {first.designed:,.1f} {first.unit}，实测 {first.measured:,.1f} "
            f"{first.unit}（{sign}{first.difference:,.1f} {first.unit}，{sign}{first.percent:.2f} %）"
        )
    else:
        summary_en = "no unit consumption can be measured from these months"
        summary_zh = "这些月份无法计算单位产品能耗"
    return MeasuredVsApproved(
        status="measured",
        message_en=f"facility {facility_code}, {year}: {len(months)} counted month(s); {summary_en}"
        + "".join(f"; {c}" for c in caveats_en),
        message_zh=f"设施 {facility_code}，{year} 年：已计入 {len(months)} 个月；{summary_zh}"
        + "".join(f"；{c}" for c in caveats_zh),
        months_counted=len(months),
        months_with_result=n_result,
        periods=periods,
        output_t=_sum(output),
        indicators=tuple(indicators),
        totals=tuple(totals),
        sources=[
            {"period": str(r["period"]), "version": int(r["version"]), "status": str(r["status"])}
            for _, r in months.sort_values("period").iterrows()
        ],
        **base,
    )


def check_year(year: int) -> int:
    """A year to compare (1990-2100), else a coded InputError."""
    if not 1990 <= int(year) <= 2100:
        raise InputError(code="projects.not_a_year", field="year", value=year)
    return int(year)


def not_built(project: Project, year: int, *, version: int) -> MeasuredVsApproved:
    """The answer for a project not linked to a registry facility: nothing measured to compare."""
    code = project.id
    return MeasuredVsApproved(
        code=code,
        version=version,
        year=year,
        status="not_built",
        message_en=f"project {code} is not linked to a registry facility: nothing measured to compare "
        f"(once built: carbonpeak projects link {code} --facility CODE)",
        message_zh=f"项目 {code} 尚未关联登记设施，无实测数据可对照"
        f"（建成后：carbonpeak projects link {code} --facility 设施代码）",
        capacity_t_per_a=project.capacity_t_per_a,
    )
