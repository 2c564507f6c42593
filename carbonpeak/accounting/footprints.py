"""Footprints of many product-facility-years: the join of verified months, upstream supplies and the
``footprint.*`` parameters to the engine (:mod:`carbonpeak.engine.footprint`), with provenance.

Inputs are plain frames (the store reads them, a test or a benchmark builds them by hand):

* ``keys``: one row per footprint: facility_id, product, year.
* ``months``: one row per verified facility-month: ``key`` (row of ``keys``), period, version_id,
  result_id and the columns of :data:`carbonpeak.store.footprints.reads.MONTH_COLUMNS`.
* ``supplies``: per facility and material, a supplier's declared footprint with evidence or a supplier
  facility (its footprint computed in the same run from its own verified months).

The electricity of each month enters as MWh (net of exports) and a factor [t CO2/MWh] with a basis
label: ``location`` (the grid factor the month's accounting used, from the ``electricity.*`` families)
or ``market`` (the month's market-based result), or a plain mapping (facility_id, period) → factor
given by the caller, e.g. a green-power contract's market-based factor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.engine.footprint import (
    INCLUDED,
    PRODUCTS,
    SECONDARY,
    SITE,
    SITE_STAGES,
    STAGES,
    SUPPLIER,
    FootprintResult,
    SiteMonths,
    Upstream,
    footprints,
)
from carbonpeak.errors import CarbonpeakError
from carbonpeak.parameters import ParameterSet

# The upstream material behind each upstream stage, per product.
_MATERIAL = {
    ("primary_aluminium", "alumina"): "alumina",
    ("primary_aluminium", "anode"): "anode",
    ("copper_cathode", "concentrate"): "copper_concentrate",
    ("zinc", "concentrate"): "zinc_concentrate",
    ("primary_magnesium", "ferrosilicon"): "ferrosilicon",
    ("recycled_aluminium", "scrap"): "scrap",
}


@dataclass
class FootprintBatch:
    """The engine's result with what each footprint rests on."""

    keys: pd.DataFrame
    result: FootprintResult
    market: FootprintResult  # the same with market-based electricity
    basis: str
    power_source: list[str]
    provenance: list[dict[str, Any]]
    fingerprints: list[str]


def _cited(params: ParameterSet, used: dict[str, dict[str, Any]], family: str, **key: Any) -> float:
    """A parameter's value (NaN when the family holds it as not found), noting what was used."""
    label = family + "[" + ",".join(f"{k}={v}" for k, v in key.items()) + "]"
    try:
        cited = params.at(family, **key)
    except CarbonpeakError as exc:
        used[label] = {"parameter": family, "key": key, "value": None, "status": "not found", "detail": str(exc)[:200]}
        return float("nan")
    used[label] = {**cited.as_dict(), "citation": cited.citation()}
    return float(cited.value)


def compute(
    keys: pd.DataFrame,
    months: pd.DataFrame,
    supplies: pd.DataFrame,
    params: ParameterSet,
    *,
    basis: str = "location",
    electricity_factors: Mapping[tuple[int, str], float] | None = None,
    scrap_approach: str = "cut_off",
) -> FootprintBatch:
    """Footprints of every row of ``keys`` (two engine passes: supplier facilities first, then the
    footprints that use them)."""
    n = len(keys)
    stage_cutoff = float(params.value("footprint.method", quantity="stage_cutoff_pct"))
    total_cutoff = float(params.value("footprint.method", quantity="total_cutoff_pct"))
    used: dict[str, dict[str, Any]] = {}
    common = {
        "bauxite": _cited(
            params, used, "footprint.upstream", material="bauxite", quantity="contribution_per_t_product"
        ),
        "alumina_q": _cited(params, used, "footprint.upstream", material="alumina", quantity="quantity_per_t_product"),
        "alumina": _cited(params, used, "footprint.upstream", material="alumina", quantity="footprint"),
        "anode": _cited(params, used, "footprint.upstream", material="anode", quantity="footprint"),
        "copper_concentrate_q": _cited(
            params, used, "footprint.upstream", material="copper_concentrate", quantity="quantity_per_t_product"
        ),
        "copper_concentrate": _cited(
            params, used, "footprint.upstream", material="copper_concentrate", quantity="footprint"
        ),
        "zinc_concentrate_q": _cited(
            params, used, "footprint.upstream", material="zinc_concentrate", quantity="quantity_per_t_product"
        ),
        "zinc_concentrate": _cited(
            params, used, "footprint.upstream", material="zinc_concentrate", quantity="footprint"
        ),
        "ferrosilicon_q": _cited(
            params, used, "footprint.upstream", material="ferrosilicon", quantity="quantity_per_t_product"
        ),
        "ferrosilicon": _cited(params, used, "footprint.upstream", material="ferrosilicon", quantity="footprint"),
        "silicon_inputs": _cited(
            params, used, "footprint.upstream", material="silicon_inputs", quantity="contribution_per_t_product"
        ),
        "scrap": _cited(params, used, "footprint.scrap_burden", approach=scrap_approach),
    }
    k = months["key"].to_numpy(dtype=np.intp)
    mwh = np.nan_to_num(months["grid_electricity_mwh"].to_numpy(dtype=float)) - np.nan_to_num(
        months["exported_electricity_mwh"].to_numpy(dtype=float)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        location = np.where(mwh != 0, months["electricity_location_tco2"].to_numpy(dtype=float) / mwh, 0.0)
        market = np.where(mwh != 0, months["electricity_market_tco2"].to_numpy(dtype=float) / mwh, 0.0)
    if electricity_factors is not None:  # the caller's factors per facility-month (e.g. green-power contracts)
        given = [
            electricity_factors.get((int(f), str(p)), np.nan)
            for f, p in zip(months["facility_id"], months["period"], strict=True)
        ]
        market = np.asarray(given, dtype=float)
    headline = location if basis == "location" else market
    site_args = {
        name: months[name].to_numpy(dtype=float)
        for name in ("output_t", "fuel_tco2", "process_tco2", "pfc_tco2e", "heat_tco2")
    }
    output = site_args["output_t"]
    output_sum = np.bincount(k, weights=np.nan_to_num(output), minlength=n)

    def per_t(values: np.ndarray) -> np.ndarray:
        weighted = np.bincount(k, weights=np.nan_to_num(values), minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(output_sum > 0, weighted / output_sum, np.nan)

    anode_measured = months["net_anode_consumption_t_per_t"].to_numpy(dtype=float)
    anode_known = np.bincount(k, weights=np.isnan(anode_measured).astype(float), minlength=n) == 0
    anode_q = np.where(anode_known, per_t(anode_measured * output), np.nan)  # output-weighted
    scrap_q = per_t(months["scrap_input_t"].to_numpy(dtype=float))
    supply_of = {(int(r.facility_id), str(r.material)): r for r in supplies.itertuples(index=False)}
    key_of = {(int(f), int(y)): i for i, (f, y) in enumerate(zip(keys["facility_id"], keys["year"], strict=True))}
    rows: list[tuple[int, int, float, float, int, float]] = []
    deferred: list[tuple[int, int]] = []  # (upstream row, supplier key)
    provenance_supplies: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for i, (facility, product, year) in enumerate(zip(keys["facility_id"], keys["product"], keys["year"], strict=True)):
        method = PRODUCTS[product]
        for stage in method.upstream:
            s = STAGES.index(stage)
            material = _MATERIAL.get((product, stage), stage)
            supply = supply_of.get((int(facility), material))
            if stage == "bauxite":
                alumina_supply = supply_of.get((int(facility), "alumina"))
                if product == "primary_aluminium" and alumina_supply is not None and alumina_supply.cradle_to_gate:
                    rows.append((i, s, 1.0, 0.0, INCLUDED, np.nan))
                else:
                    per_product = common["bauxite"] if product == "primary_aluminium" else np.nan
                    rows.append((i, s, 1.0, per_product, SECONDARY, np.nan))
                continue
            if stage == "silicon_inputs":
                rows.append((i, s, 1.0, common["silicon_inputs"], SECONDARY, np.nan))
                continue
            quantity = {
                "alumina": common["alumina_q"],
                "anode": anode_q[i],
                "scrap": scrap_q[i],
            }.get(material, common.get(material + "_q", np.nan))
            factor = common.get(material, np.nan)
            kind = SECONDARY
            if supply is not None:
                if supply.quantity_t_per_t is not None and not pd.isna(supply.quantity_t_per_t):
                    quantity = float(supply.quantity_t_per_t)
                provenance_supplies[i].append({k2: _plain(v) for k2, v in supply._asdict().items()})
                if supply.supplier_facility_id is not None and not pd.isna(supply.supplier_facility_id):
                    kind, factor = SITE, np.nan
                    supplier_key = key_of.get((int(supply.supplier_facility_id), int(year)))
                    if supplier_key is not None:
                        deferred.append((len(rows), supplier_key))
                else:
                    kind, factor = SUPPLIER, float(supply.footprint_tco2e_per_t)
            rows.append((i, s, float(quantity), float(factor), kind, np.nan))
    table = np.array(rows, dtype=float).reshape(-1, 6) if rows else np.zeros((0, 6))
    applies = np.zeros((n, len(STAGES)), dtype=bool)
    for i, product in enumerate(keys["product"]):
        for stage in (*PRODUCTS[product].upstream, "fuel", "process", "pfc", "electricity", "heat"):
            applies[i, STAGES.index(stage)] = True

    def run(factors: np.ndarray, electricity: np.ndarray) -> FootprintResult:
        upstream = Upstream(
            footprint=table[:, 0].astype(np.intp),
            stage=table[:, 1].astype(np.intp),
            quantity_t_per_t=table[:, 2],
            factor_tco2e_per_t=factors,
            kind=table[:, 4].astype(np.int64),
            cutoff_estimate=table[:, 5],
        )
        site = SiteMonths(footprint=k, electricity_mwh=mwh, electricity_factor=electricity, **site_args)
        return footprints(n, site, upstream, applies, stage_cutoff_pct=stage_cutoff, total_cutoff_pct=total_cutoff)

    def with_suppliers(electricity: np.ndarray) -> FootprintResult:
        factors = table[:, 3].copy()
        first = run(factors, electricity)
        if not deferred:
            return first
        site_cols = [STAGES.index(s) for s in SITE_STAGES]
        for row, supplier_key in deferred:
            # the supplier facility's gate-to-gate footprint of the year from its own verified months (its
            # upstream, e.g. bauxite, is counted by the buyer's own stage): unknown if a site stage is
            factors[row] = float(first.stages[supplier_key, site_cols].sum())
        return run(factors, electricity)

    result = with_suppliers(headline)
    market_result = with_suppliers(market)
    power = _power_source(months, k, n)
    provenance, prints = [], []
    month_cols = months[["key", "period", "version_id", "result_id"]]
    by_key = {int(key): grp for key, grp in month_cols.groupby("key")}
    for i in range(n):
        grp = by_key.get(i)
        listed = (
            []
            if grp is None
            else [
                {"period": str(p), "version_id": int(v), "result_id": None if pd.isna(r) else int(r)}
                for p, v, r in zip(grp["period"], grp["version_id"], grp["result_id"], strict=True)
            ]
        )
        record = {
            "months": listed,
            "parameters": list(used.values()),
            "supplies": provenance_supplies[i],
            "electricity_basis": basis,
            "scrap_approach": scrap_approach if keys["product"].iat[i] == "recycled_aluminium" else None,
            "method": PRODUCTS[keys["product"].iat[i]].method,
            "standard": PRODUCTS[keys["product"].iat[i]].standard,
        }
        provenance.append(record)
        prints.append(hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest())
    return FootprintBatch(keys, result, market_result, basis, power, provenance, prints)


def _power_source(months: pd.DataFrame, k: np.ndarray, n: int) -> list[str]:
    """The largest electricity supply of each footprint's year: grid (bought, less direct green power),
    captive (own plant) or renewable (direct green power and on-site renewables)."""

    def total(column: str) -> np.ndarray:
        return np.bincount(k, weights=np.nan_to_num(months[column].to_numpy(dtype=float)), minlength=n)

    renewable = total("direct_renewable_mwh") + total("onsite_renewable_mwh")
    grid = total("grid_electricity_mwh") - total("direct_renewable_mwh")
    captive = total("captive_electricity_mwh")
    stacked = np.vstack([grid, captive, renewable])
    names = np.array(["grid", "captive", "renewable"])
    return [str(x) for x in names[np.argmax(stacked, axis=0)]]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
