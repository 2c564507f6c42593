"""The monitoring pages in a real browser (Debian's Chromium, Playwright) on the demonstration's meters and
their simulated history: the board's figures and charts, the drill to a facility and its live chart.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserhelpers import INSTALL, MISSING, _screenshots_module, chromium, page_for
from monitoringhelpers import TODAY, with_history
from webhelpers import settings_for

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    found = with_history(demo_template, tmp_path_factory.mktemp("browser-monitoring"), "browser.db")
    overrides: dict[str, Any] = {
        k: v for k, v in vars(settings_for(found["url"])).items() if k not in ("extra", "database_url")
    }
    overrides.update(today=TODAY.isoformat(), readings_url=found["readings"])
    with _screenshots_module().serving(found["url"], **overrides) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_monitoring_board_shows_its_figures_and_drills_to_a_facility(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.locator(".main-nav a[href='/monitoring']").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("能耗在线监测")
    expect(page.locator("[data-testid=kpi-composite]")).to_contain_text("%")
    expect(page.locator("[data-testid=chart-trend] canvas")).to_have_count(1)
    rows = page.locator("[data-testid=monitoring-facilities] tbody tr[data-facility]")
    assert rows.count() >= 2
    page.locator("[data-testid=monitoring-enterprises] tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=monitoring-enterprise]")).to_be_visible()
    page.locator("[data-testid=monitoring-facilities] tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=series-electricity] canvas")).to_have_count(2)  # today; month against last
    expect(page.locator("[data-testid=month-electricity]")).to_contain_text("万kWh")
    expect(page.locator("[data-testid=meters] tbody tr[data-meter]").first).to_be_visible()
    page.context.close()
