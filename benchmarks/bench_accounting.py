"""Benchmark: a country-sized batch of facility-month records through carbonpeak's accounting.

100,000 facilities x 12 months of mixed sectors (aluminium, alumina, magnesium, copper, lead, zinc,
industrial silicon, other), about two fuel lines per record. It times ``carbonpeak.accounting.account``
(vectorised, provenance kept) and, in the same run, a plain per-record Python loop over the same
formulas with the same pre-resolved parameters, on a sample of records, and checks that both give
the same totals. Prints records per second for each, their ratio, and peak memory.

Run with ``make bench`` (or ``python benchmarks/bench_accounting.py --facilities 100000``).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the goal says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from carbonpeak.accounting import ActivityBatch, account
from carbonpeak.parameters import load

SECTORS = ["electrolytic_aluminium", "alumina", "magnesium", "copper", "lead", "zinc", "industrial_silicon", "other"]
WEIGHTS = [0.25, 0.10, 0.10, 0.15, 0.10, 0.10, 0.10, 0.10]
FUELS = {  # two fuels per sector: (code, mean amount per month in the fuel's table unit)
    "electrolytic_aluminium": [("natural_gas", 30.0), ("diesel", 8.0)],
    "alumina": [("bituminous_coal", 15000.0), ("natural_gas", 250.0)],
    "magnesium": [("semi_coke_gas", 330.0), ("bituminous_coal", 2500.0)],
    "copper": [("natural_gas", 120.0), ("diesel", 75.0)],
    "lead": [("coke", 1000.0), ("diesel", 20.0)],
    "zinc": [("bituminous_coal", 3300.0), ("diesel", 15.0)],
    "industrial_silicon": [("bituminous_coal", 800.0), ("diesel", 10.0)],
    "other": [("natural_gas", 180.0), ("lpg", 5.0)],
}
PROVINCES = ["guizhou", "shaanxi", "xinjiang", "yunnan", "inner_mongolia", "shandong", "henan", "guangxi"]


def make_batch(facilities: int, seed: int = 20261123) -> ActivityBatch:
    rng = np.random.default_rng(seed)
    sector_of = rng.choice(SECTORS, size=facilities, p=WEIGHTS)
    region_of = rng.choice(PROVINCES, size=facilities)
    months = 12
    n = facilities * months
    facility = np.repeat(np.arange(facilities), months)
    sector = sector_of[facility]
    month = np.tile(np.arange(1, months + 1), facilities)
    output = rng.uniform(2_000, 30_000, n)
    is_al = sector == "electrolytic_aluminium"
    electrolysis = np.where(is_al, output * rng.uniform(12.9, 13.5, n), np.nan)
    grid = np.where(is_al, electrolysis * 1.03, output * rng.uniform(0.2, 3.0, n))
    records = pd.DataFrame(
        {
            "facility_id": pd.Series(facility).map("F{:06d}".format),
            "sector": sector,
            "region": region_of[facility],
            "period": pd.Series(month).map("2024-{:02d}".format),
            "output_t": output,
            "grid_electricity_mwh": grid,
            "green_certificate_mwh": grid * rng.choice([0.0, 0.1, 0.3], n),
            "electrolysis_ac_mwh": electrolysis,
            "auxiliary_ac_mwh": np.where(is_al, output * 0.3, np.nan),
            "purchased_heat_gj": np.where(sector == "zinc", output * 2.0, 0.0),
            "dolomite_t": np.where(sector == "magnesium", output * 10.5, np.nan),
            "ferrosilicon_t": np.where(sector == "magnesium", output * 1.1, np.nan),
        }
    )
    records["record_id"] = records["facility_id"] + "@" + records["period"]
    fuel_records, fuel_codes, fuel_amounts = [], [], []
    for code_sector, pairs in FUELS.items():
        rows = np.flatnonzero(sector == code_sector)
        for code, mean in pairs:
            fuel_records.append(rows)
            fuel_codes.append(np.full(rows.size, code, dtype=object))
            fuel_amounts.append(rng.uniform(0.5, 1.5, rows.size) * mean)
    fuels = pd.DataFrame(
        {
            "record": np.concatenate(fuel_records).astype(np.intp),
            "fuel": np.concatenate(fuel_codes),
            "amount": np.concatenate(fuel_amounts),
        }
    )
    carbonate_rows = np.flatnonzero(sector == "alumina")
    carbonates = pd.DataFrame(
        {
            "record": carbonate_rows.astype(np.intp),
            "carbonate": "CaCO3",
            "amount_t": output[carbonate_rows] * 0.06,
            "purity_pct": 92.0,
        }
    )
    reductant_rows = np.flatnonzero(np.isin(sector, ["lead", "industrial_silicon"]))
    reductants = pd.DataFrame(
        {"record": reductant_rows.astype(np.intp), "agent": "coke", "amount_t": output[reductant_rows] * 0.1}
    )
    return ActivityBatch(
        records=records, fuels=fuels, carbonates=carbonates, reductants=reductants, source="synthetic benchmark batch"
    )


def resolved_parameters() -> dict[str, float]:
    """The parameters the loop needs, resolved once, for 2024 (so the loop does no lookups)."""
    p = load()
    v: dict[str, float] = {}
    for fuel in {code for pairs in FUELS.values() for code, _ in pairs}:
        for quantity in ("ncv", "carbon_content", "oxidation_rate"):
            v[f"{fuel}.{quantity}"] = float(p.value("emissions.fuel", period=2024, fuel=fuel, quantity=quantity))
    coefficient = {
        "natural_gas": ("natural_gas_oilfield", 10.0),
        "diesel": ("diesel", 1.0),
        "lpg": ("lpg", 1.0),
        "coke": ("coke", 1.0),
        "bituminous_coal": ("raw_coal", 1.0),
    }
    for fuel, (carrier, per_unit) in coefficient.items():  # kgce/Nm3 x 10 = tce per 10^4 Nm3; kgce/kg = tce/t
        v[f"{fuel}.tce"] = float(p.value("energy.coefficient", period=2024, carrier=carrier)) * per_unit
    v["semi_coke_gas.tce"] = v["semi_coke_gas.ncv"] / 29.3076  # no Annex A coefficient: NCV route
    v["electricity.tce"] = float(p.value("energy.coefficient", period=2024, carrier="electricity_equivalent"))
    v["heat.tce"] = float(p.value("energy.coefficient", period=2024, carrier="heat"))  # kgce/MJ = tce/GJ
    v["grid.location"] = float(p.value("electricity.grid_factor", data_year=2022, region="china", basis="location"))
    v["grid.residual"] = float(p.value("electricity.grid_factor", data_year=2022, region="china", basis="residual"))
    v["heat.ef"] = float(p.value("emissions.heat_cn", period=2024))
    for quantity in ("net_anode_consumption", "anode_sulfur", "anode_ash", "ef_cf4", "ef_c2f6"):
        v[f"al.{quantity}"] = float(p.value("emissions.aluminium_cn", edition="cn-2024", quantity=quantity))
    v["gwp.cf4"] = float(p.value("emissions.gwp", edition="AR5", gas="CF4"))
    v["gwp.c2f6"] = float(p.value("emissions.gwp", edition="AR5", gas="C2F6"))
    for quantity in ("ferrosilicon_ef", "dolomite_ef", "dolomite_coefficient"):
        v[f"mg.{quantity}"] = float(p.value("emissions.magnesium_cn", edition="cn-2013", quantity=quantity))
    v["caco3"] = float(p.value("emissions.carbonate", carbonate="CaCO3"))
    v["agent.coke"] = float(p.value("emissions.ipcc2006", quantity="ef_reducing_agent", technology="coke"))
    return v


def loop_inputs(batch: ActivityBatch, sample: np.ndarray) -> tuple[list[dict], dict, dict, dict]:
    """The sample's records as dicts and its lines indexed by record (prepared outside the timing)."""
    wanted = set(int(i) for i in sample)
    lines_by_record: dict[int, list[tuple[str, float]]] = {}
    for r, code, amount in zip(batch.fuels["record"], batch.fuels["fuel"], batch.fuels["amount"], strict=True):
        if int(r) in wanted:
            lines_by_record.setdefault(int(r), []).append((str(code), float(amount)))
    carbonate = dict(
        zip(batch.carbonates["record"], batch.carbonates["amount_t"] * batch.carbonates["purity_pct"], strict=True)
    )
    reductant = dict(zip(batch.reductants["record"], batch.reductants["amount_t"], strict=True))
    return batch.records.iloc[sample].to_dict("records"), lines_by_record, carbonate, reductant


def loop_account(
    sample: np.ndarray, rows: list[dict], lines_by_record: dict, carbonate: dict, reductant: dict, v: dict[str, float]
) -> np.ndarray:
    """Plain per-record Python: the same formulas, one record at a time. Returns [location, market, tce]."""
    out = np.zeros((len(sample), 3))
    c = 44.0 / 12.0
    for k, (i, row) in enumerate(zip(sample, rows, strict=True)):
        sector = row["sector"]
        fuel_t = tce = 0.0
        for code, amount in lines_by_record.get(int(i), []):
            fuel_t += (
                amount * v[f"{code}.ncv"] / 1000 * v[f"{code}.carbon_content"] * v[f"{code}.oxidation_rate"] / 100 * c
            )
            tce += amount * v[f"{code}.tce"]
        process = 0.0
        pfc = 0.0
        output = row["output_t"]
        if sector == "electrolytic_aluminium":
            process = (
                output * v["al.net_anode_consumption"] * (100 - v["al.anode_sulfur"] - v["al.anode_ash"]) / 100 * c
            )
            pfc = output * (v["al.ef_cf4"] * v["gwp.cf4"] + v["al.ef_c2f6"] * v["gwp.c2f6"]) / 1000
        elif sector == "magnesium":
            process = (
                row["ferrosilicon_t"] * v["mg.ferrosilicon_ef"]
                + row["dolomite_t"] * v["mg.dolomite_coefficient"] * v["mg.dolomite_ef"]
            )
        elif sector == "alumina":
            process = carbonate.get(int(i), 0.0) / 100 * v["caco3"]
        elif sector in ("lead", "industrial_silicon"):
            process = reductant.get(int(i), 0.0) * v["agent.coke"]
        grid = row["grid_electricity_mwh"]
        green = min(row["green_certificate_mwh"], grid)
        heat = row["purchased_heat_gj"]
        direct = fuel_t + process + pfc
        out[k, 0] = direct + grid * v["grid.location"] + heat * v["heat.ef"]
        out[k, 1] = direct + (grid - green) * v["grid.residual"] + heat * v["heat.ef"]
        out[k, 2] = tce + grid * v["electricity.tce"] + heat * v["heat.tce"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=50_000, help="records timed in the Python loop")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    batch = make_batch(args.facilities)
    build_s = time.perf_counter() - started
    n = len(batch)
    params = load()
    account(batch, params)  # warm the parameter cache and NumPy
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = account(batch, params)
        timings.append(time.perf_counter() - started)
    best = min(timings)

    v = resolved_parameters()
    sample = np.random.default_rng(1).choice(n, size=min(args.loop_sample, n), replace=False)
    prepared = loop_inputs(batch, sample)
    started = time.perf_counter()
    looped = loop_account(sample, *prepared, v)
    loop_s = time.perf_counter() - started
    vectorised = result.table[["total_location_tco2e", "total_market_tco2e", "energy_tce"]].to_numpy()[sample]
    worst = float(np.max(np.abs(looped - vectorised) / np.maximum(np.abs(vectorised), 1.0)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"records: {n:,} facility-months ({args.facilities:,} facilities x 12), fuel lines: {len(batch.fuels):,}")
    print(f"batch built in {build_s:.2f} s (not timed below)")
    print(
        f"carbonpeak.accounting.account: best of {args.repeat}: {best:.3f} s -> {n / best:,.0f} records/s "
        f"(all runs: {', '.join(f'{t:.3f}' for t in timings)} s)"
    )
    print(
        f"plain per-record Python loop: {len(sample):,} records in {loop_s:.3f} s -> "
        f"{len(sample) / loop_s:,.0f} records/s (the loop is handed pre-resolved parameters)"
    )
    print(f"ratio: {(n / best) / (len(sample) / loop_s):.1f}x")
    print(f"largest relative difference between the two on the sample: {worst:.2e}")
    print(f"peak resident memory of the process: {peak_mb:,.0f} MB")
    if worst > 1e-9:
        raise SystemExit("the loop and the vectorised accounting disagree")


if __name__ == "__main__":
    main()
