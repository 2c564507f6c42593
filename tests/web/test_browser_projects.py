"""The projects pages in a real browser: Debian's Chromium driven by Playwright against the app served by
uvicorn. Log in as the provincial regulator, enter a project in the form (first with a mistake, shown beside
its field), and see its review rule by rule; the city regulator reads it without the buttons to change it.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing
(``pip install playwright`` and ``apt-get install -y chromium``; never ``playwright install``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, chromium, page_for, served

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(demo_template, tmp_path_factory.mktemp("browser-projects")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_enter_a_project_and_see_its_review(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.click(".main-nav >> text=项目")
    expect(page.locator("h1")).to_contain_text("两高")
    page.click("[data-testid=project-new]")
    form = page.locator("[data-testid=project-form]")
    typed = {
        "id": "SX-AL-2026-01",
        "name_zh": "示范丁市绿色电解铝项目",
        "name_en": "Demo City D green smelter",
        "enterprise": "示范丁市铝业股份有限公司",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": "150000",
        "net_new_capacity_t_per_a": "150000",
        "site.city": "示范丁市",
        "designed_unit_consumption.ac_power_liquid_aluminium.value": "129000",  # a digit too many
        "replacement_capacity_t_per_a": "150000",
        "replacement_sources.0.facility": "示例退出产能",
        "replacement_sources.0.capacity_t_per_a": "150000",
    }
    for name, value in typed.items():
        form.locator(f"[name='{name}']").fill(value)
    chosen = {
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "site.province": "shaanxi",
        "in_key_air_pollution_area": "false",
        "new_captive_coal_plant": "false",
        "energy_review_status": "approved",
        "eia_status": "approved",
        "replacement_sources.0.province": "gansu",
    }
    for name, value in chosen.items():
        form.locator(f"select[name='{name}']").select_option(value)
    form.locator("[name=planned_start]").fill("2025-06-01")
    form.locator("input[name=energy_sources][value=grid]").check()
    page.click("[data-testid=project-save]")
    beside = page.locator("[data-field-error='designed_unit_consumption.ac_power_liquid_aluminium.value']")
    expect(beside).to_contain_text("超出电解铝的合理范围")
    form.locator("[name='designed_unit_consumption.ac_power_liquid_aluminium.value']").fill("12900")
    page.click("[data-testid=project-save]")
    page.wait_for_url(f"{server}/projects/SX-AL-2026-01")
    rules = page.locator("[data-testid=rules] tbody tr")
    expect(rules).to_have_count(9)
    expect(page.locator("[data-rule=R3]")).to_contain_text("新建、改扩建电解铝项目须达到能效标杆水平")
    expect(page.locator("[data-rule=R7]")).to_contain_text("通过")
    expect(page.locator("[data-testid=classification]")).to_be_visible()
    expect(page.locator("[data-testid=versions]")).to_contain_text("首次登记")
    page.context.close()
    city = page_for(browser, server, "city")
    city.goto(f"{server}/projects")
    expect(city.locator("[data-project=SX-AL-2026-01]")).to_be_visible()
    city.click("text=SX-AL-2026-01")
    expect(city.locator("[data-testid=rules] tbody tr")).to_have_count(9)
    expect(city.locator("[data-testid=review-form]")).to_have_count(0)
    city.context.close()
