"""Benchmark: product carbon footprints for every product-facility-year of a province ten times the demo,
beside a straightforward per-footprint loop, in the same run.

The data are the demo province's verified months as the footprint reads them from the store
(:func:`carbonpeak.store.footprints.reads.year_months`, every year 2020-2025): a fresh demo database is
built and read once (not timed; the read of the demo's store is timed and printed apart). The province
ten times the demo clones every facility ``--times`` times (default 10), each clone's months scaled by a
random factor, so it has ten times the demo's facilities and the same six years.

Timed (best of ``--repeat``):

* ``carbonpeak``: :func:`carbonpeak.accounting.footprints.compute` over all footprints at once: the cited
  parameters, the upstream rows, two vectorised engine passes (location- and market-based electricity),
  the data shares, the cut-off check, the power source and the provenance with its fingerprint;
* ``loop``: a straightforward per-footprint Python loop over the same formulas: for each footprint, its
  months summed one by one, the parameters asked of the parameter set, each stage computed and summed;
  it keeps no provenance and computes the location-based value only (less work than carbonpeak).

The two are checked equal on every footprint (value and every stage, NaN where a stage is missing).

Run with ``make bench`` (or ``python benchmarks/bench_footprints.py --times 10``).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sqlalchemy import select

from carbonpeak.accounting.footprints import compute
from carbonpeak.engine.footprint import PRODUCTS, STAGES, product_of_sector
from carbonpeak.errors import CarbonpeakError
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.services import demo as demo_service
from carbonpeak.store import db
from carbonpeak.store.footprints import reads
from carbonpeak.store.models import Facility

YEARS = range(2020, 2026)
SCALED = ["output_t", "fuel_tco2", "process_tco2", "pfc_tco2e", "heat_tco2", "electricity_location_tco2",
          "electricity_market_tco2", "grid_electricity_mwh", "exported_electricity_mwh", "captive_electricity_mwh",
          "direct_renewable_mwh", "onsite_renewable_mwh", "green_certificate_mwh", "scrap_input_t"]  # fmt: skip


def demo_months(workdir: Path) -> tuple[pd.DataFrame, float]:
    """The demo's verified months of every year with each facility's product, and the read time."""
    url = f"sqlite:///{workdir / 'demo.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
    with db.transaction(url) as session:
        facilities = session.execute(select(Facility.id, Facility.sector)).all()
        product = {f.id: product_of_sector(f.sector) for f in facilities}
        ids = [i for i, p in product.items() if p]
        started = time.perf_counter()
        parts = []
        for year in YEARS:
            months, pending = reads.year_months(session, ids, year)
            complete = set(ids) - set(pending["facility_id"])
            months = months[months["facility_id"].isin(complete)].copy()
            months["year"] = year
            parts.append(months)
        read = time.perf_counter() - started
    frame = pd.concat(parts, ignore_index=True)
    frame["product"] = frame["facility_id"].map(product)
    return frame, read


def province(months: pd.DataFrame, times: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(keys, months) of a province with ``times`` clones of every demo facility."""
    rng = np.random.default_rng(seed)
    sources = sorted(months["facility_id"].unique())
    parts = []
    for copy in range(times):
        scale = dict(zip(sources, rng.uniform(0.7, 1.3, len(sources)), strict=True))
        part = months.copy()
        factor = part["facility_id"].map(scale).to_numpy()
        for column in SCALED:
            part[column] = part[column].to_numpy() * factor
        part["facility_id"] = part["facility_id"] + copy * 10_000
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    keys = frame.drop_duplicates(["facility_id", "year"])[["facility_id", "product", "year"]].reset_index(drop=True)
    index = {(f, y): i for i, (f, y) in enumerate(zip(keys["facility_id"], keys["year"], strict=True))}
    frame["key"] = [index[(f, y)] for f, y in zip(frame["facility_id"], frame["year"], strict=True)]
    return keys, frame


def _value(params: ParameterSet, family: str, **key: str) -> float:
    try:
        return float(params.value(family, **key))
    except CarbonpeakError:
        return math.nan


def loop(keys: pd.DataFrame, months: pd.DataFrame, params: ParameterSet) -> list[dict[str, float]]:
    """The straightforward way: one footprint at a time, its months one by one."""
    rows_of: dict[int, list[dict[str, float]]] = {}
    for row in months.to_dict("records"):
        rows_of.setdefault(int(row["key"]), []).append(row)
    out = []
    for i, product in enumerate(keys["product"]):
        output = fuel = process = pfc = heat = electricity = anode_mass = scrap = 0.0
        anode_known = True
        for m in rows_of.get(i, []):
            output += m["output_t"]
            fuel += m["fuel_tco2"]
            process += m["process_tco2"]
            pfc += m["pfc_tco2e"]
            heat += m["heat_tco2"]
            mwh = (0.0 if math.isnan(m["grid_electricity_mwh"]) else m["grid_electricity_mwh"]) - (
                0.0 if math.isnan(m["exported_electricity_mwh"]) else m["exported_electricity_mwh"]
            )
            factor = m["electricity_location_tco2"] / mwh if mwh != 0 else 0.0
            electricity += mwh * factor
            if math.isnan(m["net_anode_consumption_t_per_t"]):
                anode_known = False
            else:
                anode_mass += m["net_anode_consumption_t_per_t"] * m["output_t"]
            scrap += 0.0 if math.isnan(m["scrap_input_t"]) else m["scrap_input_t"]
        stages = {"fuel": fuel / output, "process": process / output, "pfc": pfc / output,
                  "electricity": electricity / output, "heat": heat / output}  # fmt: skip
        for stage in PRODUCTS[product].upstream:
            if stage == "bauxite":
                per_t = "contribution_per_t_product"
                stages[stage] = (
                    _value(params, "footprint.upstream", material="bauxite", quantity=per_t)
                    if product == "primary_aluminium"
                    else math.nan
                )
            elif stage == "alumina":
                stages[stage] = _value(
                    params, "footprint.upstream", material="alumina", quantity="quantity_per_t_product"
                ) * _value(params, "footprint.upstream", material="alumina", quantity="footprint")
            elif stage == "anode":
                quantity = anode_mass / output if anode_known else math.nan
                stages[stage] = quantity * _value(params, "footprint.upstream", material="anode", quantity="footprint")
            elif stage == "scrap":
                stages[stage] = scrap / output * _value(params, "footprint.scrap_burden", approach="cut_off")
            elif stage == "silicon_inputs":
                stages[stage] = _value(
                    params, "footprint.upstream", material="silicon_inputs", quantity="contribution_per_t_product"
                )
            else:
                material = {"copper_cathode": "copper_concentrate", "zinc": "zinc_concentrate"}.get(product, stage)
                stages[stage] = _value(
                    params, "footprint.upstream", material=material, quantity="quantity_per_t_product"
                ) * _value(params, "footprint.upstream", material=material, quantity="footprint")
        stages["value"] = sum(v for v in stages.values() if not math.isnan(v))
        out.append(stages)
    return out


def best(runs: list[float]) -> float:
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=10, help="clones of every demo facility (default 10)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (best is reported)")
    args = parser.parse_args()
    params = load()
    with tempfile.TemporaryDirectory() as tmp:
        demo, read = demo_months(Path(tmp))
    keys, months = province(demo, args.times, seed=16)
    empty = pd.DataFrame(columns=["supply_id", "facility_id", "material", "supplier_name", "supplier_facility_id",
                                  "supplier_facility_code", "footprint_tco2e_per_t", "quantity_t_per_t",
                                  "cradle_to_gate", "evidence"])  # fmt: skip
    print(f"demo: {demo['facility_id'].nunique()} facilities with a footprint method, {len(demo)} verified months "
          f"(read from the store in {read:.3f} s); province x{args.times}: {len(keys)} product-facility-years, "
          f"{len(months)} facility-months")  # fmt: skip
    fast, slow = [], []
    batch = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        batch = compute(keys, months, empty, params)
        fast.append(time.perf_counter() - started)
    looped: list[dict[str, float]] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        looped = loop(keys, months, params)
        slow.append(time.perf_counter() - started)
    assert batch is not None
    worst = 0.0
    for i, row in enumerate(looped):
        for stage, value in row.items():
            got = batch.result.value[i] if stage == "value" else batch.result.stages[i, STAGES.index(stage)]
            if math.isnan(value):
                assert math.isnan(got), (i, stage, got)
            else:
                worst = max(worst, abs(got - value) / max(abs(value), 1e-12))
    assert worst < 1e-9, worst
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"carbonpeak (vectorised, both electricity bases, provenance): best {best(fast):.3f} s, runs "
        + ", ".join(f"{t:.3f}" for t in fast)
    )
    print(
        f"per-footprint loop (location-based only, no provenance): best {best(slow):.3f} s, runs "
        + ", ".join(f"{t:.3f}" for t in slow)
    )
    print(f"ratio (best/best): {best(slow) / best(fast):.1f}x; largest relative difference {worst:.1e}; "
          f"peak memory {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
