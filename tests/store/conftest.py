"""Store tests run on SQLite (a file in tmp_path) and on a real PostgreSQL server on loopback.

PostgreSQL: ``CARBONPEAK_TEST_POSTGRES_URL`` or postgresql+psycopg://postgres@127.0.0.1:5432/carbonpeak_test
(the database is created if missing, its schema reset for each test). Where no server answers, the
PostgreSQL cases are skipped with a message saying what to install.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.uscc import check_character

POSTGRES_URL = os.environ.get(
    "CARBONPEAK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/carbonpeak_test"
)
INSTALL_HINT = (
    "PostgreSQL is not reachable at {url}: install and start it (Debian: apt-get install postgresql; "
    "pg_ctlcluster 15 main start) or set CARBONPEAK_TEST_POSTGRES_URL"
)


def _postgres_ready() -> str | None:
    url = make_url(POSTGRES_URL)
    try:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            exists = connection.execute(
                text("select 1 from pg_database where datname = :n"), {"n": url.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'create database "{url.database}"'))
        admin.dispose()
    except Exception as exc:  # any failure to connect means: no server to test against
        return f"{INSTALL_HINT.format(url=POSTGRES_URL)} ({type(exc).__name__})"
    return None


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
