"""The orchestration: :func:`resolve_methods` (the method of each record, named or in force),
:data:`COMPONENTS` (a method's component name → the function that computes its terms), :func:`account`
(energy for every record, then each method's components over its records) and the assembly of the
per-record result table from the terms.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.accounting import ratios
from carbonpeak.accounting.emissions.aluminium_cn import _anode_cn, _carbonates, _limestone, _pfc_cn
from carbonpeak.accounting.emissions.cbam import _anode_cbam, _pfc_cbam
from carbonpeak.accounting.emissions.context import Component, _Context, _groups, _lines_of, _Missing, _named
from carbonpeak.accounting.emissions.electricity import _check_own_factors, _electricity, _heat
from carbonpeak.accounting.emissions.fuel_energy import _energy, _fuel
from carbonpeak.accounting.emissions.ipcc_tier1 import _ipcc_tier1
from carbonpeak.accounting.emissions.ipcc_tier2 import _ipcc_tier2
from carbonpeak.accounting.emissions.nonferrous import _dolomite, _ferrosilicon, _reductants
from carbonpeak.accounting.emissions.records import (
    _TERM_COLUMN,
    RESULT_COLUMNS,
    AccountingOptions,
    AccountingResult,
    ActivityBatch,
)
from carbonpeak.engine import energy as en
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.methods import METHODS, Method, default_method, get_method
from carbonpeak.engine.provenance import IntArray, Term
from carbonpeak.errors import InputError, MethodError
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.vocabulary import Sector

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


_INDIRECT_COMPONENTS = ("electricity", "heat")


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
            if options.direct_only and component in _INDIRECT_COMPONENTS:
                continue
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
