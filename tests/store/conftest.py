"""Store tests run on SQLite (a file in tmp_path) and on a real PostgreSQL server on loopback.

PostgreSQL: the server of ``CARBONPEAK_TEST_POSTGRES_URL`` (default postgresql+psycopg://postgres@127.0.0.1:5432).
Each test session creates its own database (carbonpeak_test_<pid>), resets its schema for each test and
drops it at the end, so two test runs on one machine never share tables. Where no server answers, the
PostgreSQL cases are skipped with a message saying what to install.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.uscc import check_character

SERVER_URL = os.environ.get("CARBONPEAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
POSTGRES_URL = make_url(SERVER_URL).set(database=f"carbonpeak_test_{os.getpid()}").render_as_string(hide_password=False)
INSTALL_HINT = (
    "PostgreSQL is not reachable at {url}: install and start it (Debian: apt-get install postgresql; "
    "pg_ctlcluster 15 main start) or set CARBONPEAK_TEST_POSTGRES_URL"
)


_READY: dict[str, str | None] = {}


def _admin() -> Engine:
    return create_engine(make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _postgres_ready() -> str | None:
    """None once this session's database exists; else why PostgreSQL cannot be used (asked once)."""
    if "state" not in _READY:
        name = make_url(POSTGRES_URL).database
        try:
            admin = _admin()
            with admin.connect() as connection:
                exists = connection.execute(text("select 1 from pg_database where datname = :n"), {"n": name}).scalar()
                if not exists:
                    connection.execute(text(f'create database "{name}"'))
            admin.dispose()
            _READY["state"] = None
        except Exception as exc:  # any failure to connect means: no server to test against
            _READY["state"] = f"{INSTALL_HINT.format(url=SERVER_URL)} ({type(exc).__name__})"
    return _READY["state"]


@pytest.fixture(scope="session", autouse=True)
def _drop_session_database() -> Iterator[None]:
    """Drop this session's PostgreSQL database at the end, if one was made."""
    yield
    if "state" in _READY and _READY["state"] is None:
        db.engine_for(POSTGRES_URL).dispose()
        admin = _admin()
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{make_url(POSTGRES_URL).database}" with (force)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        problem = _postgres_ready()
        if problem:
            pytest.skip(problem)
        url = POSTGRES_URL
        engine = db.engine_for(url)
        with engine.begin() as connection:
            connection.execute(text("drop schema public cascade"))
            connection.execute(text("create schema public"))
    db.upgrade(url)
    yield url


def uscc(seed: str) -> str:
    first17 = ("91610000" + seed.upper()).ljust(17, "0")[:17]
    return first17 + check_character(first17)


@pytest.fixture
def registry(db_url: str) -> str:
    """A tiny province: one city, one enterprise, an aluminium line and a copper line."""
    actor = "test:setup"
    with db.transaction(db_url) as session:
        repo.add_region(
            session,
            {
                "code": "P",
                "name_zh": "测试省",
                "name_en": "Test province",
                "level": "province",
                "grid_province": "shaanxi",
            },
            actor,
        )
        repo.add_region(
            session,
            {"code": "C1", "name_zh": "测试市", "name_en": "Test city", "level": "city", "parent_code": "P"},
            actor,
        )
        repo.add_enterprise(
            session,
            {
                "code": "E1",
                "name_zh": "测试铝业",
                "name_en": "Test Aluminium",
                "uscc": uscc("E1"),
                "region_code": "C1",
                "key_energy_user": True,
            },
            actor,
        )
        repo.add_facility(
            session,
            {
                "code": "AL1",
                "enterprise_code": "E1",
                "name_zh": "电解一厂",
                "name_en": "Potline 1",
                "region_code": "C1",
                "sector": "electrolytic_aluminium",
                "technology": "PFPB_M",
                "capacity_t_per_a": 200000,
            },
            actor,
        )
        repo.add_facility(
            session,
            {
                "code": "CU1",
                "enterprise_code": "E1",
                "name_zh": "铜冶炼厂",
                "name_en": "Copper smelter",
                "region_code": "C1",
                "sector": "copper",
                "capacity_t_per_a": 100000,
                "retired_on": "2024-06-30",
            },
            actor,
        )
    return db_url
