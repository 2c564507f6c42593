"""The command line, run as a user would, on the shipped examples and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "240"})
    return result.exit_code, result.output


def test_account_json_on_example() -> None:
    code, out = invoke("account", str(EXAMPLES / "aluminium_2024.yaml"), "--json")
    assert code == 0, out
    payload = json.loads(out)
    first = payload["results"][0]
    assert first["record_id"] == "GZ-AL-01@2024-03" and first["method"] == "cn-al-2024"
    # 270 000 MWh × 0.5366 (2022 national average for reporting year 2024)
    assert first["electricity_location_tco2"] == pytest.approx(144882.0)
    # market-based: (270 000 − 30 000 certificates) × 0.5856 residual
    assert first["electricity_market_tco2"] == pytest.approx(140544.0)


def test_explain_traces_every_number_to_a_cited_parameter() -> None:
    code, out = invoke("account", str(EXAMPLES / "aluminium_2024.yaml"), "--json", "--explain")
    assert code == 0, out
    for explanation in json.loads(out)["explanations"]:
        for term in explanation["terms"]:
            for cited in term["parameters"]:
                assert cited["source"]["document"] and cited["confidence"] and cited["value"] is not None
        assert explanation["parameters"], "every record uses at least one cited parameter"


def test_explain_text_shows_formula_and_source() -> None:
    code, out = invoke("account", str(EXAMPLES / "aluminium_2024.yaml"), "--record", "GZ-AL-01@2024-03", "--lang", "en")
    assert code == 0, out
    assert "formula: P × NC × (100 − S − A)/100 × 44/12" in out
    assert "electricity.grid_factor[data_year=2022, region=china, basis=location]" in out
    assert "unverified factor" in out


def test_json_and_explain_give_each_fuel_and_each_pfc_gas() -> None:
    """GZ-AL-01 (cn-al-2024, slope method, AEM 0.05): natural gas 30 × 10^4 Nm3 × 389.31 GJ × 15.3 t C/TJ × 0.99
    × 44/12 = 648.657 t CO2; diesel 8 t × 42.652 × 20.2 × 0.98 × 44/12 = 24.767 t; CF4 0.143 × 0.05 kg/t ×
    20 000 t = 0.143 t; C2F6 0.1 × that = 0.0143 t."""
    code, out = invoke("account", str(EXAMPLES / "aluminium_2024.yaml"), "--json")
    assert code == 0, out
    items = [i for i in json.loads(out)["breakdown"] if i["record_id"] == "GZ-AL-01@2024-03"]
    fuels = {i["fuel"]: i["tco2"] for i in items if i["term"] == "fuel"}
    assert fuels == {
        "natural_gas": pytest.approx(30 * 389.31 / 1000 * 15.3 * 0.99 * 44 / 12, rel=1e-12),
        "diesel": pytest.approx(8 * 42.652 / 1000 * 20.2 * 0.98 * 44 / 12, rel=1e-12),
    }
    gases = {i["gas"]: i["mass_t"] for i in items if i["term"] == "pfc"}
    assert gases == {"CF4": pytest.approx(0.143, rel=1e-12), "C2F6": pytest.approx(0.0143, rel=1e-12)}
    code, out = invoke("account", str(EXAMPLES / "aluminium_2024.yaml"), "--record", "GZ-AL-01@2024-03", "--lang", "en")
    assert code == 0, out
    assert "item natural_gas: amount=30 wan_Nm3" in out and "tco2=648.657 tCO2" in out
    assert "item CF4: factor_kg_per_t=0.00715 kg/t, mass_t=0.143 t" in out and "item C2F6:" in out


def test_classify_example_with_edition_2021() -> None:
    code, out = invoke("classify", str(EXAMPLES / "aluminium_2023_monthly.csv"), "--edition", "2021", "--json")
    assert code == 0, out
    payload = json.loads(out)
    classes = {row["facility_id"]: row["class"] for row in payload["facilities"]}
    assert classes == {
        "GZ-AL-01": "at_or_above_benchmark",
        "XJ-AL-02": "between_benchmark_and_baseline",
        "GZ-AL-03": "below_baseline",
    }
    share = payload["shares"][0]
    assert share["share_below_baseline"] == pytest.approx(100000 / 750000)


def test_classify_in_force_edition_without_values_says_what_to_do() -> None:
    # 2023 starts under the 2021 edition, which has values; 2024 falls under the 2023 edition, which has none
    code, out = invoke("classify", str(EXAMPLES / "aluminium_2023_monthly.csv"), "--json")
    assert code == 0 and json.loads(out)["facilities"][0]["edition"] == "2021"
    code, out = invoke("classify", str(EXAMPLES / "aluminium_2024.yaml"))
    assert code == 2
    assert "benchmarks.ndrc_level" in out and "请选择 2021 版标杆水平" in out


def test_classify_facility_list() -> None:
    code, out = invoke("classify", str(EXAMPLES / "facilities.csv"), "--edition", "2021", "--json")
    assert code == 0, out
    classes = {row["facility_id"]: row["class"] for row in json.loads(out)["facilities"]}
    assert classes["CU-B"] == "below_baseline" and classes["CU-A"] == "at_or_above_benchmark"


def test_surcharge_example() -> None:
    code, out = invoke("surcharge", str(EXAMPLES / "aluminium_2024.yaml"), "--json")
    assert code == 0, out
    rows = {row["facility_id"]: row for row in json.loads(out)["facilities"]}
    # XJ-AL-02: (438 240 + 10 560) MWh / 33 000 t = 13 600 kWh/t; 150 over 13 450 → 8 steps → 0.08 yuan/kWh
    assert rows["XJ-AL-02"]["surcharge_yuan_per_kwh"] == pytest.approx(0.08)
    assert rows["XJ-AL-02"]["surcharge_yuan"] == pytest.approx(0.08 * 448800 * 1000)
    assert rows["GZ-AL-01"]["surcharge_yuan"] == 0


def test_parameters_show_value_in_force() -> None:
    code, out = invoke(
        "parameters", "show", "benchmarks.tiered_price_al", "-k", "item=threshold", "--period", "2025-06", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["value"] == 13300


def test_parameters_list_and_unknown_family() -> None:
    code, out = invoke("parameters", "list", "--json")
    assert code == 0
    assert "emissions.gwp" in {row["id"] for row in json.loads(out)}
    code, out = invoke("parameters", "show", "no.such_family")
    assert code == 2 and "unknown parameter" in out


def test_bad_input_file_exits_2_with_location(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("facility_id,sector,region,period,output_t\nF1,alumina,guizhou,2024,abc\n")
    code, out = invoke("account", str(path))  # in the person's language: zh-CN unless asked otherwise
    assert code == 2
    assert "bad.csv" in out and "第 2 行" in out and "产品产量" in out and "不是数字" in out
    code, out = invoke("account", str(path), "--lang", "en")
    assert code == 2 and out.startswith("error: file ")
    assert "bad.csv" in out and "row 2" in out and "product output" in out and "not a number" in out


def test_methods_listed() -> None:
    code, out = invoke("methods", "--json")
    assert code == 0
    assert {m["id"] for m in json.loads(out)} >= {"cn-al-2013", "cn-al-2024", "cbam-2025", "ipcc2006-tier2"}


def test_explain_shows_a_records_own_factor_with_its_citation(tmp_path: Path) -> None:
    """Market-based: (1 000 − 300 certificates) × the contract's 0.42 = 294 t CO2; location: 1 000 × 0.5366."""
    path = tmp_path / "own.yaml"
    path.write_text(
        "records:\n  - {facility_id: OWN, sector: electrolytic_aluminium, region: guizhou, period: '2024-03',"
        " output_t: 10000, grid_electricity_mwh: 1000, green_certificate_mwh: 300, grid_factor_tco2_per_mwh: 0.42,"
        " grid_factor_source: 'example supply contract 2024-01'}\n",
        encoding="utf-8",
    )
    code, out = invoke("account", str(path), "--json", "--explain")
    assert code == 0, out
    payload = json.loads(out)
    row = payload["results"][0]
    assert row["electricity_market_tco2"] == pytest.approx(294.0) and row["uses_own_factor"] is True
    assert row["electricity_location_tco2"] == pytest.approx(536.6)
    own = payload["explanations"][0]["own_factors"]
    assert own[0]["value"] == 0.42 and own[0]["source"] == "example supply contract 2024-01"
    code, out = invoke("account", str(path), "--explain", "--lang", "en")
    assert code == 0 and "own factor grid_factor_tco2_per_mwh = 0.42 tCO2/MWh — source: example supply contract" in out


def test_a_missing_factor_names_the_record_at_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "2026.csv"
    path.write_text(
        "facility_id,sector,region,period,output_t,grid_electricity_mwh\n"
        "GZ-9,electrolytic_aluminium,guizhou,2025-12,100,10\nGZ-9,electrolytic_aluminium,guizhou,2026-01,100,10\n",
        encoding="utf-8",
    )
    code, out = invoke("account", str(path))
    assert code == 2
    assert "核算记录 GZ-9@2026-01（设施 GZ-9，核算期 2026-01）时停止" in out and "电力二氧化碳排放因子" in out
