"""The overview's drill-down in a real browser: a provincial regulator clicks a city's bar in the
emissions chart (an ECharts click handler of static/app.js), lands on that city's breakdown by
enterprise, opens an enterprise, then a facility, then one of its months; a KPI card opens its
breakdown too.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, chromium, page_for, served

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(demo_template, tmp_path_factory.mktemp("browser-cockpit")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _click_bar(page, testid: str, series: int, category: int) -> None:
    """Click the middle of a horizontal bar of a drawn chart, where a person would."""
    chart = page.locator(f"[data-testid={testid}]")
    expect(chart.locator("canvas")).to_have_count(1)
    chart.scroll_into_view_if_needed()
    point = page.evaluate(
        """([testid, series, category]) => {
            const el = document.querySelector(`[data-testid=${testid}]`);
            const chart = echarts.getInstanceByDom(el);
            const bar = chart.getModel().getSeriesByIndex(series).getData().getItemLayout(category);
            return [bar.x + bar.width / 2, bar.y + bar.height / 2];
        }""",
        [testid, series, category],
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_a_bar_then_an_enterprise_then_a_facility_month(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.goto(f"{server}/overview?year=2024")
    page.wait_for_load_state("networkidle")
    _click_bar(page, "chart-by-city", 0, 0)  # the city with the largest emissions: 示范丙市
    expect(page).to_have_url(
        re.compile(r"/overview/breakdown\?figure=emissions_location_tco2e&region=demo-c&year=2024$")
    )
    expect(page.locator("[data-testid=breakdown-title]")).to_contain_text("碳排放（基于位置） · 示范丙市")
    expect(page.locator("[data-testid=breakdown-total]")).to_contain_text("万吨CO2e")

    page.locator("[data-testid=breakdown-part]").first.click()  # the largest enterprise of the city
    expect(page).to_have_url(re.compile(r"enterprise=E\d+&by=facility"))
    page.locator("[data-testid=breakdown-part]").first.click()  # its largest facility
    expect(page).to_have_url(re.compile(r"facility=\w+&by=month"))
    expect(page.locator("[data-testid=breakdown-table] tbody tr")).to_have_count(12)
    expect(page.locator("[data-testid=how-made]")).to_contain_text("这个数是怎么来的")
    page.locator("[data-testid=breakdown-part]").nth(2).click()  # March
    expect(page).to_have_url(re.compile(r"/submissions/\w+/2024-03$"))


def test_a_kpi_card_opens_its_breakdown(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.goto(f"{server}/overview?year=2024")
    page.locator("[data-testid=kpi-card-energy_tce]").click()
    expect(page).to_have_url(re.compile(r"/overview/breakdown\?figure=energy_tce&region=demo&year=2024$"))
    expect(page.locator("[data-testid=breakdown-total]")).to_contain_text("万吨标准煤")
    expect(page.locator("[data-testid=breakdown-part]").first).to_be_visible()
