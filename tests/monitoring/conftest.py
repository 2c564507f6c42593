"""Monitoring tests: reading stores on an embedded DuckDB file and on the real PostgreSQL server on loopback
(the session database of tests/store/conftest.py, its reading tables dropped before each test)."""

from __future__ import annotations

import os
import subprocess
import sys
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


# ---------------------------------------------------------------- the ingest service in its own process


class IngestService:
    """``carbonpeak monitor serve`` in processes of their own, on the machine's broker, under a topic root and
    MQTT client id of this test alone (so that tests never read each other's messages or sessions)."""

    def __init__(self, url: str, readings: str) -> None:
        import uuid

        self.url, self.readings = url, readings
        tag = uuid.uuid4().hex[:8]
        self.topic_root = f"cp-test-{tag}/v1/readings"
        self.client_id = f"cp-test-{tag}"
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, seconds: float) -> subprocess.Popen[str]:
        """Start one subscriber that stops after ``seconds``; returns once it listens (its first line)."""
        where = ["--db", self.url, "--readings", self.readings, "--max-seconds", str(seconds)]
        mqtt = ["--client-id", self.client_id, "--topic-root", self.topic_root]
        process = subprocess.Popen(
            [sys.executable, "-m", "carbonpeak.cli", "monitor", "serve", *where, *mqtt],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        self.processes.append(process)
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "listening" in first, first + process.stdout.read()
        return process

    def stop(self) -> None:
        """Kill what still runs and drop the broker's persistent session of the client id."""
        from tests.monitoring.test_ingest_mqtt import forget_session

        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        forget_session(self.client_id)


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ingest_service(tmp_path: Path) -> Iterator[IngestService]:
    """The ingest service of one test: a SQLite registry (``.url``, schema made) and a DuckDB reading file
    (``.readings``) in the test's folder; ``.start(seconds)`` runs ``monitor serve`` on them. Skipped,
    saying why, without a broker on 127.0.0.1:1883."""
    from carbonpeak.store import db
    from tests.monitoring.test_ingest_mqtt import broker_up

    if not broker_up():
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (apt-get install mosquitto)")
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    db.upgrade(url)
    service = IngestService(url, str(tmp_path / "readings.duckdb"))
    yield service
    service.stop()
