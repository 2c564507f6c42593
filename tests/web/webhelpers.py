"""Helpers of the web platform's tests, imported by conftest.py and the test modules.

Accounts hash their passwords with a cheap argon2 cost here (the production cost is a setting).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

from fastapi.testclient import TestClient  # noqa: E402

from carbonpeak.store import db  # noqa: E402
from carbonpeak.web.settings import Settings  # noqa: E402

ROLES = ("enterprise", "city", "province", "verifier", "admin")
PASSWORDS = {
    "admin": "demo-admin-2026",
    "province": "demo-province-2026",
    "city": "demo-city-2026",
    "verifier": "demo-verifier-2026",
    "enterprise": "demo-enterprise-2026",
}
AS_OF = dt.date(2026, 1, 20)
PLAN = "shaanxi_nonferrous"


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": "test-secret-key-" + "x" * 32,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8192,
        "argon2_parallelism": 1,
        "login_rate_limit": 1000,
        "import_processes": 0,  # imports in the request thread: no process to start per app (one test serves it)
        "warnings_daily_hour": -1,  # no daily check behind a test's back (test_warnings_daily.py runs it)
    }
    values.update(overrides)
    return Settings(**values)


TOKENS: dict[str, str] = {}  # role -> API token (made in the demo database, the same in every copy)
OTHER_FACILITY = "XF01"  # in another province: outside the scope of everyone but the administrator


def _uscc(seed: str) -> str:
    from carbonpeak.uscc import check_character

    first17 = ("91620000" + seed.upper()).ljust(17, "0")[:17]
    return first17 + check_character(first17)


def _add_other_province(session: Any) -> None:
    """A second province with one enterprise, one facility, one submitted month and one warning."""
    from carbonpeak.indicators import warnings as warn
    from carbonpeak.store import repository as repo
    from carbonpeak.store import warnings as stored

    actor = "test:setup"
    repo.add_region(
        session,
        {
            "code": "other",
            "name_zh": "他省",
            "name_en": "Other province",
            "level": "province",
            "grid_province": "gansu",
        },
        actor,
    )
    repo.add_region(
        session,
        {"code": "other-a", "name_zh": "他市", "name_en": "Other city", "level": "city", "parent_code": "other"},
        actor,
    )
    repo.add_enterprise(
        session,
        {
            "code": "X01",
            "name_zh": "他省铝业",
            "name_en": "Other Aluminium",
            "uscc": _uscc("X01"),
            "region_code": "other-a",
        },
        actor,
    )
    repo.add_facility(
        session,
        {
            "code": OTHER_FACILITY,
            "enterprise_code": "X01",
            "name_zh": "他省电解",
            "name_en": "Other potline",
            "region_code": "other-a",
            "sector": "electrolytic_aluminium",
            "technology": "PFPB_L",
            "capacity_t_per_a": 100000,
        },
        actor,
    )
    facility = repo.facilities_by_code(session, [OTHER_FACILITY])[OTHER_FACILITY]
    source = repo.versions_of(session, "AL03", "2024-03")[-1].record
    record = {**source, "facility_id": OTHER_FACILITY, "region": "gansu"}
    version = repo.save_version(session, facility, "2024-03", record, "enterprise:X01")
    repo.transition_many(session, [version], "submitted", "enterprise:X01")
    stored.add_new(
        session,
        [
            warn.Raised(
                key="test:other",
                kind="late_submission",
                severity="medium",
                facility_code=OTHER_FACILITY,
                period="2024-03",
                region="other",
                message_zh="他省迟报",
                message_en="other late",
            ),
            warn.Raised(  # in the demo province, outside the city regulator's, verifier's and E02's scope
                key="test:ao01",
                kind="implausible_jump",
                severity="low",
                facility_code="AO01",
                period="2024-03",
                message_zh="AO01 测试预警",
                message_en="AO01 test warning",
            ),
        ],
        actor,
    )


def _add_tokens_and_target(session: Any, settings: Settings, tokens: dict[str, str]) -> None:
    from carbonpeak.web import users

    for role in ROLES:
        tokens[role] = users.create_token(session, role, "测试", "test:setup")
    users.create_user(
        session, "walk-target", "walk-target-pass-1", "city_regulator", "test:setup", region="demo-c", settings=settings
    )


_BUILT: list[Path] = []  # the test database built first in this process (its tokens are in TOKENS)


def build(path: Path, demo: Path | None = None) -> None:
    """The test database in the SQLite file ``path``; from a copy of ``demo`` (the session's demo province,
    tests/conftest.py) where given, else loading the demo province here. Built once per process: a folder
    whose conftest takes the web fixtures (tests/ets, tests/synergy) gets a copy, so TOKENS stays true for
    every copy (a second build would mint new tokens, and the first database's would stop matching)."""
    if _BUILT and _BUILT[0].exists():
        shutil.copyfile(_BUILT[0], path)
        return
    url = f"sqlite:///{path}"
    if demo is not None:
        shutil.copyfile(demo, path)
    populate(url, TOKENS, demo_loaded=demo is not None)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _BUILT[:] = [path]


def populate(url: str, tokens: dict[str, str], demo_loaded: bool = False) -> None:
    """The test database at ``url`` (SQLite or PostgreSQL): demo province (unless ``demo_loaded``: it is there
    already), accounts, another province, API tokens (written into ``tokens`` by role), warnings raised."""
    from carbonpeak.indicators import warnings as warn
    from carbonpeak.indicators.targets import evaluate_plan
    from carbonpeak.services import demo as demo_service
    from carbonpeak.store import warnings as stored
    from carbonpeak.store.facts import facility_months
    from carbonpeak.web.users import create_demo_users

    if not demo_loaded:
        db.upgrade(url)
    with db.transaction(url) as session:
        if not demo_loaded:
            demo_service.load_demo(session)
        create_demo_users(session, settings_for(url))
        _add_other_province(session)
        _add_tokens_and_target(session, settings_for(url), tokens)
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
        stored.add_new(session, raised, "system:test")
    db.engine_for(url).dispose()


def copy_db(template: Path, folder: Path, name: str) -> str:
    target = folder / name
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def make_app(url: str, **overrides: Any) -> Any:
    from carbonpeak.web.app import create_app

    return create_app(settings=settings_for(url, **overrides))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match[1]


def log_in(client: TestClient, username: str, password: str | None = None) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password or PASSWORDS[username], "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    return client


def client(app: Any, role: str | None = None, **kwargs: Any) -> TestClient:
    test_client = TestClient(app, **kwargs)
    if role is not None:
        log_in(test_client, role)
    return test_client


def token_of(test_client: TestClient, path: str = "/account") -> str:
    return csrf_of(test_client.get(path).text)


def post(test_client: TestClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A form POST carrying the session's CSRF token."""
    form = dict(data or {})
    form.setdefault("csrf_token", token_of(test_client))
    return test_client.post(path, data=form, follow_redirects=False, **kwargs)


def filled_template(folder: Path, rows: list[dict[str, object]], sector: str = "recycled_aluminium") -> Path:
    """The sector's template with ``rows`` filled in from row 3 (row 2 holds the labels)."""
    from carbonpeak.io.template import write_template

    path = write_template(folder / f"{sector}.xlsx", sector, "zh", facilities=[("RA05", "RA05")])
    book = openpyxl.load_workbook(path)
    sheet = book["activity"]
    headers = [str(cell.value).split("[")[0] for cell in sheet[1]]
    for offset, values in enumerate(rows):
        for column, name in enumerate(headers, start=1):
            if name in values:
                sheet.cell(row=3 + offset, column=column, value=values[name])
    book.save(path)
    return path


def ra05_month(period: str, **changes: object) -> dict[str, object]:
    """A month of E02's recycled-aluminium line RA05 (a month the demo leaves unreported)."""
    month: dict[str, object] = {
        "facility_id": "RA05",
        "sector": "recycled_aluminium",
        "region": "shaanxi",
        "period": period,
        "output_t": 2000,  # 80 % of a twelfth of its 30,000 t/a: plausible (the gate refuses 320 %)
        "scrap_input_t": 2150,
        "grid_electricity_mwh": 260,
        "fuel:natural_gas": 15,
    }
    month.update(changes)
    return month


def count_rows(url: str, table: str) -> int:
    with db.transaction(url) as session:
        from sqlalchemy import text

        return int(session.execute(text(f"select count(*) from {table}")).scalar_one())


ClientFactory = Callable[..., TestClient]
