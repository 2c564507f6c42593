"""The pathways page answers first: "2030年前达峰概率 …；主要不确定性来自…", computed from the stored run of the
region's default scenario (kept per data state, region and scenario content), with its fan chart; every
shipped scenario answers for every region a person may project; the pages are in Chinese."""

from __future__ import annotations

import html as htmlmod
import json
import re
import time
from typing import Any

import pytest
from chinese_scan import latin_runs
from fastapi.testclient import TestClient
from webhelpers import client

from carbonpeak.pathways.answer import answer, driver_of

DEMO_REGIONS = ["demo", *(f"demo-{c}" for c in "abcdefgh")]


def shipped_ids() -> list[str]:
    from carbonpeak.web.pages.pathways import shipped

    return list(shipped())


def answer_of(page: str) -> tuple[str, float, str]:
    found = re.search(r'data-testid="answer-line" data-probability="([^"]*)" data-driver="([^"]*)">([^<]*)<', page)
    assert found, page[-3000:]
    return htmlmod.unescape(found[3]), float(found[1]), found[2]


def direct_summary(url: str, scenario_id: str, region: str) -> dict[str, Any]:
    """The stored answer's run done again through the service, without the web's cache."""
    from carbonpeak.parameters import load
    from carbonpeak.services import pathways as service
    from carbonpeak.services.access import operator
    from carbonpeak.store import db
    from carbonpeak.web.pages.pathways import _parent, shipped, web_scenario

    scenarios = shipped()
    base = scenarios[scenario_id][1]
    with db.transaction(url) as session:
        outcome = service.run_on_region(
            session, None, operator("test"), region, web_scenario(base), _parent(scenarios, base), load()
        )
    return outcome.summary


def test_the_page_opens_on_the_answer_computed_from_the_run(clients: dict[str, TestClient], shared_url: str) -> None:
    page = clients["province"].get("/pathways")
    assert page.status_code == 200
    line, probability, driver = answer_of(page.text)
    expected = answer(direct_summary(shared_url, "plan", "demo"))
    assert probability == expected.probability
    assert expected.driver is not None and driver == expected.driver.input
    shown = re.search(r"2030年前达峰概率 ([\d.]+)\s?%；主要不确定性来自(.+)$", line)
    assert shown, line
    assert float(shown[1]) == pytest.approx(100 * expected.probability, abs=0.05)
    if expected.driver.kind == "production":
        from carbonpeak.web.labels import SECTOR_LABELS, Sector

        assert shown[2] == SECTOR_LABELS[Sector(expected.driver.sector)][0] + "产量增速"
    assert not re.search(r"[A-Za-z_]{3,}", shown[2])  # a Chinese name, never the input's id
    fan = json.loads(re.search(r'<script type="application/json" id="chart-fan">(.*?)</script>', page.text, re.S)[1])
    assert fan["unit"] == "万吨CO2e" and fan["x"][0] == "2020" and fan["x"][-1] == "2040"
    assert all(lo <= mid <= hi for lo, mid, hi in zip(fan["p10"], fan["p50"], fan["p90"], strict=True))
    # the editing is a second step, its form ends with the technical settings
    assert 'href="/pathways/edit?scenario=plan&region=demo"' in page.text
    assert 'name="uncertainty.seed"' not in page.text


def test_the_answer_names_the_driver_from_the_attribution() -> None:
    summary = {
        "scenario": {"draws": 100},
        "peak": {"p_peaked_by": {"2030": 0.5}, "peak_year": {"p50": 2028.0}},
        "attribution": {
            "noise_floor": 0.2,
            "inputs": [
                {"input": "grid.decline_pct_per_year", "share": 0.25},
                {"input": "levers.retrofit.year", "share": 0.4},
                {"input": "production.magnesium.growth_pct_per_year", "share": 0.1},
            ],
        },
    }
    found = answer(summary)
    assert found.probability == 0.5 and found.driver is not None and found.driver.lever == "retrofit"
    summary["attribution"]["noise_floor"] = 0.5  # nothing stands above the noise: no driver is named
    assert answer(summary).driver is None
    assert driver_of("production.magnesium/sx.growth_pct_per_year@2030", 0.1).from_year == 2030
    assert driver_of("scrap.availability_growth_pct_per_year", 0.1).kind == "scrap"


@pytest.mark.parametrize("role", ["province", "city", "admin"])
def test_every_shipped_scenario_answers_for_every_region_a_person_may_project(
    clients: dict[str, TestClient], role: str
) -> None:
    person = clients[role]
    first = person.get("/pathways").text
    regions = re.findall(r'data-testid="region-([\w-]+)"', first) or [
        re.search(r'href="/pathways/edit\?scenario=\w+&region=([\w-]+)"', first)[1]
    ]
    if role == "city":
        assert regions == ["demo-d"]
    else:
        assert set(DEMO_REGIONS) <= set(regions)
    for region in regions:
        for scenario in shipped_ids():
            page = person.get(f"/pathways?scenario={scenario}&region={region}")
            assert page.status_code == 200, (role, region, scenario)
            if region in DEMO_REGIONS:
                line, probability, _driver = answer_of(page.text)
                assert 0.0 <= probability <= 1.0 and line.startswith("2030年前达峰概率"), (role, region, scenario)
            else:  # a region without counted data in the base year says so
                assert 'data-testid="answer-problem"' in page.text, (role, region, scenario)
    # each runs from its form too (the form starts from the scenario on the region's plants)
    region = regions[0]
    for scenario in shipped_ids():
        form = person.get(f"/pathways/edit?scenario={scenario}&region={region}")
        assert form.status_code == 200
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
        run = person.post(
            "/pathways/run",
            data={"csrf_token": csrf, "scenario": scenario, "region": region},
            follow_redirects=False,
        )
        assert run.status_code == 303, (role, scenario, run.text[-1500:])


def test_the_stored_answer_is_computed_once_and_again_after_a_data_change(
    fresh_app: Any, fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carbonpeak.services import pathways as service
    from carbonpeak.store import db, repository

    computed: list[str] = []
    real = service._execute

    def counted(scenario: Any, *args: Any) -> Any:
        computed.append(scenario.id)
        return real(scenario, *args)

    monkeypatch.setattr(service, "_execute", counted)
    province = client(fresh_app, "province")
    started = time.perf_counter()
    first = province.get("/pathways")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    again = province.get("/pathways")
    warm = time.perf_counter() - started
    assert first.status_code == again.status_code == 200
    assert computed == ["plan"]  # the second view read the stored result
    assert answer_of(first.text) == answer_of(again.text)
    assert warm < cold
    # the same scenario from the form, unchanged, is the same stored run
    form = province.get("/pathways/edit")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)[1]
    province.post("/pathways/run", data={"csrf_token": csrf, "scenario": "plan", "region": "demo"})
    assert computed == ["plan"]
    with db.transaction(fresh_url) as session:  # any audited change moves the data state
        repository.audit(session, "test", "update", "facility", "AL03", {"note": "a"}, {"note": "b"})
    assert province.get("/pathways").status_code == 200
    assert computed == ["plan", "plan"]


@pytest.mark.parametrize("role", ["province", "city", "admin"])
def test_the_answer_the_form_and_the_full_result_are_in_chinese(clients: dict[str, TestClient], role: str) -> None:
    person = clients[role]
    answer_page = person.get("/pathways?scenario=accelerated").text
    assert latin_runs(answer_page) == []
    assert latin_runs(person.get("/pathways/edit?scenario=accelerated").text) == []
    run_id = re.search(r'href="/pathways/run\?id=(\w+)"', answer_page)[1]
    result = person.get(f"/pathways/run?id={run_id}")
    assert result.status_code == 200
    assert latin_runs(result.text) == []  # plan titles included (the plans' Chinese titles, 译名 where ours)
    for raw in ("exit_below_baseline", "carbonpeak pathways", "docs/methods", "scenarios/", "shaanxi_nonferrous"):
        assert raw not in result.text.split("<main", 1)[1].split("<script", 1)[0], raw
