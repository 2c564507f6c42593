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


_LAUNCHED: dict[str, Any] = {}  # Playwright and its Chromium, started once per test process


@contextmanager
def chromium() -> Iterator[Any]:
    """Chromium, launched on first use and shared by every browser test module of the process (each launch
    started Playwright's driver and a browser anew: seconds per module). Nothing else is shared: each test
    opens a browser context of its own (cookies, storage, pages), and each module serves its own app on its
    own copy of the database. :func:`close_chromium` ends it at the end of the session (conftest.py)."""
    if "browser" not in _LAUNCHED:
        from playwright.sync_api import sync_playwright

        _LAUNCHED["playwright"] = sync_playwright().start()
        _LAUNCHED["browser"] = _LAUNCHED["playwright"].chromium.launch(executable_path=CHROMIUM)
    yield _LAUNCHED["browser"]


def close_chromium() -> None:
    if "browser" in _LAUNCHED:
        _LAUNCHED.pop("browser").close()
        _LAUNCHED.pop("playwright").stop()


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
