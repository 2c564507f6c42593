"""In a real browser: the benchmark board's "below the baseline level" filter applies on a click, and the
month form shows the unit consumption live as a person types, computed with the accounting's own definition
(io/fields/unit_consumption.csv), with each field's change from last month.

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

from carbonpeak.accounting import ratios
from carbonpeak.vocabulary import BenchmarkClass
from carbonpeak.web import i18n

AC_POWER = "ac_power_liquid_aluminium_kwh_per_t"


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(demo_template, tmp_path_factory.mktemp("browser-board")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_below_baseline_filter_applies_on_a_click(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.goto(f"{server}/benchmark?year=2024")
    rows = page.locator("[data-testid=classes] tbody tr[data-facility]")
    every = rows.count()
    below = page.locator(f"[data-testid=classes] tbody tr[data-class={BenchmarkClass.BELOW_BASELINE.value}]").count()
    assert 0 < below < every
    page.locator("[data-testid=filter-below]").check()  # the form submits itself on the change
    expect(page).to_have_url(re.compile(r"below_baseline=1"))
    expect(rows).to_have_count(below)
    classes = {rows.nth(i).get_attribute("data-class") for i in range(below)}
    assert classes == {BenchmarkClass.BELOW_BASELINE.value}
    expect(page.locator("[data-testid=deadline-state]")).to_have_count(below)  # each with its deadline
    page.context.close()


def test_the_month_form_shows_unit_consumption_live(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "enterprise")
    page.goto(f"{server}/reporting/form?facility=AL03&period=2024-04")
    shown = page.locator(f"[data-testid=ratio-{AC_POWER}]")
    expect(shown).not_to_have_text("—")
    electrolysis, output = 250_000.0, 19_000.0
    page.fill("input[name=electrolysis_ac_mwh]", str(electrolysis))
    page.fill("input[name=output_t]", str(output))
    expected = ratios.evaluate(AC_POWER, {"electrolysis_ac_mwh": [electrolysis], "output_t": [output]})[0]
    i18n.set_lang("zh")
    expect(shown).to_have_text(i18n.num(float(expected), ratios.ratios()[AC_POWER].digits))
    # the change from last month follows the typed value
    last = float(page.locator("#month-form-live").evaluate("e => JSON.parse(e.textContent).last.output_t"))
    page.fill("input[name=output_t]", str(last * 1.1))
    expect(page.locator("[data-change-for=output_t]")).to_have_text(" · +10.0%")
    page.fill("input[name=output_t]", "")
    expect(shown).to_have_text("—")  # no output: no figure
    page.context.close()
