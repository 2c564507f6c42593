"""Energy and emissions accounting: cited parameters joined to engine calls, with provenance.

``account(batch)`` computes, for every facility-period record of an :class:`ActivityBatch` at once,
energy in tce and emissions by the method in force (or the one the record names), location- and
market-based. Each addend is a :class:`~carbonpeak.engine.provenance.Term` that knows its formula,
clause, inputs and the cited parameters used for each record, so ``explain(result, i)`` can say how
any figure was made. Records are grouped by method; within a group every step is a NumPy vector
operation, so one facility and a whole country run through the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import ratios, texts_zh
from carbonpeak.engine import energy as en
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import aluminium as al
from carbonpeak.engine.emissions import combustion as cb
from carbonpeak.engine.emissions import process as pr
from carbonpeak.engine.methods import METHODS, Method, default_method, get_method
from carbonpeak.engine.provenance import IntArray, Own, Term, Used
from carbonpeak.errors import InputError, MethodError, ParameterNotFound, ParameterValueMissing
from carbonpeak.io.fields import numeric_fields
from carbonpeak.parameters import Cited, ParameterSet, load, period_start
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS, Sector

RECORD_NUMERIC = numeric_fields("activity")
RECORD_TEXT = [
    "record_id",
    "facility_id",
    "facility_name",
    "sector",
    "region",
    "period",
    "method",
    "technology",
    "product",
    "bake_furnace",
    "paste_type",
    "metering",
    "grid_factor_source",
    "explanation",
]


@dataclass
class ActivityBatch:
    """Facility-period records in canonical units, with their fuel, carbonate and reductant lines.

    ``records``: one row per facility-period, columns from ``io/fields/activity.csv`` (NaN = not
    reported). ``fuels``: record (row position), fuel (code), amount (in the fuel's table unit), and
    optional measured ncv, carbon_content, oxidation_rate. ``carbonates``: record, carbonate,
    amount_t, purity_pct. ``reductants``: record, agent, amount_t, carbon_content_pct.
    """

    records: pd.DataFrame
    fuels: pd.DataFrame = field(default_factory=lambda: _empty_lines("fuels"))
    carbonates: pd.DataFrame = field(default_factory=lambda: _empty_lines("carbonates"))
    reductants: pd.DataFrame = field(default_factory=lambda: _empty_lines("reductants"))
    source: str | None = None

    def __post_init__(self) -> None:
        records = self.records.reset_index(drop=True)
        for name in RECORD_NUMERIC:
            records[name] = pd.to_numeric(records[name], errors="raise").astype(float) if name in records else np.nan
        for name in RECORD_TEXT:
            records[name] = records[name].fillna("").astype(str) if name in records else ""
        missing_ids = records["record_id"] == ""
        records.loc[missing_ids, "record_id"] = records["facility_id"] + "@" + records["period"]
        self.records = records
        for kind, code_column in (("fuels", "fuel"), ("carbonates", "carbonate"), ("reductants", "agent")):
            lines = getattr(self, kind)
            template = _empty_lines(kind)
            for column in template.columns:
                if column not in lines:
                    lines[column] = np.nan
            lines = lines.reset_index(drop=True)
            # Codes as a categorical: grouping by integer codes is what keeps a country's batch fast.
            lines[code_column] = lines[code_column].astype(str).astype("category")
            setattr(self, kind, lines)

    def __len__(self) -> int:
        return len(self.records)


def _empty_lines(kind: str) -> pd.DataFrame:
    columns = {
        "fuels": ["record", "fuel", "amount", "ncv", "carbon_content", "oxidation_rate"],
        "carbonates": ["record", "carbonate", "amount_t", "purity_pct"],
        "reductants": ["record", "agent", "amount_t", "carbon_content_pct"],
    }[kind]
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    frame["record"] = frame["record"].astype(np.intp)
    return frame


@dataclass(frozen=True)
class AccountingOptions:
    """Choices a user may make; every one is reported in the result."""

    grid_region: str = "rule"  # "rule": the level the grid-factor rule names (national); "provincial"
    electricity_convention: str = "equivalent"  # or "equal": coal-equivalent of generation (GB/T 2589)


@dataclass
class AccountingResult:
    """Per-record results (``table``) and every term with its provenance."""

    batch: ActivityBatch
    table: pd.DataFrame
    terms: list[Term]
    options: AccountingOptions

    def explain(self, record: int | str) -> dict[str, Any]:
        """Everything that went into one record's figures: inputs, terms, formulas, cited parameters."""
        position = self._position(record)
        row = self.table.iloc[position]
        terms = [_with_zh(t) for t in (term.for_record(position) for term in self.terms) if t is not None]
        cited = {c.label: c for t in terms for c in t["parameters"]}
        return {
            "record_id": row["record_id"],
            "facility_id": row["facility_id"],
            "period": row["period"],
            "sector": row["sector"],
            "method": row["method"],
            "method_reference": METHODS[row["method"]].reference,
            "method_reference_zh": METHODS[row["method"]].reference_zh,
            "results": {c: _plain(row[c]) for c in RESULT_COLUMNS if c in row},
            "terms": terms,
            "parameters": list(cited.values()),
            "unverified": [c for c in cited.values() if not c.verified],
            "own_factors": [own for t in terms for own in t["own_factors"]],
            "options": self.options.__dict__,
        }

    def breakdown(self) -> list[dict[str, Any]]:
        """The line items behind every record's terms (each fuel line's CO2, each PFC gas's mass and
        CO2e), one dict per item with its record_id and term."""
        ids = self.table["record_id"].to_numpy()
        items: list[dict[str, Any]] = []
        for term in self.terms:
            if not term.breakdown:
                continue
            records = term.breakdown["record"]
            columns = [name for name in term.breakdown if name != "record"]
            for k, record in enumerate(records):
                item = {"record_id": ids[record], "term": term.name}
                item.update({name: _plain(term.breakdown[name][k]) for name in columns})
                items.append(item)
        return items

    def _position(self, record: int | str) -> int:
        if isinstance(record, int | np.integer):
            return int(record)
        hits = np.flatnonzero(self.table["record_id"].to_numpy() == record)
        if hits.size == 0:
            raise InputError("no such record in the result", record=record, expected="a record_id of the file")
        return int(hits[0])


RESULT_COLUMNS = [
    "output_t",
    "energy_tce",
    "fuel_tce",
    "electricity_tce",
    "heat_tce",
    "energy_tce_equal_value",
    "fuel_tco2",
    "process_tco2",
    "pfc_tco2e",
    "direct_tco2e",
    "electricity_location_tco2",
    "electricity_market_tco2",
    "heat_tco2",
    "total_location_tco2e",
    "total_market_tco2e",
    "intensity_location_tco2e_per_t",
    "ac_power_liquid_aluminium_kwh_per_t",
    "comprehensive_ac_power_kwh_per_t",
    "comprehensive_energy_kgce_per_t",
    "ch4_t",
]

# Which result column each term adds to.
_TERM_COLUMN = {
    "fuel": "fuel_tco2",
    "anode": "process_tco2",
    "limestone": "process_tco2",
    "carbonates": "process_tco2",
    "ferrosilicon": "process_tco2",
    "dolomite": "process_tco2",
    "reductants": "process_tco2",
    "ipcc_process": "process_tco2",
    "pitch_volatiles": "process_tco2",
    "packing_coke": "process_tco2",
    "pfc": "pfc_tco2e",
    "sf6": "pfc_tco2e",
    "electricity_location": "electricity_location_tco2",
    "electricity_market": "electricity_market_tco2",
    "heat": "heat_tco2",
    "ch4": "ch4_t",
    "energy_fuel": "fuel_tce",
    "energy_electricity": "electricity_tce",
    "energy_heat": "heat_tce",
    "energy_electricity_equal": "energy_tce_equal_value",
}


class _Context:
    """Columns of the batch as arrays, the parameter resolver and per-record periods."""

    def __init__(self, batch: ActivityBatch, params: ParameterSet, options: AccountingOptions) -> None:
        self.batch = batch
        self.params = params
        self.options = options
        self._columns = {name: batch.records[name].to_numpy() for name in batch.records.columns}
        periods = batch.records["period"]
        codes, uniques = pd.factorize(periods)  # hash-based: no sort of a million strings
        starts: list[dt.date] = []
        for position, text in enumerate(uniques):
            try:
                day = period_start(text)
            except ValueError as exc:
                first = int(np.flatnonzero(codes == position)[0])
                raise InputError(
                    str(exc),
                    file=batch.source,
                    record=self.record_label(first),
                    field="period",
                    value=text,
                    expected="a year (2024) or a month (2024-03)",
                ) from None
            assert day is not None
            starts.append(day)
        # Periods as small integer codes into ``days``: comparisons stay vectorised.
        self.days = starts
        self.pcode = codes.astype(np.intp)
        self.year = np.array([d.year for d in starts], dtype=np.int64)[codes]
        self._cache: dict[tuple[Any, ...], Cited] = {}
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def periods_of(self, records: IntArray) -> list[tuple[dt.date, IntArray]]:
        """(first day, positions within ``records``) for each distinct period among the records."""
        return [(self.days[code], rows) for code, rows in _groups(self.pcode[records])]

    def codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(integer code per record, distinct values) of a text column, computed once."""
        if name not in self._codes:
            codes, uniques = pd.factorize(self._columns[name])
            self._codes[name] = (codes.astype(np.intp), np.asarray(uniques, dtype=object))
        return self._codes[name]

    def col(self, name: str, idx: IntArray) -> np.ndarray:
        return self._columns[name][idx]

    def num(self, name: str, idx: IntArray) -> FloatArray:
        """A numeric column, NaN (not reported) taken as zero: an unreported flow is no flow."""
        return np.nan_to_num(self._columns[name][idx], nan=0.0)

    def record_label(self, position: int) -> str:
        return str(self._columns["record_id"][position])

    def at(self, parameter: str, *, period: Any = None, edition: str | None = None, **key: Any) -> Cited:
        ident = (parameter, period, edition, tuple(sorted(key.items())))
        if ident not in self._cache:
            try:
                self._cache[ident] = self.params.at(parameter, period=period, edition=edition, **key)
            except ParameterNotFound as exc:
                raise _Missing(exc, parameter, period, key) from None
        return self._cache[ident]

    def value(self, cited: Cited, unit: str) -> float:
        """A cited numeric value converted to the unit the engine function states."""
        return float(cited.value) * conversion_factor(cited.unit, unit)

    def require(self, name: str, idx: IntArray, why: str) -> FloatArray:
        values = self._columns[name][idx].astype(float)
        missing = np.isnan(values)
        if missing.any():
            position = int(idx[np.flatnonzero(missing)[0]])
            raise InputError(
                code="accounting.required_by",
                rule=why,
                file=self.batch.source,
                record=self.record_label(position),
                field=name,
                expected="a number",
            )
        return values


Component = Callable[[_Context, IntArray, Method], list[Term]]


class _Missing(Exception):
    """A parameter lookup that failed, with what was asked, so that :func:`account` can name the record."""

    def __init__(self, error: ParameterNotFound, parameter: str, period: Any, key: dict[str, Any]) -> None:
        super().__init__(str(error))
        self.error, self.parameter, self.period, self.key = error, parameter, period, key


def _stopped_on(ctx: _Context, idx: IntArray, missing: _Missing) -> int:
    """The first record among ``idx`` that needed the missing value: same period, then same key."""
    rows = idx
    if isinstance(missing.period, int | np.integer):  # the grid-factor rule is asked by calendar year
        rows = rows[ctx.year[rows] == int(missing.period)]
    elif missing.period is not None:
        day = period_start(missing.period)
        same = np.array([d == day for d in ctx.days], dtype=bool)
        rows = rows[same[ctx.pcode[rows]]]
    for name, value in missing.key.items():
        if name in ("region", "technology", "sector"):
            narrower = rows[ctx.col(name, rows) == str(value)]
        elif name == "fuel" and not ctx.batch.fuels.empty:
            fuels = ctx.batch.fuels
            narrower = rows[np.isin(rows, fuels["record"].to_numpy()[(fuels["fuel"] == str(value)).to_numpy()])]
        else:
            continue
        rows = narrower if narrower.size else rows
    return int(rows[0]) if rows.size else int(idx[0])


def _named(ctx: _Context, idx: IntArray, missing: _Missing) -> ParameterNotFound:
    """The missing-parameter error again, naming the record (facility and period) it stopped on."""
    position = _stopped_on(ctx, idx, missing)
    error = missing.error
    code = (
        "accounting.parameter_value_missing"
        if isinstance(error, ParameterValueMissing)
        else "accounting.parameter_not_found"
    )
    keys = ", ".join(f"{k}={v}" for k, v in missing.key.items())
    return type(error)(
        code=code,
        **{
            "title": missing.parameter,  # the loader gives the family's zh/en title; a family it does not know has none
            **error.params,
            "parameter": f"{missing.parameter}[{keys}]" if keys else missing.parameter,
            "record": ctx.record_label(position),
            "facility": str(ctx.col("facility_id", np.array([position]))[0]),
            "period": str(ctx.col("period", np.array([position]))[0]),
            "detail": str(error),
            "file": ctx.batch.source or "",
        },
    )


def _with_zh(term: dict[str, Any]) -> dict[str, Any]:
    """A term's clause, formula and notes in Chinese beside the English ones (carbonpeak.accounting.texts_zh)."""
    return {
        **term,
        "reference_zh": texts_zh.reference(term["reference"]),
        "formula_zh": texts_zh.formula(term["formula"]),
        "notes_zh": [texts_zh.note(n) for n in term["notes"]],
    }


def _term(
    name: str,
    zh: str,
    en_label: str,
    unit: str,
    idx: IntArray,
    values: FloatArray,
    method: Method,
    reference: str,
    formula: str,
    **extra: Any,
) -> Term:
    return Term(
        name=name,
        label_zh=zh,
        label_en=en_label,
        unit=unit,
        index=idx,
        values=values,
        method=method.id,
        reference=reference,
        formula=formula,
        **extra,
    )


# ---------------------------------------------------------------- fuel combustion and energy


def _fuel_lines(ctx: _Context, idx: IntArray) -> pd.DataFrame:
    fuels = ctx.batch.fuels
    if fuels.empty:
        return fuels
    mask = np.zeros(len(ctx.batch), dtype=bool)
    mask[idx] = True
    return fuels[mask[fuels["record"].to_numpy()]]


def _groups(key: np.ndarray) -> list[tuple[int, IntArray]]:
    """(key value, positions) for each distinct value of an integer key: one sort, no repeated masks."""
    if key.size == 0:
        return []
    if key.min() >= 0 and key.max() < 2**15:
        key = key.astype(np.int16)  # NumPy sorts 16-bit integers with a linear-time radix sort
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    return [(int(ordered[start]), group) for start, group in zip(starts, np.split(order, bounds), strict=True)]


def _fuel_groups(ctx: _Context, lines: pd.DataFrame) -> list[tuple[str, dt.date, IntArray]]:
    """(fuel code, period day, line positions) for each fuel and period among the lines."""
    codes = lines["fuel"].cat.codes.to_numpy().astype(np.int64)
    names = lines["fuel"].cat.categories
    periods = len(ctx.days)
    key = codes * periods + ctx.pcode[lines["record"].to_numpy()]
    return [(str(names[k // periods]), ctx.days[k % periods], rows) for k, rows in _groups(key)]


def _fuel_factor(
    ctx: _Context,
    lines: pd.DataFrame,
    groups: list[tuple[str, dt.date, IntArray]],
    quantity: str,
    unit_of: Callable[[str], str],
) -> tuple[FloatArray, list[Used]]:
    """Per line: the measured value where given, else the cited default for the fuel and period.

    ``unit_of(fuel code)`` is the unit the engine expects: NCVs are per t for solid and liquid
    fuels and per 10^4 Nm3 for gases.
    """
    measured = lines[quantity].to_numpy(dtype=float)
    values = measured.copy()
    used: list[Used] = []
    records = lines["record"].to_numpy()
    for code, day, rows in groups:
        rows = rows[np.isnan(measured[rows])]
        if rows.size == 0:
            continue
        cited = ctx.at("emissions.fuel", period=day, fuel=code, quantity=quantity)
        values[rows] = ctx.value(cited, unit_of(code))
        used.append(Used(cited, records[rows]))
    return values, used


def _fuel(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    lines = _fuel_lines(ctx, idx)
    if lines.empty:
        return []
    groups = _fuel_groups(ctx, lines)
    ncv, used_ncv = _fuel_factor(ctx, lines, groups, "ncv", lambda code: f"GJ/{FUELS[code].unit}")
    cc, used_cc = _fuel_factor(ctx, lines, groups, "carbon_content", lambda code: "t/TJ")
    of, used_of = _fuel_factor(ctx, lines, groups, "oxidation_rate", lambda code: "percent")
    amount = lines["amount"].to_numpy(dtype=float)
    line_tco2 = cb.fuel_combustion_tco2(amount, ncv, cc, of)
    records = lines["record"].to_numpy()
    per_record = np.bincount(records, weights=line_tco2, minlength=len(ctx.batch))[idx]
    codes, names = lines["fuel"].cat.codes.to_numpy(), lines["fuel"].cat.categories  # per line, for the breakdown
    return [
        _term(
            "fuel",
            "化石燃料燃烧排放",
            "fossil fuel combustion",
            "tCO2",
            idx,
            per_record,
            method,
            "NDRC 2013 guidelines, 化石燃料燃烧排放 (E = FC × NCV × CC × OF × 44/12)",
            "Σ FC_i × NCV_i × CC_i × 10⁻³ × OF_i/100 × 44/12",
            parameters=used_ncv + used_cc + used_of,
            breakdown={
                "record": records,
                "fuel": np.asarray(names, dtype=object)[codes],
                "amount": amount,
                "amount_unit": np.array([FUELS[str(c)].unit for c in names], dtype=object)[codes],
                "ncv": ncv,
                "carbon_content": cc,
                "oxidation_rate": of,
                "tco2": line_tco2,
            },
            # A unit may name another column of the item: the amount is in the fuel's own unit.
            breakdown_units={
                "amount": "{amount_unit}",
                "ncv": "GJ/{amount_unit}",
                "carbon_content": "tC/TJ",
                "oxidation_rate": "%",
                "tco2": "tCO2",
            },
        )
    ]


def _energy(ctx: _Context, idx: IntArray) -> list[Term]:
    """Comprehensive energy consumption in tce (GB/T 2589-2020) for every record."""
    method = _ENERGY_METHOD
    terms: list[Term] = []
    lines = _fuel_lines(ctx, idx)
    n = len(ctx.batch)
    if not lines.empty:
        amount = lines["amount"].to_numpy(dtype=float)
        measured_ncv = lines["ncv"].to_numpy(dtype=float)
        records = lines["record"].to_numpy()
        tce = np.zeros(len(lines))
        used: list[Used] = []
        has_ncv = ~np.isnan(measured_ncv)
        tce[has_ncv] = en.energy_tce_from_heating_value(amount[has_ncv], measured_ncv[has_ncv])
        for code, day, rows in _fuel_groups(ctx, lines):
            rows = rows[~has_ncv[rows]]
            if rows.size == 0:
                continue
            fuel = FUELS[code]
            if fuel.gbt2589_carrier is not None:
                cited = ctx.at("energy.coefficient", period=day, carrier=fuel.gbt2589_carrier)
                tce[rows] = en.energy_tce_from_coefficient(amount[rows], ctx.value(cited, f"tce/{fuel.unit}"))
            else:
                cited = ctx.at("emissions.fuel", period=day, fuel=code, quantity="ncv")
                tce[rows] = en.energy_tce_from_heating_value(amount[rows], ctx.value(cited, f"GJ/{fuel.unit}"))
            used.append(Used(cited, records[rows]))
        per_record = np.bincount(records, weights=tce, minlength=n)[idx]
        terms.append(
            _term(
                "energy_fuel",
                "化石燃料能耗",
                "fuel energy",
                "tce",
                idx,
                per_record,
                method,
                "GB/T 2589-2020 §3 and Annex A",
                "Σ amount_i × k_i (Annex A), or amount_i × NCV_i / 29.3076 where the NCV is measured "
                "or Annex A lists no coefficient",
                parameters=used,
            )
        )
    net_mwh = ctx.num("grid_electricity_mwh", idx) - ctx.num("exported_electricity_mwh", idx)
    net_gj = ctx.num("purchased_heat_gj", idx) - ctx.num("exported_heat_gj", idx)
    for part, name, zh, label, carrier, unit, amount_array, input_name in [
        (
            "electricity",
            "energy_electricity",
            "电力能耗（当量值）",
            "electricity energy (equivalent value)",
            "electricity_equivalent",
            "tce/MWh",
            net_mwh,
            "net_purchased_electricity_mwh",
        ),
        ("heat", "energy_heat", "热力能耗", "heat energy", "heat", "tce/GJ", net_gj, "net_purchased_heat_gj"),
    ]:
        values = np.zeros(idx.size)
        used_part: list[Used] = []
        for day, rows in ctx.periods_of(idx):
            cited = ctx.at("energy.coefficient", period=day, carrier=carrier)
            values[rows] = en.energy_tce_from_coefficient(amount_array[rows], ctx.value(cited, unit))
            used_part.append(Used(cited, idx[rows]))
        terms.append(
            _term(
                name,
                zh,
                label,
                "tce",
                idx,
                values,
                method,
                "GB/T 2589-2020 Annex A",
                f"(purchased − exported) {part} × k",
                inputs={input_name: amount_array},
                input_units={input_name: unit.split("/")[1]},
                parameters=used_part,
            )
        )
    if ctx.options.electricity_convention == "equal":
        values = np.zeros(idx.size)
        used_eq: list[Used] = []
        for day, rows in ctx.periods_of(idx):
            cited = ctx.at("energy.electricity_equal_value", period=day)
            values[rows] = en.energy_tce_from_coefficient(net_mwh[rows], ctx.value(cited, "tce/MWh"))
            used_eq.append(Used(cited, idx[rows]))
        terms.append(
            _term(
                "energy_electricity_equal",
                "电力能耗（等价值）",
                "electricity energy (equal value)",
                "tce",
                idx,
                values,
                method,
                "GB/T 2589-2020 Annex A note (等价值)",
                "(purchased − exported) electricity × the year's thermal coal consumption per kWh",
                inputs={"net_purchased_electricity_mwh": net_mwh},
                parameters=used_eq,
            )
        )
    return terms


# ---------------------------------------------------------------- electricity and heat


def _grid_factors(ctx: _Context, idx: IntArray) -> tuple[FloatArray, FloatArray, list[Used], list[str]]:
    """Location and residual factors per record, by the grid-factor rule in force for its year."""
    location = np.zeros(idx.size)
    residual = np.zeros(idx.size)
    used: list[Used] = []
    notes: list[str] = []
    years = ctx.year[idx]
    for year in pd.unique(years):
        in_year = years == year
        try:
            notes += _grid_factors_of_year(ctx, idx, in_year, int(year), location, residual, used)
        except _Missing as missing:  # a factor keyed by data year: the records it stopped are this year's
            if missing.period is None:
                missing.period = int(year)
            raise
    return location, residual, used, notes


def _grid_factors_of_year(
    ctx: _Context,
    idx: IntArray,
    in_year: np.ndarray,
    year: int,
    location: FloatArray,
    residual: FloatArray,
    used: list[Used],
) -> list[str]:
    rule_cited = ctx.at("electricity.grid_factor_rule", period=year)
    rule = rule_cited.value
    used.append(Used(rule_cited, idx[in_year]))
    if rule["series"] == "ets":
        cited = ctx.at("electricity.grid_factor_ets", period=year)
        location[in_year] = residual[in_year] = ctx.value(cited, "tCO2e/MWh")
        used.append(Used(cited, idx[in_year]))
        return [f"{year}: no residual factor exists; market-based uses the ETS factor"]
    region_codes, region_names = ctx.codes("region")
    regions = region_codes[idx]
    data_year = year - int(rule["lag_years"])
    for region_code in np.unique(regions[in_year]):
        rows = in_year & (regions == region_code)
        region = str(region_names[region_code])
        level = region if ctx.options.grid_region == "provincial" else rule["region"]
        cited = ctx.at("electricity.grid_factor", data_year=data_year, region=level, basis="location")
        location[rows] = ctx.value(cited, "tCO2e/MWh")
        used.append(Used(cited, idx[rows]))
    try:
        res = ctx.at("electricity.grid_factor", data_year=data_year, region="china", basis="residual")
    except _Missing:
        residual[in_year] = location[in_year]
        return [f"{year}: no residual factor for {data_year}; market-based uses the location factor"]
    residual[in_year] = ctx.value(res, "tCO2e/MWh")
    used.append(Used(res, idx[in_year]))
    return []


@dataclass(frozen=True)
class OwnFactor:
    """A factor a record may carry itself (``field``), with its citation (``source_field``), in place of
    the factor the parameter ``replaces`` gives for the term."""

    field: str
    source_field: str
    unit: str
    replaces: str


# The factors a record may carry in place of a cited parameter; a method lists those it allows
# (Method.own_factors). The location-based grid factor is never one: the rule prescribes it.
OWN_FACTORS = {
    "grid_factor_tco2_per_mwh": OwnFactor(
        "grid_factor_tco2_per_mwh",
        "grid_factor_source",
        "tCO2/MWh",
        "electricity.grid_factor_rule",  # its market-based factor: residual, or location where none exists
    ),
}


def _check_own_factors(ctx: _Context, idx: IntArray, method: Method) -> None:
    """A record's own factor is refused where its method does not allow it, and without its citation."""
    for name, own in OWN_FACTORS.items():
        given = ~np.isnan(ctx.col(name, idx).astype(float))
        if not given.any():
            continue
        first = int(idx[np.flatnonzero(given)[0]])
        if name not in method.own_factors:
            raise InputError(
                code="accounting.own_factor_not_allowed",
                method=method.id,
                file=ctx.batch.source,
                record=ctx.record_label(first),
                field=name,
                value=float(ctx.col(name, np.array([first]))[0]),
            )
        sources = np.char.strip(ctx.col(own.source_field, idx).astype(str))
        unsourced = given & (sources == "")
        if unsourced.any():
            raise InputError(
                code="accounting.own_factor_needs_source",
                file=ctx.batch.source,
                record=ctx.record_label(int(idx[np.flatnonzero(unsourced)[0]])),
                field=own.source_field,
            )


def _own_factor(ctx: _Context, idx: IntArray, name: str) -> tuple[np.ndarray, Own | None]:
    """(which of ``idx`` carry their own ``name`` factor, its provenance) after _check_own_factors."""
    values = ctx.col(name, idx).astype(float)
    given = ~np.isnan(values)
    if not given.any():
        return given, None
    own = OWN_FACTORS[name]
    sources = ctx.col(own.source_field, idx)[given]
    return given, Own(name, own.replaces, own.unit, idx[given], values[given], np.asarray(sources, dtype=object))


def _electricity(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    purchased = ctx.num("grid_electricity_mwh", idx)
    exported = ctx.num("exported_electricity_mwh", idx)
    certificates = ctx.num("green_certificate_mwh", idx)
    direct = ctx.num("direct_renewable_mwh", idx)
    location_ef, residual_ef, used, notes = _grid_factors(ctx, idx)
    net_location = purchased - exported
    net_market = cb.market_based_net_mwh(purchased, exported, certificates, direct)
    has_own, own = _own_factor(ctx, idx, "grid_factor_tco2_per_mwh")
    market_ef = residual_ef.copy()
    market_used = used
    if own is not None:
        market_ef[has_own] = own.values
        # A record that carried its own factor used none of the rule's factors for this figure.
        market_used = [Used(u.cited, u.records[~np.isin(u.records, own.records)]) for u in used]
        market_used = [u for u in market_used if u.records.size]
    reference = "NDRC 2013 guidelines 净购入电力; MEE/NBS 电力二氧化碳排放因子; grid-factor rule in force"
    return [
        _term(
            "electricity_location",
            "净购入电力排放（基于位置）",
            "net purchased electricity, location-based",
            "tCO2",
            idx,
            cb.purchased_electricity_tco2(net_location, location_ef),
            method,
            reference,
            "(purchased − exported) × EF_location",
            inputs={
                "grid_electricity_mwh": purchased,
                "exported_electricity_mwh": exported,
                "grid_factor_location": location_ef,
            },
            input_units={
                "grid_electricity_mwh": "MWh",
                "exported_electricity_mwh": "MWh",
                "grid_factor_location": "tCO2/MWh",
            },
            parameters=[u for u in used if u.cited.key.get("basis") != "residual"],
            notes=notes,
        ),
        _term(
            "electricity_market",
            "净购入电力排放（基于市场）",
            "net purchased electricity, market-based",
            "tCO2",
            idx,
            cb.purchased_electricity_tco2(net_market, market_ef),
            method,
            reference,
            "(purchased − min(purchased, certificates + direct renewable) − exported) × EF_market",
            inputs={
                "grid_electricity_mwh": purchased,
                "green_certificate_mwh": certificates,
                "direct_renewable_mwh": direct,
                "exported_electricity_mwh": exported,
                "grid_factor_market": market_ef,
            },
            input_units={"grid_factor_market": "tCO2/MWh"},
            parameters=market_used,
            notes=notes,
            own=[own] if own is not None else [],
        ),
    ]


def _heat(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    net_gj = ctx.num("purchased_heat_gj", idx) - ctx.num("exported_heat_gj", idx)
    values = np.zeros(idx.size)
    used: list[Used] = []
    for day, rows in ctx.periods_of(idx):
        cited = ctx.at("emissions.heat_cn", period=day)
        values[rows] = cb.purchased_heat_tco2(net_gj[rows], ctx.value(cited, "tCO2e/GJ"))
        used.append(Used(cited, idx[rows]))
    return [
        _term(
            "heat",
            "净购入热力排放",
            "net purchased heat",
            "tCO2",
            idx,
            values,
            method,
            "NDRC 2013 guidelines, 净购入热力",
            "(purchased − exported) heat × EF_heat",
            inputs={"net_purchased_heat_gj": net_gj},
            input_units={"net_purchased_heat_gj": "GJ"},
            parameters=used,
        )
    ]


# ---------------------------------------------------------------- aluminium (national guidelines)


def _edition_value(ctx: _Context, method: Method, quantity: str, unit: str) -> tuple[float, Cited]:
    cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity=quantity)
    return ctx.value(cited, unit), cited


def _measured_or_default(
    ctx: _Context, idx: IntArray, column: str, default: float, cited: Cited
) -> tuple[FloatArray, list[Used]]:
    measured = ctx.col(column, idx).astype(float)
    uses_default = np.isnan(measured)
    values = np.where(uses_default, default, measured)
    return values, ([Used(cited, idx[uses_default])] if uses_default.any() else [])


def _anode_cn(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    output = ctx.num("output_t", idx)
    used: list[Used] = []
    values = {}
    for column, quantity, unit in [
        ("net_anode_consumption_t_per_t", "net_anode_consumption", "t/t"),
        ("anode_sulfur_pct", "anode_sulfur", "percent"),
        ("anode_ash_pct", "anode_ash", "percent"),
    ]:
        default, cited = _edition_value(ctx, method, quantity, unit)
        values[column], u = _measured_or_default(ctx, idx, column, default, cited)
        used += u
    tco2 = al.anode_consumption_tco2(
        output, values["net_anode_consumption_t_per_t"], values["anode_sulfur_pct"], values["anode_ash_pct"]
    )
    return [
        _term(
            "anode",
            "炭阳极消耗排放",
            "carbon anode consumption",
            "tCO2",
            idx,
            tco2,
            method,
            method.reference + ", 能源作为原材料用途",
            "P × NC × (100 − S − A)/100 × 44/12",
            inputs={"output_t": output, **values},
            input_units={
                "output_t": "t",
                "net_anode_consumption_t_per_t": "t/t",
                "anode_sulfur_pct": "%",
                "anode_ash_pct": "%",
            },
            parameters=used,
        )
    ]


def _gwp(ctx: _Context, edition: str, idx: IntArray) -> tuple[float, float, list[Used]]:
    cf4 = ctx.at("emissions.gwp", edition=edition, gas="CF4")
    c2f6 = ctx.at("emissions.gwp", edition=edition, gas="C2F6")
    return (ctx.value(cf4, "tCO2e/t_gas"), ctx.value(c2f6, "tCO2e/t_gas"), [Used(cf4, idx), Used(c2f6, idx)])


def _pfc_cn(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    ef_cf4, cited_cf4 = _edition_value(ctx, method, "ef_cf4", "kg_gas/t")
    ef_c2f6, cited_c2f6 = _edition_value(ctx, method, "ef_c2f6", "kg_gas/t")
    cf4 = np.full(idx.size, ef_cf4)
    c2f6 = np.full(idx.size, ef_c2f6)
    default_rows = np.ones(idx.size, dtype=bool)
    used: list[Used] = []
    notes: list[str] = []
    aem = ctx.col("anode_effect_minutes_per_cell_day", idx).astype(float)
    if method.parameter_edition == "cn-2024" and (~np.isnan(aem)).any():
        slope_rows = ~np.isnan(aem)
        slope, cited_slope = _edition_value(ctx, method, "slope_cf4", "kg_gas/t")
        ratio, cited_ratio = _edition_value(ctx, method, "c2f6_to_cf4", "dimensionless")
        cf4[slope_rows] = al.pfc_slope_cf4_kg_per_t(aem[slope_rows], slope)
        c2f6[slope_rows] = cf4[slope_rows] * ratio
        default_rows &= ~slope_rows
        used += [Used(cited_slope, idx[slope_rows]), Used(cited_ratio, idx[slope_rows])]
        notes.append("slope method where anode-effect minutes are reported (EF_CF4 = slope × AEM)")
    measured_cf4 = ctx.col("cf4_kg_per_t", idx).astype(float)
    measured_c2f6 = ctx.col("c2f6_kg_per_t", idx).astype(float)
    has_measured = ~np.isnan(measured_cf4)
    cf4[has_measured] = measured_cf4[has_measured]
    c2f6 = np.where(~np.isnan(measured_c2f6), measured_c2f6, c2f6)
    default_rows &= ~has_measured
    if default_rows.any():
        used += [Used(cited_cf4, idx[default_rows]), Used(cited_c2f6, idx[default_rows])]
    edition_cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity="gwp_edition")
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(edition_cited.value),
            ("阳极效应全氟化碳排放", "PFC from anode effects"),
            method.reference + ", 阳极效应 PFCs",
            "P × (EF_CF4 × GWP_CF4 + EF_C2F6 × GWP_C2F6) / 1000",
            [*used, Used(edition_cited, idx)],
            notes,
        )
    ]


def _pfc_term(
    ctx: _Context,
    idx: IntArray,
    method: Method,
    cf4: FloatArray,
    c2f6: FloatArray,
    gwp_edition: str,
    labels: tuple[str, str],
    reference: str,
    formula: str,
    parameters: list[Used],
    notes: list[str],
) -> Term:
    """The PFC term from per-record CF4 and C2F6 factors [kg/t Al], with each gas's mass and CO2e."""
    output = ctx.num("output_t", idx)
    gwp_cf4, gwp_c2f6, used_gwp = _gwp(ctx, gwp_edition, idx)
    cf4_t, c2f6_t = al.gas_mass_t(output, cf4), al.gas_mass_t(output, c2f6)
    breakdown = {
        "record": np.concatenate([idx, idx]),
        "gas": np.array(["CF4"] * idx.size + ["C2F6"] * idx.size, dtype=object),
        "factor_kg_per_t": np.concatenate([cf4, c2f6]),
        "mass_t": np.concatenate([cf4_t, c2f6_t]),
        "gwp": np.concatenate([np.full(idx.size, gwp_cf4), np.full(idx.size, gwp_c2f6)]),
        "tco2e": np.concatenate([cf4_t * gwp_cf4, c2f6_t * gwp_c2f6]),
    }
    return _term(
        "pfc",
        labels[0],
        labels[1],
        "tCO2e",
        idx,
        al.pfc_emissions_tco2e(output, cf4, c2f6, gwp_cf4, gwp_c2f6),
        method,
        reference,
        formula,
        inputs={"output_t": output, "cf4_kg_per_t": cf4, "c2f6_kg_per_t": c2f6},
        input_units={"output_t": "t", "cf4_kg_per_t": "kg/t", "c2f6_kg_per_t": "kg/t"},
        parameters=[*parameters, *used_gwp],
        notes=notes,
        breakdown=breakdown,
        breakdown_units={"factor_kg_per_t": "kg/t", "mass_t": "t", "gwp": "tCO2e/t", "tco2e": "tCO2e"},
    )


def _activity_times_factor(
    ctx: _Context, idx: IntArray, method: Method, column: str, cited: Cited, labels: tuple[str, str, str, str]
) -> list[Term]:
    """A term of the form activity [t] × one cited factor [t CO2/t] (limestone, self-made ferrosilicon)."""
    name, zh, en_label, clause = labels
    activity = ctx.num(column, idx)
    tco2 = pr.product_factor_tco2(activity, ctx.value(cited, "tCO2e/t"))
    return [
        _term(
            name,
            zh,
            en_label,
            "tCO2",
            idx,
            tco2,
            method,
            f"{method.reference}, {clause}",
            "AD × EF",
            inputs={column: activity},
            input_units={column: "t"},
            parameters=[Used(cited, idx)],
        )
    ]


def _limestone(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    cited = ctx.at("emissions.aluminium_cn", edition=method.parameter_edition, quantity="limestone_ef")
    labels = ("limestone", "石灰石煅烧排放", "limestone calcination", "煅烧石灰石")
    return _activity_times_factor(ctx, idx, method, "limestone_t", cited, labels)


def _carbonates(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    lines = _lines_of(ctx, ctx.batch.carbonates, idx)
    if lines.empty:
        return []
    kinds = lines["carbonate"].cat.codes.to_numpy()
    names = lines["carbonate"].cat.categories
    factor = np.zeros(len(lines))
    used: list[Used] = []
    records = lines["record"].to_numpy()
    for number in np.unique(kinds):
        cited = ctx.at("emissions.carbonate", carbonate=str(names[number]))
        factor[kinds == number] = ctx.value(cited, "tCO2e/t")
        used.append(Used(cited, records[kinds == number]))
    purity = np.nan_to_num(lines["purity_pct"].to_numpy(dtype=float), nan=100.0)  # unstated purity: pure
    tco2 = pr.carbonate_decomposition_tco2(lines["amount_t"].to_numpy(dtype=float), purity, factor)
    per_record = np.bincount(records, weights=tco2, minlength=len(ctx.batch))[idx]
    return [
        _term(
            "carbonates",
            "碳酸盐分解排放",
            "carbonate decomposition",
            "tCO2",
            idx,
            per_record,
            method,
            "MEE 2024 aluminium-smelting guideline §7; NDRC 2015 guideline 碳酸盐分解",
            "Σ M_i × purity_i/100 × EF_i",
            parameters=used,
            notes=["purity taken as 100 % where not reported"],
        )
    ]


def _lines_of(ctx: _Context, lines: pd.DataFrame, idx: IntArray) -> pd.DataFrame:
    if lines.empty:
        return lines
    mask = np.zeros(len(ctx.batch), dtype=bool)
    mask[idx] = True
    return lines[mask[lines["record"].to_numpy()]]


# ---------------------------------------------------------------- magnesium and other non-ferrous


def _ferrosilicon(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    cited = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="ferrosilicon_ef")
    labels = (
        "ferrosilicon",
        "硅铁生产能源作为原材料排放",
        "ferrosilicon production (energy as raw material)",
        "能源作为原材料用途",
    )
    return _activity_times_factor(ctx, idx, method, "ferrosilicon_t", cited, labels)


def _dolomite(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    dolomite = ctx.num("dolomite_t", idx)
    ef = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="dolomite_ef")
    k = ctx.at("emissions.magnesium_cn", edition=method.parameter_edition, quantity="dolomite_coefficient")
    tco2 = pr.dolomite_calcination_tco2(dolomite, ctx.value(k, "dimensionless"), ctx.value(ef, "tCO2e/t"))
    return [
        _term(
            "dolomite",
            "白云石煅烧排放",
            "dolomite calcination",
            "tCO2",
            idx,
            tco2,
            method,
            method.reference + ", 工业生产过程（煅烧白云石）",
            "dolomite × k × EF",
            inputs={"dolomite_t": dolomite},
            input_units={"dolomite_t": "t"},
            parameters=[Used(ef, idx), Used(k, idx)],
        )
    ]


def _reductants(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    lines = _lines_of(ctx, ctx.batch.reductants, idx)
    if lines.empty:
        return []
    amount = lines["amount_t"].to_numpy(dtype=float)
    carbon = lines["carbon_content_pct"].to_numpy(dtype=float)
    records = lines["record"].to_numpy()
    agents = lines["agent"].cat.codes.to_numpy()
    agent_names = lines["agent"].cat.categories
    tco2 = np.zeros(len(lines))
    measured = ~np.isnan(carbon)
    tco2[measured] = pr.reductant_carbon_tco2(amount[measured], carbon[measured])
    used: list[Used] = []
    for number in np.unique(agents[~measured]):
        rows = (agents == number) & ~measured
        cited = ctx.at("emissions.ipcc2006", quantity="ef_reducing_agent", technology=str(agent_names[number]))
        tco2[rows] = pr.product_factor_tco2(amount[rows], ctx.value(cited, "tCO2e/t"))
        used.append(Used(cited, records[rows]))
    per_record = np.bincount(records, weights=tco2, minlength=len(ctx.batch))[idx]
    notes = ["measured carbon content where reported; otherwise the IPCC 2006 Tier 2 reducing-agent factor"]
    return [
        _term(
            "reductants",
            "还原剂（能源作为原材料）排放",
            "reducing agents (energy as raw material)",
            "tCO2",
            idx,
            per_record,
            method,
            method.reference + "; IPCC 2006 Eq. 4.16-4.17",
            "Σ M_i × C_i/100 × 44/12 (measured C) or Σ M_i × EF_agent",
            parameters=used,
            notes=notes,
        )
    ]


# ---------------------------------------------------------------- IPCC 2006 alternatives

_PREBAKE = {"CWPB", "SWPB", "PFPB_L", "PFPB_M", "PFPB_MW"}
_SODERBERG = {"VSS", "HSS"}
_IPCC_PRODUCT = {
    Sector.MAGNESIUM: ("ef_co2_primary_magnesium", ("dolomite", "magnesite"), None),
    Sector.LEAD: ("ef_co2_lead", ("imperial_smelting_furnace", "direct_smelting", "secondary_materials"), "default"),
    Sector.ZINC: ("ef_co2_zinc", ("waelz_kiln", "pyrometallurgical"), "default"),
    Sector.INDUSTRIAL_SILICON: ("ef_co2_ferroalloy", ("silicon_metal",), "silicon_metal"),
}


def _technology(ctx: _Context, idx: IntArray, allowed: Iterable[str], default: str | None, why: str) -> np.ndarray:
    tech = ctx.col("technology", idx).astype(object)
    tech = np.where(tech == "", default if default is not None else "", tech)
    # An empty technology takes the method's default factor where it has one (lead, zinc: IPCC 2006 Eq.
    # 4.32-4.33 "default"); the default's own key is accepted as given too.
    allowed = set(allowed) | ({default} if default is not None else set())
    bad = ~np.isin(tech, list(allowed))
    if bad.any():
        position = int(idx[np.flatnonzero(bad)[0]])
        raise InputError(
            code="accounting.required_by",
            rule=why,
            file=ctx.batch.source,
            record=ctx.record_label(position),
            field="technology",
            value=str(ctx.col("technology", idx)[np.flatnonzero(bad)[0]]) or None,
            expected="one of " + ", ".join(sorted(allowed)),
        )
    return tech


def _ipcc_tier1(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    terms: list[Term] = []
    sectors = ctx.col("sector", idx)
    output_all = ctx.num("output_t", idx)
    reference = "IPCC 2006 Guidelines, Vol. 3, Ch. 4"
    for sector in np.unique(sectors):
        rows = sectors == sector
        sub, output = idx[rows], output_all[rows]
        if sector == Sector.ELECTROLYTIC_ALUMINIUM:
            tech = _technology(ctx, sub, _PREBAKE | _SODERBERG, None, "the IPCC aluminium Tier 1 method")
            terms += _tier1_aluminium_co2(ctx, sub, method, tech)
            terms += _tier1_aluminium_pfc(ctx, sub, method, tech)
            continue
        quantity, allowed, default = _IPCC_PRODUCT[Sector(sector)]
        tech = _technology(ctx, sub, allowed, default, f"the IPCC {sector} Tier 1 method")
        ef, used = _keyed(ctx, sub, quantity, tech)
        terms.append(
            _term(
                "ipcc_process",
                "工业生产过程排放（IPCC第1层级）",
                "process CO2 (IPCC Tier 1)",
                "tCO2",
                sub,
                pr.product_factor_tco2(output, ef),
                method,
                reference,
                "P × EF",
                inputs={"output_t": output, "technology": tech},
                parameters=used,
            )
        )
        if sector == Sector.MAGNESIUM:
            cast = ctx.num("magnesium_cast_t", sub)
            sf6_ef = ctx.at("emissions.ipcc2006", quantity="ef_sf6_cover_gas", technology="casting")
            gwp = ctx.at("emissions.gwp", edition=str(method.gwp_edition), gas="SF6")
            sf6_t = pr.gas_emitted_t(cast, ctx.value(sf6_ef, "kg_gas/t"))
            terms.append(
                _term(
                    "sf6",
                    "六氟化硫保护气排放",
                    "SF6 cover gas",
                    "tCO2e",
                    sub,
                    sf6_t * ctx.value(gwp, "tCO2e/t_gas"),
                    method,
                    reference + ", Eq. 4.30",
                    "MgC × EF_SF6 / 1000 × GWP_SF6",
                    inputs={"magnesium_cast_t": cast},
                    parameters=[Used(sf6_ef, sub), Used(gwp, sub)],
                )
            )
        if sector == Sector.INDUSTRIAL_SILICON:
            ch4_ef = ctx.at("emissions.ipcc2006", quantity="ef_ch4_ferroalloy_tier1", technology="silicon_metal")
            terms.append(
                _term(
                    "ch4",
                    "甲烷排放（未折算CO2e）",
                    "CH4 (not converted to CO2e)",
                    "t CH4",
                    sub,
                    pr.gas_emitted_t(output, ctx.value(ch4_ef, "kg_gas/t")),
                    method,
                    reference + ", Eq. 4.18",
                    "P × EF_CH4 / 1000",
                    inputs={"output_t": output},
                    parameters=[Used(ch4_ef, sub)],
                    notes=["reported in t CH4: the CH4 GWP is not in carbonpeak's parameters yet"],
                )
            )
    return terms


def _tier1_aluminium_co2(
    ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, note: str | None = None
) -> list[Term]:
    """Anode/paste CO2 by IPCC 2006 Tier 1 (Eq. 4.20, Table 4.10): output × the prebake or Søderberg factor."""
    output = ctx.num("output_t", idx)
    route = np.where(np.isin(tech, list(_SODERBERG)), "soderberg", "prebake")
    ef, used = _keyed(ctx, idx, "ef_co2_tier1", route)
    return [
        _term(
            "ipcc_process",
            "阳极消耗排放（IPCC第1层级）",
            "anode/paste CO2 (IPCC Tier 1)",
            "tCO2",
            idx,
            al.tier1_process_tco2(output, ef),
            method,
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4, Eq. 4.20",
            "MP × EF",
            inputs={"output_t": output, "technology": tech},
            parameters=used,
            notes=[note] if note else [],
        )
    ]


def _tier1_aluminium_pfc(
    ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, note: str | None = None
) -> list[Term]:
    """PFC by IPCC 2006 Tier 1 (Eq. 4.25, Table 4.15); point-feed prebake cells take the CWPB factors."""
    ipcc_tech = np.where(np.isin(tech, ["PFPB_L", "PFPB_M", "PFPB_MW"]), "CWPB", tech)
    cf4, used_cf4 = _keyed(ctx, idx, "ef_cf4_tier1", ipcc_tech, unit="kg_gas/t")
    c2f6, used_c2f6 = _keyed(ctx, idx, "ef_c2f6_tier1", ipcc_tech, unit="kg_gas/t")
    notes = ["point-feed prebake (PFPB) cells take the CWPB Tier 1 factors", *([note] if note else [])]
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(method.gwp_edition),
            ("全氟化碳排放（IPCC第1层级）", "PFC (IPCC Tier 1)"),
            "IPCC 2006 Guidelines, Vol. 3, Ch. 4, Eq. 4.25, Table 4.15",
            "MP × (EF_CF4 × GWP + EF_C2F6 × GWP)/1000",
            used_cf4 + used_c2f6,
            notes,
        )
    ]


def _keyed(
    ctx: _Context,
    idx: IntArray,
    quantity: str,
    technologies: np.ndarray,
    unit: str = "tCO2e/t",
    family: str = "emissions.ipcc2006",
    period: Any = None,
) -> tuple[FloatArray, list[Used]]:
    values = np.zeros(idx.size)
    used: list[Used] = []
    for tech in np.unique(technologies):
        rows = technologies == tech
        cited = ctx.at(family, period=period, quantity=quantity, technology=str(tech))
        values[rows] = ctx.value(cited, unit)
        used.append(Used(cited, idx[rows]))
    return values, used


def _ipcc_default(
    ctx: _Context, idx: IntArray, column: str, quantity: str, technology: str, unit: str
) -> tuple[FloatArray, list[Used]]:
    cited = ctx.at("emissions.ipcc2006", quantity=quantity, technology=technology)
    return _measured_or_default(ctx, idx, column, ctx.value(cited, unit), cited)


def _pfc_tier2(ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray, family: str, period: Any) -> list[Term]:
    """PFC by the slope method where AEM is reported, else by the overvoltage method."""
    aem = ctx.col("anode_effect_minutes_per_cell_day", idx).astype(float)
    aeo = ctx.col("anode_effect_overvoltage_mv", idx).astype(float)
    ce = ctx.col("current_efficiency_pct", idx).astype(float)
    measured_cf4 = ctx.col("cf4_kg_per_t", idx).astype(float)
    measured_c2f6 = ctx.col("c2f6_kg_per_t", idx).astype(float)
    measured_rows = ~np.isnan(measured_cf4)  # Tier 3: facility-measured factors take precedence
    slope_rows = ~measured_rows & ~np.isnan(aem)
    over_rows = ~measured_rows & ~slope_rows & ~np.isnan(aeo) & ~np.isnan(ce)
    if not (measured_rows | slope_rows | over_rows).all():
        position = int(idx[np.flatnonzero(~(measured_rows | slope_rows | over_rows))[0]])
        raise InputError(
            code="accounting.pfc_tier2_inputs",
            file=ctx.batch.source,
            record=ctx.record_label(position),
            field="anode_effect_minutes_per_cell_day",
        )
    cf4 = np.zeros(idx.size)
    ratio = np.zeros(idx.size)
    used: list[Used] = []
    if slope_rows.any():
        slope, u1 = _keyed(ctx, idx[slope_rows], "slope_cf4", tech[slope_rows], "kg_gas/t", family, period)
        r, u2 = _keyed(ctx, idx[slope_rows], "c2f6_to_cf4", tech[slope_rows], "dimensionless", family, period)
        cf4[slope_rows] = al.pfc_slope_cf4_kg_per_t(aem[slope_rows], slope)
        ratio[slope_rows] = r
        used += u1 + u2
    if over_rows.any():
        ovc, u3 = _keyed(ctx, idx[over_rows], "overvoltage_coefficient", tech[over_rows], "kg_gas/t", family, period)
        ratio_name = "overvoltage_c2f6_to_cf4" if family == "cbam.method" else "c2f6_to_cf4"
        r, u4 = _keyed(ctx, idx[over_rows], ratio_name, tech[over_rows], "dimensionless", family, period)
        try:
            cf4[over_rows] = al.pfc_overvoltage_cf4_kg_per_t(ovc, aeo[over_rows], ce[over_rows])
        except ValueError as exc:
            raise InputError(
                str(exc), file=ctx.batch.source, field="current_efficiency_pct", expected="a percentage such as 94"
            ) from None
        ratio[over_rows] = r
        used += u3 + u4
    c2f6 = cf4 * ratio
    cf4[measured_rows] = measured_cf4[measured_rows]
    c2f6[measured_rows] = np.nan_to_num(measured_c2f6[measured_rows], nan=0.0)
    return [
        _pfc_term(
            ctx,
            idx,
            method,
            cf4,
            c2f6,
            str(method.gwp_edition),
            ("全氟化碳排放（斜率法/过电压法）", "PFC (slope or overvoltage method)"),
            method.reference,
            "CF4 = S × AEM (or OVC × AEO/CE); C2F6 = CF4 × F; E = MP × Σ EF × GWP / 1000",
            used,
            [],
        )
    ]


# The inputs that make a record's source Tier 2/3 under ipcc2006-tier2 (IPCC 2006 Ch. 4 chooses the tier of
# each source, anode/paste CO2 and PFC, separately). A source without any of them takes its Tier 1 factor.
_TIER2_PFC_INPUTS = (
    "cf4_kg_per_t",
    "c2f6_kg_per_t",
    "anode_effect_minutes_per_cell_day",
    "anode_effect_overvoltage_mv",
)
_TIER2_PREBAKE_INPUTS = (
    "net_anode_consumption_t_per_t",
    "anode_sulfur_pct",
    "anode_ash_pct",
    "green_anodes_t",
    "baked_anodes_t",
)
_TIER2_SODERBERG_INPUTS = ("paste_t_per_t",)


def _reports_any(ctx: _Context, idx: IntArray, columns: Iterable[str]) -> np.ndarray:
    return np.logical_or.reduce([~np.isnan(ctx.col(c, idx).astype(float)) for c in columns])


def _ipcc_tier2(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    sectors = ctx.col("sector", idx)
    terms: list[Term] = []
    si = idx[sectors == Sector.INDUSTRIAL_SILICON]
    if si.size:
        terms += _reductants(ctx, si, method)
    sub = idx[sectors == Sector.ELECTROLYTIC_ALUMINIUM]
    if not sub.size:
        return terms
    tech = _technology(ctx, sub, _PREBAKE | _SODERBERG, None, "the IPCC aluminium Tier 2/3 methods")
    ipcc_tech = np.where(np.isin(tech, ["PFPB_L", "PFPB_M", "PFPB_MW"]), "CWPB", tech)
    prebake = np.isin(tech, list(_PREBAKE))
    pfc2 = _reports_any(ctx, sub, _TIER2_PFC_INPUTS)
    co2 = np.where(
        prebake,
        _reports_any(ctx, sub, _TIER2_PREBAKE_INPUTS),
        _reports_any(ctx, sub, _TIER2_SODERBERG_INPUTS) | (ctx.col("paste_type", sub) != ""),
    )
    neither = ~pfc2 & ~co2
    if neither.any():
        raise InputError(
            code="accounting.tier2_no_inputs",
            file=ctx.batch.source,
            record=ctx.record_label(int(sub[np.flatnonzero(neither)[0]])),
            field="net_anode_consumption_t_per_t" if prebake[np.flatnonzero(neither)[0]] else "paste_t_per_t",
        )
    if pfc2.any():
        terms += _pfc_tier2(ctx, sub[pfc2], method, ipcc_tech[pfc2], "emissions.ipcc2006", None)
    if (~pfc2).any():
        note = "Tier 1 for PFC: the record reports no anode-effect data or measured PFC factors"
        terms += _tier1_aluminium_pfc(ctx, sub[~pfc2], method, tech[~pfc2], note)
    if (co2 & prebake).any():
        terms += _ipcc_prebake(ctx, sub[co2 & prebake], method)
    if (co2 & ~prebake).any():
        soderberg = sub[co2 & ~prebake]
        terms += _ipcc_soderberg(ctx, soderberg, method, ctx.col("technology", soderberg))
    if (~co2).any():
        note = "Tier 1 for anode/paste CO2: the record reports no anode or paste consumption"
        terms += _tier1_aluminium_co2(ctx, sub[~co2], method, tech[~co2], note)
    return terms


def _ipcc_prebake(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    output = ctx.num("output_t", idx)
    nac = ctx.require("net_anode_consumption_t_per_t", idx, "IPCC 2006 Eq. 4.21 (no default for NAC)")
    s, used_s = _ipcc_default(ctx, idx, "anode_sulfur_pct", "anode_sulfur", "prebake", "percent")
    a, used_a = _ipcc_default(ctx, idx, "anode_ash_pct", "anode_ash", "prebake", "percent")
    terms = [
        _term(
            "anode",
            "预焙阳极消耗排放",
            "prebake anode consumption",
            "tCO2",
            idx,
            al.anode_consumption_tco2(output, nac, s, a),
            method,
            "IPCC 2006, Vol. 3, Eq. 4.21",
            "NAC × MP × (100 − S_a − Ash_a)/100 × 44/12",
            inputs={
                "output_t": output,
                "net_anode_consumption_t_per_t": nac,
                "anode_sulfur_pct": s,
                "anode_ash_pct": a,
            },
            parameters=used_s + used_a,
        )
    ]
    green = ctx.col("green_anodes_t", idx).astype(float)
    baked = ctx.col("baked_anodes_t", idx).astype(float)
    bake = ~np.isnan(green) & ~np.isnan(baked)
    if bake.any():
        sub, ga, ba = idx[bake], green[bake], baked[bake]
        h_frac = ctx.at("emissions.ipcc2006", quantity="green_anode_hydrogen_fraction", technology="prebake")
        furnace = ctx.col("bake_furnace", sub)
        furnace = np.where(furnace == "riedhammer", "riedhammer", "other_furnace")
        wt_frac, used_wt = _keyed(ctx, sub, "waste_tar_fraction", furnace, "dimensionless")
        h_w = ga * ctx.value(h_frac, "dimensionless")
        terms.append(
            _term(
                "pitch_volatiles",
                "焙烧炉沥青挥发分排放",
                "pitch volatiles (bake furnace)",
                "tCO2",
                sub,
                al.pitch_volatiles_tco2(ga, h_w, ba, ga * wt_frac),
                method,
                "IPCC 2006, Vol. 3, Eq. 4.22",
                "(GA − H_w − BA − WT) × 44/12",
                inputs={"green_anodes_t": ga, "baked_anodes_t": ba},
                parameters=[Used(h_frac, sub), *used_wt],
            )
        )
        pcc = ctx.at("emissions.ipcc2006", quantity="packing_coke_consumption", technology="prebake")
        s_pc = ctx.at("emissions.ipcc2006", quantity="packing_coke_sulfur", technology="prebake")
        a_pc = ctx.at("emissions.ipcc2006", quantity="packing_coke_ash", technology="prebake")
        terms.append(
            _term(
                "packing_coke",
                "填充焦排放",
                "packing coke",
                "tCO2",
                sub,
                al.packing_coke_tco2(ctx.value(pcc, "t/t"), ba, ctx.value(s_pc, "percent"), ctx.value(a_pc, "percent")),
                method,
                "IPCC 2006, Vol. 3, Eq. 4.23",
                "PCC × BA × (100 − S_pc − Ash_pc)/100 × 44/12",
                inputs={"baked_anodes_t": ba},
                parameters=[Used(c, sub) for c in (pcc, s_pc, a_pc)],
            )
        )
    return terms


def _ipcc_soderberg(ctx: _Context, idx: IntArray, method: Method, tech: np.ndarray) -> list[Term]:
    output = ctx.num("output_t", idx)
    paste = ctx.require("paste_t_per_t", idx, "IPCC 2006 Eq. 4.24 (paste consumption)")
    paste_type = ctx.col("paste_type", idx)
    bad = ~np.isin(paste_type, ["dry_paste", "wet_paste"])
    if bad.any():
        raise InputError(
            code="accounting.required_by",
            rule="IPCC 2006 Eq. 4.24 (binder content)",
            file=ctx.batch.source,
            record=ctx.record_label(int(idx[np.flatnonzero(bad)[0]])),
            field="paste_type",
            expected="dry_paste or wet_paste",
        )
    csm, used_csm = _keyed(ctx, idx, "cyclohexane_soluble_matter", tech, "kg/t")
    bc, used_bc = _keyed(ctx, idx, "binder_content", paste_type, "percent")
    fixed = {}
    used = used_csm + used_bc
    for quantity, unit in [
        ("pitch_sulfur", "percent"),
        ("pitch_ash", "percent"),
        ("pitch_hydrogen", "percent"),
        ("calcined_coke_sulfur", "percent"),
        ("calcined_coke_ash", "percent"),
        ("skimmed_dust_carbon", "t/t"),
    ]:
        cited = ctx.at("emissions.ipcc2006", quantity=quantity, technology="soderberg")
        fixed[quantity] = ctx.value(cited, unit)
        used.append(Used(cited, idx))
    tco2 = al.soderberg_paste_tco2(
        paste,
        output,
        csm,
        bc,
        fixed["pitch_sulfur"],
        fixed["pitch_ash"],
        fixed["pitch_hydrogen"],
        fixed["calcined_coke_sulfur"],
        fixed["calcined_coke_ash"],
        fixed["skimmed_dust_carbon"],
    )
    return [
        _term(
            "anode",
            "自焙阳极糊消耗排放",
            "Søderberg paste consumption",
            "tCO2",
            idx,
            tco2,
            method,
            "IPCC 2006, Vol. 3, Eq. 4.24",
            "see Eq. 4.24",
            inputs={"output_t": output, "paste_t_per_t": paste},
            parameters=used,
        )
    ]


# ---------------------------------------------------------------- CBAM (direct emissions of unwrought aluminium)


def _anode_cbam(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    _technology(
        ctx, idx, _PREBAKE, None, "the CBAM anode term (prebake anode consumption; Søderberg cells: use ipcc2006-tier2)"
    )
    terms = _ipcc_prebake(ctx, idx, method)
    for term in terms:
        term.notes.append("CO2/C taken as 44/12 = 3.6667; IR 2025/2547 Eq. 12 uses f = 3.664 (0.07 % lower)")
    return terms


def _pfc_cbam(ctx: _Context, idx: IntArray, method: Method) -> list[Term]:
    tech = _technology(
        ctx,
        idx,
        {"PFPB_L", "PFPB_M", "CWPB", "SWPB", "VSS", "HSS"},
        None,
        "the CBAM PFC methods (IR 2025/2547 Table 2)",
    )
    return _pfc_tier2(ctx, idx, method, tech, "cbam.method", ctx.days[int(ctx.pcode[idx][0])])


_ENERGY_METHOD = Method(
    "gbt2589-2020",
    "综合能耗计算通则",
    "Comprehensive energy consumption",
    tuple(Sector),
    (),
    "GB/T 2589-2020 综合能耗计算通则",
    default=False,
)

COMPONENTS: dict[str, Component] = {
    "fuel": _fuel,
    "anode_cn": _anode_cn,
    "pfc_cn": _pfc_cn,
    "limestone": _limestone,
    "carbonates": _carbonates,
    "electricity": _electricity,
    "heat": _heat,
    "ferrosilicon": _ferrosilicon,
    "dolomite": _dolomite,
    "reductants": _reductants,
    "ipcc_tier1": _ipcc_tier1,
    "ipcc_tier2": _ipcc_tier2,
    "anode_cbam": _anode_cbam,
    "pfc_cbam": _pfc_cbam,
}


def resolve_methods(batch: ActivityBatch, ctx: _Context | None = None) -> np.ndarray:
    """The method id of each record: the one it names, else the national method in force.

    Resolved once per distinct (sector, named method, period) and broadcast back to the records.
    """
    records = batch.records
    if ctx is None:
        ctx = _Context(batch, load(), AccountingOptions())
    sector_codes, sector_names = ctx.codes("sector")
    method_codes, method_names = ctx.codes("method")
    combined = (sector_codes * len(method_names) + method_codes) * len(ctx.days) + ctx.pcode
    codes, uniques = pd.factorize(combined)
    resolved = np.empty(len(uniques), dtype=object)
    for position, key in enumerate(uniques):
        rest, pcode = divmod(int(key), len(ctx.days))
        sector_number, method_number = divmod(rest, len(method_names))
        sector_code, named = str(sector_names[sector_number]), str(method_names[method_number])
        try:
            sector = Sector(sector_code)
            day = ctx.days[pcode]
            resolved[position] = get_method(named, sector).id if named else default_method(sector, day).id
        except (ValueError, MethodError) as exc:
            first = int(np.flatnonzero(codes == position)[0])
            raise InputError(
                str(exc),
                file=batch.source,
                record=str(records["record_id"].iat[first]),
                field="method" if named else "sector",
                value=named or sector_code,
            ) from None
    return resolved[codes]


def _method_groups(methods: np.ndarray) -> list[tuple[str, IntArray]]:
    codes, ids = pd.factorize(methods)
    return [(str(ids[code]), rows.astype(np.intp)) for code, rows in _groups(codes.astype(np.int64))]


# Reported inputs and the component that reads them: a figure reported under a method that has no
# such component is refused rather than silently left out of the total.
_INPUT_COMPONENT = {"limestone_t": ("limestone",), "dolomite_t": ("dolomite",), "ferrosilicon_t": ("ferrosilicon",)}
_LINES_COMPONENT = {"carbonates": ("carbonates",), "reductants": ("reductants", "ipcc_tier2")}


def _check_inputs_used(ctx: _Context, idx: IntArray, method: Method) -> None:
    for column, components in _INPUT_COMPONENT.items():
        if set(components) & set(method.components):
            continue
        values = np.nan_to_num(ctx.col(column, idx), nan=0.0)
        if (values != 0).any():
            position = int(idx[np.flatnonzero(values != 0)[0]])
            raise InputError(
                code="accounting.input_unused",
                method=method.id,
                file=ctx.batch.source,
                record=ctx.record_label(position),
                field=column,
                expected=_REPORT_INSTEAD.get((column, method.id), "a method that accounts for it, or leave it empty"),
            )
    for kind, components in _LINES_COMPONENT.items():
        if set(components) & set(method.components):
            continue
        lines = _lines_of(ctx, getattr(ctx.batch, kind), idx)
        if not lines.empty:
            position = int(lines["record"].iloc[0])
            raise InputError(
                code="accounting.lines_unused",
                kind=kind,
                method=method.id,
                file=ctx.batch.source,
                record=ctx.record_label(position),
                field=kind,
                expected="a method that accounts for them, or no such lines",
            )


_REPORT_INSTEAD = {
    ("limestone_t", "cn-al-2024"): "a carbonates line (carbonate CaCO3 with its purity): the MEE 2024 guideline "
    "accounts carbonates by species",
}


def account(
    batch: ActivityBatch, params: ParameterSet | None = None, options: AccountingOptions | None = None
) -> AccountingResult:
    """Energy and emissions of every record, by the method in force or named, with provenance."""
    params = params or load()
    options = options or AccountingOptions()
    ctx = _Context(batch, params, options)
    n = len(batch)
    methods = resolve_methods(batch, ctx)
    terms: list[Term] = []
    everyone = np.arange(n, dtype=np.intp)
    try:
        terms += _energy(ctx, everyone)
    except _Missing as missing:
        raise _named(ctx, everyone, missing) from None
    for method_id, idx in _method_groups(methods):
        method = METHODS[method_id]
        _check_inputs_used(ctx, idx, method)
        _check_own_factors(ctx, idx, method)
        for component in method.components:
            try:
                terms += COMPONENTS[component](ctx, idx, method)
            except _Missing as missing:
                raise _named(ctx, idx, missing) from None
    table = _assemble(batch, methods, terms, n)
    return AccountingResult(batch=batch, table=table, terms=terms, options=options)


def _assemble(batch: ActivityBatch, methods: np.ndarray, terms: list[Term], n: int) -> pd.DataFrame:
    records = batch.records
    columns: dict[str, FloatArray] = {name: np.zeros(n) for name in RESULT_COLUMNS}
    touched = set()
    for term in terms:
        column = _TERM_COLUMN[term.name]
        columns[column][term.index] += term.values  # a term's records are distinct
        touched.add(column)
    if "energy_tce_equal_value" in touched:
        columns["energy_tce_equal_value"] += columns["fuel_tce"] + columns["heat_tce"]
    else:
        columns["energy_tce_equal_value"][:] = np.nan
    columns["energy_tce"] = columns["fuel_tce"] + columns["electricity_tce"] + columns["heat_tce"]
    columns["direct_tco2e"] = columns["fuel_tco2"] + columns["process_tco2"] + columns["pfc_tco2e"]
    columns["total_location_tco2e"] = (
        columns["direct_tco2e"] + columns["electricity_location_tco2"] + columns["heat_tco2"]
    )
    columns["total_market_tco2e"] = columns["direct_tco2e"] + columns["electricity_market_tco2"] + columns["heat_tco2"]
    output = records["output_t"].to_numpy(dtype=float)
    columns["output_t"] = output
    columns["intensity_location_tco2e_per_t"] = en.unit_consumption(columns["total_location_tco2e"], output)
    # the AC power indicators by their one definition (io/fields/unit_consumption.csv), which the month form shares
    for indicator in ("ac_power_liquid_aluminium_kwh_per_t", "comprehensive_ac_power_kwh_per_t"):
        columns[indicator] = ratios.evaluate(indicator, records)
    columns["comprehensive_energy_kgce_per_t"] = en.unit_consumption(columns["energy_tce"], output, 1000.0)
    if "ch4_t" not in touched:
        columns["ch4_t"][:] = np.nan
    unverified = np.zeros(n, dtype=bool)
    own = np.zeros(n, dtype=bool)
    for term in terms:
        for use in term.parameters:
            if not use.cited.verified:
                unverified[use.records] = True
        for carried in term.own:
            own[carried.records] = True
    table = pd.DataFrame(
        {
            "record_id": records["record_id"],
            "facility_id": records["facility_id"],
            "facility_name": records["facility_name"],
            "sector": records["sector"],
            "region": records["region"],
            "period": records["period"],
            "method": methods.astype(str),
            **columns,
            "rests_on_unverified_factor": unverified,
            "uses_own_factor": own,  # a factor the record carried, with its citation (OWN_FACTORS)
        }
    )
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
