"""Pages, the API and the CLI on the demonstration province say what their figures rest on and which year
they show: the latest complete year by default (2024: 2025 has months awaiting verification); 2025 chosen
explicitly is labelled 1–9月累计 and compared with January-September 2024, never with the whole of 2024."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.store import db
from carbonpeak.store.facts import facility_months

runner = CliRunner()


def _text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(?:span|div)>', html, re.S)
    assert match, f"no element {testid}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def _emissions(url: str, year: int, last_month: int = 12) -> float:
    """Location-based emissions of the demo province's counted months 1..last_month of a year, summed here."""
    with db.transaction(url) as session:
        facts = facility_months(session)
    months = facts[(facts["province_code"] == "demo") & (facts["year"] == year) & facts["has_result"]]
    months = months[months["period"].str.slice(5, 7).astype(int) <= last_month]
    return float(months["total_location_tco2e"].sum())


def test_the_overview_defaults_to_the_latest_complete_year_with_its_coverage(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/overview").text
    assert _text(page, "overview-period") == "2024年"
    line = _text(page, "coverage-line")
    # 2024: 705 facility-months counted, RA05's August-October never reported
    assert "计入 705 个设施月" in line and "待核查 0 个" in line and "未报送 3 个" in line
    assert "默认显示最近完整年度" in line


def test_a_partial_year_is_labelled_and_compared_with_the_same_months(
    clients: dict[str, TestClient], shared_url: str
) -> None:
    page = clients["province"].get("/overview?year=2025").text
    assert _text(page, "overview-period") == "2025年1–9月累计"
    line = _text(page, "coverage-line")
    assert "计入 530 个设施月" in line and "待核查 168 个" in line and "未报送 10 个" in line
    before = _text(page, "kpi-emissions-before")
    same_months, whole_year = _emissions(shared_url, 2024, 9), _emissions(shared_url, 2024)
    assert before.startswith("上年同期（1–9月）") and f"{same_months / 1e4:,.2f}万吨CO2e" in before
    assert f"{whole_year:,.0f}" not in page  # the whole of 2024 is never the comparison for January-September
    change = (_emissions(shared_url, 2025) / same_months - 1) * 100
    assert f"同比 {change:+.1f}%" in before and change > -10  # not the 24 % fall of 9 months against 12
    english = clients["province"].get("/overview?year=2025&lang=en").text
    assert _text(english, "overview-period") == "2025 Jan–Sep cumulative"
    assert _text(english, "kpi-emissions-before").startswith("same months last year (Jan–Sep)")
    chart = re.search(r'<script type="application/json" id="chart-by-year">(.*?)</script>', english, re.S)
    assert chart and json.loads(chart[1])["x"][-2:] == ["2024", "2025 (Jan–Sep)"]  # the axis names the months


def test_the_benchmark_board_and_the_api_default_to_the_complete_year_and_carry_coverage(
    clients: dict[str, TestClient],
) -> None:
    board = clients["province"].get("/benchmark").text
    assert _text(board, "benchmark-period") == "2024年" and "计入" in _text(board, "coverage-line")
    partial = clients["province"].get("/benchmark?year=2025").text
    assert _text(partial, "benchmark-period") == "2025年1–9月累计"
    answer = clients["province"].get("/api/v1/indicators").json()
    assert answer["year"] == 2024 and answer["period"]["complete"] and answer["coverage"]["counted"] == 705
    answer = clients["province"].get("/api/v1/indicators?year=2025").json()
    assert answer["period"]["partial"] and answer["period"]["months"] == [1, 9]
    assert answer["coverage"] == {"counted": 530, "held_out": 0, "waiting": 0, "unverified": 168, "missing": 10}
    energy = next(r for r in answer["indicators"] if r["indicator"] == "energy_tce" and r["sector"] == "all")
    assert (energy["months"], energy["unverified"], energy["missing"]) == (530, 168, 10)
    benchmark = clients["province"].get("/api/v1/benchmark").json()
    assert benchmark["year"] == 2024 and benchmark["coverage"]["counted"] > 0


def test_the_cli_defaults_to_the_latest_complete_year_and_labels_a_partial_one(shared_url: str) -> None:
    env = {"COLUMNS": "250", "CARBONPEAK_LANG": "zh"}
    result = runner.invoke(app, ["indicators", "--db", shared_url, "--region", "demo", "--json"], env=env)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    energy = next(r for r in rows if r["indicator"] == "energy_tce" and r["sector"] == "all")
    assert energy["period"] == "2024年" and (energy["months"], energy["missing"]) == (705, 3)
    result = runner.invoke(app, ["indicators", "--db", shared_url, "--region", "demo", "--year", "2025"], env=env)
    assert result.exit_code == 0, result.output
    assert "2025年1–9月累计" in result.output and "待核查 168 个" in result.output
    result = runner.invoke(
        app, ["targets", "--plan", "shaanxi_nonferrous", "--db", shared_url, "--region", "demo", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    targets = {t["id"]: t for t in json.loads(result.output)}
    assert targets["SN-01"]["year"] == 2024 and targets["SN-01"]["coverage"]["counted"] == 705
