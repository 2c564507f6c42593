"""The load benchmark's harness works: the app served by uvicorn, locust's users logging in and reading
pages and the API for a few seconds, a table with every endpoint and no failure (benchmarks/bench_web.py;
the real run is ``make bench``)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import pytest

# Never import locust here: it monkey-patches the standard library with gevent for the whole test process
# (the browser tests after it would hang). The harness runs locust in a subprocess.
if importlib.util.find_spec("locust") is None:
    pytest.skip("locust is not installed (pip install -e '.[dev]')", allow_module_level=True)
ROOT = Path(__file__).resolve().parents[2]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "benchmarks" / "bench_web.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_locust_run_against_the_demo(demo_template: Path, tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    settings = bench.config(path)
    prefix = tmp_path / "locust_demo"
    # A 6 s warm-up: the first requests build the cold pages' tables (overview 5-7 s with one worker on a
    # 2-core runner), and an upload queued behind them would otherwise miss the 8 s window (CI did once).
    with bench.serving(path, 1, tmp_path / "server.log") as (base, pid):
        stats = bench.run_locust(base, pid, settings, prefix, users=5, rate=5, duration=8, warmup=6, uploads_per_s=2.0)
    rows = bench.rows_of(stats, prefix.with_name(prefix.name + "_logins.json"))
    measured = [r for r in rows if isinstance(r["rps"], float) and r["requests"]]
    assert measured, (tmp_path / "server.log").read_text()[-2000:]
    assert sum(r["failures"] for r in rows) == 0, rows
    # The soak's uploader took part: its uploads were answered and counted.
    assert any(r["endpoint"] == "/api/v1/imports (soak)" and r["requests"] for r in rows), [r["endpoint"] for r in rows]
    assert any(r["endpoint"].startswith("/login") and r["requests"] for r in rows)  # the users logged in
    assert "| page / endpoint |" in bench.markdown(rows)


def test_profile_summary_and_goals(tmp_path: Path) -> None:
    """py-spy's raw samples are summed per carbonpeak function (with what it calls) and per own frame;
    uploads are writes, not API reads held to the read goal."""
    bench = _bench()
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "run (uvicorn/main.py:1);overview_page (carbonpeak/web/pages/overview.py:60);"
        "do_execute (sqlalchemy/engine/default.py:9) 30\n"
        "run (uvicorn/main.py:1);overview_page (carbonpeak/web/pages/overview.py:61);"
        "render (carbonpeak/web/deps.py:5);root (jinja2/environment.py:3) 10\n"
        "run (uvicorn/main.py:1);me (carbonpeak/web/api.py:300) 60\n"
    )
    text = bench.profile_summary(raw)
    assert "100 samples" in text
    assert "40.0 %  overview_page (carbonpeak/web/pages/overview.py)" in text  # both lines of the function
    assert "60.0 %  me (carbonpeak/web/api.py)" in text
    assert "30.0 %  do_execute (sqlalchemy/engine/default.py)" in text  # an own frame
    assert bench.goal_of("/api/v1/imports (soak)") is None
    assert bench.goal_of("/api/v1/facilities") == bench.GOAL_API_MS
    assert bench.goal_of("/overview") == bench.GOAL_PAGE_MS
    assert (
        bench.url_of("postgresql+psycopg://postgres@127.0.0.1:5432/x")
        == "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    )
    assert bench.url_of(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
