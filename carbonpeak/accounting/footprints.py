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
import weakref
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
from carbonpeak.engine.footprint.compute import group_sums
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
    market: np.ndarray  # the footprint value with the other electricity basis (market-based by default)
    basis: str
    power_source: list[str]
    provenance: Any  # provenance[i]: months, parameters, supplies, basis (made when asked for)
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
    stage_cutoff, total_cutoff, common, parameters, parameters_digest = _resolved(params, scrap_approach)
    k = months["key"].to_numpy(dtype=np.intp)
    # the months in footprint order, once: every per-footprint sum is then one reduceat
    order = np.argsort(k, kind="stable") if k.size and np.any(k[1:] < k[:-1]) else np.arange(k.size)
    k = k[order]

    def column(name: str) -> np.ndarray:
        values: np.ndarray = months[name].to_numpy(dtype=float)[order]
        return values

    mwh = np.nan_to_num(column("grid_electricity_mwh")) - np.nan_to_num(column("exported_electricity_mwh"))
    with np.errstate(divide="ignore", invalid="ignore"):
        location = np.where(mwh != 0, column("electricity_location_tco2") / mwh, 0.0)
        market = np.where(mwh != 0, column("electricity_market_tco2") / mwh, 0.0)
    if electricity_factors is not None:  # the caller's factors per facility-month (e.g. green-power contracts)
        given = [
            electricity_factors.get((int(f), str(p)), np.nan)
            for f, p in zip(months["facility_id"], months["period"], strict=True)
        ]
        market = np.asarray(given, dtype=float)[order]
    headline = location if basis == "location" else market
    site_args = {name: column(name) for name in ("output_t", "fuel_tco2", "process_tco2", "pfc_tco2e", "heat_tco2")}
    output = site_args["output_t"]
    anode_measured = column("net_anode_consumption_t_per_t")

    # every per-footprint total the join needs, in one pass (engine.footprint.group_sums)
    totals, nan_counts = group_sums(
        k,
        n,
        np.column_stack(
            [
                output,
                anode_measured * output,
                column("scrap_input_t"),
                mwh * market,
                column("grid_electricity_mwh"),
                column("captive_electricity_mwh"),
                column("direct_renewable_mwh"),
                column("onsite_renewable_mwh"),
            ]
        ),
    )
    output_sum = totals[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_output = np.where(output_sum > 0, 1.0 / np.where(output_sum > 0, output_sum, 1.0), np.nan)
    anode_q = np.where(nan_counts[:, 1] == 0, totals[:, 1] * per_output, np.nan)  # output-weighted
    scrap_q = totals[:, 2] * per_output
    market_electricity = np.where(nan_counts[:, 3] > 0, np.nan, totals[:, 3] * per_output)
    products = keys["product"].to_numpy(dtype=object)
    table, position = _default_rows(products, common, anode_q, scrap_q)
    supply_of = (
        {(int(r.facility_id), str(r.material)): r for r in supplies.itertuples(index=False)} if len(supplies) else {}
    )
    deferred: list[tuple[int, int]] = []  # (upstream row, supplier key)
    provenance_supplies: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    if supply_of:
        key_of = {(int(f), int(y)): i for i, (f, y) in enumerate(zip(keys["facility_id"], keys["year"], strict=True))}
        for (facility, material), supply in supply_of.items():
            for (f, year), i in key_of.items():
                if f != facility:
                    continue
                product = str(products[i])
                stage = next((st for (pr, st), m in _MATERIAL.items() if pr == product and m == material), None)
                if stage is None:
                    continue
                row = position[(i, STAGES.index(stage))]
                provenance_supplies[i].append({k2: _plain(v) for k2, v in supply._asdict().items()})
                if supply.quantity_t_per_t is not None and not pd.isna(supply.quantity_t_per_t):
                    table[row, 2] = float(supply.quantity_t_per_t)
                if supply.supplier_facility_id is not None and not pd.isna(supply.supplier_facility_id):
                    table[row, 3], table[row, 4] = np.nan, SITE
                    supplier_key = key_of.get((int(supply.supplier_facility_id), int(year)))
                    if supplier_key is not None:
                        deferred.append((row, supplier_key))
                else:
                    table[row, 3], table[row, 4] = float(supply.footprint_tco2e_per_t), SUPPLIER
                if material == "alumina" and supply.cradle_to_gate and (i, STAGES.index("bauxite")) in position:
                    # bauxite is inside the supplier's cradle-to-gate alumina footprint: counted there
                    table[position[(i, STAGES.index("bauxite"))], 3:5] = (0.0, INCLUDED)
    applies = np.zeros((n, len(STAGES)), dtype=bool)
    applies[:, [STAGES.index(st) for st in SITE_STAGES]] = True
    applies[table[:, 0].astype(np.intp), table[:, 1].astype(np.intp)] = True

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
    if deferred:
        market_value = with_suppliers(market).value
    else:
        # the other basis differs only in the electricity stage: swap it instead of a second pass
        el = STAGES.index("electricity")
        market_value = result.value - np.nan_to_num(result.stages[:, el]) + market_electricity

    power = _power_source(totals[:, 4:8])
    bounds = np.searchsorted(k, np.arange(n + 1))
    version_ids = months["version_id"].to_numpy(dtype=np.int64)[order]
    result_ids = pd.to_numeric(months["result_id"], errors="coerce").to_numpy(dtype=float)[order]
    # A footprint's inputs: its months' versions and results (a version belongs to one month), the
    # parameters, its supplies, the basis and the product: the fingerprint a new version is judged by.
    head = hashlib.sha256(f"{parameters_digest}|{basis}|{scrap_approach}".encode()).hexdigest()[:32]
    h1, h2 = _month_hashes(version_ids, result_ids, bounds, n)
    hexed = np.column_stack([h1, h2]).astype(">u8").tobytes().hex()
    prints = [head + hexed[32 * i : 32 * i + 32] for i in range(n)]
    for i in np.flatnonzero([bool(x) for x in provenance_supplies]).tolist():
        extra = hashlib.sha256((prints[i] + json.dumps(provenance_supplies[i], sort_keys=True, default=str)).encode())
        prints[i] = head + extra.hexdigest()[:32]
    months_of = _MonthsOf(months["period"].to_numpy(dtype=object)[order], version_ids, result_ids, bounds)
    provenance = _Provenance(products, parameters, provenance_supplies, basis, scrap_approach, months_of)
    return FootprintBatch(keys, result, market_value, basis, power, provenance, prints)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on unsigned 64-bit integers (wrapping arithmetic), element-wise."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        mixed: np.ndarray = x ^ (x >> np.uint64(31))
        return mixed


def _month_hashes(
    version_ids: np.ndarray, result_ids: np.ndarray, bounds: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit hashes per footprint of its months' (version, result, position): a new verified
    version or result of any month changes them (the inputs a new footprint version is judged by)."""
    count = len(version_ids)
    position = np.arange(count, dtype=np.uint64) - np.repeat(bounds[:-1], np.diff(bounds)).astype(np.uint64)
    vid = version_ids.astype(np.uint64)
    rid = np.where(np.isnan(result_ids), -1, result_ids).astype(np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        a = _mix(_mix(vid + np.uint64(0x9E3779B97F4A7C15)) ^ (rid * np.uint64(31)) ^ (position << np.uint64(40)))
        b = _mix(a ^ np.uint64(0xD6E8FEB86659FD93))
    starts = np.minimum(bounds[:-1], max(count - 1, 0))
    empty = np.diff(bounds) == 0
    with np.errstate(over="ignore"):
        h1 = np.add.reduceat(a, starts) if count else np.zeros(n, dtype=np.uint64)
        h2 = np.add.reduceat(b, starts) if count else np.zeros(n, dtype=np.uint64)
    return np.where(empty, np.uint64(0), h1), np.where(empty, np.uint64(0), h2)


def _default_rows(
    products: np.ndarray, common: dict[str, float], anode_q: np.ndarray, scrap_q: np.ndarray
) -> tuple[np.ndarray, dict[tuple[int, int], int]]:
    """The upstream rows from the cited parameters, product by product (footprint, stage, quantity,
    factor, kind, cut-off estimate), and where each (footprint, stage) row is."""
    parts = []
    for product in pd.unique(products):
        idx = np.flatnonzero(products == product).astype(float)
        for stage in PRODUCTS[str(product)].upstream:
            material = _MATERIAL.get((str(product), stage), stage)
            quantity: float | np.ndarray
            if stage == "bauxite":
                quantity, factor = 1.0, common["bauxite"] if product == "primary_aluminium" else np.nan
            elif stage == "silicon_inputs":
                quantity, factor = 1.0, common["silicon_inputs"]
            else:
                quantity = {"anode": anode_q, "scrap": scrap_q}.get(material, common.get(material + "_q", np.nan))
                factor = common.get(material, np.nan)
            rows = np.empty((idx.size, 6))
            rows[:, 0] = idx
            rows[:, 1] = STAGES.index(stage)
            rows[:, 2] = quantity[idx.astype(np.intp)] if isinstance(quantity, np.ndarray) else quantity
            rows[:, 3] = factor
            rows[:, 4] = SECONDARY
            rows[:, 5] = np.nan
            parts.append(rows)
    table = np.vstack(parts) if parts else np.zeros((0, 6))
    return table, _Positions(table)


class _Positions(dict[tuple[int, int], int]):
    """(footprint, stage) -> row of the upstream table, looked up lazily (only supplies ask)."""

    def __init__(self, table: np.ndarray) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, key: tuple[int, int]) -> int:
        hits = np.flatnonzero((self.table[:, 0] == key[0]) & (self.table[:, 1] == key[1]))
        if not hits.size:
            raise KeyError(key)
        self[key] = int(hits[0])
        return int(hits[0])

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True


@dataclass
class _MonthsOf:
    periods: np.ndarray
    version_ids: np.ndarray
    result_ids: np.ndarray
    bounds: np.ndarray

    def __call__(self, i: int) -> list[dict[str, Any]]:
        lo, hi = int(self.bounds[i]), int(self.bounds[i + 1])
        return [
            {"period": str(p), "version_id": int(v), "result_id": None if r != r else int(r)}
            for p, v, r in zip(self.periods[lo:hi], self.version_ids[lo:hi], self.result_ids[lo:hi], strict=True)
        ]


class _Provenance:
    """Each footprint's provenance, made when asked for (a store writes only the versions that changed)."""

    def __init__(
        self,
        products: np.ndarray,
        parameters: list[dict[str, Any]],
        supplies: list[list[dict[str, Any]]],
        basis: str,
        scrap_approach: str,
        months_of: _MonthsOf,
    ) -> None:
        self.products, self.parameters, self.supplies = products, parameters, supplies
        self.basis, self.scrap_approach, self.months_of = basis, scrap_approach, months_of

    def __len__(self) -> int:
        return len(self.products)

    def __getitem__(self, i: int) -> dict[str, Any]:
        product = str(self.products[i])
        return {
            "months": self.months_of(i),
            "parameters": self.parameters,
            "supplies": self.supplies[i],
            "electricity_basis": self.basis,
            "scrap_approach": self.scrap_approach if product == "recycled_aluminium" else None,
            "method": PRODUCTS[product].method,
            "standard": PRODUCTS[product].standard,
        }


_RESOLVED: weakref.WeakKeyDictionary[ParameterSet, dict[str, tuple[Any, ...]]] = weakref.WeakKeyDictionary()


def _resolved(params: ParameterSet, scrap_approach: str) -> tuple[Any, ...]:
    """The cited values a run needs, with their citations and digest: resolved once per parameter set
    (a set is immutable; an entered value makes a new one)."""
    held = _RESOLVED.setdefault(params, {})
    if scrap_approach not in held:
        stage_cutoff = float(params.value("footprint.method", quantity="stage_cutoff_pct"))
        total_cutoff = float(params.value("footprint.method", quantity="total_cutoff_pct"))
        used: dict[str, dict[str, Any]] = {}
        common = {
            "bauxite": _cited(
                params, used, "footprint.upstream", material="bauxite", quantity="contribution_per_t_product"
            ),
            "alumina_q": _cited(
                params, used, "footprint.upstream", material="alumina", quantity="quantity_per_t_product"
            ),
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
        # the parameters are the same for every footprint of a run: listed once, hashed once
        parameters = list(used.values())
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()
        held[scrap_approach] = (stage_cutoff, total_cutoff, common, parameters, digest)
    return held[scrap_approach]


def _power_source(totals: np.ndarray) -> list[str]:
    """The largest electricity supply of each footprint's year: grid (bought, less direct green power),
    captive (own plant) or renewable (direct green power and on-site renewables). ``totals``: the
    year's grid, captive, direct renewable and on-site renewable MWh."""
    grid, captive, direct, onsite = totals.T
    stacked = np.vstack([grid - direct, captive, direct + onsite])
    names = np.array(["grid", "captive", "renewable"])
    return list(names[np.argmax(stacked, axis=0)].tolist())


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
