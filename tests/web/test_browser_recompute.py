"""Recompute in a real browser (Chromium, the app served by uvicorn with an import process, as deployed):
the enterprise saves a month whose grid factor is not published and reads why it waits and its provisional
figure; the administrator enters the factor in the parameters form, the job's block on the page follows
its progress by itself until it is done; the enterprise's month then has its result.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, _screenshots_module, chromium, page_for
from webhelpers import copy_db, settings_for

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, expect

FACTOR = {
    "key.data_year": "2024",
    "key.region": "china",
    "key.basis": "location",
    "value": "0.5200",
    "unit": "tCO2/MWh",
    "document": "关于发布2024年电力二氧化碳排放因子的公告（测试引用）",
    "issuer": "生态环境部、国家统计局",
    "published": "2026-12-31",
}


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = copy_db(demo_template, tmp_path_factory.mktemp("browser-recompute"), "browser.db")
    overrides = {k: v for k, v in vars(settings_for(url)).items() if k not in ("extra", "database_url")}
    overrides["import_processes"] = 1  # the recompute runs beside the server, as served
    with _screenshots_module().serving(url, **overrides) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_waiting_month_gets_its_result_once_the_factor_is_entered(browser: Browser, server: str) -> None:
    enterprise = page_for(browser, server, "enterprise")
    enterprise.goto(f"{server}/reporting/form?facility=RA05&period=2026-01")
    for name, value in {"output_t": "2000", "scrap_input_t": "2150", "grid_electricity_mwh": "800"}.items():
        enterprise.fill(f"[data-testid=month-form] [name='{name}']", value)
    enterprise.click("[data-testid=form-save]")
    enterprise.wait_for_url(f"{server}/submissions/RA05/2026-01")
    expect(enterprise.locator("[data-testid=waiting]")).to_contain_text("发布机构：生态环境部、国家统计局")
    expect(enterprise.locator("[data-testid=provisional]")).to_contain_text("暂估")
    expect(enterprise.locator("[data-testid=results]")).to_have_count(0)

    admin = page_for(browser, server, "admin")
    admin.goto(f"{server}/parameters/electricity.grid_factor#enter")
    for name, value in FACTOR.items():
        admin.fill(f"[data-testid=enter-value] [name='{name}']", value)
    admin.click("[data-testid=enter-save]")
    expect(admin.locator(".flash")).to_contain_text("受影响的月份正在重新计算")
    job = admin.locator("[data-testid=job]")
    expect(job).to_have_attribute("data-status", "done", timeout=90_000)  # the block follows the job itself
    # RA05's month, and the test database's month of the other province stored without a result
    expect(job.locator("[data-testid=job-progress]")).to_contain_text("已完成 2/2 个月份")

    enterprise.reload()
    expect(enterprise.locator("[data-testid=results]")).to_have_count(1)
    expect(enterprise.locator("[data-testid=waiting]")).to_have_count(0)
    expect(enterprise.locator("[data-testid=result-history] [data-testid=history-result]")).to_have_count(1)
    enterprise.context.close()
    admin.context.close()
