"""The figures of a CBAM package from an installation's verified months: direct emissions by source stream,
PFC by the slope or overvoltage method, the goods category's activity level and its specific embedded
direct emissions with precursors.

The months' records are accounted again, exactly as stored in their verified version: an electrolytic
aluminium line under ``cbam-2025`` (IR 2025/2547: fuel, anode, PFC, carbonates), a recycled-aluminium or
aluminium-processing plant under the national method in force for its months (combustion and process
emissions are what IR 2025/2547 Annex I §3.17.2.2 and §3.18.2 count for them). Fuel lines the operator
declares as fuel for electricity production (a captive power plant) are shown in the fuel balance and left
out of the attributed emissions: aluminium goods count direct emissions only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from carbonpeak.accounting import account
from carbonpeak.accounting.emissions.records import _TERM_COLUMN, AccountingOptions, AccountingResult
from carbonpeak.engine.emissions import cbam as engine
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io.activity import parse_records
from carbonpeak.messages import Message
from carbonpeak.parameters import Cited, ParameterSet
from carbonpeak.store.models import SubmissionVersion
from carbonpeak.vocabulary import Sector

DEFINITIVE_PERIOD = dt.date(2026, 1, 1)  # IR 2025/2547 applies from the CBAM definitive period
UNWROUGHT = "Unwrought aluminium"  # aggregated goods categories, IR 2025/2547 Annex I §3.17 and §3.18
PRODUCTS = "Aluminium products"
PROCESS_NAME = {  # the production process, by the Annex I section that bounds it
    Sector.ELECTROLYTIC_ALUMINIUM: "Primary (electrolytic) smelting",
    Sector.RECYCLED_ALUMINIUM: "Secondary melting",
    Sector.ALUMINIUM_PROCESSING: "Aluminium products",
}
ELECTRICITY_FIELDS = ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh")


@dataclass(frozen=True)
class MonthFigures:
    period: str
    version: int
    status: str
    output_t: float
    electricity_mwh: float
    fuel_tco2: float  # every fuel line
    electricity_fuel_tco2: float  # the lines declared as fuel for electricity production
    process_tco2: float  # anode (or paste) and carbonates
    pfc_tco2e: float
    attributed_tco2e: float  # fuel for the goods + process + PFC

    @property
    def label(self) -> str:
        """Where the figure comes from: facility month and its verified version."""
        return f"{self.period} v{self.version} ({self.status})"


@dataclass(frozen=True)
class SourceStream:
    method: str  # the CTI's B_EmInst "Method": Combustion, Process Emissions
    name: str
    activity: float
    activity_unit: str
    energy_tj: float | None
    tco2: float
    for_electricity: bool
    months: list[str]


@dataclass(frozen=True)
class PfcFigures:
    method: str  # "Slope method", "Overvoltage method", "Measured factors" or "mixed"
    technology: str
    production_t: float
    aem: float | None  # production-weighted anode-effect minutes per cell-day
    sef_cf4: float | None
    f_c2f6: float | None
    cf4_t: float
    c2f6_t: float
    gwp_cf4: float
    gwp_c2f6: float
    tco2e: float


@dataclass(frozen=True)
class Precursor:
    name: str
    country: str
    mass_t: float
    see: float
    see_source: str  # "actual (supplier)" or the default value's citation
    by_default: bool


@dataclass
class Figures:
    months: list[MonthFigures]
    streams: list[SourceStream]
    pfc: PfcFigures | None
    category: str
    cn_code: str | None
    process: str
    activity_level_t: float
    attributed_tco2e: float
    electricity_mwh: float
    scrap_t: float = 0.0  # scrap charged (scrap_input_t), for the CTI's "t scrap per t aluminium"
    precursors: list[Precursor] = field(default_factory=list)
    see: float | None = None  # SEE (direct) with precursors [t CO2e/t]; None when a gap prevents it
    share_default: float | None = None  # share of the embedded emissions resting on default values
    cited: list[Cited] = field(default_factory=list)
    gaps: list[Message] = field(default_factory=list)
    method: str = ""


def rules_day(year: int) -> dt.date | None:
    """The day whose cbam.method coefficients a year's months take: their own (None) from 2026 on, else the
    first day of the definitive period (a data year before it is computed as the definitive rules would)."""
    return None if year >= DEFINITIVE_PERIOD.year else DEFINITIVE_PERIOD


def compute(
    sector: Sector,
    versions: list[SubmissionVersion],
    params: ParameterSet,
    *,
    year: int,
    electricity_fuels: frozenset[str],
    cn_code: str | None,
) -> Figures:
    """The installation's figures over the reporting period from its verified months (one version each)."""
    cbam_method = sector == Sector.ELECTROLYTIC_ALUMINIUM
    records = []
    for v in versions:
        record = {**v.record, "record_id": f"{v.record['facility_id']}@{v.record['period']}#v{v.version}"}
        if cbam_method:
            record["method"] = "cbam-2025"
        records.append(record)
    category = UNWROUGHT if sector != Sector.ALUMINIUM_PROCESSING else PRODUCTS
    code = "7601" if category == UNWROUGHT else cn_code
    figures = Figures([], [], None, category, code, PROCESS_NAME[sector], 0.0, 0.0, 0.0)
    figures.scrap_t = sum(float(v.record.get("scrap_input_t") or 0.0) for v in versions)
    # direct emissions only (aluminium goods): the national methods' electricity and heat terms are skipped
    options = AccountingOptions(cbam_rules_on=rules_day(year) if cbam_method else None, direct_only=True)
    try:
        result = account(parse_records(records, source="store"), params, options)
    except CarbonpeakError as exc:  # a month the method cannot account (an input it needs is not reported)
        figures.gaps.append(Message("cbam.gap.accounting", problem=_message(exc)))
        # production and electricity are still the verified months' own figures
        figures.activity_level_t = sum(float(v.record.get("output_t") or 0.0) for v in versions)
        figures.electricity_mwh = sum(float(v.record.get(f) or 0.0) for v in versions for f in ELECTRICITY_FIELDS)
        return figures
    _fill(figures, versions, result, electricity_fuels)
    return figures


def _message(exc: CarbonpeakError) -> Message | str:
    return Message(exc.code, **exc.params) if exc.code else str(exc)


def _fill(figures: Figures, versions: list[SubmissionVersion], result: AccountingResult, fuels: frozenset[str]) -> None:
    table = result.table
    n = len(table)
    electricity_fuel = np.zeros(n)
    streams: dict[tuple[str, str], dict[str, Any]] = {}
    pfc_rows: list[dict[str, Any]] = []
    cited: dict[str, Cited] = {}
    for term in result.terms:
        if term.name in ("fuel", "pfc"):
            for use in term.parameters:
                cited.setdefault(use.cited.label, use.cited)
        if term.name == "fuel":
            b = term.breakdown
            for k in range(len(b["record"])):
                fuel = str(b["fuel"][k])
                if fuel in fuels:
                    electricity_fuel[int(b["record"][k])] += float(b["tco2"][k])
                key = ("Combustion", fuel)
                item = streams.setdefault(key, {"activity": 0.0, "unit": str(b["amount_unit"][k]), "tj": 0.0})
                item["activity"] += float(b["amount"][k])
                item["tj"] += float(b["amount"][k]) * float(b["ncv"][k]) / 1000.0
                item.setdefault("months", set()).add(int(b["record"][k]))
                item["tco2"] = item.get("tco2", 0.0) + float(b["tco2"][k])
        elif term.name == "pfc":
            b = term.breakdown
            for k in range(len(b["record"])):
                pfc_rows.append({name: b[name][k] for name in ("record", "gas", "mass_t", "gwp", "tco2e")})
        elif _TERM_COLUMN.get(term.name) == "process_tco2":
            for use in term.parameters:
                cited.setdefault(use.cited.label, use.cited)
            item = streams.setdefault(("Process Emissions", term.label_en), {"activity": 0.0, "unit": "t", "tj": None})
            item["tco2"] = item.get("tco2", 0.0) + float(np.sum(term.values))
            item["activity"] += _process_activity(term, result)
            item.setdefault("months", set()).update(int(i) for i in term.index)
    periods = [str(v.record["period"]) for v in versions]
    for i, v in enumerate(versions):
        row = table.iloc[i]
        electricity = sum(float(v.record.get(name) or 0.0) for name in ELECTRICITY_FIELDS)
        fuel_tco2, process, pfc = float(row["fuel_tco2"]), float(row["process_tco2"]), float(row["pfc_tco2e"])
        figures.months.append(
            MonthFigures(
                v.record["period"],
                v.version,
                v.status,
                float(row["output_t"]),
                electricity,
                fuel_tco2,
                float(electricity_fuel[i]),
                process,
                pfc,
                fuel_tco2 - float(electricity_fuel[i]) + process + pfc,
            )
        )
    for (method, name), item in sorted(streams.items()):
        figures.streams.append(
            SourceStream(
                method,
                name,
                item["activity"],
                item["unit"],
                item["tj"],
                item.get("tco2", 0.0),
                method == "Combustion" and name in fuels,
                sorted(periods[i] for i in item.get("months", set())),
            )
        )
    declared_unused = sorted(fuels - {name for (method, name) in streams if method == "Combustion"})
    if declared_unused:
        figures.gaps.append(Message("cbam.gap.electricity_fuel_unused", fuels=", ".join(declared_unused)))
    figures.activity_level_t = sum(m.output_t for m in figures.months)
    figures.attributed_tco2e = sum(m.attributed_tco2e for m in figures.months)
    figures.electricity_mwh = sum(m.electricity_mwh for m in figures.months)
    figures.pfc = _pfc(pfc_rows, table, versions, cited) if pfc_rows else None
    figures.cited = list(cited.values())
    figures.method = ", ".join(sorted({str(m) for m in table["method"]}))


def _process_activity(term: Any, result: AccountingResult) -> float:
    """The activity data of a process stream: net anode consumed [t] = NAC × output, else the mass of the
    carbonate (or reductant) lines of its records [t]; 0 where the term names neither."""
    inputs = term.inputs
    if "net_anode_consumption_t_per_t" in inputs and "output_t" in inputs:
        return float(np.nansum(np.asarray(inputs["net_anode_consumption_t_per_t"]) * np.asarray(inputs["output_t"])))
    lines = result.batch.carbonates if term.name == "carbonates" else None
    if lines is not None and not lines.empty:
        return float(lines.loc[lines["record"].isin(set(int(i) for i in term.index)), "amount_t"].sum())
    return 0.0


def _pfc(
    rows: list[dict[str, Any]], table: Any, versions: list[SubmissionVersion], cited: dict[str, Cited]
) -> PfcFigures:
    cf4 = sum(float(r["mass_t"]) for r in rows if r["gas"] == "CF4")
    c2f6 = sum(float(r["mass_t"]) for r in rows if r["gas"] == "C2F6")
    gwp = {str(r["gas"]): float(r["gwp"]) for r in rows}
    output = float(table["output_t"].sum())
    aem_values = [
        (float(v.record["anode_effect_minutes_per_cell_day"]), float(v.record.get("output_t") or 0.0))
        for v in versions
        if v.record.get("anode_effect_minutes_per_cell_day") is not None
    ]
    weight = sum(w for _, w in aem_values)
    aem = sum(a * w for a, w in aem_values) / weight if aem_values and weight > 0 else None
    slope = [c for label, c in cited.items() if label.startswith("cbam.method[quantity=slope_cf4")]
    ratio = [c for label, c in cited.items() if label.startswith("cbam.method[quantity=c2f6_to_cf4")]
    over = any(label.startswith("cbam.method[quantity=overvoltage") for label in cited)
    method = "Slope method" if slope and not over else ("Overvoltage method" if over and not slope else "mixed")
    technology = str(versions[0].record.get("technology") or "")
    return PfcFigures(
        method,
        technology,
        output,
        aem,
        float(slope[0].value) if len(slope) == 1 else None,
        float(ratio[0].value) if len(ratio) == 1 else None,
        cf4,
        c2f6,
        gwp.get("CF4", 0.0),
        gwp.get("C2F6", 0.0),
        sum(float(r["tco2e"]) for r in rows),
    )


def embedded(figures: Figures, precursors: list[Precursor]) -> None:
    """SEE (direct) of the goods category with its precursors (IR 2025/2547 Annex III B, Eq. 59-60), and the
    share of the embedded emissions that rests on default values."""
    figures.precursors = precursors
    if figures.gaps:
        return
    if figures.activity_level_t <= 0:
        figures.gaps.append(Message("cbam.gap.no_production"))
        return
    pairs = [(p.mass_t, p.see) for p in precursors]
    figures.see = engine.complex_good_see_many(figures.attributed_tco2e, figures.activity_level_t, pairs)
    total = figures.attributed_tco2e + sum(m * s for m, s in pairs)
    by_default = sum(p.mass_t * p.see for p in precursors if p.by_default)
    figures.share_default = by_default / total if total > 0 else 0.0
