"""Plan indicators, each defined once: name (zh/en), unit, the sectors it covers, and its formula.

Every indicator is a pure function of prepared data for one region: the facts table (one row per
counted facility-month, :mod:`carbonpeak.store.facts`) summed once by year and sector, the
statistics the regulator entered (:mod:`carbonpeak.store.statistics`) and the registry's green
designations. Each formula works on all years at once, so a province's whole table, every year and
every sector, is one ``groupby`` and a handful of vector operations. Nothing here reads the database.

Only months with a result are summed: a month waiting for a parameter has no energy or emissions, and
leaving its reported quantities in would bias every ratio, so it is left out whole and counted as
waiting. Each value carries the coverage of the months it rests on (:mod:`carbonpeak.indicators.coverage`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak import messages
from carbonpeak.accounting.benchmark import _SUMMED, classify_facilities, sum_to_facility_years
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.green import register as green_register
from carbonpeak.indicators import coverage as cov
from carbonpeak.messages import Bilingual, CodedText, Message
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.vocabulary import SECTOR_BENCHMARK_PRODUCT, Sector

PRIMARY_METALS = ("electrolytic_aluminium", "copper", "lead", "zinc", "magnesium", "titanium", "industrial_silicon")
RECYCLED_METALS = ("recycled_aluminium", "recycled_copper")
GREEN_FACTORY_LEVELS = ("provincial", "national")  # 省级及以上 (the plans count provincial level or above)
REPORTING = "reporting"  # the scope of indicators computed from what enterprises report here


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
    versions: list[int] = field(default_factory=list)  # submission versions behind the value
    scope: str = REPORTING
    coverage: cov.Coverage = field(default_factory=cov.Coverage)  # facility-months counted and left out
    period: cov.YearPeriod | None = None  # the months the value spans (a partial year stops before December)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": self.value,
            "unit": self.unit,
            "scope": self.scope,
            "facilities": len(self.facilities),
            "months": self.months,
            "coverage": self.coverage.as_dict(),
            "period": self.period.as_dict() if self.period else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Options:
    params: ParameterSet
    benchmark_edition: str | None = None  # None: the edition in force for the year
    statistics: pd.DataFrame | None = None  # store.statistics.current_statistics(); None: none entered
    registry: pd.DataFrame | None = None  # facts.green_registry(); None: registry counts unavailable
    base_year: int | None = None  # None: the parameter indicators.base_year
    # store.coverage.month_states(): every expected or reported facility-month with its state; None: only
    # what the facts table knows (its counted and waiting months)
    months: pd.DataFrame | None = None
    as_of: dt.date | None = None  # the day partial and complete years are judged on; None: on the data alone


@dataclass
class Prepared:
    """One region's data, summed once: what every formula reads."""

    region: str | None
    options: Options
    rows: pd.DataFrame  # the region's counted facility-months (with a result): what the figures sum
    sums: pd.DataFrame  # summed flows, indexed by (year, sector)
    class_notes: dict[tuple[int, str], str]  # (year, sector) → edition used, or why not classified
    statistics: pd.DataFrame  # the region's own statistics (exact region code)
    registry: pd.DataFrame | None  # the region's facilities with their enterprise's green designations
    states: pd.DataFrame = field(default_factory=pd.DataFrame)  # the region's month states (coverage)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # state counts by (year, sector)

    _by_year: dict[tuple[str, ...] | None, pd.DataFrame] = field(default_factory=dict, repr=False)
    _periods: dict[int, cov.YearPeriod] = field(default_factory=dict, repr=False)

    def coverage_by_year(self, sectors: Iterable[str] | None) -> pd.DataFrame:
        """State counts by year over the given sectors (all when None)."""
        counts = self.coverage
        if counts.empty:
            return pd.DataFrame(columns=list(cov.STATES), index=pd.Index([], name="year"), dtype=int)
        if sectors is not None:
            counts = counts[counts.index.get_level_values("sector").isin(list(sectors))]
        return counts.groupby(level="year").sum()

    def coverage_of(self, year: int, sectors: Iterable[str] | None = None) -> cov.Coverage:
        counts = self.coverage_by_year(sectors)
        return cov.Coverage.of(counts.loc[year]) if year in counts.index else cov.Coverage()

    def period(self, year: int) -> cov.YearPeriod:
        """The months ``year``'s figures span and whether the year is complete on the options' day
        (:func:`coverage.year_period`)."""
        if year not in self._periods:
            as_of = self.options.as_of
            day = due_day(self.options.params, as_of) if as_of is not None else 15
            self._periods[year] = cov.year_period(self.states, year, as_of, day)
        return self._periods[year]

    def partial(self, year: int) -> bool:
        """The year's figures stop before December while later months are due (1–9月累计)."""
        return self.period(year).partial

    def by_year(self, sectors: Iterable[str] | None) -> pd.DataFrame:
        """The sums over the given sectors (all when None), one row per year (kept for the next call)."""
        key = None if sectors is None else tuple(sorted(sectors))
        if key not in self._by_year:
            sums = self.sums
            if key is not None:
                sums = sums[sums.index.get_level_values("sector").isin(key)]
            self._by_year[key] = sums.groupby(level="year").sum()
        return self._by_year[key]

    def statistic(self, name: str, scope: str, year: int) -> pd.Series | None:
        stats = self.statistics
        if stats.empty:
            return None
        hit = stats[(stats["name"] == name) & (stats["scope"] == scope) & (stats["year"] == year)]
        return None if hit.empty else hit.iloc[0]


# A formula gets the prepared region, the sums by year over its sectors, the years asked for, the
# sectors and a statistic scope; it returns a frame indexed by year with columns value and note.
Formula = Callable[[Prepared, pd.DataFrame, list[int], "tuple[str, ...] | None", str], pd.DataFrame]


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    unit: str
    formula: str
    sectors: tuple[str, ...] | None  # None: every sector
    evaluate: Formula
    scopes: tuple[str, ...] = (REPORTING,)  # statistic scopes the indicator can be read for; first is default

    @property
    def default_scope(self) -> str:
        return self.scopes[0]

    @property
    def additive(self) -> bool:
        """A sum over months (energy, emissions, output): a partial year's value is a cumulative figure,
        not comparable with an annual one."""
        return bool(getattr(self.evaluate, "additive", False))


def due_day(params: ParameterSet, as_of: dt.date) -> int:
    """The day of the following month by which a month's report is due (``indicators.warning_rule``)."""
    return int(params.value("indicators.warning_rule", period=as_of, item="report_due_day"))


def _coded(code: str, **params: Any) -> CodedText:
    """A note or reason that a page shows in the reader's language (its English where a string is needed)."""
    return CodedText(Message(code, **params))


def _scope_words(scope: str) -> Message:
    code = f"indicators.scope.{scope}"
    return Message(code) if messages.known(code) else Bilingual(scope, scope)


def _no_statistic(prepared: Prepared, statistic: str, scope: str, year: int, en: str | None = None) -> CodedText:
    """No ``statistic`` entered for the region, scope and year (named in Chinese from statistics.yaml)."""
    from carbonpeak.indicators.statistics import kinds

    kind = kinds().get(statistic)
    words = Bilingual(kind.name_zh if kind else statistic, en or statistic)
    region = prepared.region
    return _coded("indicators.no_statistic", statistic=words, region=region, scope=_scope_words(scope), year=year)


def _statistic_note(statistic: str, entered: Any) -> CodedText:
    """Where an entered statistic comes from: its name (Chinese from statistics.yaml) and its source."""
    from carbonpeak.indicators.statistics import kinds

    kind = kinds().get(statistic)
    words = Bilingual(kind.name_zh if kind else statistic, statistic)
    return _coded("indicators.note.statistic", statistic=words, source=entered["source"])


def _reported_note(reported: str) -> CodedText:
    """A figure summed from the enterprises' reports (a column of the facts: energy_tce, total_location_tco2e)."""
    indicator = {"total_location_tco2e": "emissions_location_tco2e"}.get(reported, reported)
    name = INDICATORS[indicator].name_zh if indicator in INDICATORS else reported
    return _coded("indicators.note.reported", figure=Bilingual(name, reported))


def _text(note: object) -> str:
    """A note as a string, keeping a coded one (a CodedText is a string)."""
    return note if isinstance(note, str) else str(note)


def _by_year(years: list[int], values: list[float], notes: list[str]) -> pd.DataFrame:
    """Values and notes by year; the notes stay objects, so a coded note keeps its message (pandas 3 would
    otherwise infer a string column and keep only each note's English)."""
    index = pd.Index(years, name="year")
    return pd.DataFrame({"value": values, "note": pd.Series(notes, index=index, dtype=object)}, index=index)


def _frame(values: pd.Series, notes: pd.Series | str = "") -> pd.DataFrame:
    out = pd.DataFrame({"value": values.astype(float)})
    out["note"] = notes if isinstance(notes, str) else notes.reindex(out.index).fillna("")
    return out


def _nothing(years: list[int], note: str) -> pd.DataFrame:
    return pd.DataFrame({"value": np.nan, "note": note}, index=pd.Index(years, name="year"))


def _ratio_series(numerator: pd.Series, denominator: pd.Series, scale: float = 1.0) -> pd.DataFrame:
    denominator = denominator.astype(float)
    ok = denominator.fillna(0.0) != 0.0
    values = (numerator.astype(float) / denominator.where(ok)) * scale
    notes = pd.Series("", index=values.index, dtype=object).where(ok, _coded("indicators.no_denominator"))
    return _frame(values, notes)


def _with_years(result: pd.DataFrame, sums: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Years without counted months get no value and say so."""
    result = result.reindex(years)
    months = sums["months"].reindex(years).fillna(0)
    result.loc[months.to_numpy() == 0, "value"] = np.nan
    counted = months > 0
    result["note"] = result["note"].astype(object).fillna("").where(counted, _coded("indicators.no_counted_months"))
    return result


def _sum(column: str) -> Formula:
    def evaluate(
        _p: Prepared, sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, _scope: str
    ) -> pd.DataFrame:
        return _with_years(_frame(sums[column]), sums, years)

    evaluate.additive = True  # type: ignore[attr-defined]
    return evaluate


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> Formula:
    def evaluate(
        _p: Prepared, sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, _scope: str
    ) -> pd.DataFrame:
        return _with_years(_ratio_series(sums[numerator], sums[denominator], scale), sums, years)

    return evaluate


def _count_facilities(
    _p: Prepared, sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, _scope: str
) -> pd.DataFrame:
    # A facility belongs to one sector, so the distinct count of a year is the sum over sectors.
    return _with_years(_frame(sums["facilities"]), sums, years).fillna({"value": 0.0})


def _class_share(kind: str) -> Formula:
    def evaluate(
        prepared: Prepared, sums: pd.DataFrame, years: list[int], sectors: tuple[str, ...] | None, _scope: str
    ) -> pd.DataFrame:
        result = _ratio_series(sums[f"capacity_{kind}_t_per_a"], sums["capacity_classified_t_per_a"], 100.0)
        notes = []
        for year in result.index:
            texts = {
                text
                for (y, sector), text in prepared.class_notes.items()
                if y == year and (sectors is None or sector in sectors)
            }
            notes.append("; ".join(sorted(texts)) if texts else _coded("indicators.no_benchmark_facility"))
        result["note"] = pd.Series(notes, index=result.index, dtype=object)
        return _with_years(result, sums, years)

    return evaluate


# ------------------------------------------------------------- statistics and registry counts


def _base_year(prepared: Prepared, year: int) -> int:
    if prepared.options.base_year is not None:
        return prepared.options.base_year
    return int(prepared.options.params.value("indicators.base_year", period=year, item="change"))


def _per_value_added(
    prepared: Prepared, year: int, scope: str, statistic: str, reported: str
) -> tuple[float | None, str, str | None]:
    """(amount per 10^4 yuan of industrial value added, note, price basis) for one year."""
    value_added = prepared.statistic("industrial_value_added", scope, year)
    if value_added is None:
        return None, _no_statistic(prepared, "industrial_value_added", scope, year, "industrial value added"), None
    amount = prepared.statistic(statistic, scope, year)
    if amount is not None:
        numerator, source = float(amount["value"]), _statistic_note(statistic, amount)
    elif scope == "nonferrous":
        sums = prepared.by_year(None)
        if year not in sums.index or sums.at[year, "months"] == 0:
            return None, _coded("indicators.no_counted_months_in", year=year), None
        if prepared.partial(year):  # months of the year against a whole year's value added
            return None, _coded("aggregates.partial_against_annual", period=prepared.period(year).label()), None
        numerator, source = float(sums.at[year, reported]), _reported_note(reported)
    else:
        return None, _no_statistic(prepared, statistic, scope, year), None
    if float(value_added["value"]) <= 0:
        return None, _coded("indicators.value_added_zero"), None
    note = _coded(
        "indicators.note.value_added",
        numerator=source,
        source=value_added["source"],
        basis=value_added["price_basis"],
    )
    return numerator / float(value_added["value"]), note, str(value_added["price_basis"])


def _intensity_per_value_added(statistic: str, reported: str) -> Formula:
    def evaluate(
        prepared: Prepared, _sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, scope: str
    ) -> pd.DataFrame:
        values, notes = [], []
        for year in years:
            value, note, _basis = _per_value_added(prepared, year, scope, statistic, reported)
            values.append(np.nan if value is None else value)
            notes.append(note)
        return _by_year(years, values, notes)

    return evaluate


def _change_per_value_added(statistic: str, reported: str) -> Formula:
    def evaluate(
        prepared: Prepared, _sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, scope: str
    ) -> pd.DataFrame:
        values, notes = [], []
        for year in years:
            base = _base_year(prepared, year)
            now, note, basis = _per_value_added(prepared, year, scope, statistic, reported)
            then, base_note, base_basis = _per_value_added(prepared, base, scope, statistic, reported)
            if now is None or then is None:
                values.append(np.nan)
                why = base_note.message if isinstance(base_note, CodedText) else base_note
                notes.append(note if now is None else _coded("indicators.base_year", year=base, why=why))
            elif basis != base_basis:
                values.append(np.nan)
                prices = {"basis": basis, "base_basis": base_basis}
                notes.append(_coded("indicators.price_basis_differs", year=year, base=base, **prices))
            elif then == 0:
                values.append(np.nan)
                notes.append(_coded("indicators.base_year_zero", year=base))
            else:
                values.append((now / then - 1.0) * 100.0)
                notes.append(_coded("indicators.note.against", base=base, note=note))
        return _by_year(years, values, notes)

    return evaluate


def _green_count(
    statistic: str, registry_rule: Callable[[pd.DataFrame, int], pd.Series] | None, subject: str = "enterprise_code"
) -> Formula:
    """A count the regulator entered; for the reporting industry, else the registry's own count (of distinct
    ``subject`` codes: enterprises, or parks)."""

    def evaluate(
        prepared: Prepared, _sums: pd.DataFrame, years: list[int], _s: tuple[str, ...] | None, scope: str
    ) -> pd.DataFrame:
        values, notes = [], []
        for year in years:
            entered = prepared.statistic(statistic, scope, year)
            if entered is not None:
                values.append(float(entered["value"]))
                notes.append(_coded("indicators.note.entered", source=entered["source"], date=entered["published_on"]))
            elif scope == "nonferrous" and registry_rule is not None and prepared.registry is not None:
                registry = prepared.registry
                designated = registry.loc[registry_rule(registry, year), subject].dropna().nunique()
                values.append(float(designated))
                notes.append(_coded("indicators.note.registry_only"))
            else:
                values.append(np.nan)
                notes.append(_no_statistic(prepared, statistic, scope, year))
        return _by_year(years, values, notes)

    return evaluate


def _green_factory(registry: pd.DataFrame, year: int) -> pd.Series:
    if "kind" in registry.columns:  # the green register's dated designations (store.facts.green_registry)
        return green_register.in_force_mask(registry, year, "factory", GREEN_FACTORY_LEVELS)
    return registry["green_factory_level"].isin(GREEN_FACTORY_LEVELS) & (
        registry["green_factory_year"].fillna(9999) <= year
    )


def _green_supply_chain(registry: pd.DataFrame, year: int) -> pd.Series:
    if "kind" in registry.columns:  # a designation without a year (an old registry flag) counts in every year
        return green_register.in_force_mask(registry, year, "supply_chain")
    # The registry's flag carries no year: a designated enterprise counts in every year shown.
    return registry["green_supply_chain"].fillna(False).astype(bool)


def _green_park(registry: pd.DataFrame, year: int) -> pd.Series:
    if "kind" in registry.columns:
        return green_register.in_force_mask(registry, year, "park")
    return pd.Series(False, index=registry.index)


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
            _ratio("total_location_tco2e", "output_t"),
        ),
        Indicator(
            "energy_intensity_kgce_per_t",
            "单位产品综合能耗",
            "energy per tonne of product",
            "kgce/t",
            "Σ energy_tce × 1000 / Σ output_t (within one sector)",
            None,
            _ratio("energy_tce", "output_t", 1000.0),
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
            _ratio("renewable_mwh", "electricity_used_mwh", 100.0),
        ),
        Indicator(
            "recycled_metal_share",
            "再生金属供应占比",
            "recycled metal share of supply",
            "%",
            "output of recycled aluminium and copper / (that + primary metal output) × 100",
            None,
            _ratio("recycled_output_t", "supply_output_t", 100.0),
        ),
        Indicator(
            "direct_alloying_share",
            "铝液直接合金化比例",
            "share of molten aluminium directly alloyed",
            "%",
            "Σ direct_alloying_t / Σ liquid aluminium output × 100",
            ("electrolytic_aluminium",),
            _ratio("direct_alloying_t", "output_t", 100.0),
        ),
        Indicator(
            "solid_waste_utilisation_rate",
            "工业固废综合利用率",
            "comprehensive utilisation rate of solid waste",
            "%",
            "Σ solid_waste_used_t / Σ solid_waste_generated_t × 100",
            None,
            _ratio("solid_waste_used_t", "solid_waste_generated_t", 100.0),
        ),
        Indicator(
            "reporting_facilities",
            "报送设施数",
            "facilities reporting",
            "facilities",
            "number of distinct facilities with a counted month",
            None,
            _count_facilities,
        ),
        Indicator(
            "energy_per_value_added",
            "单位工业增加值能耗",
            "energy per unit of industrial value added",
            "tce/wan_yuan",
            "industrial energy consumption (entered, or reported by enterprises for the non-ferrous scope) / "
            "industrial value added at constant prices (entered)",
            None,
            _intensity_per_value_added("industrial_energy_consumption", "energy_tce"),
            scopes=("industry_above_designated_size", "industry", "nonferrous"),
        ),
        Indicator(
            "energy_per_value_added_change",
            "单位工业增加值能耗较基准年变化",
            "change of energy per unit of industrial value added against the base year",
            "%",
            "(energy per value added of the year / that of the base year − 1) × 100, both at the same constant prices",
            None,
            _change_per_value_added("industrial_energy_consumption", "energy_tce"),
            scopes=("industry_above_designated_size", "industry", "nonferrous"),
        ),
        Indicator(
            "co2_per_value_added_change",
            "单位工业增加值二氧化碳排放较基准年变化",
            "change of CO2 per unit of industrial value added against the base year",
            "%",
            "(CO2 per value added of the year / that of the base year − 1) × 100; CO2 entered, or reported "
            "location-based emissions for the non-ferrous scope",
            None,
            _change_per_value_added("industrial_co2_emissions", "total_location_tco2e"),
            scopes=("industry_above_designated_size", "industry", "nonferrous"),
        ),
        Indicator(
            "green_factories",
            "省级及以上绿色工厂数（累计）",
            "green factories at provincial level or above (cumulative)",
            "factories",
            "count entered by the regulator; for the non-ferrous scope without an entry, enterprises of the "
            "green register designated provincial or national green factory by the year and not removed",
            None,
            _green_count("green_factories", _green_factory),
            scopes=("industry", "nonferrous"),
        ),
        Indicator(
            "green_supply_chain_enterprises",
            "绿色供应链管理示范企业数（累计）",
            "green supply-chain management demonstration enterprises (cumulative)",
            "enterprises",
            "count entered by the regulator; for the non-ferrous scope without an entry, enterprises of the "
            "green register so designated by the year and not removed (one without a year counts every year)",
            None,
            _green_count("green_supply_chain_enterprises", _green_supply_chain),
            scopes=("industry", "nonferrous"),
        ),
        Indicator(
            "green_parks",
            "绿色低碳工业园区数（累计）",
            "green low-carbon industrial parks (cumulative)",
            "parks",
            "count entered by the regulator; for the non-ferrous scope without an entry, parks of the green "
            "register designated by the year and not removed",
            None,
            _green_count("green_parks", _green_park, subject="park_code"),
            scopes=("industry", "nonferrous"),
        ),
    ]
}
STATISTIC_INDICATORS = frozenset(i.id for i in INDICATORS.values() if i.scopes != (REPORTING,))


# ------------------------------------------------------------------------------ preparation

_FLOW_SUMS = (
    "energy_tce",
    "total_location_tco2e",
    "total_market_tco2e",
    "output_t",
    "direct_alloying_t",
    "solid_waste_generated_t",
    "solid_waste_used_t",
)


_CAPACITY_COLUMNS = (
    "capacity_at_or_above_benchmark_t_per_a",
    "capacity_below_baseline_t_per_a",
    "capacity_classified_t_per_a",
)


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
            # a month without a result (waiting for a parameter) makes its facility-year's totals missing,
            # never smaller: see sum_to_facility_years
            **{c: facts[c] for c in ("energy_tce", "total_location_tco2e", "total_market_tco2e")},
        }
    )
    return sum_to_facility_years(frame)


def _flow_sums(rows: pd.DataFrame) -> pd.DataFrame:
    def column(name: str) -> np.ndarray:
        return rows[name].fillna(0.0).to_numpy(dtype=float)

    sector = rows["sector"].to_numpy()
    output = column("output_t")
    recycled = np.where(np.isin(sector, RECYCLED_METALS), output, 0.0)
    data = pd.DataFrame(
        {
            "year": rows["year"].to_numpy(),
            "sector": sector,
            "months": 1,
            **{name: column(name) for name in _FLOW_SUMS},
            "renewable_mwh": column("direct_renewable_mwh")
            + column("green_certificate_mwh")
            + column("onsite_renewable_mwh"),
            "electricity_used_mwh": column("grid_electricity_mwh")
            + column("captive_electricity_mwh")
            + column("onsite_renewable_mwh")
            - column("exported_electricity_mwh"),
            "recycled_output_t": recycled,
            "supply_output_t": recycled + np.where(np.isin(sector, PRIMARY_METALS), output, 0.0),
        }
    )
    sums = data.groupby(["year", "sector"], sort=True).sum()
    sums["facilities"] = rows.groupby(["year", "sector"], sort=True)["facility_code"].nunique()
    return sums


def _class_capacities(rows: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, dict[tuple[int, str], str]]:
    """Capacity by benchmark class per (year, sector), classified once per year (per product on failure)."""
    empty = pd.DataFrame(
        columns=list(_CAPACITY_COLUMNS), index=pd.MultiIndex.from_tuples([], names=["year", "sector"]), dtype=float
    )
    benchmark_sectors = [s.value for s in SECTOR_BENCHMARK_PRODUCT]
    rows = rows[rows["sector"].isin(benchmark_sectors) | (rows["product"].fillna("") != "")]
    if rows.empty:
        return empty, {}
    years = facility_year_frame(rows)
    years = years[years["product"] != ""]
    notes: dict[tuple[int, str], str] = {}
    tables = []
    # One call per product covers all its years; a year whose level is missing is retried alone so
    # that it does not hide the product's other years.
    for _product, group in years.groupby("product"):
        try:
            tables.append(classify_facilities(group, options.params, edition=options.benchmark_edition)[0])
            continue
        except ParameterNotFound:
            pass
        for year, part in group.groupby("year"):
            try:
                tables.append(classify_facilities(part, options.params, edition=options.benchmark_edition)[0])
            except ParameterNotFound as exc:
                for sector in set(part["sector"]):
                    notes[(int(year), str(sector))] = str(exc)
    if not tables:
        return empty, notes
    table = pd.concat(tables, ignore_index=True)
    table = table[table["class"] != "not_classified"]
    capacity = table["capacity_t_per_a"].fillna(0.0)
    frame = pd.DataFrame(
        {
            "year": table["year"].astype(int),
            "sector": table["sector"],
            "capacity_at_or_above_benchmark_t_per_a": capacity.where(table["class"] == "at_or_above_benchmark", 0.0),
            "capacity_below_baseline_t_per_a": capacity.where(table["class"] == "below_baseline", 0.0),
            "capacity_classified_t_per_a": capacity,
        }
    )
    for (year, sector), editions in table.groupby(["year", "sector"])["edition"]:
        notes.setdefault((int(year), str(sector)), "edition " + ", ".join(sorted(set(editions.astype(str)))))
    return frame.groupby(["year", "sector"]).sum(), notes


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


def _states(facts: pd.DataFrame, region: str | None, options: Options) -> pd.DataFrame | None:
    """The region's month states from the options (None when the region has none or none are given)."""
    if options.months is None:
        return None
    states = options.months
    return cov.select_rows(states, region, states.attrs.get("clusters", facts.attrs.get("clusters", {})))


def prepare(facts: pd.DataFrame, *, region: str | None, options: Options | None = None) -> Prepared:
    """Sum a region's facts once by year and sector, with its class capacities, statistics, registry and
    the coverage of its facility-months. Only months with a result are summed (a waiting month is
    counted as waiting, never as zero)."""
    options = options or Options(params=load())
    states = _states(facts, region, options)
    found = cov.select_rows(facts, region, facts.attrs.get("clusters", {}))
    if found is None and states is not None and not states.empty:
        rows = facts.iloc[0:0]  # nothing counted in the region, yet months held out, waiting or missing
    else:
        rows = select_region(facts, region)  # an unknown region is refused here
    if states is None:
        states = cov.from_facts(rows)
    has_result = rows["has_result"] if "has_result" in rows else rows["energy_tce"].notna()
    rows = rows[has_result.to_numpy(dtype=bool)]
    sums = _flow_sums(rows)
    capacities, notes = _class_capacities(rows, options)
    sums = sums.join(capacities, how="left")
    for column in _CAPACITY_COLUMNS:
        sums[column] = sums[column].fillna(0.0)
    statistics = options.statistics
    if statistics is None or region is None or statistics.empty:
        statistics = pd.DataFrame(columns=["region", "name", "scope", "year", "value", "source", "price_basis"])
    else:
        statistics = statistics[statistics["region"] == region]
    registry = options.registry
    if registry is not None:
        registry = select_region(registry, region) if region is not None and not registry.empty else registry
    coverage = cov.coverage_by(states, ["year", "sector"])
    return Prepared(region, options, rows, sums, notes, statistics, registry, states, coverage)


def through_month(prepared: Prepared, last_month: int) -> Prepared:
    """The prepared region restricted to months 1 to ``last_month`` of every year: the same months of
    the year before, for comparing a partial year (同比). Statistics are not carried (annual values)."""
    options = dataclasses.replace(prepared.options, months=cov.through_month(prepared.states, last_month))
    rows = cov.through_month(prepared.rows, last_month)
    out = prepare(rows, region=None, options=options)
    out.region = prepared.region
    return out


def scope_sectors(indicator: Indicator, sector: str | None, sectors: Iterable[str] | None) -> tuple[str, ...] | None:
    chosen: set[str] | None = None if indicator.sectors is None else set(indicator.sectors)
    for restriction in ([sector] if sector is not None else None, list(sectors) if sectors else None):
        if restriction is not None:
            chosen = set(restriction) if chosen is None else chosen & set(restriction)
    return None if chosen is None else tuple(sorted(chosen))


def series(
    prepared: Prepared,
    indicator_id: str,
    years: list[int],
    *,
    sector: str | None = None,
    sectors: Iterable[str] | None = None,
    scope: str | None = None,
) -> pd.DataFrame:
    """An indicator for every year asked, over a sector or several sectors taken together.

    Returns a frame indexed by year with ``value`` (NaN where there is none), ``note``, ``facilities``,
    ``months`` (facility-months counted) and the coverage of the rest: ``held_out``, ``waiting``,
    ``unverified``, ``missing``.
    """
    indicator = get(indicator_id)
    if sector is not None and sector not in {s.value for s in Sector}:
        raise InputError("unknown sector", field="sector", value=sector)
    scope = scope or indicator.default_scope
    if scope not in indicator.scopes:
        raise InputError("scope not available", field="scope", value=scope, expected=" or ".join(indicator.scopes))
    chosen = scope_sectors(indicator, sector, sectors)
    sums = prepared.by_year(chosen)
    result = indicator.evaluate(prepared, sums, list(years), chosen, scope)
    result["facilities"] = sums["facilities"].reindex(result.index).fillna(0).astype(int)
    result["months"] = sums["months"].reindex(result.index).fillna(0).astype(int)
    counts = prepared.coverage_by_year(chosen)
    for state in cov.STATES[1:]:  # "months" is the counted facility-months
        result[state] = counts[state].reindex(result.index).fillna(0).astype(int) if state in counts else 0
    return result


def get(indicator_id: str) -> Indicator:
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise InputError(
            "unknown indicator", field="indicator", value=indicator_id, expected="one of " + ", ".join(INDICATORS)
        ) from None


def compute(
    indicator_id: str,
    facts: pd.DataFrame,
    *,
    region: str | None,
    year: int,
    sector: str | None = None,
    options: Options | None = None,
    sectors: list[str] | None = None,
    scope: str | None = None,
) -> Value:
    """One indicator for a region, year and (optionally) one sector or several sectors taken together,
    with the facilities and submission versions behind it."""
    indicator = get(indicator_id)
    prepared = prepare(facts, region=region, options=options)
    result = series(prepared, indicator_id, [year], sector=sector, sectors=sectors, scope=scope)
    value = float(result.at[year, "value"])
    chosen = scope_sectors(indicator, sector, sectors)
    rows = prepared.rows[prepared.rows["year"] == year]
    if chosen is not None:
        rows = rows[rows["sector"].isin(chosen)]
    return Value(
        indicator=indicator.id,
        value=None if math.isnan(value) else value,
        unit=indicator.unit,
        facilities=sorted(set(rows["facility_code"])),
        months=len(rows),
        note=_text(result.at[year, "note"]),
        versions=sorted(int(v) for v in rows["version_id"]) if "version_id" in rows else [],
        scope=scope or indicator.default_scope,
        coverage=prepared.coverage_of(year, chosen),
        period=prepared.period(year),
    )


PER_SECTOR = frozenset(
    {
        "energy_tce",
        "emissions_location_tco2e",
        "emissions_market_tco2e",
        "output_t",
        "emission_intensity_tco2e_per_t",
        "energy_intensity_kgce_per_t",
        "capacity_share_at_or_above_benchmark",
        "capacity_share_below_baseline",
    }
)


def table_years(prepared: Prepared, years: list[int]) -> pd.DataFrame:
    """Every indicator for the prepared region and the years asked: in total and, where it makes
    sense, by sector; statistics-based indicators for each scope with data."""
    sectors = sorted(set(prepared.sums.index.get_level_values("sector")))
    benchmark_sectors = [s for s in sectors if Sector(s) in SECTOR_BENCHMARK_PRODUCT]
    stats = prepared.statistics
    frames = []
    for indicator in INDICATORS.values():
        scopes: list[str | None] = [None] if indicator.id not in PER_SECTOR else [None, *sectors]
        if indicator.id in ("emission_intensity_tco2e_per_t", "energy_intensity_kgce_per_t", "output_t"):
            scopes = list(sectors)  # an intensity across different products means nothing
        if indicator.id.startswith("capacity_share"):
            scopes = list(benchmark_sectors)  # a share of benchmark classes is read per product
        statistic_scopes = [REPORTING]
        if indicator.id in STATISTIC_INDICATORS:
            entered = set(stats["scope"]) if not stats.empty else set()
            statistic_scopes = [s for s in indicator.scopes if s in entered or s == "nonferrous"]
        for statistic_scope in statistic_scopes:
            for sector in scopes:
                result = series(
                    prepared,
                    indicator.id,
                    years,
                    sector=sector,
                    scope=None if statistic_scope == REPORTING else statistic_scope,
                )
                if sector is not None:
                    result = result[result["months"] > 0]
                if indicator.id in STATISTIC_INDICATORS and result["value"].isna().all():
                    continue
                result = result.reset_index()
                result["indicator"] = indicator.id
                result["name_zh"] = indicator.name_zh
                result["name_en"] = indicator.name_en
                result["sector"] = sector or "all"
                result["scope"] = statistic_scope
                result["unit"] = indicator.unit
                frames.append(result)
    columns = [
        "year",
        "indicator",
        "name_zh",
        "name_en",
        "sector",
        "scope",
        "value",
        "unit",
        "facilities",
        "months",
        *cov.STATES[1:],
        "note",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    out["value"] = out["value"].astype(object).where(out["value"].notna(), None)
    return out


def table(facts: pd.DataFrame, *, region: str | None, year: int, options: Options | None = None) -> pd.DataFrame:
    """Every indicator for a region and year: in total and, where it makes sense, by sector."""
    prepared = prepare(facts, region=region, options=options)
    return table_years(prepared, [year]).drop(columns=["year"])
