"""The records accounting reads and writes: :class:`ActivityBatch` (facility-period records with
their fuel, carbonate and reductant lines), :class:`AccountingOptions`, :class:`AccountingResult`
(with ``explain`` and ``breakdown``), the result columns and which column each term adds to.

The record fields come from ``io/fields/activity.csv``; a term's Chinese clause, formula and notes
from :mod:`carbonpeak.accounting.texts_zh`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import texts_zh
from carbonpeak.engine.methods import METHODS
from carbonpeak.engine.provenance import Term
from carbonpeak.errors import InputError
from carbonpeak.io.fields import numeric_fields

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
    # cbam-2025 only: the day whose IR 2025/2547 coefficients (``cbam.method``) apply, for a CBAM package of
    # a data year before the definitive period (2026). None: the record's own period, as everywhere else.
    cbam_rules_on: dt.date | None = None
    # True: leave out the indirect components (electricity, heat), for figures that count direct emissions
    # only (EU CBAM for aluminium goods); the totals then hold no indirect emissions.
    direct_only: bool = False


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


def _with_zh(term: dict[str, Any]) -> dict[str, Any]:
    """A term's clause, formula and notes in Chinese beside the English ones (carbonpeak.accounting.texts_zh)."""
    return {
        **term,
        "reference_zh": texts_zh.reference(term["reference"]),
        "formula_zh": texts_zh.formula(term["formula"]),
        "notes_zh": [texts_zh.note(n) for n in term["notes"]],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
