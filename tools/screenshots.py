"""Screenshots of the web platform's main pages, for docs/web.md and the README.

    python tools/screenshots.py [--db sqlite:///var/carbonpeak.db] [--out docs/screenshots]

Needs a database with the demonstration province and its accounts (``make run`` makes one; or
``carbonpeak demo load`` then ``carbonpeak users demo``), Playwright for Python and Debian's
Chromium (``apt-get install chromium``). The app is served by uvicorn in a thread on a free port.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
PAGES = [
    # (account, path, file, language)
    ("province", "/overview", "overview_zh.png", "zh"),
    ("province", "/overview", "overview_en.png", "en"),
    ("province", "/overview/breakdown?figure=emissions_location_tco2e&by=city", "breakdown_zh.png", "zh"),
    ("province", "/warnings", "warnings_zh.png", "zh"),
    ("province", "/benchmark", "benchmark_zh.png", "zh"),
    ("province", "/benchmark?year=2024&below_baseline=1", "benchmark_below_zh.png", "zh"),
    ("enterprise", "/reporting/form?facility=AL03&period=2024-04", "month_form_zh.png", "zh"),
    ("enterprise", "/enterprises/E02", "enterprise_zh.png", "zh"),
    ("enterprise", "/submissions/AL03/2024-03", "submission_zh.png", "zh"),
    ("enterprise", "/submissions/AL03/2024-03/provenance?figure=total_location_tco2e", "provenance_en.png", "en"),
    ("enterprise", "/reporting", "reporting_zh.png", "zh"),
    ("verifier", "/verification", "verifier_queue_en.png", "en"),
    ("province", "/parameters/electricity.grid_factor", "parameters_zh.png", "zh"),
    ("admin", "/parameters/electricity.grid_factor_ets", "parameters_enter_en.png", "en"),
    ("province", "/pathways", "pathways_answer_zh.png", "zh"),
    ("city", "/pathways", "pathways_answer_city_zh.png", "zh"),
    ("province", "/pathways/edit?scenario=plan", "pathways_form_zh.png", "zh"),
    ("province", "/pathways/edit?scenario=plan>run-pathway", "pathways_run_zh.png", "zh"),
    ("province", "/pathways/edit?scenario=plan>run-pathway", "pathways_run_en.png", "en"),
    ("province", "/projects", "projects_zh.png", "zh"),
    ("province", "/projects/new", "project_form_en.png", "en"),
]
PASSWORDS = {
    "admin": "demo-admin-2026",
    "province": "demo-province-2026",
    "city": "demo-city-2026",
    "verifier": "demo-verifier-2026",
    "enterprise": "demo-enterprise-2026",
}


MAX_HEIGHT = 1600  # px: the top of a long page is what a reader looks at


def shrink(path: Path) -> None:
    """Reduce a screenshot to a 256-colour PNG (about a quarter of the size), where Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(database_url: str, **settings: object) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    import uvicorn

    from carbonpeak.web.app import create_app
    from carbonpeak.web.settings import Settings

    app = create_app(settings=Settings.from_env(database_url=database_url, **settings))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def log_in(page: object, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("[data-testid=login-submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def set_language(page: object, lang: str) -> None:
    button = page.locator(f"[data-testid=lang-{lang}]")  # type: ignore[attr-defined]
    if button.count():
        button.click()
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def take(database_url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serving(database_url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        contexts: dict[str, object] = {}
        try:
            for account, path, name, lang in PAGES:
                if account not in contexts:
                    context = browser.new_context(viewport={"width": 1360, "height": 900}, device_scale_factor=1)
                    page = context.new_page()
                    log_in(page, base, account, PASSWORDS[account])
                    contexts[account] = page
                page = contexts[account]
                path, _, click = path.partition(">")  # "page>testid": press that button after loading
                page.goto(base + path)  # type: ignore[attr-defined]
                set_language(page, lang)
                if click:
                    page.click(f"[data-testid={click}]")  # type: ignore[attr-defined]
                    page.wait_for_load_state("networkidle", timeout=60_000)  # type: ignore[attr-defined]
                page.wait_for_timeout(600)  # type: ignore[attr-defined]  # charts animate in
                target = out / name
                height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))  # type: ignore[attr-defined]
                clip = {"x": 0, "y": 0, "width": 1360, "height": height}
                page.screenshot(path=str(target), full_page=True, clip=clip)  # type: ignore[attr-defined]
                shrink(target)
                written.append(target)
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:///var/carbonpeak.db", help="database URL with the demo province")
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNG files")
    args = parser.parse_args()
    for path in take(args.db, Path(args.out)):
        print(path)


if __name__ == "__main__":
    main()
