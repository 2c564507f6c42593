"""The parameters pages: values in force with sources; an administrator enters an official value with its
citation as a new version (never an overwrite), errors next to the fields, in Chinese and English."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webhelpers import client, post

from carbonpeak.parameters import load
from carbonpeak.store import db
from carbonpeak.store.models import ParameterValue

FAMILY = "electricity.grid_factor"
GOOD = {
    "key.data_year": "2024",
    "key.region": "guizhou",
    "key.basis": "location",
    "value": "0.5012",
    "unit": "tCO2/MWh",
    "confidence": "high",
    "document": "2024年度电力碳足迹因子公告（测试引用）",
    "issuer": "生态环境部",
    "number": "2026年第1号",
    "clause": "表3",
    "published": "2026-01-15",
}


def count(url: str) -> int:
    with db.transaction(url) as session:
        return int(session.scalar(select(func.count(ParameterValue.id))) or 0)


def test_only_the_administrator_is_offered_the_form(clients: dict[str, TestClient]) -> None:
    assert 'data-testid="enter-value"' in clients["admin"].get(f"/parameters/{FAMILY}").text
    for role in ("enterprise", "province", "verifier"):
        page = clients[role].get(f"/parameters/{FAMILY}")
        assert page.status_code == 200 and 'data-testid="enter-value"' not in page.text


def test_an_entry_without_value_links_to_a_prefilled_form(clients: dict[str, TestClient]) -> None:
    page = clients["admin"].get("/parameters/benchmarks.ndrc_level").text
    link = re.search(r'data-testid="enter-official" href="\?([^"#]+)', page)
    assert link, "an entry without an official value offers to enter it"
    form = clients["admin"].get("/parameters/benchmarks.ndrc_level?" + link[1].replace("&amp;", "&")).text
    empty = next(e for e in load().entries("benchmarks.ndrc_level") if e.value is None)  # the first, linked
    assert f'name="key.product" value="{empty.key["product"]}"' in form and f'name="unit" value="{empty.unit}"' in form


def test_bad_input_shows_errors_beside_fields_and_stores_nothing(fresh_app: Any, fresh_url: str) -> None:
    admin = client(fresh_app, "admin")
    response = post(admin, f"/parameters/{FAMILY}/values", {**GOOD, "value": "lots", "document": ""})
    assert response.status_code == 422
    html = response.text
    assert re.search(r'data-field-error="value">不是数字', html)
    assert 'data-field-error="document"' in html and "缺少" in html
    assert 'value="lots"' in html  # what was typed is kept for correcting
    english = post(admin, f"/parameters/{FAMILY}/values?lang=en", {**GOOD, "unit": "kWh/t"})
    assert english.status_code == 422
    assert re.search(r'data-field-error="unit">[^<]*(shipped entries|原有)', english.text)
    assert count(fresh_url) == 0


def test_an_official_value_is_a_new_version_shown_with_its_citation(fresh_app: Any, fresh_url: str) -> None:
    admin = client(fresh_app, "admin")
    response = post(admin, f"/parameters/{FAMILY}/values", GOOD)
    assert response.status_code == 303
    page = admin.get(f"/parameters/{FAMILY}").text
    assert "由管理员录入" in page and "2026年第1号" in page and 'data-testid="entered-history"' in page
    again = post(admin, f"/parameters/{FAMILY}/values", {**GOOD, "value": "0.51"})
    assert again.status_code == 422 and 'data-field-error="reason"' in again.text
    post(admin, f"/parameters/{FAMILY}/values", {**GOOD, "value": "0.51", "reason": "勘误"})
    history = admin.get(f"/parameters/{FAMILY}").text.split('data-testid="entered-history"', 1)[1]
    assert "勘误" in history and "0.501" in history and "0.51" in history  # both versions stay
    assert count(fresh_url) == 2
    api = client(fresh_app, "enterprise").get(f"/api/v1/parameters/{FAMILY}").json()
    entered = [e for e in api["entries"] if e["entered_by_administrator"]]
    assert [(e["key"]["data_year"], e["value"]) for e in entered] == [(2024, 0.51)]


def test_nobody_but_the_administrator_enters_values(fresh_app: Any, fresh_url: str) -> None:
    for role in ("province", "city", "enterprise", "verifier"):
        assert post(client(fresh_app, role), f"/parameters/{FAMILY}/values", GOOD).status_code == 403
    assert count(fresh_url) == 0


def test_the_zh_pages_name_families_values_and_sources_in_chinese(clients: dict[str, TestClient]) -> None:
    listing = clients["province"].get("/parameters").text
    assert "电力二氧化碳排放因子" in listing and ">electricity.grid_factor<" not in listing
    page = clients["province"].get("/parameters/emissions.aluminium_cn").text
    assert "《企业温室气体排放核算与报告指南 铝冶炼行业》" in page
    assert "《中国电解铝生产企业温室气体排放核算方法与报告指南（试行）》" in page
    assert "吨铝炭阳极净耗" in page and "2024年指南" in page
    assert "net_anode_consumption" not in page and "emissions.aluminium_cn</" not in page
    grid = clients["province"].get("/parameters/electricity.grid_factor").text
    assert "陕西" in grid and "电力平均排放因子" in grid and "shaanxi" not in grid
    # a title that exists only in English is our rendering, marked as such
    assert "（译名）" in clients["province"].get("/parameters/cbam.method").text
    # the English page keeps the codes and the English texts
    english = clients["province"].get("/parameters/emissions.aluminium_cn?lang=en").text
    assert "net_anode_consumption" in english and "企业温室气体排放核算与报告指南 铝冶炼行业" in english


def test_every_family_page_is_in_chinese(clients: dict[str, TestClient]) -> None:
    """Every family shipped, not only the ones the Chinese-only scan visits, reads in Chinese (its list too)."""
    from chinese_scan import latin_runs

    found = {}
    for path in ["/parameters"] + [f"/parameters/{family}" for family in load().families()]:
        runs = latin_runs(clients["admin"].get(path).text)
        if runs:
            found[path] = sorted(set(runs))[:10]
    assert found == {}
