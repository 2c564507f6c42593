"""The plausibility gate: a month's figures against the rules of ``plausibility.*``, column-wise.

:func:`check` takes the records (an :class:`~carbonpeak.accounting.ActivityBatch`, a frame of its
records, or plain dicts), the previous months' figures and registered capacities as plain data, and
the accounting's energy per record where it is known, and returns coded findings: an *error* refuses
the month, a *warning* lets it be saved and asks for an explanation (情况说明). Every rule is a vector
operation over all records; findings are built only for the records that trip one. Where a rule trips
at error severity its warning is not repeated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting import ActivityBatch
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, period_start
from carbonpeak.plausibility.rules import ERROR, ON, SEVERITIES, WARNING, Rules

# The rules in the order their findings are listed for a record.
RULES = (
    "ac_power_per_t",
    "fuel_per_t",
    "energy_per_t",
    "electricity_balance",
    "market_instruments",
    "output_capacity",
    "solid_waste_balance",
    "energy_without_output",
    "output_without_energy",
    "output_month",
    "output_year",
    "ac_power_month",
    "ac_power_year",
    "energy_month",
    "energy_year",
)
_ORDER = {rule: position for position, rule in enumerate(RULES)}
_NUMBERS = (
    "output_t",
    "capacity_t_per_a",
    "grid_electricity_mwh",
    "captive_electricity_mwh",
    "onsite_renewable_mwh",
    "exported_electricity_mwh",
    "green_certificate_mwh",
    "direct_renewable_mwh",
    "electrolysis_ac_mwh",
    "auxiliary_ac_mwh",
    "purchased_heat_gj",
    "solid_waste_generated_t",
    "solid_waste_used_t",
)
PREVIOUS_COLUMNS = ("facility_id", "period", "output_t", "electrolysis_ac_mwh", "energy_tce")


@dataclass(frozen=True)
class Finding:
    """One rule tripped by one record (``index``: its position among the records checked)."""

    index: int
    rule: str
    severity: str
    field: str
    params: dict[str, Any]

    @property
    def code(self) -> str:
        return f"plausibility.{self.rule}"

    def flag(self) -> dict[str, Any]:
        """The finding as stored on the version (``SubmissionVersion.flags``): numbers in canonical units."""
        return {
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "params": self.params,
        }


def unexplained(flags: Sequence[Mapping[str, Any]] | None, record: Mapping[str, Any]) -> bool:
    """True when a version carries warnings and its record gives no explanation (情况说明): it may not be submitted."""
    return bool(flags) and not str(record.get("explanation") or "").strip()


def flag_messages(flags: Sequence[Mapping[str, Any]]) -> list[Message]:
    """Stored flags as messages (rendered in the reader's language), e.g. to name them in a refusal."""
    return [Message(str(flag["code"]), **shown_params(flag.get("params") or {})) for flag in flags]


def shown_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's parameters as a person reads them: large numbers with thousands separators."""
    return {k: (f"{v:,}" if isinstance(v, int) and abs(v) >= 10_000 else v) for k, v in params.items()}


def check(
    records: ActivityBatch | pd.DataFrame | Sequence[Mapping[str, Any]],
    params: ParameterSet,
    *,
    previous: pd.DataFrame | None = None,
    capacity: Mapping[str, float | None] | None = None,
    results: Mapping[str, np.ndarray] | None = None,
) -> list[Finding]:
    """Every rule over every record; the findings in record order (then rule order).

    ``previous``: the facility's stored months (:data:`PREVIOUS_COLUMNS`; ``facility_id`` is the code);
    ``capacity``: approved capacity [t/a] by facility code (the registry's; the record's where missing);
    ``results``: ``energy_tce`` and ``fuel_tce`` per record [tce] (the energy rules are skipped without them).
    """
    frame, has_fuel = _frame(records)
    if not len(frame):
        return []
    gate = _Gate(frame, has_fuel, params, results or {})
    gate.unit_consumption()
    gate.balances()
    gate.capacity(capacity or {})
    gate.jumps(previous)
    return sorted(gate.findings, key=lambda f: (f.index, _ORDER[f.rule], f.severity))


def _frame(records: ActivityBatch | pd.DataFrame | Sequence[Mapping[str, Any]]) -> tuple[pd.DataFrame, np.ndarray]:
    """The records as a frame, and which records have a fuel line with an amount above zero."""
    if isinstance(records, ActivityBatch):
        frame = records.records
        fuels = records.fuels
        has_fuel = np.zeros(len(frame), dtype=bool)
        if len(fuels):
            positive = fuels["amount"].to_numpy(dtype=float) > 0
            has_fuel[fuels["record"].to_numpy(dtype=np.int64)[positive]] = True
        return frame, has_fuel
    if isinstance(records, pd.DataFrame):
        return records, np.zeros(len(records), dtype=bool)
    rows = list(records)
    frame = pd.DataFrame([{k: v for k, v in r.items() if not isinstance(v, list | dict)} for r in rows])
    has_fuel = np.array([any(_positive(line.get("amount")) for line in r.get("fuels") or []) for r in rows], dtype=bool)
    return frame, has_fuel


def _positive(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def _num(value: float) -> int | float | None:
    """A number for a message and the stored flag: whole above 100, else to a few digits."""
    if value is None or not math.isfinite(value):
        return None
    if abs(value) >= 100:
        return round(value)
    return round(float(value), 2 if abs(value) >= 1 else 4)


def _range(low: float, high: float) -> str:
    """The allowed range as numbers and symbols only (the same in every language)."""
    lo, hi = _num(low), _num(high)
    if lo is not None and hi is not None:
        return f"{shown_params({'v': lo})['v']}–{shown_params({'v': hi})['v']}"
    if hi is not None:
        return f"≤ {shown_params({'v': hi})['v']}"
    return f"≥ {shown_params({'v': lo})['v']}"


class _Gate:
    """The records' columns as arrays and each rule's thresholds per record."""

    def __init__(self, frame: pd.DataFrame, has_fuel: np.ndarray, params: ParameterSet, results: Mapping[str, Any]):
        self.n = len(frame)
        self.frame = frame
        self.has_fuel = has_fuel
        self.findings: list[Finding] = []
        self.col = {name: self._numbers(name) for name in _NUMBERS}
        self.facility = frame["facility_id"].astype(str).to_numpy(dtype=object)
        self.period = frame["period"].astype(str).to_numpy(dtype=object)
        sector = frame["sector"].astype(str).to_numpy(dtype=object)
        self.energy = self._result(results, "energy_tce")
        self.fuel = self._result(results, "fuel_tce")
        # each distinct (sector, period) looks its rules up once
        keys = pd.Series(sector, dtype=object) + "|" + pd.Series(self.period, dtype=object)
        self._codes, uniques = pd.factorize(keys)
        by_period: dict[str, Rules] = {}
        self._groups: list[tuple[str, Rules]] = []
        for key in uniques.tolist():
            group_sector, group_period = str(key).split("|", 1)
            if group_period not in by_period:
                day = period_start(group_period)
                assert day is not None
                by_period[group_period] = Rules(params, day)
            self._groups.append((group_sector, by_period[group_period]))
        output = self.col["output_t"]
        self.output = output
        self.producing = output > 0  # NaN compares False

    def _numbers(self, name: str) -> np.ndarray:
        if name not in self.frame:
            return np.full(self.n, np.nan)
        return pd.to_numeric(self.frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    def _result(self, results: Mapping[str, Any], name: str) -> np.ndarray:
        values = results.get(name)
        if values is None:
            return np.full(self.n, np.nan)
        return pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)

    # -------------------------------------------------------------- thresholds per record

    def bounds(self, rule: str, severity: str) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) per record; NaN where the rule has no such bound for the record."""
        per_group = [(rules.get(rule, sector, severity)) for sector, rules in self._groups]
        low = np.array([_nan(t.low if t else None) for t in per_group], dtype=float)
        high = np.array([_nan(t.high if t else None) for t in per_group], dtype=float)
        return low[self._codes], high[self._codes]

    def value(self, rule: str, severity: str) -> np.ndarray:
        """The rule's number per record; NaN where it does not apply."""
        per_group = [rules.get(rule, sector, severity) for sector, rules in self._groups]
        values = np.array([_nan(t.number if t is not None and t.value != ON else None) for t in per_group])
        return values[self._codes]

    def applies(self, rule: str, severity: str) -> np.ndarray:
        per_group = [rules.get(rule, sector, severity) is not None for sector, rules in self._groups]
        return np.array(per_group, dtype=bool)[self._codes]

    def add(self, mask: np.ndarray, rule: str, severity: str, field: Any, params: Any) -> None:
        """Findings for the records in ``mask``; ``field`` and ``params`` are functions of the record position."""
        for i in np.flatnonzero(mask).tolist():
            name = field(i) if callable(field) else field
            self.findings.append(Finding(i, rule, severity, name, params(i)))

    def per_tonne(self, numerator: np.ndarray, factor: float = 1000.0) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.producing, numerator * factor / self.output, np.nan)

    # -------------------------------------------------------------- rules

    def _ranged(self, rule: str, value: np.ndarray, field: str, unit: str, skip: np.ndarray | None = None) -> None:
        fired = np.zeros(self.n, dtype=bool) if skip is None else skip.copy()
        for severity in SEVERITIES:
            low, high = self.bounds(rule, severity)
            out = ~fired & ((value < low) | (value > high))

            def params(i: int, low: np.ndarray = low, high: np.ndarray = high) -> dict[str, Any]:
                return {
                    "figure": _num(value[i]),
                    "low": _num(low[i]),
                    "high": _num(high[i]),
                    "range": _range(low[i], high[i]),
                    "unit": unit,
                }

            self.add(out, rule, severity, field, params)
            fired |= out

    def unit_consumption(self) -> None:
        c = self.col
        self._ranged("ac_power_per_t", self.per_tonne(c["electrolysis_ac_mwh"]), "electrolysis_ac_mwh", "kWh/t")
        energy = self.per_tonne(self.energy)
        fuel = self.per_tonne(self.fuel)
        share = self.value("fuel_per_t", ERROR)
        _low, ceiling = self.bounds("energy_per_t", ERROR)
        limit = ceiling * share / 100.0
        too_much_fuel = fuel > limit
        self.add(
            too_much_fuel,
            "fuel_per_t",
            ERROR,
            "fuels",
            lambda i: {
                "figure": _num(fuel[i]),
                "high": _num(limit[i]),
                "range": _range(np.nan, limit[i]),
                "unit": "kgce/t",
            },
        )
        # energy at or below zero has its own rule (output without energy); the fuels' error says it already
        self._ranged("energy_per_t", np.where(energy > 0, energy, np.nan), "output_t", "kgce/t", skip=too_much_fuel)

    def balances(self) -> None:
        c = self.col
        nz = {name: np.nan_to_num(c[name]) for name in _NUMBERS}
        used = nz["electrolysis_ac_mwh"] + nz["auxiliary_ac_mwh"]
        supply = ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh")
        reported = np.logical_or.reduce([~np.isnan(c[name]) for name in supply])
        available = nz["grid_electricity_mwh"] + nz["captive_electricity_mwh"] + nz["onsite_renewable_mwh"]
        available = available - nz["exported_electricity_mwh"]
        self._exceeds("electricity_balance", used, available, (used > 0) & reported, "electrolysis_ac_mwh", "MWh")
        instruments = nz["green_certificate_mwh"] + nz["direct_renewable_mwh"]
        instrument_field = np.where(nz["green_certificate_mwh"] > 0, "green_certificate_mwh", "direct_renewable_mwh")
        self._exceeds(
            "market_instruments",
            instruments,
            nz["grid_electricity_mwh"],
            instruments > 0,
            lambda i: str(instrument_field[i]),
            "MWh",
        )
        waste_used, generated = c["solid_waste_used_t"], c["solid_waste_generated_t"]
        known = ~np.isnan(waste_used) & ~np.isnan(generated)
        self._exceeds("solid_waste_balance", waste_used, generated, known, "solid_waste_used_t", "t")
        energy_used = (
            self.has_fuel
            | (np.nan_to_num(self.energy) > 0)
            | np.logical_or.reduce(
                [nz[name] > 0 for name in (*supply, "electrolysis_ac_mwh", "auxiliary_ac_mwh", "purchased_heat_gj")]
            )
        )
        idle = self.output == 0
        for severity in SEVERITIES:
            self.add(
                idle & energy_used & self.applies("energy_without_output", severity),
                "energy_without_output",
                severity,
                "output_t",
                lambda i: {"figure": 0},
            )
            self.add(
                self.producing & ~energy_used & self.applies("output_without_energy", severity),
                "output_without_energy",
                severity,
                "output_t",
                lambda i: {"figure": _num(self.output[i]), "unit": "t"},
            )

    def _exceeds(
        self, rule: str, amount: np.ndarray, limit: np.ndarray, where: np.ndarray, field: Any, unit: str
    ) -> None:
        """``amount`` above ``limit`` × (1 + tolerance %), at each severity (the rule's value is the tolerance)."""
        fired = np.zeros(self.n, dtype=bool)
        for severity in SEVERITIES:
            tolerance = self.value(rule, severity)
            with np.errstate(invalid="ignore"):
                out = where & ~fired & (amount > limit * (1.0 + tolerance / 100.0))

            def params(i: int, tolerance: np.ndarray = tolerance) -> dict[str, Any]:
                return {
                    "figure": _num(amount[i]),
                    "limit": _num(limit[i]),
                    "tolerance": _num(tolerance[i]),
                    "unit": unit,
                }

            self.add(out, rule, severity, field, params)
            fired |= out

    def capacity(self, registered: Mapping[str, float | None]) -> None:
        given = np.array([_nan(registered.get(code)) for code in self.facility], dtype=float)
        capacity = np.where(np.isnan(given) | (given <= 0), self.col["capacity_t_per_a"], given)
        months = np.array([1.0 if len(p) == 7 else 12.0 for p in self.period])
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.round(np.where(capacity > 0, self.output / (capacity * months / 12.0) * 100.0, np.nan), 9)
        fired = np.zeros(self.n, dtype=bool)
        for severity in SEVERITIES:
            limit = self.value("output_capacity", severity)
            out = ~fired & (share > limit)

            def params(i: int, limit: np.ndarray = limit) -> dict[str, Any]:
                return {
                    "figure": _num(self.output[i]),
                    "capacity": _num(capacity[i]),
                    "share": _num(share[i]),
                    "limit": _num(limit[i]),
                }

            self.add(out, "output_capacity", severity, "output_t", params)
            fired |= out

    def jumps(self, previous: pd.DataFrame | None) -> None:
        """Changes against the month before and the same month a year before (from the store or this batch)."""
        index = np.array([_month_index(p) for p in self.period], dtype=float)
        own = pd.DataFrame(
            {
                "facility_id": self.facility,
                "mi": index,
                "output_t": self.output,
                "ac": self.per_tonne(self.col["electrolysis_ac_mwh"]),
                "energy": self.per_tonne(self.energy),
            }
        )
        frames = []
        if previous is not None and len(previous):
            prev_output = pd.to_numeric(previous["output_t"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                producing = prev_output > 0

                def per_t(name: str) -> np.ndarray:
                    values = pd.to_numeric(previous[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                    return np.where(producing, values * 1000.0 / prev_output, np.nan)

                frames.append(
                    pd.DataFrame(
                        {
                            "facility_id": previous["facility_id"].astype(str).to_numpy(dtype=object),
                            "mi": [_month_index(str(p)) for p in previous["period"].tolist()],
                            "output_t": prev_output,
                            "ac": per_t("electrolysis_ac_mwh"),
                            "energy": per_t("energy_tce"),
                        }
                    )
                )
        frames.append(own)
        known = pd.concat(frames, ignore_index=True).dropna(subset=["mi"])
        known = known.drop_duplicates(subset=["facility_id", "mi"], keep="last")  # this batch's months win
        for lag, suffix in ((1, "month"), (12, "year")):
            shifted = known.assign(mi=known["mi"] + lag)
            joined = own[["facility_id", "mi"]].merge(shifted, on=["facility_id", "mi"], how="left")
            for quantity, rule, field, unit in (
                ("output_t", "output", "output_t", "t"),
                ("ac", "ac_power", "electrolysis_ac_mwh", "kWh/t"),
                ("energy", "energy", "output_t", "kgce/t"),
            ):
                self._jump(
                    f"{rule}_{suffix}",
                    own[quantity].to_numpy(dtype=float),
                    joined[quantity].to_numpy(),
                    index,
                    lag,
                    field,
                    unit,
                )

    def _jump(
        self, rule: str, value: np.ndarray, before: np.ndarray, index: np.ndarray, lag: int, field: str, unit: str
    ) -> None:
        before = before.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            # rounded: a change of exactly the band (1.3 / 1.0 = 30.000000000000004 %) is within it
            change = np.round(np.where((value > 0) & (before > 0), (value / before - 1.0) * 100.0, np.nan), 9)
        fired = np.zeros(self.n, dtype=bool)
        for severity in SEVERITIES:
            band = self.value(rule, severity)
            out = ~fired & (np.abs(change) > band)

            def params(i: int, band: np.ndarray = band) -> dict[str, Any]:
                return {
                    "figure": _num(value[i]),
                    "previous": _num(before[i]),
                    "previous_period": _period_of(int(index[i]) - lag),
                    "change": round(float(change[i]), 1),
                    "band": _num(band[i]),
                    "unit": unit,
                }

            self.add(out, rule, severity, field, params)
            fired |= out


def _nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _month_index(period: str) -> float:
    """Months since year 0 of a ``YYYY-MM`` period; NaN for a year's record (no month to compare with)."""
    if len(period) != 7:
        return float("nan")
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


__all__ = [
    "ERROR",
    "PREVIOUS_COLUMNS",
    "RULES",
    "WARNING",
    "Finding",
    "check",
    "flag_messages",
    "shown_params",
    "unexplained",
]
