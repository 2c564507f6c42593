"""The verification step in a real browser (Debian's Chromium driven by Playwright, the app served by
uvicorn): a verifier returns a month from the queue with a reason, the enterprise sees it first on its
reporting page, answers with a correction and submits it again, and the verifier verifies it with an opinion.

Skipped, saying what to install, where Playwright for Python or /usr/bin/chromium is missing.
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

REASON = "十一月废铝投入量与过磅单不符，请核对后更正"
ANSWER = "已按过磅单更正废铝投入量和产量"
OPINION = "更正后的产量、废铝投入与过磅单一致"


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(demo_template, tmp_path_factory.mktemp("browser-verification")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_return_answer_resubmit_and_verify(browser: Browser, server: str, tmp_path: Path) -> None:
    verifier = page_for(browser, server, "verifier")
    assert verifier.url.endswith("/verification")
    verifier.goto(f"{server}/verification?enterprise=E02&period=2025-11")
    row = verifier.locator('tr[data-month="RA05@2025-11"]')
    expect(row).to_contain_text("示范丁市铝业股份有限公司")
    expect(row).to_contain_text("已报送")
    verifier.check('[data-testid="choose-RA05@2025-11"]')
    verifier.fill("[data-testid=batch-reason]", REASON)
    verifier.click("[data-testid=batch-return]")
    expect(verifier.locator(".flash")).to_contain_text("已退回修改 1 个月份")

    enterprise = page_for(browser, server, "enterprise")
    enterprise.goto(f"{server}/reporting")
    returned = enterprise.locator("[data-testid=returned-months]")
    expect(returned).to_contain_text(REASON)
    enterprise.click('[data-testid="answer-RA05@2025-11"]')
    expect(enterprise.locator("[data-testid=returned-notice]")).to_contain_text(REASON)
    corrected = filled_template(tmp_path, [ra05_month("2025-11", output_t=2100, scrap_input_t=2250)])
    enterprise.fill("[data-testid=answer-reason]", ANSWER)
    enterprise.set_input_files("[data-testid=answer-file]", str(corrected))
    enterprise.click("[data-testid=answer-submit]")
    expect(enterprise.locator("[data-testid=answer-pending]")).to_contain_text(REASON)
    enterprise.click("[data-testid=step-submit]")
    expect(enterprise.locator(".flash")).to_contain_text("已报送")
    expect(enterprise.locator("[data-testid=returned-notice]")).to_have_count(0)

    verifier.goto(f"{server}/verification?enterprise=E02&period=2025-11")
    row = verifier.locator('tr[data-month="RA05@2025-11"]')
    expect(row).to_contain_text("已报送")
    expect(row).to_contain_text("已更正")
    row.locator("a").first.click()
    expect(verifier.locator("[data-testid=version-2]")).to_contain_text(ANSWER)
    expect(verifier.locator("[data-testid=version-1]")).to_contain_text(REASON)
    verifier.click("[data-testid=step-verify]")  # without an opinion: refused, nothing changed
    expect(verifier.locator(".alert-error")).to_contain_text("核查须填写核查意见")
    verifier.fill("[data-testid=opinion]", OPINION)
    verifier.click("[data-testid=step-verify]")
    expect(verifier.locator(".flash")).to_contain_text("已核查")
    expect(verifier.locator("[data-testid=version-2] [data-testid=version-opinion]")).to_contain_text(OPINION)
    expect(verifier.locator("[data-testid=audit]")).to_contain_text(OPINION)
    verifier.context.close()
    enterprise.context.close()
