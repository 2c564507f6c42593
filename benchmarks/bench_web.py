"""Benchmark: the web platform under load — 50 concurrent users on the demo province and on a province
ten times larger, requests per second and p50/p95/p99 latency per page and API endpoint.

    python benchmarks/bench_web.py [--only demo|10x] [--users 50] [--duration 60] [--workers 2] [--soak]
                                   [--db sqlite|postgres] [--cold [--change-every 5]] [--profile]
                                   [--code OTHER_CHECKOUT [--label NAME]]

``--db postgres`` runs on PostgreSQL (``CARBONPEAK_BENCH_POSTGRES``, default
postgresql+psycopg://postgres@127.0.0.1:5432): the same databases built there as
``carbonpeak_bench_demo`` and ``carbonpeak_bench_10x`` (the 10x a copy of the demo's database with the
same clones). ``--cold`` measures the same pages while the data change every ``--change-every`` seconds
(an enterprise API client uploads a one-month CSV: a new version and a new data state, so every table
kept for the previous state is stale right after it). ``--profile`` samples the server's processes
with py-spy during the measured window and appends the functions that took the CPU to the table.
``--code`` serves the app of another checkout (e.g. ``git archive <commit>`` unpacked somewhere) with
the same databases and load: a before/after comparison in the same conditions, which matters on a
shared machine whose load moves during the day.

``--soak`` adds one enterprise API client uploading a one-month CSV every second; ``make bench`` runs it
for 10 minutes on the demo (``--only demo --duration 600 --soak``): errors (goal 0) and p95 under uploads.

Databases (built once, kept under ``var/bench/``; ``--rebuild`` makes them again):

* ``demo``: ``carbonpeak db init`` + ``carbonpeak demo load`` + the demo accounts
  (``carbonpeak users demo``, production argon2 cost) + the warnings the data raise.
* ``10x``: the demo, plus nine clones of every demo facility (and of its enterprise) in the same
  cities, each with the demo facility's counted months (latest verified/locked version and its
  newest result) scaled by a random factor 0.7-1.3, as ``benchmarks/bench_indicators.py`` clones a
  province: 10 x the demo's facilities and 10 x its counted facility-months, the same years.

Each run makes fresh API tokens, starts the app with uvicorn (``--workers``, default 2: on this
2-core machine 2 workers gave the better throughput and tail; ``--workers 1`` to compare), and runs
locust headless (``benchmarks/locustfile_web.py``: 10 provincial and 10 city regulators on the
dashboards, 15 enterprise users on their enterprise, facility and month pages, 15 API clients with
tokens on /api/v1; 0.5-1.5 s think time). Users log in through the login form while they start;
statistics are reset after every login and a warm-up (``--warmup``), then measured ``--duration``
seconds. The load generator runs on the same machine (it takes part of a core).

Writes ``var/bench/web_<db>.md`` and ``.csv`` (one row per page and API endpoint: requests, rps,
p50, p95, p99, failures and the goal: dashboard pages p95 < 200 ms, API reads p95 < 50 ms) and
prints the table. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select

from carbonpeak.services import demo as demo_service
from carbonpeak.store import db
from carbonpeak.store.facts import RECORD_FIELDS, RESULT_FIELDS, facility_months
from carbonpeak.store.models import Enterprise, Facility, Fact, Result, Submission, SubmissionVersion

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile_web.py"
BUILD = 2  # bump when the databases' content changes: cached ones are rebuilt
PASSWORDS = {
    "admin": "demo-admin-2026",
    "province": "demo-province-2026",
    "city": "demo-city-2026",
    "verifier": "demo-verifier-2026",
    "enterprise": "demo-enterprise-2026",
}
PLAN = "shaanxi_nonferrous"
AS_OF = dt.date(2026, 1, 20)
DASHBOARD = ("/overview", "/benchmark", "/warnings", "/enterprises/{code}")
GOAL_PAGE_MS, GOAL_API_MS = 200, 50
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"  # --db postgres (CARBONPEAK_BENCH_POSTGRES)
PG_DATABASE = "carbonpeak_bench"  # its databases: carbonpeak_bench_demo, _10x (and _demo_pristine)


def url_of(path: Path | str) -> str:
    """A database's URL: a path is a SQLite file; a string is already a URL (PostgreSQL)."""
    return path if isinstance(path, str) else f"sqlite:///{path}"


def _checkpoint(path: Path | str) -> None:
    db.engine_for(url_of(path)).dispose()
    if isinstance(path, Path):
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _server_of(url: str) -> tuple[str, str]:
    """A PostgreSQL URL's server (the URL without the database) and database name."""
    server, _, name = url.rpartition("/")
    return server, name


def _pg_recreate(url: str, template: str | None = None) -> None:
    """Drop and create the PostgreSQL database of ``url`` (a copy of the database ``template`` if given)."""
    from sqlalchemy import create_engine, text

    server, name = _server_of(url)
    engine = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for database in [name] + ([template] if template else []):
            connection.execute(
                text(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where datname = :n and pid <> pg_backend_pid()"
                ),
                {"n": database},
            )
        connection.execute(text(f'drop database if exists "{name}"'))
        connection.execute(text(f'create database "{name}"' + (f' template "{template}"' if template else "")))
    engine.dispose()


def _pg_exists(url: str) -> bool:
    from sqlalchemy import create_engine, text

    server, name = _server_of(url)
    engine = create_engine(server + "/postgres")
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text("select 1 from pg_database where datname = :n"), {"n": name}))
    finally:
        engine.dispose()


def _pg_sequences(session: Any) -> None:
    """After rows were inserted with explicit ids: every serial sequence continues after its table's max."""
    from sqlalchemy import text

    for table in ("enterprise", "facility", "submission", "submission_version", "result"):
        session.execute(
            text(
                f"select setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((select max(id) from {table}), 0) + 1, false)"
            )
        )


# ---------------------------------------------------------------- databases


def build_demo(path: Path | str) -> None:
    """The demo province, its accounts (production argon2 cost) and the warnings its data raise (``path``:
    a SQLite file, or a PostgreSQL URL whose database is made again)."""
    from carbonpeak.indicators import warnings as warn
    from carbonpeak.indicators.targets import evaluate_plan
    from carbonpeak.store import warnings as stored
    from carbonpeak.web.settings import Settings
    from carbonpeak.web.users import create_demo_users

    if isinstance(path, Path):
        path.unlink(missing_ok=True)
    else:
        _pg_recreate(path)
    url = url_of(path)
    db.upgrade(url)
    with db.transaction(url) as session:
        demo_service.load_demo(session)
        create_demo_users(session, Settings(database_url=url, secret_key="bench"))
    with db.transaction(url) as session:
        facts = facility_months(session)
        evaluations = evaluate_plan(PLAN, facts, region="demo", year=AS_OF.year, benchmark_edition="2021")
        raised = warn.generate(
            facts,
            stored.submissions_frame(session),
            stored.facilities_frame(session),
            as_of=AS_OF,
            benchmark_edition="2021",
            evaluations=evaluations,
        )
        stored.add_new(session, raised, "system:bench")
    _checkpoint(path)


def _scaled(values: dict[str, Any], names: list[str], factor: float) -> dict[str, Any]:
    return {
        k: (v * factor if k in names and isinstance(v, int | float) and not isinstance(v, bool) else v)
        for k, v in values.items()
    }


def build_larger(demo: Path | str, path: Path | str, factor: int = 10, seed: int = 0) -> None:
    """The demo plus ``factor - 1`` clones of each facility (and enterprise) with its counted months (on
    PostgreSQL: a copy of the demo's database, then the same clones)."""
    if isinstance(demo, Path) and isinstance(path, Path):
        shutil.copyfile(demo, path)
    else:
        db.engine_for(url_of(demo)).dispose()
        _pg_recreate(url_of(path), template=_server_of(url_of(demo))[1])
    url = url_of(path)
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC)
    with db.transaction(url) as session:
        facts = facility_months(session)
        enterprises = [dict(r) for r in session.execute(select(Enterprise.__table__)).mappings()]
        facilities = [dict(r) for r in session.execute(select(Facility.__table__)).mappings()]
        version_ids = [int(v) for v in facts["version_id"]]
        versions = {
            r["id"]: dict(r)
            for r in session.execute(
                select(SubmissionVersion.__table__).where(SubmissionVersion.id.in_(version_ids))
            ).mappings()
        }
        fact_rows = {
            r["version_id"]: dict(r)
            for r in session.execute(select(Fact.__table__).where(Fact.version_id.in_(version_ids))).mappings()
        }
        newest = select(func.max(Result.id)).where(Result.version_id.in_(version_ids)).group_by(Result.version_id)
        results = {
            r["version_id"]: dict(r)
            for r in session.execute(select(Result.__table__).where(Result.id.in_(newest))).mappings()
        }
        periods_of: dict[int, list[tuple[str, int]]] = {}
        for facility_id, period, version_id in zip(facts["facility_id"], facts["period"], version_ids, strict=True):
            periods_of.setdefault(int(facility_id), []).append((str(period), version_id))
        next_id = {
            name: int(session.scalar(select(func.max(model.id))) or 0) + 1
            for name, model in (
                ("enterprise", Enterprise),
                ("facility", Facility),
                ("submission", Submission),
                ("version", SubmissionVersion),
                ("result", Result),
            )
        }
        new: dict[str, list[dict[str, Any]]] = {k: [] for k in [*next_id, "fact"]}
        for k in range(1, factor):
            enterprise_id: dict[int, int] = {}
            for e in enterprises:
                enterprise_id[e["id"]] = next_id["enterprise"]
                new["enterprise"].append(
                    e
                    | {
                        "id": next_id["enterprise"],
                        "code": f"{e['code']}-K{k}",
                        "name_zh": f"{e['name_zh']} {k}",
                        "name_en": f"{e['name_en']} {k}",
                        "uscc": f"BENCH{k:02d}{e['id']:011d}",
                    }
                )
                next_id["enterprise"] += 1
            for f in facilities:
                scale = float(rng.uniform(0.7, 1.3))
                facility_id = next_id["facility"]
                next_id["facility"] += 1
                code = f"{f['code']}-K{k}"
                capacity = f["capacity_t_per_a"] * scale if f["capacity_t_per_a"] is not None else None
                new["facility"].append(
                    f
                    | {
                        "id": facility_id,
                        "code": code,
                        "enterprise_id": enterprise_id[f["enterprise_id"]],
                        "name_zh": f"{f['name_zh']} {k}",
                        "name_en": f"{f['name_en']} {k}",
                        "capacity_t_per_a": capacity,
                    }
                )
                for period, version_id in periods_of.get(f["id"], []):
                    source = versions[version_id]
                    submission_id, new_version_id = next_id["submission"], next_id["version"]
                    next_id["submission"] += 1
                    next_id["version"] += 1
                    new["submission"].append({"id": submission_id, "facility_id": facility_id, "period": period})
                    record = _scaled(source["record"], RECORD_FIELDS, scale) | {"facility_id": code}
                    new["version"].append(
                        source
                        | {
                            "id": new_version_id,
                            "submission_id": submission_id,
                            "version": 1,
                            "status": "locked",
                            "record": record,
                            "reason": None,
                            "upload_id": None,
                            "created_by": "system:bench",
                            "created_at": now,
                            "locked_at": now,
                        }
                    )
                    result = results.get(version_id)
                    fact = fact_rows.get(version_id)
                    if fact is not None:  # the flat row indicators read (store.facts), as save_versions writes it
                        new["fact"].append(
                            _scaled(fact, RECORD_FIELDS + RESULT_FIELDS, scale)
                            | {
                                "version_id": new_version_id,
                                "submission_id": submission_id,
                                "facility_id": facility_id,
                                "version": 1,
                                "status": "locked",
                                "held": False,
                                "result_id": next_id["result"] if result is not None else None,
                            }
                        )
                    if result is not None:
                        values = _scaled(result["values"], RESULT_FIELDS, scale)
                        new["result"].append(
                            result
                            | {
                                "id": next_id["result"],
                                "version_id": new_version_id,
                                "values": values,
                                "total_location_tco2e": result["total_location_tco2e"] * scale,
                                "total_market_tco2e": result["total_market_tco2e"] * scale,
                                "energy_tce": result["energy_tce"] * scale,
                            }
                        )
                        next_id["result"] += 1
        for name, model in (
            ("enterprise", Enterprise),
            ("facility", Facility),
            ("submission", Submission),
            ("version", SubmissionVersion),
            ("result", Result),
            ("fact", Fact),
        ):
            rows = new[name]
            for start in range(0, len(rows), 5000):
                session.execute(insert(model.__table__), rows[start : start + 5000])
        if not url.startswith("sqlite"):
            _pg_sequences(session)
    _checkpoint(path)


def database(folder: Path, name: str, rebuild: bool, server: str | None = None) -> Path | str:
    """The cached database ``name`` (demo or 10x), built when missing, stale or asked for: a SQLite file
    under ``folder``, or with ``server`` (a PostgreSQL URL without database) the database
    ``carbonpeak_bench_<name>`` there (its build stamp kept under ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)

    def where(n: str) -> Path | str:
        return f"{server}/{PG_DATABASE}_{n.replace('.', '_')}" if server else folder / f"{n}.db"

    def present(n: str) -> bool:
        target = where(n)
        return _pg_exists(target) if isinstance(target, str) else target.exists()

    def stamp_of(n: str) -> Path:
        return folder / (f"pg_{n}.built" if server else f"{n}.db.built")

    def fresh(n: str) -> bool:
        stamp = stamp_of(n)
        return present(n) and stamp.exists() and stamp.read_text().strip() == str(BUILD)

    path = where(name)
    if not rebuild and fresh(name):
        return path
    start = time.perf_counter()
    pristine = where("demo.pristine")
    if rebuild or not fresh("demo.pristine"):
        build_demo(pristine)
        stamp_of("demo.pristine").write_text(str(BUILD))
    if name == "demo" and isinstance(path, Path) and isinstance(pristine, Path):
        shutil.copyfile(pristine, path)
    elif name == "demo":
        db.engine_for(url_of(pristine)).dispose()
        _pg_recreate(url_of(path), template=_server_of(url_of(pristine))[1])
    else:
        build_larger(pristine, path, factor=10)
    stamp_of(name).write_text(str(BUILD))
    print(f"built {path} in {time.perf_counter() - start:.0f} s")
    return path


def counts(path: Path | str) -> tuple[int, int]:
    """Facilities with counted months, counted facility-months."""
    with db.transaction(url_of(path)) as session:
        facts = facility_months(session)
    db.engine_for(url_of(path)).dispose()
    return int(facts["facility_id"].nunique()), len(facts)


# ---------------------------------------------------------------- what the users visit


def config(path: Path | str, seed: int = 0) -> dict[str, Any]:
    """Fresh API tokens and, per account, the enterprises, facilities and months in its scope."""
    from carbonpeak.services import access
    from carbonpeak.store.accounts import User
    from carbonpeak.web import queries, users

    rng = random.Random(seed)
    url = url_of(path)
    out: dict[str, Any] = {"passwords": PASSWORDS, "tokens": {}, "scopes": {}, "plan": PLAN}
    with db.transaction(url) as session:
        for account in ("province", "enterprise"):
            out["tokens"][account] = users.create_token(session, account, "bench", "system:bench", days=1)
    with db.transaction(url) as session:
        for account in ("province", "city", "enterprise"):
            user = session.scalar(select(User).where(User.username == account))
            assert user is not None, f"no demo account {account}"
            who = access.principal_for(session, user)
            facilities = queries.facilities(session, who)
            months = session.execute(
                select(Facility.code, Submission.period)
                .join(Submission, Submission.facility_id == Facility.id)
                .where(access.facility_filter(who))
            ).all()
            out["scopes"][account] = {
                "enterprises": [e.code for e in queries.enterprises(session, who)],
                "facilities": [f.code for f in facilities],
                "months": [list(m) for m in rng.sample(months, min(500, len(months)))],
            }
            if account == "province":
                out["province"] = queries.default_region(session, who).code  # type: ignore[union-attr]
        periods = session.scalars(select(Submission.period).distinct())
        out["years"] = sorted({int(p[:4]) for p in periods})
    db.engine_for(url).dispose()
    return out


# ---------------------------------------------------------------- the server and the load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(path: Path | str, workers: int, log: Path, code: Path = ROOT) -> Iterator[tuple[str, int]]:
    """``carbonpeak serve`` as in production: uvicorn, ``workers`` processes, one secret key; yields the
    base URL and the server's process id."""
    port = free_port()
    env = os.environ | {
        "CARBONPEAK_DATABASE_URL": url_of(path),
        "CARBONPEAK_SECRET_KEY": secrets.token_urlsafe(48),
        "CARBONPEAK_LOGIN_RATE_LIMIT": "100000",  # 50 users log in from one address
        "CARBONPEAK_WARNINGS_DAILY_HOUR": "-1",  # the daily warnings check runs at night, not in a measurement
        "OMP_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "carbonpeak.web.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=code, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start; see {log}")
            time.sleep(0.3)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_locust(
    base: str,
    server_pid: int,
    settings: dict[str, Any],
    prefix: Path,
    *,
    users: int,
    rate: float,
    duration: float,
    warmup: float,
    wait: str = "0.5,1.5",
    uploads_per_s: float = 0.0,
    profile: Path | None = None,
) -> Path:
    """Run the locustfile headless; returns the stats CSV (measured window only)."""
    config_path = prefix.with_name(prefix.name + "_config.json")
    config_path.write_text(json.dumps(settings))
    logins = prefix.with_name(prefix.name + "_logins.json")
    logins.unlink(missing_ok=True)
    env = os.environ | {
        "BENCH_CONFIG": str(config_path),
        "BENCH_MEASURE_S": str(duration),
        "BENCH_WARMUP_S": str(warmup),
        "BENCH_LOGIN_STATS": str(logins),
        "BENCH_WAIT": wait,
        "BENCH_UPLOADS_PER_S": str(uploads_per_s),
        "BENCH_SERVER_PIDS": str(server_pid),
        "BENCH_CPU_STATS": str(prefix.with_name(prefix.name + "_cpu.json")),
    }
    if profile is not None:
        env["BENCH_PROFILE"] = str(profile)
        spy = Path(sys.executable).with_name("py-spy")
        env["BENCH_PY_SPY"] = str(spy) if spy.exists() else "py-spy"
    locust = Path(sys.executable).with_name("locust")
    users += 1 if uploads_per_s > 0 else 0  # the uploader is one more user (fixed_count 1)
    limit = int(duration + warmup + users / rate + 150)
    command = [
        str(locust) if locust.exists() else "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        f"{limit}s",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(command, env=env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
    return prefix.with_name(prefix.name + "_stats.csv")


# ---------------------------------------------------------------- the table


def goal_of(name: str) -> int | None:
    if name.startswith("/api/v1/imports"):
        return None  # a write (the soak's or --cold's uploads), not an API read
    if name.startswith("/api/v1/"):
        return GOAL_API_MS
    if name in DASHBOARD:
        return GOAL_PAGE_MS
    return None


def _ms(text: str) -> float:
    return float(text) if text not in ("", "N/A") else float("nan")


def rows_of(stats: Path, logins: Path | None = None) -> list[dict[str, Any]]:
    rows = []
    with stats.open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            if r["Name"] == "Aggregated" or not int(r["Request Count"]):  # logins happen before the window
                continue
            goal = goal_of(r["Name"])
            p95 = _ms(r["95%"])
            rows.append(
                {
                    "endpoint": r["Name"],
                    "requests": int(r["Request Count"]),
                    "rps": float(r["Requests/s"]),
                    "p50_ms": _ms(r["50%"]),
                    "p95_ms": p95,
                    "p99_ms": _ms(r["99%"]),
                    "failures": int(r["Failure Count"]),
                    "goal_p95_ms": goal or "",
                    "met": "" if goal is None else ("yes" if p95 < goal and int(r["Failure Count"]) == 0 else "NO"),
                }
            )
    rows.sort(key=lambda r: (r["endpoint"].startswith("/api/"), r["endpoint"]))
    if logins is not None and logins.exists():
        for name, s in json.loads(logins.read_text()).items():
            rows.append(
                {
                    "endpoint": f"{name} (while starting, not measured)",
                    "requests": s["requests"],
                    "rps": "",
                    "p50_ms": s["p50"],
                    "p95_ms": s["p95"],
                    "p99_ms": s["p99"],
                    "failures": s["failures"],
                    "goal_p95_ms": "",
                    "met": "",
                }
            )
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    head = "| page / endpoint | requests | rps | p50 ms | p95 ms | p99 ms | failures | goal p95 | met |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        rps = f"{r['rps']:.1f}" if isinstance(r["rps"], float) else ""
        goal = f"< {r['goal_p95_ms']} ms" if r["goal_p95_ms"] else ""
        lines.append(
            f"| `{r['endpoint']}` | {r['requests']} | {rps} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['failures']} | {goal} | {r['met']} |"
        )
    return "\n".join(lines)


def profile_summary(raw: Path, top: int = 12) -> str:
    """py-spy's raw samples (``stack;frames count`` per line) as two lists: the carbonpeak functions with
    the share of the server's samples they (and what they call) took, and the frames that took the most
    samples themselves. Idle waiting (uvicorn's event loop, a worker thread waiting) is not sampled."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0] + ")" for f in stack.split(";")]
        for frame in set(frames):
            if "carbonpeak/" in frame:
                inclusive[frame] = inclusive.get(frame, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n
    if not total:
        return ""

    def listed(counts: dict[str, int]) -> list[str]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
        return [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in ranked]

    return "\n".join(
        [
            f"py-spy, {total:,} samples of the server's busy threads in the measured window",
            "carbonpeak functions, with what they call:",
            *listed(inclusive),
            "frames by their own samples:",
            *listed(own),
        ]
    )


def bench(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    folder = Path(args.dir)
    server = os.environ.get("CARBONPEAK_BENCH_POSTGRES", PG_SERVER) if args.db == "postgres" else None
    path = database(folder, name, args.rebuild, server)
    db.upgrade(url_of(path))  # a database kept from an older schema is migrated, as `carbonpeak serve` does
    facilities, months = counts(path)
    settings = config(path)
    load = os.getloadavg()
    started = dt.datetime.now().astimezone()
    mode = "_soak" if args.soak else "_cold" if args.cold else ""
    label = f"{name}{'_pg' if server else ''}{mode}"
    prefix = folder / f"locust_{label}"
    cpu_file = prefix.with_name(prefix.name + "_cpu.json")
    cpu_file.unlink(missing_ok=True)
    profile = prefix.with_name(prefix.name + "_profile.txt") if args.profile else None
    if profile is not None:
        profile.unlink(missing_ok=True)
    uploads = 1.0 if args.soak else (1.0 / args.change_every if args.cold else 0.0)
    code = Path(args.code).resolve() if args.code else ROOT
    if args.code:
        label += "_" + (args.label or code.name)
        prefix = folder / f"locust_{label}"
        cpu_file = prefix.with_name(prefix.name + "_cpu.json")
        profile = prefix.with_name(prefix.name + "_profile.txt") if args.profile else None
    with serving(path, args.workers, folder / f"server_{label}.log", code) as (base, pid):
        stats = run_locust(
            base,
            pid,
            settings,
            prefix,
            users=args.users,
            rate=args.rate,
            duration=args.duration,
            warmup=args.warmup,
            uploads_per_s=uploads,
            profile=profile,
        )
    if not stats.exists():
        raise SystemExit(f"locust wrote no statistics ({stats})")
    rows = rows_of(stats, prefix.with_name(prefix.name + "_logins.json"))
    total = sum(r["requests"] for r in rows if isinstance(r["rps"], float))
    failures = sum(r["failures"] for r in rows if isinstance(r["rps"], float))
    extra = ""
    if args.soak:
        extra = " and one enterprise API client uploading a one-month CSV every second (the soak)"
    elif args.cold:
        extra = (
            f" and a data change every {args.change_every:g} s (an enterprise API client uploads a one-month CSV: "
            "a new version, so every table kept for the old data state is stale right after it; cold)"
        )
    header = (
        f"### {name}{' (PostgreSQL)' if server else ' (SQLite)'}"
        + (f", the app of {code}" if args.code else "")
        + f": {facilities} facilities, "
        f"{months:,} counted facility-months\n\n"
        f"{started:%Y-%m-%d %H:%M %Z}; {os.cpu_count()} cores, load average before the run "
        f"{load[0]:.2f}; uvicorn {args.workers} worker(s), no access log; locust {args.users} users "
        f"(spawn {args.rate}/s, think time 0.5-1.5 s), {args.warmup:.0f} s warm-up after the logins"
        + extra
        + f", measured {args.duration:.0f} s: {total:,} requests ({total / args.duration:.1f} rps), "
        f"{failures} failures.\n"
    )
    if cpu_file.exists():
        cpu = json.loads(cpu_file.read_text())
        seconds = cpu["seconds"]
        header += (
            f"CPU in the measured window (cores busy on average): server {cpu['server_s'] / seconds:.2f} "
            f"({1000 * cpu['server_s'] / max(total, 1):.1f} ms of CPU per request), load generator "
            f"{cpu['locust_s'] / seconds:.2f}, whole machine {cpu['machine_busy_s'] / seconds:.2f} "
            f"of {os.cpu_count()}.\n"
        )
    text = header + "\n" + markdown(rows) + "\n"
    if profile is not None and profile.exists():
        text += "\n```\n" + profile_summary(profile) + "\n```\n"
    (folder / f"web_{label}.md").write_text(text, encoding="utf-8")
    with (folder / f"web_{label}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(text)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("demo", "10x"), help="one database only (default: both)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of load after the logins, not measured")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    parser.add_argument(
        "--soak", action="store_true", help="add one upload a second (the soak: with --duration 600 --only demo)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite", help="the store (default SQLite)")
    parser.add_argument(
        "--cold", action="store_true", help="change the data every --change-every seconds while measuring"
    )
    parser.add_argument(
        "--code",
        help="serve the app of another checkout (e.g. the commit before a change: compare in the same conditions)",
    )
    parser.add_argument("--label", help="the name of --code's run in the file names (default: its folder's name)")
    parser.add_argument("--change-every", type=float, default=5.0, help="seconds between data changes (--cold)")
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy in the measured window")
    args = parser.parse_args()
    for name in [args.only] if args.only else ["demo", "10x"]:
        bench(name, args)


if __name__ == "__main__":
    main()
