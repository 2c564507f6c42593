"""Who has not reported last month, in a real browser: from the overview of the demonstration province
(served as on 20 January 2026, the day its data describe) one click opens December's late list; from
there the 催报 notice prints one page per enterprise, and the matrix opens a late facility's month.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, _screenshots_module, chromium, page_for
from webhelpers import copy_db, settings_for

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = copy_db(demo_template, tmp_path_factory.mktemp("browser-status"), "browser.db")
    overrides = {k: v for k, v in vars(settings_for(url)).items() if k not in ("extra", "database_url", "today")}
    with _screenshots_module().serving(url, today="2026-01-20", **overrides) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_one_click_from_the_overview_to_last_months_late_list(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    assert page.url.endswith("/overview")
    link = page.locator("[data-testid=late-last-month]")
    expect(link).to_have_text("上月未报送：7 家")
    link.click()  # a boosted link: the page is swapped in and the address pushed
    expect(page).to_have_url(re.compile(r"/reporting-status/late\?region=demo&month=2025-12$"))
    expect(page.locator("h1")).to_contain_text("逾期未报名单 · 2025年12月")
    expect(page.locator("[data-testid=late-list] tbody tr")).to_have_count(9)
    expect(page.locator("[data-testid=late-summary]")).to_contain_text("7 家企业的 9 个设施尚未报送")

    with page.expect_download() as info:
        page.locator("[data-testid=late-excel]").click()
    assert info.value.suggested_filename == "late_demo_2025-12.xlsx"

    page.locator("[data-testid=late-notice]").click()
    expect(page).to_have_url(re.compile(r"/reporting-status/notice\?"))
    expect(page.locator("[data-testid=notice]")).to_have_count(7)
    page.emulate_media(media="print")
    expect(page.locator(".main-nav")).to_be_hidden()  # printed: the notices only
    breaks = page.locator("[data-testid=notice]").first.evaluate("e => getComputedStyle(e).breakAfter")
    assert breaks == "page"
    page.context.close()


def test_the_matrix_opens_a_late_facilitys_month(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    page.locator("[data-testid=reporting-status-block] a", has_text="报送情况总表").click()
    expect(page).to_have_url(re.compile(r"/reporting-status\?region=demo$"))
    cell = page.locator('tr[data-facility="AL05"] td[data-period="2025-12"] a')
    expect(cell).to_have_text("逾期")
    cell.click()
    expect(page).to_have_url(re.compile(r"/submissions/AL05/2025-12$"))
    expect(page.locator("h1")).to_have_text("示范丙市铝镁合金300kA电解系列 · 2025年12月")
    page.context.close()
