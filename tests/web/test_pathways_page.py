"""The pathways page: scenarios and their levers in a form, a run with its fan chart, peak-year distribution,
P(peaked), target probabilities and wedges, the same figures as carbonpeak.pathways called directly;
edited levers, refused values beside their fields, and who may use it."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webhelpers import post

from carbonpeak.pathways.scenario import ResolvedScenario

DRAWS = "800"  # few draws keep the tests quick; the figures are compared draw for draw


def run(test_client: TestClient, scenario: str = "plan", **fields: str) -> Any:
    form = {"scenario": scenario, "uncertainty.draws": DRAWS, **fields}
    return post(test_client, "/pathways/run", form)


def peaked_by(html: str) -> dict[str, float]:
    return {y: float(v) for y, v in re.findall(r'data-testid="p-peaked-(\d+)" data-value="([^"]+)"', html)}


def chart(html: str, key: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="chart-{key}">(.*?)</script>', html, re.S)
    assert found, key
    return dict(json.loads(found[1]))


def direct(url: str, name: str, region: str, draws: int, **changes: Any) -> tuple[ResolvedScenario, dict[str, Any]]:
    """The same scenario run by carbonpeak.pathways itself, on the stock read from the same store."""
    from carbonpeak.parameters import load
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource
    from carbonpeak.pathways.scenario import Uncertainty, load_scenario
    from carbonpeak.store import db
    from carbonpeak.store.pathways import read_stock
    from carbonpeak.web.pages.pathways import scenarios_dir

    scenario = load_scenario(scenarios_dir() / f"{name}.yaml")
    uncertainty = Uncertainty(draws=draws, seed=scenario.uncertainty.seed)
    scenario = scenario.model_copy(update={"region": region, "uncertainty": uncertainty, **changes})
    params = load()
    with db.transaction(url) as session:
        stock = read_stock(
            session,
            region=region,
            base_year=scenario.base_year,
            start_year=scenario.horizon.start,
            benchmark_edition=scenario.benchmark_edition,
            params=params,
        )
    result = pr.run(scenario, stock, ParamSource(live=params))
    return scenario, pr.peak_summary(result)


def test_the_form_lists_the_scenarios_and_their_levers_in_chinese_and_english(clients: dict[str, TestClient]) -> None:
    page = clients["province"].get("/pathways/edit")
    assert page.status_code == 200
    html = page.text
    assert "调整措施" in html and "示范省" in html
    for sid in ("baseline", "plan", "accelerated"):
        assert f'data-testid="scenario-{sid}"' in html
    assert "costs_illustrative" not in html  # a cost table, not a scenario
    for name in (
        "uncertainty.draws",
        "uncertainty.seed",
        "grid.decline_pct_per_year.mode",
        "levers(exit_below_baseline).year",
        "levers(green_power_aluminium).share_pct.2030",
        "levers(recycled_share).share_pct.2030",
        "levers(direct_alloying).share_pct.2025",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="按清单期限"' in html and 'name="include:captive_retirement"' in html
    assert 'name="uncertainty.draws" value="2000"' in html  # the web's default; the scenario's own is 10,000
    assert "10,000" in html.split('data-testid="draws-note"', 1)[1][:400]
    assert "绿色电力" in html and "三角分布" in html and "电解铝绿色电力使用比例" in html
    # the levers come first, the technical settings (draws, seed) last and folded
    assert html.index('data-group="levers(exit_below_baseline)"') < html.index('name="uncertainty.seed"')
    assert html.index('data-testid="technical"') < html.index('name="uncertainty.draws"')
    english = clients["province"].get("/pathways/edit?scenario=accelerated&lang=en").text
    assert "Adjust the levers" in english and "Draws and seed" in english and "new technology" in english
    assert 'name="levers(inert_anode).process_change_pct"' in english
    assert clients["province"].get("/pathways/edit?scenario=nothing").status_code == 404
    assert clients["province"].get("/pathways?scenario=nothing").status_code == 404


def test_a_run_shows_the_same_probabilities_as_the_pathways_module(
    clients: dict[str, TestClient], shared_url: str
) -> None:
    response = run(clients["province"])
    assert response.status_code == 303, response.text[-2000:]
    location = response.headers["location"]
    assert location.startswith("/pathways/run?id=")
    page = clients["province"].get(location)
    assert page.status_code == 200
    html = page.text
    scenario, expected = direct(shared_url, "plan", "demo", int(DRAWS))
    assert peaked_by(html) == expected["p_peaked_by"] and set(expected["p_peaked_by"]) == {"2025", "2030"}
    fan = chart(html, "fan")
    assert fan["kind"] == "fan" and fan["x"][0] == "2020" and fan["x"][-1] == "2040"
    assert all(lo <= mid <= hi for lo, mid, hi in zip(fan["p10"], fan["p50"], fan["p90"], strict=True))
    distribution = chart(html, "peak")
    assert distribution["kind"] == "bar_pct"
    assert sum(distribution["data"]) == pytest.approx(100.0)
    assert distribution["x"] == [str(d["year"]) for d in expected["distribution"]] + (
        [distribution["x"][-1]] if expected["no_peak_within_horizon"] else []
    )
    wedges = chart(html, "wedges")
    assert [s["id"] for s in wedges["series"]][:2] == ["exit_below_baseline", "retrofit_to_benchmark"]
    assert [s["name"] for s in wedges["series"]][:2] == ["基准水平以下产能退出", "电解铝节能改造达到标杆水平"]
    targets = html.split('data-testid="targets"', 1)[1]
    assert 'data-target="SN-05"' in targets and "碳达峰" in targets
    how = html.split('data-testid="how-made"', 1)[1]
    assert scenario.content_hash()[:12] in how and "20240101" in how and "GB/T 2589" in how
    english = clients["province"].get(location + "&lang=en").text
    assert "Probability of peaking by 2030" in english and "How was this made" in english and "Mt CO2e" in english
    workbook = clients["province"].get(location.replace("/pathways/run?", "/pathways/run.xlsx?"))
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert {"peak", "targets", "wedges", "emissions"} <= set(book.sheetnames)
    assert clients["province"].get("/pathways/run?id=0000000000000000").status_code == 404


def test_an_edited_lever_changes_the_result(clients: dict[str, TestClient], shared_url: str) -> None:
    plan = clients["province"].get(run(clients["province"]).headers["location"]).text
    edited_response = run(
        clients["province"],
        **{"levers(alumina_gas).share_pct": "100", "levers(alumina_gas).year": "2026"},
    )
    assert edited_response.status_code == 303
    edited = clients["province"].get(edited_response.headers["location"]).text
    before, after = chart(plan, "fan"), chart(edited, "fan")
    j = after["x"].index("2030")
    assert after["p50"][j] != before["p50"][j]
    wedge = {s["id"]: s["data"] for s in chart(edited, "wedges")["series"]}
    old = {s["id"]: s["data"] for s in chart(plan, "wedges")["series"]}
    assert wedge["alumina_gas"] != old["alumina_gas"]
    # a lever left out is not run (and its wedge is gone)
    without = run(clients["province"], levers_shown="1", **{"include:exit_below_baseline": "1"})
    page = clients["province"].get(without.headers["location"]).text
    assert [s["id"] for s in chart(page, "wedges")["series"]] == ["exit_below_baseline"]


def test_bad_values_are_refused_beside_their_fields_and_nothing_is_kept(
    clients: dict[str, TestClient], shared_app: Any, shared_url: str
) -> None:
    from carbonpeak.store import db
    from carbonpeak.store.models import AuditEvent

    province = clients["province"]
    run(province)  # the store of runs exists
    kept = len(shared_app.state.pathway_runs)
    with db.transaction(shared_url) as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    response = run(
        province,
        **{
            "uncertainty.draws": "50000",
            "levers(green_power_aluminium).share_pct.2030": "lots",
            "levers(retrofit_to_benchmark).year.mode": "2035",
            "grid.decline_pct_per_year.low": "nan",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "部分数值需要更正；未运行。" in html

    def beside(name: str) -> str:
        found = re.search(rf'data-field-error="{re.escape(name)}">([^<]*)<', html)
        assert found, name
        return found[1]

    assert "网页上最多抽样 20,000 次" in beside("uncertainty.draws")
    assert "须为数字" in beside("levers(green_power_aluminium).share_pct.2030")
    assert "三角分布要求" in beside("levers(retrofit_to_benchmark).year")
    assert "不是有限数值" in beside("grid.decline_pct_per_year.low")
    assert 'value="lots"' in html  # what was entered is shown again
    english = post(province, "/pathways/run?lang=en", {"scenario": "plan", "uncertainty.draws": "0"})
    assert english.status_code == 422 and "must be at least 1" in english.text
    assert len(shared_app.state.pathway_runs) == kept
    with db.transaction(shared_url) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_city_regulator_runs_the_plan_on_its_city(clients: dict[str, TestClient]) -> None:
    """The province's plan names smelters of other cities: on the city's stock those levers keep the city's
    own plants (or are set aside), and the run succeeds."""
    city = clients["city"]
    assert "示范丁市" in city.get("/pathways").text
    form = city.get("/pathways/edit").text
    assert 'name="region" value="demo-d"' in form
    plants = re.findall(r"装置：([^<]*)<", form)
    assert "AL03, AL04" in plants and not any("AL05" in p for p in plants)  # AL05: a smelter of another city
    response = run(city)
    assert response.status_code == 303, response.text[-2000:]
    page = city.get(response.headers["location"]).text
    assert "示范丁市" in page.split('data-testid="how-made"', 1)[1]
    # the province's runs are outside the city's jurisdiction, the city's inside the province's
    province_run = run(clients["province"]).headers["location"]
    assert city.get(province_run).status_code == 403
    assert clients["province"].get(response.headers["location"]).status_code == 200
    # a region outside the city is refused
    assert city.get("/pathways?region=demo").status_code == 403


@pytest.mark.parametrize("role", ["enterprise", "verifier"])
def test_enterprise_users_and_verifiers_may_not_use_pathways(clients: dict[str, TestClient], role: str) -> None:
    assert clients[role].get("/pathways").status_code == 403
    assert run(clients[role]).status_code == 403
    assert clients[role].get("/pathways/run?id=0000000000000000").status_code == 403
    assert 'href="/pathways"' not in clients[role].get("/parameters").text
