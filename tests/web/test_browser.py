"""The platform in a real browser: Debian's Chromium driven by Playwright against the app served by
uvicorn. Log in as each role, upload a template with errors and then a good one, submit, verify and lock
a month, open a provenance view, switch the language, see a chart drawn.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing
(``pip install playwright`` and ``apt-get install -y chromium``; never ``playwright install``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, chromium, page_for, served
from webhelpers import filled_template, ra05_month

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(demo_template, tmp_path_factory.mktemp("browser")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize(
    "role, home, nav",
    [
        ("admin", "/overview", "账户管理"),
        ("province", "/overview", "总览"),
        ("city", "/overview", "总览"),
        ("verifier", "/verification", "核查"),
        ("enterprise", "/enterprises/E02", "数据报送"),
    ],
)
def test_each_role_logs_in_to_its_start_page(browser: Browser, server: str, role: str, home: str, nav: str) -> None:
    page = page_for(browser, server, role)
    assert page.url.endswith(home)
    expect(page.locator(".main-nav")).to_contain_text(nav)
    page.context.close()


def test_overview_draws_its_charts(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "province")
    expect(page.locator("[data-testid=chart-by-year] canvas")).to_have_count(1)
    expect(page.locator("[data-testid=targets-board] .target").first).to_be_visible()
    # Every chart exports itself as PNG: the button under it downloads the drawn chart.
    expect(page.locator("[data-testid=chart-png]")).to_have_count(page.locator("[data-chart]").count())
    with page.expect_download() as info:
        page.locator("[data-testid=chart-by-year] + [data-testid=chart-png]").click()
    download = info.value
    assert download.suggested_filename == "chart-by-year.png"
    with open(download.path(), "rb") as handle:
        png = handle.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000  # a real image, not an empty canvas
    page.context.close()


def test_upload_with_errors_then_a_good_one_then_submit_verify_and_lock(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    enterprise = page_for(browser, server, "enterprise")
    enterprise.click("text=数据报送")
    bad = (
        filled_template(tmp_path / "bad", [ra05_month("2024-09", output_t="lots")])
        if (tmp_path / "bad").mkdir() is None
        else None
    )
    assert bad is not None
    enterprise.set_input_files("[data-testid=upload-file]", str(bad))
    enterprise.click("[data-testid=upload-submit]")
    errors = enterprise.locator("[data-testid=row-errors] tr.row-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("不是数字")
    (tmp_path / "good").mkdir()
    good = filled_template(tmp_path / "good", [ra05_month("2024-09")])
    enterprise.set_input_files("[data-testid=upload-file]", str(good))
    enterprise.click("[data-testid=upload-submit]")
    expect(enterprise.locator("[data-testid=upload-ok]")).to_contain_text("已保存 1 个月份")
    enterprise.click("[data-testid=submit-drafts]")
    expect(enterprise.locator(".flash")).to_contain_text("已报送 1 个月份")

    verifier = page_for(browser, server, "verifier")
    verifier.goto(f"{server}/submissions/RA05/2024-09")
    verifier.fill("[data-testid=opinion]", "产量与过磅记录一致")
    verifier.click("[data-testid=step-verify]")
    expect(verifier.locator(".flash")).to_contain_text("已核查")
    verifier.click("[data-testid=step-lock]")
    expect(verifier.locator(".flash")).to_contain_text("已锁定")
    expect(verifier.locator("[data-testid=workflow] [data-testid^=step-]")).to_have_count(0)
    enterprise.context.close()
    verifier.context.close()


def test_provenance_view_and_language_switch(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "enterprise")
    page.goto(f"{server}/submissions/AL03/2024-03")
    page.click("[data-testid=provenance-link]")
    expect(page.locator("[data-testid=provenance]")).to_be_visible()
    expect(page.locator("[data-testid=term]").first).to_contain_text("公式")
    page.click("[data-testid=lang-en]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("How was this made")
    expect(page.locator("[data-testid=term]").first).to_contain_text("Formula")
    page.click("[data-testid=lang-zh]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("数据来源与计算过程")
    page.context.close()


def test_warning_acknowledged_in_the_inbox(browser: Browser, server: str) -> None:
    page = page_for(browser, server, "city")
    page.click("text=预警")
    page.locator("[data-testid=warnings] tbody tr a").first.click()
    page.fill("form[action$='/acknowledge'] input[name=note]", "已通知企业")
    page.click("[data-testid=act-acknowledge]")
    expect(page.locator("[data-testid=history]")).to_contain_text("已通知企业")
    page.context.close()
