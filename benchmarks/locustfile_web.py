"""Locust users of the web-platform load benchmark (``benchmarks/bench_web.py`` runs this file).

Four kinds of people, in the proportions 2 : 2 : 3 : 2 : 1 (with 50 users: 10 provincial regulators,
10 city regulators, 15 enterprise users, 10 API clients with a provincial regulator's token and 5
with an enterprise user's token). Browser users log in through the login form (the real argon2
check) when they start; API clients send ``Authorization: Bearer``. Each waits 0.5-1.5 s between
requests (``BENCH_WAIT="0.5,1.5"``), like a person reading a page.

Measurement: statistics are reset once every user has started and logged in and a warm-up
(``BENCH_WARMUP_S``) has passed; then the load runs ``BENCH_MEASURE_S`` seconds and locust stops. The
login requests, made before the reset, are written to ``BENCH_LOGIN_STATS`` (JSON) so they are not
lost. The objects visited (enterprises, facilities, months, tokens) come from ``BENCH_CONFIG`` (JSON,
written by bench_web.py).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

import gevent
from locust import HttpUser, between, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict[str, Any] = {}
if os.environ.get("BENCH_CONFIG"):
    with open(os.environ["BENCH_CONFIG"], encoding="utf-8") as handle:
        CONFIG = json.load(handle)
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "0.5,1.5").split(",")]
WARMUP_S = float(os.environ.get("BENCH_WARMUP_S", "10"))
MEASURE_S = float(os.environ.get("BENCH_MEASURE_S", "60"))
UPLOADS_PER_S = float(os.environ.get("BENCH_UPLOADS_PER_S", "0"))  # the soak: uploads a second (0: none)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LOGGED_IN = {"count": 0}


def _check(response: Any, expected: int = 200) -> None:
    if response.status_code != expected:
        response.failure(f"status {response.status_code}")
    else:
        response.success()


class Browser(FastHttpUser):
    """A person with a browser session; ``account`` names the demo account."""

    abstract = True
    account = ""
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        scope = CONFIG["scopes"][self.account]
        self.enterprises: list[str] = scope["enterprises"]
        self.facilities: list[str] = scope["facilities"]
        self.months: list[list[str]] = scope["months"]
        self.years: list[int] = CONFIG["years"]
        with self.client.get("/login", name="/login (form)", catch_response=True) as response:
            _check(response)
            match = CSRF.search(response.text or "")
        data = {
            "username": self.account,
            "password": CONFIG["passwords"][self.account],
            "csrf_token": match[1] if match else "",
            "next": "/",
        }
        with self.client.post(
            "/login", data=data, name="/login", allow_redirects=False, catch_response=True
        ) as response:
            _check(response, 303)
        LOGGED_IN["count"] += 1

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            _check(response)


class Regulator(Browser):
    abstract = True

    @task(3)
    def overview(self) -> None:
        self.page("/overview", "/overview")

    @task(1)
    def overview_year(self) -> None:
        self.page(f"/overview?year={random.choice(self.years)}", "/overview")

    @task(2)
    def benchmark(self) -> None:
        self.page("/benchmark", "/benchmark")

    @task(2)
    def warnings(self) -> None:
        self.page("/warnings", "/warnings")

    @task(2)
    def enterprise(self) -> None:
        self.page(f"/enterprises/{random.choice(self.enterprises)}", "/enterprises/{code}")

    @task(1)
    def facility(self) -> None:
        self.page(f"/facilities/{random.choice(self.facilities)}", "/facilities/{code}")


class ProvinceRegulator(Regulator):
    weight = 2
    account = "province"


class CityRegulator(Regulator):
    weight = 2
    account = "city"


class EnterpriseUser(Browser):
    weight = 3
    account = "enterprise"

    @task(3)
    def enterprise(self) -> None:
        self.page(f"/enterprises/{self.enterprises[0]}", "/enterprises/{code}")

    @task(2)
    def facility(self) -> None:
        self.page(f"/facilities/{random.choice(self.facilities)}", "/facilities/{code}")

    @task(2)
    def month(self) -> None:
        facility, period = random.choice(self.months)
        self.page(f"/submissions/{facility}/{period}", "/submissions/{facility}/{period}")

    @task(1)
    def reporting(self) -> None:
        self.page("/reporting", "/reporting")

    @task(1)
    def warnings(self) -> None:
        self.page("/warnings", "/warnings")

    @task(1)
    def benchmark(self) -> None:
        self.page("/benchmark", "/benchmark")


class ApiClient(FastHttpUser):
    """A machine client with an API token of ``account``."""

    abstract = True
    account = ""
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        scope = CONFIG["scopes"][self.account]
        self.facilities = scope["facilities"]
        self.months = scope["months"]
        self.years = CONFIG["years"]
        self.headers = {"Authorization": f"Bearer {CONFIG['tokens'][self.account]}"}
        LOGGED_IN["count"] += 1

    def read(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, headers=self.headers, catch_response=True) as response:
            _check(response)

    @task(1)
    def me(self) -> None:
        self.read("/api/v1/me", "/api/v1/me")

    @task(2)
    def facility_list(self) -> None:
        self.read("/api/v1/facilities", "/api/v1/facilities")

    @task(1)
    def facility(self) -> None:
        self.read(f"/api/v1/facilities/{random.choice(self.facilities)}", "/api/v1/facilities/{code}")

    @task(3)
    def months_of_facility(self) -> None:
        year = random.choice(self.years)
        self.read(
            f"/api/v1/submissions?facility={random.choice(self.facilities)}&year={year}",
            "/api/v1/submissions?facility=&year=",
        )

    @task(3)
    def month(self) -> None:
        facility, period = random.choice(self.months)
        self.read(f"/api/v1/submissions/{facility}/{period}", "/api/v1/submissions/{facility}/{period}")

    @task(1)
    def warnings(self) -> None:
        self.read("/api/v1/warnings", "/api/v1/warnings")


class ApiRegulator(ApiClient):
    weight = 2
    account = "province"

    @task(2)
    def indicators(self) -> None:
        year = random.choice(self.years)
        self.read(f"/api/v1/indicators?region={CONFIG['province']}&year={year}", "/api/v1/indicators?region=&year=")

    @task(1)
    def targets(self) -> None:
        year = random.choice(self.years)
        self.read(
            f"/api/v1/targets?plan={CONFIG['plan']}&region={CONFIG['province']}&year={year}",
            "/api/v1/targets?plan=&region=&year=",
        )

    @task(1)
    def benchmark(self) -> None:
        self.read(f"/api/v1/benchmark?year={random.choice(self.years)}", "/api/v1/benchmark?year=")

    @task(1)
    def enterprises(self) -> None:
        self.read("/api/v1/enterprises", "/api/v1/enterprises")


class ApiEnterprise(ApiClient):
    weight = 1
    account = "enterprise"

    @task(1)
    def provenance(self) -> None:
        facility, period = random.choice(self.months)
        self.read(
            f"/api/v1/submissions/{facility}/{period}/provenance",
            "/api/v1/submissions/{facility}/{period}/provenance",
        )


class Uploader(HttpUser):
    """The soak's uploader: the enterprise account's API client imports a one-month CSV of its line RA05
    (a month the demo leaves unreported) ``BENCH_UPLOADS_PER_S`` times a second; each upload carries a new
    output figure, so each one is validated, accounted and written as a new draft version."""

    abstract = UPLOADS_PER_S <= 0
    fixed_count = 1
    wait_time = constant_throughput(UPLOADS_PER_S or 1.0)
    HEADER = "facility_id,sector,region,period,output_t,scrap_input_t,grid_electricity_mwh,fuel:natural_gas\n"

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {CONFIG['tokens']['enterprise']}"}
        self.count = 0
        LOGGED_IN["count"] += 1  # counted with the people who logged in, so the measurement starts

    @task
    def upload(self) -> None:
        self.count += 1
        # a plausible month (under a twelfth of RA05's 30,000 t/a): the plausibility gate refuses 320 % of it
        row = f"RA05,recycled_aluminium,shaanxi,2024-09,{2000 + self.count % 97},2150,260,15\n"
        files = {"file": ("ra05-2024-09.csv", (self.HEADER + row).encode(), "text/csv")}
        with self.client.post(
            "/api/v1/imports", files=files, headers=self.headers, name="/api/v1/imports (soak)", catch_response=True
        ) as response:
            if response.status_code in (200, 201):
                response.success()
            else:
                response.failure(f"status {response.status_code}")


def _measure(environment: Any) -> None:
    """Wait until every user has logged in, warm up, keep the login figures, reset, measure, stop."""
    runner = environment.runner
    deadline = time.monotonic() + 120
    while LOGGED_IN["count"] < runner.user_count and time.monotonic() < deadline:
        gevent.sleep(0.2)
    gevent.sleep(WARMUP_S)
    path = os.environ.get("BENCH_LOGIN_STATS")
    if path:
        logins = {
            name: {
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
            for (name, _method), entry in runner.stats.entries.items()
            if name.startswith("/login")
        }
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(logins, handle)
    before = _cpu()
    runner.stats.reset_all()
    profiler = _profile()
    gevent.sleep(MEASURE_S)
    after = _cpu()
    if profiler is not None:
        profiler.wait()
    usage = os.environ.get("BENCH_CPU_STATS")
    if usage:
        with open(usage, "w", encoding="utf-8") as handle:
            json.dump({k: after[k] - before[k] for k in after} | {"seconds": MEASURE_S}, handle)
    runner.quit()


def _profile() -> Any:
    """With ``BENCH_PROFILE`` (a file): py-spy samples the server's processes during the measured window
    only (not the logins), in its raw format (one line per distinct stack and its sample count)."""
    out = os.environ.get("BENCH_PROFILE")
    pids = [p for p in os.environ.get("BENCH_SERVER_PIDS", "").split(",") if p]
    if not out or not pids:
        return None
    import subprocess

    command = [os.environ.get("BENCH_PY_SPY", "py-spy"), "record", "--pid", pids[0], "--subprocesses"]
    command += ["--duration", str(int(MEASURE_S)), "--rate", "50", "--nonblocking", "--format", "raw", "-o", out]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cpu() -> dict[str, float]:
    """CPU seconds used so far: by the server's processes, by this load generator, by the whole machine."""
    import psutil

    server = 0.0
    for pid in [int(p) for p in os.environ.get("BENCH_SERVER_PIDS", "").split(",") if p]:
        try:
            parent = psutil.Process(pid)
            for process in [parent, *parent.children(recursive=True)]:
                times = process.cpu_times()
                server += times.user + times.system
        except psutil.Error:
            pass
    own = psutil.Process().cpu_times()
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return {"server_s": server, "locust_s": own.user + own.system, "machine_busy_s": busy}


_ENVIRONMENT: dict[str, Any] = {}


@events.init.add_listener
def _on_init(environment: Any, **_kwargs: Any) -> None:
    _ENVIRONMENT["env"] = environment


@events.spawning_complete.add_listener
def _on_spawned(user_count: int, **_kwargs: Any) -> None:
    if not _ENVIRONMENT.get("measuring"):  # once, even if spawning completes again
        _ENVIRONMENT["measuring"] = True
        gevent.spawn(_measure, _ENVIRONMENT["env"])
