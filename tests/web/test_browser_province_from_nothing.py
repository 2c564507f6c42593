"""docs/province-from-nothing.md in a real browser, from an empty database: the administrator uploads the
registry workbook, creates an enterprise account and a verifier assigned to it; the enterprise uploads
its first month and submits it; the verifier verifies it. Skipped, saying what to install, without
Playwright or Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import INSTALL, MISSING, _screenshots_module, chromium
from webhelpers import settings_for

if MISSING:
    pytest.skip(INSTALL, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect

from carbonpeak.services import access, accounts
from carbonpeak.store import db
from carbonpeak.web.users import password_rules

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "province_from_nothing"
ADMIN_PASSWORD = "Admin-new-province-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('from-nothing') / 'empty.db'}"
    db.upgrade(url)
    settings = settings_for(url)
    with db.transaction(url) as session:  # the one step outside the web: the first administrator
        new = accounts.NewAccount(username="root", role=access.ADMIN, password=ADMIN_PASSWORD)
        accounts.create_account(session, access.operator("cli:setup"), new, password_rules(settings))
    overrides = {k: v for k, v in vars(settings).items() if k not in ("extra", "database_url")}
    with _screenshots_module().serving(url, **overrides) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def login(browser: Browser, server: str, username: str, password: str) -> Page:
    page = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_a_province_from_an_empty_database_in_the_web(browser: Browser, server: str) -> None:
    admin = login(browser, server, "root", ADMIN_PASSWORD)
    admin.goto(f"{server}/registry")
    admin.locator("[data-testid=import-form] input[type=file]").set_input_files(str(EXAMPLES / "registry.xlsx"))
    admin.locator("[data-testid=import-form] button[type=submit]").click()
    admin.wait_for_load_state("networkidle")
    expect(admin.locator("body")).to_contain_text("咸阳铝业有限公司")
    expect(admin.locator("[data-testid=import-errors]")).to_have_count(0)

    people = {"e1": ("enterprise", "E1"), "v1": ("verifier", None)}
    passwords = {}
    for username, (role, enterprise) in people.items():
        admin.goto(f"{server}/admin/users")
        form = admin.locator("[data-testid=create-account]")
        form.locator("input[name=username]").fill(username)
        form.locator("select[name=role]").select_option(role)
        if enterprise:
            form.locator("select[name=enterprise]").select_option(enterprise)
        passwords[username] = f"{username}-Xianyang-2026!"
        form.locator("input[name=password]").fill(passwords[username])
        form.locator("button[type=submit]").click()
        admin.wait_for_load_state("networkidle")
        expect(admin.locator("[data-testid=users]")).to_contain_text(username)
    assign = admin.locator("[data-testid=assign-v1]")
    assign.locator("select[name=enterprise]").select_option("E1")
    assign.locator("button[type=submit]").click()
    admin.wait_for_load_state("networkidle")
    expect(admin.locator("[data-testid=users]")).to_contain_text("咸阳铝业有限公司")

    enterprise = login(browser, server, "e1", passwords["e1"])
    enterprise.goto(f"{server}/reporting")
    enterprise.locator("[data-testid=upload-file]").set_input_files(str(EXAMPLES / "al1_2025-01.csv"))
    enterprise.locator("[data-testid=upload-submit]").click()
    enterprise.wait_for_load_state("networkidle")
    expect(enterprise.locator("[data-testid=upload-ok]")).to_be_visible()
    enterprise.locator("[data-testid=drafts] input[type=checkbox]").first.check()
    enterprise.locator("[data-testid=submit-drafts]").click()
    enterprise.wait_for_load_state("networkidle")

    verifier = login(browser, server, "v1", passwords["v1"])
    verifier.goto(f"{server}/submissions/AL1/2025-01")
    verifier.get_by_label("核查意见").fill("电量与供电结算单一致")
    verifier.get_by_role("button", name="核查通过").first.click()
    verifier.wait_for_load_state("networkidle")
    expect(verifier.locator(".flash")).to_contain_text("已核查")
