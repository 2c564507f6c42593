"""The city map and the paged tables in a real browser: the provincial regulator's overview draws the
map of the province's cities (示意图), a click on a city's shape opens that city's overview; the
facilities list pages, sorts and filters on the server.

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
    with served(demo_template, tmp_path_factory.mktemp("browser-map")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_clicking_a_city_on_the_map_opens_its_overview(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    assert page.url.endswith("/overview")
    chart = page.locator("[data-testid=city-map-chart]")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-drawn", re.compile(r"^emissions_location_tco2e\|"), timeout=20_000)
    expect(page.locator("[data-testid=city-map]")).to_contain_text("示意图")
    # where 示范丙市 (drawn on Yulin's shape) is: the pixel of its shape's centre, asked of the chart
    point = page.evaluate(
        """() => {
          const el = document.querySelector('[data-testid=city-map-chart]');
          const rect = el.getBoundingClientRect();
          const [x, y] = el.cityMap.convertToPixel({seriesIndex: 0}, [109.6, 38.3]);
          return {x: rect.left + x, y: rect.top + y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    # the city's overview is computed on its first visit: on a busy machine that takes a few seconds
    expect(page).to_have_url(re.compile(r"/overview\?region=demo-c&year=\d{4}$"), timeout=30_000)
    expect(page.locator("h1")).to_contain_text("示范丙市", timeout=30_000)
    # choosing unit consumption asks for a sector and redraws the map
    page.goto(f"{server}/overview")
    page.locator("[data-testid=map-indicator]").select_option("energy_intensity_kgce_per_t")
    expect(page.locator("[data-testid=city-map-chart]")).to_have_attribute(
        "data-drawn", re.compile(r"^energy_intensity_kgce_per_t\|\w+"), timeout=20_000
    )
    expect(page.locator("[data-testid=map-sector]")).to_be_visible()


def test_paging_and_filtering_the_facilities(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.goto(f"{server}/facilities")
    rows = page.locator("[data-testid=facilities] tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("[data-testid=page-of]")).to_have_text("第1/2页")
    first_page = rows.first.get_attribute("data-code")
    page.locator("[data-testid=next-page]").click()
    expect(page.locator("[data-testid=page-of]")).to_have_text("第2/2页")
    assert rows.first.get_attribute("data-code") != first_page
    page.locator("th a[data-sort=capacity]").click()  # sorting starts again on page 1
    expect(page).to_have_url(re.compile(r"/facilities\?sort=capacity$"))
    page.locator("[data-testid=filter-sector]").select_option("magnesium")
    page.locator("[data-testid=list-search]").fill("")
    page.locator("[data-testid=list-controls] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"sector=magnesium"))
    codes = [c for c in rows.evaluate_all("rs => rs.map(r => r.getAttribute('data-code'))") if c]
    assert codes and all(c.startswith("MG") for c in codes)
    expect(page.locator("[data-testid=list-total]")).to_have_text(f"共{len(codes)}条")
