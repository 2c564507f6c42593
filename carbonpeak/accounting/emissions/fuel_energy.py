"""Fossil fuel combustion and comprehensive energy consumption.

* ``fuel`` (every method): E = FC × NCV × CC × OF × 44/12 per fuel line, NDRC 2013 guidelines
  化石燃料燃烧排放; measured NCV, carbon content and oxidation rate where a line gives them, else the
  cited ``emissions.fuel`` defaults for the fuel and period.
* energy in tce for every record (method ``gbt2589-2020``): GB/T 2589-2020 §3 and Annex A
  (``energy.coefficient``; NCV / 29.3076 where the NCV is measured or Annex A has no coefficient),
  electricity at equivalent value, or also at equal value (``energy.electricity_equal_value``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from carbonpeak.accounting.emissions.context import _Context, _groups, _term
from carbonpeak.engine import energy as en
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import combustion as cb
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Term, Used
from carbonpeak.vocabulary import FUELS, Sector


def _fuel_lines(ctx: _Context, idx: IntArray) -> pd.DataFrame:
    fuels = ctx.batch.fuels
    if fuels.empty:
        return fuels
    mask = np.zeros(len(ctx.batch), dtype=bool)
    mask[idx] = True
    return fuels[mask[fuels["record"].to_numpy()]]


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


_ENERGY_METHOD = Method(
    "gbt2589-2020",
    "综合能耗计算通则",
    "Comprehensive energy consumption",
    tuple(Sector),
    (),
    "GB/T 2589-2020 综合能耗计算通则",
    default=False,
)
