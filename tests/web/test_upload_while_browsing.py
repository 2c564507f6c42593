"""An upload does not freeze other people's pages.

What it proves (probe 5g and D2 of ../shared/research/probe-reliability.md, kept as a test): while an
enterprise uploads a large file to the API of a real server (``carbonpeak serve``, a process of its own),
a province regulator keeps opening the overview, and the 95th percentile of those page times stays under
the page goal (``GOAL_P95_S``, the dashboard goal of docs/benchmarks.md), measured against the same
pages without an upload in the same run. The import runs in a process of its own (carbonpeak.web.imports):
in a thread of the server it held the interpreter's lock and took the overview's p95 from about 150 ms to
770 ms here. The same server then takes a good month through that process.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
from webhelpers import PASSWORDS, TOKENS, copy_db, csrf_of, ra05_month

GOAL_P95_S = 0.2  # dashboard pages, p95 under 200 ms (docs/benchmarks.md)
UPLOAD_ROWS = 40_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _upload_file(folder: Path) -> Path:
    """RA05's months repeated: the intake reads and checks every row (and lists every duplicate)."""
    path = folder / "ra05-large.csv"
    months = [ra05_month(f"{y}-{m:02d}") for y in range(2019, 2026) for m in range(1, 13)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(months[0]))
        writer.writeheader()
        for i in range(UPLOAD_ROWS):
            writer.writerow(months[i % len(months)])
    return path


def _page_times(browser: httpx.Client, until: threading.Event | None, count: int) -> list[float]:
    times: list[float] = []
    while len(times) < count or (until is not None and not until.is_set()):
        started = time.perf_counter()
        response = browser.get("/overview")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
        if until is None and len(times) >= count:
            break
    return times


def test_pages_stay_fast_while_a_large_file_is_uploaded(demo_template: Path, tmp_path: Path) -> None:
    url = copy_db(demo_template, tmp_path, "served.db")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "CARBONPEAK_DATABASE_URL": url,
        "CARBONPEAK_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "CARBONPEAK_ARGON2_TIME_COST": "1",
        "CARBONPEAK_ARGON2_MEMORY_KIB": "8192",
        "CARBONPEAK_ARGON2_PARALLELISM": "1",
        "CARBONPEAK_LOGIN_RATE_LIMIT": "1000",
        "CARBONPEAK_WARNINGS_DAILY_HOUR": "-1",  # the daily warnings check would be a second load on the pages
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from carbonpeak.cli import app; app()", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        browser = httpx.Client(base_url=base, timeout=60)
        login = browser.get("/login")
        browser.post(
            "/login",
            data={"username": "province", "password": PASSWORDS["province"], "csrf_token": csrf_of(login.text)},
        )
        quiet = _page_times(browser, None, 15)[3:]  # the first pages warm the cache

        path = _upload_file(tmp_path)
        done = threading.Event()
        answer: dict[str, object] = {}

        def upload() -> None:
            started = time.perf_counter()
            with path.open("rb") as handle:
                response = httpx.post(
                    f"{base}/api/v1/imports",
                    headers={"Authorization": f"Bearer {TOKENS['enterprise']}"},
                    files={"file": (path.name, handle, "text/csv")},
                    timeout=300,
                )
            answer.update(status=response.status_code, seconds=time.perf_counter() - started)
            done.set()

        uploader = threading.Thread(target=upload)
        uploader.start()
        time.sleep(0.1)
        busy = _page_times(browser, done, 5)
        uploader.join()

        # The import process answers a good month too: written, and the month is there to read.
        good = tmp_path / "ra05-2024-09.csv"
        with good.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(ra05_month("2024-09")))
            writer.writeheader()
            writer.writerow(ra05_month("2024-09"))
        token = {"Authorization": f"Bearer {TOKENS['enterprise']}"}
        with good.open("rb") as handle:
            taken = httpx.post(
                f"{base}/api/v1/imports", headers=token, files={"file": (good.name, handle)}, timeout=120
            )
        assert taken.status_code == 201, taken.text
        assert taken.json()["versions"] == [["RA05", "2024-09", 1]]
        month = httpx.get(f"{base}/api/v1/submissions/RA05/2024-09", headers=token, timeout=30)
        assert month.status_code == 200, month.text
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert answer["status"] == 422, answer  # every repeated month listed: the coded errors came back from the process
    assert float(answer["seconds"]) > 1.0, answer  # long enough for the pages measured during it to count
    p95_quiet, p95_busy = np.percentile(quiet, 95), np.percentile(busy, 95)
    print(f"upload {answer}; overview p95 {p95_quiet * 1000:.0f} ms alone, {p95_busy * 1000:.0f} ms during it")
    assert p95_busy < GOAL_P95_S, (p95_quiet, p95_busy, len(busy), answer)
