"""The demo province end to end: calibration to the accounted year, and the CLI for baseline, plan, accelerated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO_SCENARIOS
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.parameters import load
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.engine import simulate_loop
from carbonpeak.pathways.scenario import load_scenario
from carbonpeak.store import db
from carbonpeak.store.facts import facility_months
from carbonpeak.store.pathways import read_stock

runner = CliRunner(env={"CARBONPEAK_LANG": "en"})  # the English texts are asserted here


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def demo_stock(demo_url: str):  # type: ignore[no-untyped-def]
    scenario = load_scenario(DEMO_SCENARIOS / "plan.yaml")
    with db.transaction(demo_url) as session:
        stock = read_stock(
            session,
            region=scenario.region,
            base_year=scenario.base_year,
            start_year=scenario.horizon.start,
            benchmark_edition=scenario.benchmark_edition,
            params=load(),
        )
        facts = facility_months(session)
    return scenario, stock, facts


def test_base_year_equals_the_accounted_emissions(demo_stock) -> None:  # type: ignore[no-untyped-def]
    scenario, stock, facts = demo_stock
    accounted = facts[(facts["year"] == 2024) & (facts["province_code"] == "demo")]
    run = pr.run(scenario, stock, load(), draws=50)
    j = scenario.base_year - scenario.horizon.start
    for basis, column in (("location", "total_location_tco2e"), ("market", "total_market_tco2e")):
        model = run.emissions(basis)[:, j]
        assert np.allclose(model, accounted[column].sum(), rtol=1e-12)
    # and plant by plant (each plant is its own group here: compare by sector)
    by_sector = accounted.groupby("sector")["total_location_tco2e"].sum()
    for sector, value in by_sector.items():
        assert run.series("emissions_location", (str(sector),))[0, j] == pytest.approx(value, rel=1e-12)
    # the accounted years before the base year are the store's sums
    for year in range(scenario.horizon.start, scenario.base_year):
        total = facts.loc[(facts["year"] == year) & (facts["province_code"] == "demo"), "total_location_tco2e"].sum()
        assert run.emissions()[0, year - scenario.horizon.start] == pytest.approx(total, rel=1e-12)


def test_fast_engine_equals_the_loop_on_the_accelerated_scenario(demo_stock) -> None:  # type: ignore[no-untyped-def]
    _plan, stock, _facts = demo_stock
    scenario = load_scenario(DEMO_SCENARIOS / "accelerated.yaml")
    run = pr.run(scenario, stock, load(), draws=60, seed=9)
    loop = simulate_loop(run.compiled.model, run.samples)
    np.testing.assert_allclose(loop.emissions_location, run.outcome.emissions_location, rtol=1e-10)
    np.testing.assert_allclose(loop.emissions_market, run.outcome.emissions_market, rtol=1e-10)
    assert "AL09" in run.compiled.plants  # the replacement line exists
    assert any(t.lever == "replace_al04" for t in run.compiled.transitions)


@pytest.mark.parametrize("name", ["baseline", "plan", "accelerated"])
def test_cli_run_prints_peak_targets_and_wedges(demo_url: str, name: str) -> None:
    path = str(DEMO_SCENARIOS / f"{name}.yaml")
    code, out = invoke("pathways", "run", path, "--db", demo_url, "--draws", "400", "--wedge-draws", "100", "--json")
    assert code == 0, out
    summary = json.loads(out)
    peak = summary["peak"]
    assert sum(d["probability"] for d in peak["distribution"]) + peak["no_peak_within_horizon"] == pytest.approx(1.0)
    assert set(peak["p_peaked_by"]) == {"2025", "2030"}
    assert 0.0 <= peak["p_peaked_by"]["2025"] <= peak["p_peaked_by"]["2030"] <= 1.0
    targets = {t["id"]: t for t in summary["targets"]}
    for peak_target in ("SN-05", "GZ-04", "XJ-02"):  # "peak before 2030": judged here, by the pathway
        assert targets[peak_target]["probability"] == pytest.approx(peak["p_peaked_by"]["2030"])
    assert targets["GZ-01"]["status"] == "evaluated" and targets["GZ-01"]["probability"] is not None
    assert targets["CN-04"]["status"] == "not_modelled"
    wedges = summary["wedges"]
    if name == "baseline":
        assert wedges["order"] == [] and wedges["against"] == "baseline without levers"
    else:
        assert wedges["order"] and all(row["by_year"] for row in wedges["rows"])
    # the text output in English carries the same headline
    code, text = invoke(
        "pathways", "run", path, "--db", demo_url, "--draws", "200", "--wedge-draws", "0", "--lang", "en"
    )
    assert code == 0, text
    assert "Peak-year distribution" in text and "P(peaked by 2030)" in text and "Plan targets" in text


def test_plan_levers_move_emissions_and_targets(demo_url: str) -> None:
    rows = {}
    for name in ("baseline", "plan", "accelerated"):
        code, out = invoke(
            "pathways",
            "run",
            str(DEMO_SCENARIOS / f"{name}.yaml"),
            "--db",
            demo_url,
            "--draws",
            "300",
            "--wedge-draws",
            "0",
            "--json",
        )
        assert code == 0, out
        rows[name] = json.loads(out)
    e2035 = {n: next(r for r in s["emissions"] if r["year"] == 2035)["location"]["p50"] for n, s in rows.items()}
    assert e2035["accelerated"] < e2035["plan"] < e2035["baseline"]
    below = {n: {t["id"]: t for t in s["targets"]}["SN-03"] for n, s in rows.items()}
    # below-baseline capacity exits after the 2025-12-31 deadline: achieved in 2026 under the plan, never in baseline
    assert below["plan"]["year_achieved"]["p50"] == 2026 and below["baseline"]["p_achieved_within_horizon"] == 0.0


def test_charts_render(demo_url: str, tmp_path: Path) -> None:
    fan, wedge = tmp_path / "fan.png", tmp_path / "wedge.svg"
    code, out = invoke(
        "pathways", "chart", str(DEMO_SCENARIOS / "plan.yaml"), "--db", demo_url, "--draws", "300",
        "--wedge-draws", "100", "--fan", str(fan), "--wedge", str(wedge),
    )  # fmt: skip
    assert code == 0, out
    assert fan.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and fan.stat().st_size > 10_000
    svg = wedge.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and len(svg) > 10_000


def test_export_iamc_and_excel(demo_url: str, tmp_path: Path) -> None:
    csv = tmp_path / "plan.csv"
    code, out = invoke(
        "pathways", "export", str(DEMO_SCENARIOS / "plan.yaml"), "--db", demo_url, "--draws", "200", "--out", str(csv)
    )
    assert code == 0, out
    frame = pd.read_csv(csv)
    assert list(frame.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert [int(c) for c in frame.columns[5:]] == list(range(2020, 2041))
    row = frame[frame["variable"] == "Emissions|CO2e|Non-Ferrous Metals|Location-based|P50"].iloc[0]
    assert row["unit"] == "Mt CO2-equiv/yr" and row["2020"] == pytest.approx(23.72, abs=0.01)
    xlsx = tmp_path / "plan.xlsx"
    code, out = invoke(
        "pathways", "export", str(DEMO_SCENARIOS / "plan.yaml"), "--db", demo_url, "--draws", "200",
        "--wedge-draws", "50", "--out", str(xlsx), "--format", "excel",
    )  # fmt: skip
    assert code == 0, out
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert {"emissions", "peak", "targets", "wedges", "transitions", "parameters", "iamc"} <= set(sheets)
    assert (sheets["parameters"]["parameter"] == "electricity.grid_factor").any()
    code, out = invoke(
        "pathways", "export", str(DEMO_SCENARIOS / "plan.yaml"), "--db", demo_url, "--out", str(tmp_path / "x.txt")
    )
    assert code == 2 and "csv or .xlsx" in out


def test_compare_and_reproduce(demo_url: str, tmp_path: Path) -> None:
    code, out = invoke(
        "pathways", "compare", str(DEMO_SCENARIOS / "baseline.yaml"), str(DEMO_SCENARIOS / "plan.yaml"),
        "--db", demo_url, "--draws", "200", "--json",
    )  # fmt: skip
    assert code == 0, out
    assert [row["scenario"] for row in json.loads(out)] == ["baseline", "plan"]
    saved = tmp_path / "run.json"
    code, out = invoke(
        "pathways", "run", str(DEMO_SCENARIOS / "accelerated.yaml"), "--db", demo_url, "--draws", "300",
        "--wedge-draws", "0", "--save", str(saved), "--seed", "4",
    )  # fmt: skip
    assert code == 0, out
    code, out = invoke("pathways", "reproduce", str(saved), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["identical"] and report["seed"] == 4 and report["draws"] == 300
    # a tampered file is caught
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["scenario"]["base_year"] = 2023
    saved.write_text(json.dumps(data), encoding="utf-8")
    code, out = invoke("pathways", "reproduce", str(saved))
    assert code == 2 and "hash" in out


def test_cheapest_levers_on_the_demo(demo_url: str) -> None:
    code, out = invoke(
        "pathways", "cheapest", str(DEMO_SCENARIOS / "accelerated.yaml"), "--costs",
        str(DEMO_SCENARIOS / "costs_illustrative.yaml"), "--db", demo_url, "--draws", "120", "--json",
    )  # fmt: skip
    assert code == 0, out
    result = json.loads(out)
    assert result["status"] == "Optimal" and result["chosen"]
    assert result["cost_cny"] == sum(result["costs"][lever]["cny"] for lever in result["chosen"])
    met = [c for c in result["conditions"] if c["model_probability"] is not None]
    assert any(c["condition"] == "peaked by 2030" for c in met)
    unreachable = [c["condition"] for c in result["conditions"] if "unreachable" in c.get("note", "")]
    assert any(c.startswith("SN-01") for c in unreachable)  # no lever gets recycled metal to 24 % by 2025
