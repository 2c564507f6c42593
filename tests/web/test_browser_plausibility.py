"""The month form in a real browser (Chromium, Playwright): coded fields are drop-downs; a month with a
plausibility warning is saved as a draft with the warning shown beside the explanation box, and submitted
once the explanation (情况说明) is given. Skipped, saying what to install, without Playwright or Chromium."""

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
    with served(demo_template, tmp_path_factory.mktemp("browser-plausibility")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_month_with_a_warning_is_explained_then_submitted(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "enterprise")
    page.goto(f"{server}/reporting/form?facility=AL03&period=2026-02")
    form = page.locator("[data-testid=month-form]")
    expect(form.locator("select[name=technology] option[value=PFPB_L]")).to_have_count(1)
    form.locator("select[name=technology]").select_option("PFPB_L")
    form.locator("input[name=output_t]").fill("18000")
    form.locator("input[name=grid_electricity_mwh]").fill("280000")
    form.locator("input[name=electrolysis_ac_mwh]").fill("261000")  # 14,500 kWh/t: above 14,000
    form.locator("button[name=submit]").click()
    notice = page.locator("[data-testid=plausibility-notice]")
    expect(notice).to_contain_text("未报送")
    expect(page.locator("[data-testid=plausibility-flags] [data-flag=ac_power_per_t]")).to_contain_text("14,500 kWh/t")
    expect(form.locator("select[name=technology]")).to_have_value("PFPB_L")

    form.locator("textarea[name=explanation]").fill("新系列槽启动，电耗偏高")
    form.locator("button[name=submit]").click()
    page.wait_for_url(f"{server}/submissions/AL03/2026-02")
    expect(page.locator(".flash")).to_contain_text("已保存")
    expect(page.locator("body")).to_contain_text("已报送")
    page.context.close()
