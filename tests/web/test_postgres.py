"""The platform on PostgreSQL: the same pages, answers, workflow and access as on the embedded SQLite.

A database of its own (carbonpeak_web_test_<pid>) on the server of ``CARBONPEAK_TEST_POSTGRES_URL``
(default postgresql+psycopg://postgres@127.0.0.1:5432) is filled with the test demo and dropped at the end:
a copy of the session's PostgreSQL demo template (tests/store/conftest.py: loaded once per session), the
accounts, second province and warnings of webhelpers.populate added. Skipped, saying what to install, where no
server answers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from webhelpers import client, count_rows, filled_template, make_app, populate, post, ra05_month, token_of

from carbonpeak.store import db
from tests.store.conftest import _drop_session_database, postgres_template  # noqa: F401

SERVER = os.environ.get("CARBONPEAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
URL = make_url(SERVER).set(database=f"carbonpeak_web_test_{os.getpid()}").render_as_string(hide_password=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin() -> Any:
    return create_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    name = make_url(URL).database
    template = postgres_template(demo=True)  # skips, saying what to install, where no server answers
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(text(f'drop database if exists "{name}"'))
        connection.execute(text(f'create database "{name}" template "{template}"'))
    populate(URL, {}, demo_loaded=True)  # its own tokens: the SQLite tests' TOKENS stay theirs
    yield URL
    db.engine_for(URL).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.fixture(scope="module")
def pg_app(pg_url: str) -> Any:
    return make_app(pg_url)


def kpi(html: str) -> str:
    match = re.search(r'data-testid="kpi-emissions">([\d,.]+)', html)
    assert match, "no emissions figure on the overview"
    return match[1]


def test_pages_and_answers_equal_those_on_sqlite(pg_app: Any, clients: dict[str, TestClient]) -> None:
    province = client(pg_app, "province")
    for year in (2023, 2024):
        assert kpi(province.get(f"/overview?year={year}").text) == kpi(
            clients["province"].get(f"/overview?year={year}").text
        )
    for path in ("/api/v1/indicators?year=2024", "/api/v1/benchmark?year=2024", "/api/v1/submissions?facility=AL03"):
        on_pg = province.get(path, headers={"Accept": "application/json"})
        on_sqlite = clients["province"].get(path, headers={"Accept": "application/json"})
        assert on_pg.status_code == on_sqlite.status_code == 200, (path, on_pg.text[:300])
        assert on_pg.json() == on_sqlite.json(), path
    board = province.get("/benchmark?year=2024").text
    assert 'data-chart="chart-shares"' in board


def test_upload_submit_verify_lock_on_postgres(pg_app: Any, pg_url: str, tmp_path: Path) -> None:
    enterprise = client(pg_app, "enterprise")
    versions = count_rows(pg_url, "submission_version")

    def upload(path: Path) -> Any:
        with path.open("rb") as handle:
            return enterprise.post(
                "/reporting/upload",
                data={"csrf_token": token_of(enterprise, "/reporting")},
                files={"file": (path.name, handle, XLSX)},
                follow_redirects=False,
            )

    bad = upload(filled_template(tmp_path / "bad", [ra05_month("2024-09"), ra05_month("2024-10", output_t="lots")]))
    assert bad.status_code == 422 and "不是数字" in bad.text
    assert count_rows(pg_url, "submission_version") == versions  # nothing half-written
    good = upload(filled_template(tmp_path / "good", [ra05_month("2024-09")]))
    assert good.status_code == 201, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", good.text))[-1500:]
    submitted = enterprise.post(
        "/reporting/submit",
        data={"csrf_token": token_of(enterprise, "/reporting"), "month": ["RA05@2024-09"]},
        follow_redirects=False,
    )
    assert submitted.status_code == 303
    verifier = client(pg_app, "verifier")
    assert post(verifier, "/submissions/RA05/2024-09/verify", {"opinion": "与结算单一致"}).status_code == 303
    assert post(verifier, "/submissions/RA05/2024-09/lock").status_code == 303
    assert "已锁定" in enterprise.get("/submissions/RA05/2024-09").text
    assert count_rows(pg_url, "submission_version") == versions + 1


def test_access_is_the_same_on_postgres(pg_app: Any, pg_url: str) -> None:
    enterprise, city = client(pg_app, "enterprise"), client(pg_app, "city")
    assert enterprise.get("/facilities/AO01").status_code == 403  # another enterprise's
    assert city.get("/facilities/AO01").status_code == 403  # another city's
    assert enterprise.get("/facilities/NOPE").status_code == 404
    assert post(city, "/submissions/AL03/2024-03/verify").status_code == 403
    before = count_rows(pg_url, "audit_event")
    assert post(enterprise, "/parameters/electricity.grid_factor/values", {"value": "1"}).status_code == 403
    assert count_rows(pg_url, "audit_event") == before


def test_an_official_parameter_value_on_postgres(pg_app: Any, pg_url: str) -> None:
    admin = client(pg_app, "admin")
    data = {
        "key.data_year": "2024",
        "key.region": "shaanxi",
        "key.basis": "location",
        "value": "0.6",
        "unit": "tCO2/MWh",
        "confidence": "high",
        "document": "测试引用",
        "issuer": "生态环境部",
        "published": "2026-01-15",
    }
    assert post(admin, "/parameters/electricity.grid_factor/values", data).status_code == 303
    assert count_rows(pg_url, "parameter_value") == 1
    page = admin.get("/parameters/electricity.grid_factor").text
    assert "由管理员录入" in page
