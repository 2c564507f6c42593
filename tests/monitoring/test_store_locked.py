"""One process per DuckDB reading file: while another process holds it (the web server, a running
``monitor serve``), the command line says so with the coded ``monitoring.store_locked`` and exit status 2,
never a driver traceback, and the holder's data stay as they were."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.store import db

HOLD = """
import sys, time
from carbonpeak.monitoring.store import DuckDBStore
store = DuckDBStore(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(
    "verb",
    [
        ["serve", "--max-seconds", "1"],
        ["rollup", "--from", "2026-03-01", "--to", "2026-03-02"],
        ["reconcile", "--month", "2026-03"],
    ],
)
def test_a_held_duckdb_file_is_a_coded_refusal(tmp_path: Path, verb: list[str]) -> None:
    readings = tmp_path / "readings.duckdb"
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    db.upgrade(url)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(readings)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = CliRunner().invoke(app, ["monitor", *verb, "--db", url, "--readings", str(readings), "--lang", "en"])
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert result.exit_code == 2, result.output
    assert "is in use by another process" in result.output and "PostgreSQL" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # typer's exit, not a crash
