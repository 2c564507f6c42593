"""What the browser tests share: where Chromium is, why they are skipped, the app served by uvicorn on a
copy of the demo database, Chromium launched by Playwright, and a logged-in page.

Playwright is imported only inside the functions, so this module imports where it is not installed
(the test modules skip themselves with :data:`INSTALL`).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from webhelpers import PASSWORDS, copy_db, settings_for

CHROMIUM = os.environ.get("CARBONPEAK_CHROMIUM", "/usr/bin/chromium")
INSTALL = (
    "browser tests need Playwright for Python and Debian's Chromium: "
    "pip install playwright; apt-get install -y chromium (not 'playwright install')"
)
MISSING = importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists()


def _screenshots_module() -> Any:
    path = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"
    spec = importlib.util.spec_from_file_location("carbonpeak_screenshots", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def served(demo_template: Path, folder: Path) -> Iterator[str]:
    """The app on a copy of the demo database of its own, served by uvicorn; yields its base URL."""
    url = copy_db(demo_template, folder, "browser.db")
    overrides = {k: v for k, v in vars(settings_for(url)).items() if k not in ("extra", "database_url")}
    with _screenshots_module().serving(url, **overrides) as base:
        yield base


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def page_for(browser: Any, server: str, role: str) -> Any:
    """A new browser context logged in as the demo account of ``role``."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state("networkidle")
    return page
