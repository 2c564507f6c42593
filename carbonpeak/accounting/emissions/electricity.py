"""Net purchased electricity and heat, and the factors a record may carry itself.

* ``electricity``: location-based with the factor the grid-factor rule in force names
  (``electricity.grid_factor_rule``: MEE/NBS 电力二氧化碳排放因子 or the ETS factor); market-based
  after green certificates and direct renewable supply, with the residual factor, the location factor
  where none exists, or the record's own factor with its citation (:data:`OWN_FACTORS`). NDRC 2013
  guidelines 净购入电力.
* ``heat``: (purchased − exported) heat × ``emissions.heat_cn``, NDRC 2013 guidelines 净购入热力.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbonpeak.accounting.emissions.context import _Context, _Missing, _term
from carbonpeak.engine._arrays import FloatArray
from carbonpeak.engine.emissions import combustion as cb
from carbonpeak.engine.methods import Method
from carbonpeak.engine.provenance import IntArray, Own, Term, Used
from carbonpeak.errors import InputError


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
