"""The pathways page in a real browser: Debian's Chromium driven by Playwright against the app served by
uvicorn. Log in as the provincial regulator, open the pathways, run the plan scenario, see the fan chart
drawn and the probability of having peaked.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing
(``pip install playwright`` and ``apt-get install -y chromium``; never ``playwright install``).
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
    with served(demo_template, tmp_path_factory.mktemp("browser-pathways")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_run_a_pathway_and_see_its_chart(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.click(".main-nav >> text=达峰路径")
    expect(page.locator("[data-testid=scenario-list]")).to_be_visible()
    page.click("[data-testid=scenario-plan]")
    expect(page.locator("[data-testid=pathway-form] h2")).to_contain_text("规划情景")
    page.fill("input[name='uncertainty.draws']", "2000")
    page.click("[data-testid=run-pathway]")
    expect(page.locator("[data-testid=fan-chart] canvas")).to_have_count(1, timeout=30_000)
    expect(page.locator("[data-testid=peak-chart] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=wedge-chart] canvas")).to_have_count(1)
    shown = page.locator("[data-testid=p-peaked-2030]")
    expect(shown).to_have_text(re.compile(r"^\d{1,3}(\.\d)?\s?%$"))
    value = float(shown.get_attribute("data-value") or "nan")
    assert 0.0 <= value <= 1.0
    page.wait_for_url(re.compile(r"/pathways/run\?id=[0-9a-f]{16}$"))  # the result has its own address
    page.reload()
    expect(page.locator("[data-testid=fan-chart] canvas")).to_have_count(1)
    page.context.close()
