"""The green-manufacturing register on the web and the API (demo database with an account of every role): the
register by year in Chinese with names, the regulator's board with its flags and 企业绿码, the enterprise's own
page with its pre-filled filing and the GB/T 36132-2025 gaps (基准值未发布), the registry's enterprise page
showing the designations, forms that designate, decide and file, and refusals that reveal nothing.

Demo facts relied on: the enterprise account is E02 (示范丁市铝业股份有限公司, national green factory 2021) in
city demo-d (the city account's); E01 (national 2019) is in demo-c; E09 was designated in 2024; E15 (demo-d) did
not file for 2024 and is flagged for removal."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from webhelpers import TOKENS, client, post


def test_the_register_shows_designations_by_year(clients: dict[str, TestClient]) -> None:
    province = clients["province"]
    page_2023 = province.get("/green?year=2023")
    assert page_2023.status_code == 200
    text = page_2023.text
    assert "绿色制造" in text and "示范丙市能源铝业有限公司" in text and "国家级" in text
    assert 'data-testid="green-count-factory">16<' in text
    assert "示范丙市兴镁科技有限公司" not in text.split("green-board")[0].split("不在名单中")[0]  # E09: from 2024
    page_2024 = province.get("/green?year=2024").text
    assert 'data-testid="green-count-factory">18<' in page_2024
    assert "拟移出名单" in page_2024 and "企业绿码" in page_2024  # E15 flagged; codes shown
    assert "A+" in page_2024


def test_each_role_reads_within_its_scope(clients: dict[str, TestClient]) -> None:
    own = clients["enterprise"].get("/green?year=2024").text
    assert "示范丁市铝业股份有限公司" in own and "示范丙市能源铝业有限公司" not in own
    assert 'action="/green/designations"' not in own  # an enterprise does not designate
    city = clients["city"].get("/green?year=2024").text
    assert "示范丁市铝业股份有限公司" in city and "示范丙市能源铝业有限公司" not in city
    assert 'action="/green/designations"' in city
    page = clients["enterprise"].get("/enterprises/E02/green?year=2024")
    assert page.status_code == 200
    assert "基准值未发布" in page.text and "能源低碳化" in page.text and "用地集约化" in page.text
    assert 'data-testid="green-file"' in page.text
    # another's page: not found, as a code that does not exist
    assert clients["enterprise"].get("/enterprises/E01/green?year=2024").status_code == 404
    assert clients["enterprise"].get("/enterprises/NOPE/green?year=2024").status_code == 404
    assert clients["city"].get("/enterprises/E01/green?year=2024").status_code == 404
    registry_page = clients["enterprise"].get("/enterprises/E02").text
    assert 'data-testid="green-register-block"' in registry_page and "绿色工厂" in registry_page


def test_forms_designate_decide_and_file(fresh_app: Any) -> None:
    city = client(fresh_app, "city")
    wrong = post(city, "/green/designations", {"subject": "E16", "kind": "garden", "level": "global", "year": "x"})
    assert wrong.status_code == 422 and wrong.text.count("<li>") >= 3  # every problem at once
    done = post(city, "/green/designations", {"subject": "E16", "kind": "factory", "level": "city", "year": "2025"})
    assert done.status_code == 303
    assert (
        post(
            city, "/green/designations", {"subject": "E01", "kind": "factory", "level": "city", "year": "2025"}
        ).status_code
        == 404
    )
    rows = city.get("/api/v1/green/designations?year=2025").json()
    e15 = next(r for r in rows if r["code"] == "E15" and r["kind"] == "factory")
    kept = post(city, f"/green/designations/{e15['id']}/decide", {"action": "keep", "reason": "已补报", "year": "2024"})
    assert kept.status_code == 303
    status = {r["enterprise"]: r for r in city.get("/api/v1/green/status?year=2024").json()}
    assert status["E15"]["flagged_for_removal"] and status["E15"]["kept"]
    mine = client(fresh_app, "enterprise")
    assert post(mine, f"/green/designations/{e15['id']}/decide", {"action": "remove", "reason": "x"}).status_code == 403
    filed = post(mine, "/enterprises/E02/green/filings", {"year": "2025", "renewable_share": "", "reason": "补充"})
    assert filed.status_code == 303
    status = {r["enterprise"]: r for r in mine.get("/api/v1/green/status?year=2025").json()}
    assert set(status) == {"E02"} and status["E02"]["filing"]["version"] == 2


def test_the_api_with_tokens(clients: dict[str, TestClient]) -> None:
    api = clients["admin"]
    enterprise = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
    rows = api.get("/api/v1/green/designations?year=2021", headers=enterprise).json()
    assert {r["code"] for r in rows} == {"E02"}
    gaps = api.get("/api/v1/enterprises/E02/green/gaps?year=2024", headers=enterprise).json()
    assert gaps["standard"] == "GB/T 36132-2025"
    assert all(r["baseline"] is None and r["status"] == "baseline_unpublished" for r in gaps["rows"])
    assert api.get("/api/v1/enterprises/E01/green/gaps?year=2024", headers=enterprise).status_code == 404
    refused = api.post("/api/v1/green/designations", json={"subject": "E02"}, headers=enterprise)
    assert refused.status_code == 403
