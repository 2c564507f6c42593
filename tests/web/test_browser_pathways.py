"""The pathways page in a real browser: Debian's Chromium driven by Playwright against the app served by
uvicorn. Log in as the provincial regulator, open the pathways and see the answer (the probability of
peaking by 2030 and the main uncertainty) with its fan chart; then adjust the levers, run, and see the
full result. A city regulator sees its city's answer.

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


def test_the_answer_first_then_the_levers(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.click(".main-nav >> text=达峰路径")
    answer = page.locator("[data-testid=answer-line]")
    expect(answer).to_contain_text(
        re.compile(r"^2030年前达峰概率 \d{1,3}(\.\d)?\s?%；主要不确定性来自\S+"), timeout=30_000
    )
    probability = float(answer.get_attribute("data-probability") or "nan")
    assert 0.0 <= probability <= 1.0
    expect(page.locator("[data-testid=fan-chart] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=pathway-form]")).to_have_count(0)  # editing is a second step
    page.click("[data-testid=edit-levers]")
    form = page.locator("[data-testid=pathway-form]")
    expect(form.locator("h2")).to_contain_text("规划情景")
    draws = page.locator("input[name='uncertainty.draws']")
    expect(draws).to_be_hidden()  # the technical settings are folded, last
    page.click("[data-testid=technical] summary")
    expect(draws).to_be_visible()
    draws.fill("1500")
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


def test_a_city_regulator_sees_its_citys_answer(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "city")
    page.goto(f"{server}/pathways")
    expect(page.locator("h1")).to_contain_text("示范丁市")
    expect(page.locator("[data-testid=answer-line]")).to_contain_text("2030年前达峰概率", timeout=30_000)
    expect(page.locator("[data-testid=fan-chart] canvas")).to_have_count(1)
    page.context.close()
