"""Monitoring tests: reading stores on an embedded DuckDB file and on the real PostgreSQL server on loopback
(the session database of tests/store/conftest.py, its reading tables dropped before each test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from carbonpeak.monitoring.store import DuckDBStore, PostgresStore, conninfo
from tests.store.conftest import POSTGRES_URL, _drop_session_database, _postgres_ready  # noqa: F401


def fresh_postgres_url() -> str:
    problem = _postgres_ready()
    if problem:
        pytest.skip(problem)
    with psycopg.connect(conninfo(POSTGRES_URL), autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS meter_reading, reading_arrival")
    return POSTGRES_URL


@pytest.fixture(params=["duckdb", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DuckDBStore | PostgresStore]:
    made: DuckDBStore | PostgresStore
    made = (
        DuckDBStore(tmp_path / "readings.duckdb") if request.param == "duckdb" else PostgresStore(fresh_postgres_url())
    )
    yield made
    made.close()
