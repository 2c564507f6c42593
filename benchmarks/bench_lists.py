"""Benchmark: the long lists (/enterprises, /facilities, /warnings, /reporting-status) and the city
map's values, one request at a time, on the demo province and on the province ten times larger that
``benchmarks/bench_web.py`` builds (kept under ``var/bench/``; built here when missing).

    python benchmarks/bench_lists.py [--only demo|10x] [--repeat 7]

For each page: the first request after the app starts (cold: nothing cached) and the median of
``--repeat`` more (warm), in milliseconds of wall time and of the process's CPU time (the app runs in
this process: its CPU time does not grow when other work shares the machine), with the page's size.
Run it from another checkout (``PYTHONPATH=/path/to/other``) to compare code before and after a change
on the same database; a page that checkout does not have shows "—". Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore")

HERE = Path(__file__).resolve().parent
PAGES = [
    "/enterprises",
    "/enterprises?q=镁&sector=magnesium",
    "/facilities",
    "/facilities?sort=capacity&desc=1&page=5",
    "/warnings",
    "/warnings?page=2",
    "/reporting-status",
    "/reporting-status?status=late",
    "/overview/city-map.json",
]


def _bench_web() -> Any:
    spec = importlib.util.spec_from_file_location("bench_web", HERE / "bench_web.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def database(name: str, folder: Path) -> Path:
    web = _bench_web()
    demo, path = folder / "demo.db", folder / f"{name}.db"
    if not (folder / "demo.db.built").exists():
        folder.mkdir(parents=True, exist_ok=True)
        web.build_demo(demo)
        (folder / "demo.db.built").write_text("1")
    if name == "10x" and not (folder / "10x.db.built").exists():
        web.build_larger(demo, path)
        (folder / "10x.db.built").write_text("1")
    return path


def measure(path: Path, repeat: int) -> dict[str, tuple[float | None, float | None, float | None, float]]:
    from fastapi.testclient import TestClient

    from carbonpeak.web.app import create_app
    from carbonpeak.web.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="bench-lists-")) / "copy.db"
    shutil.copyfile(path, work)  # the app may write (sessions, login attempts): never on the kept file
    settings = Settings(
        database_url=f"sqlite:///{work}", secret_key="bench-" + "x" * 40, warnings_daily_hour=-1, today="2026-01-20"
    )
    client = TestClient(create_app(settings=settings))
    client.get("/login")
    token = client.cookies.get("csrftoken") or ""
    page = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    token = found[1] if found else token
    client.post("/login", data={"username": "province", "password": "demo-province-2026", "csrf_token": token})
    out: dict[str, tuple[float | None, float | None, float | None, float]] = {}
    for url in PAGES:
        start = time.perf_counter()
        response = client.get(url)
        cold = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            out[url] = (None, None, None, 0.0)
            continue
        times, cpu = [], []
        for _ in range(repeat):
            start, used = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        out[url] = (cold, statistics.median(times), statistics.median(cpu), len(response.content) / 1024)
    shutil.rmtree(work.parent, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("demo", "10x"))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--dir", default=str(HERE.parent / "var" / "bench"))
    args = parser.parse_args()
    import carbonpeak

    print(f"code: {Path(carbonpeak.__file__).parent.parent}", file=sys.stderr)
    for name in [args.only] if args.only else ["demo", "10x"]:
        results = measure(database(name, Path(args.dir)), args.repeat)
        print(f"\n{name}\n\n| page | cold ms | warm ms (median) | warm CPU ms (median) | kB |")
        print("|---|---:|---:|---:|---:|")
        for url, (cold, warm, cpu, size) in results.items():
            if cold is None:
                print(f"| `{url}` | — | — | — | — |")
            else:
                print(f"| `{url}` | {cold:.0f} | {warm:.0f} | {cpu:.0f} | {size:.0f} |")


if __name__ == "__main__":
    main()
