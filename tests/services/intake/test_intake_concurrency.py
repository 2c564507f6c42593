"""Importing the same month twice, or twice at the same moment (probe D11), on SQLite and PostgreSQL; and the
write lock held only for the writes (probe D9).

The concurrent case runs two imports in two threads, each with its own connection to the real database,
and holds both at a barrier after they have checked the file (each saw no version of the month) and
before either writes: exactly the interleaving that made both add a version before."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from intakehelpers import enterprise
from sqlalchemy import event, func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import intake
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Result, SubmissionVersion, Upload

HEADER = "facility_id,sector,region,period,output_t,grid_electricity_mwh,fuel:diesel\n"
JANUARY = "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,5\n"
FEBRUARY = "AL1,electrolytic_aluminium,shaanxi,2024-02,9000,117000,4\n"


def run_import(url: str, content: bytes, **kwargs: Any) -> intake.ImportResult:
    with db.transaction(url) as session:
        return intake.import_file(session, enterprise(url), content, "m.csv", **kwargs)


def counts(url: str) -> tuple[int, int, int]:
    with db.transaction(url) as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (SubmissionVersion, Upload, Result))


def test_the_same_content_for_a_submitted_or_verified_month_is_unchanged(province: str) -> None:
    content = (HEADER + JANUARY + FEBRUARY).encode()
    run_import(province, content, submit=True)
    before = counts(province)
    again = run_import(province, content)  # before: refused, "a change needs a correction"
    assert again.versions == [] and again.unchanged == [("AL1", "2024-01", 1), ("AL1", "2024-02", 1)]
    assert again.sha256 is None and counts(province) == before
    with db.transaction(province) as session:
        repo.transition(session, "AL1", "2024-01", "verified", "verifier:test")
    again = run_import(province, content, submit=True)  # February is submitted already: nothing to do either
    assert again.versions == [] and len(again.unchanged) == 2 and counts(province) == before
    changed = (HEADER + JANUARY.replace("10000", "10001") + FEBRUARY).encode()
    with pytest.raises(ValidationFailed) as caught:
        run_import(province, changed)
    assert [(e.code, e.row) for e in caught.value.errors] == [("intake.month_verified", 2)]


def _two_at_once(url: str, monkeypatch: pytest.MonkeyPatch, content: bytes, **kwargs: Any) -> list[Any]:
    """Two imports of ``content`` in two threads, both checked before either writes."""
    barrier = threading.Barrier(2, timeout=60)
    write = intake._write

    def write_after_both_checked(*args: Any, **options: Any) -> Any:
        barrier.wait()
        return write(*args, **options)

    monkeypatch.setattr(intake, "_write", write_after_both_checked)
    who = enterprise(url)
    outcomes: list[Any] = [None, None]

    def one(slot: int) -> None:
        try:
            with db.transaction(url) as session:
                outcomes[slot] = intake.import_file(session, who, content, f"m{slot}.csv", **kwargs)
        except Exception as exc:  # reported below
            outcomes[slot] = exc

    threads = [threading.Thread(target=one, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_two_imports_of_the_same_month_at_once_write_it_once(province: str, monkeypatch) -> None:
    content = (HEADER + JANUARY + FEBRUARY).encode()
    outcomes = _two_at_once(province, monkeypatch, content)
    assert all(isinstance(o, intake.ImportResult) for o in outcomes), outcomes
    writer, other = sorted(outcomes, key=lambda o: len(o.unchanged))
    assert writer.versions == [("AL1", "2024-01", 1), ("AL1", "2024-02", 1)] and writer.sha256
    assert other.versions == [] and other.unchanged == [("AL1", "2024-01", 1), ("AL1", "2024-02", 1)]
    assert other.sha256 is None and other.results == 0
    assert counts(province) == (2, 1, 2)  # before: v1 and v2 of each month, two identical evidence files


def test_two_imports_with_submit_at_once_neither_fails(province: str, monkeypatch) -> None:
    """Before, one of them failed with "already submitted; a change needs a correction"."""
    outcomes = _two_at_once(province, monkeypatch, (HEADER + JANUARY).encode(), submit=True)
    assert all(isinstance(o, intake.ImportResult) for o in outcomes), outcomes
    assert sorted(len(o.versions) for o in outcomes) == [0, 1] and counts(province)[:2] == (1, 1)
    with db.transaction(province) as session:
        assert [v.status for v in repo.versions_of(session, "AL1", "2024-01")] == ["submitted"]


def test_the_write_lock_is_taken_after_reading_checking_and_accounting(sqlite_province: str, monkeypatch) -> None:
    """On SQLite the import's transaction takes the database's one write lock (BEGIN IMMEDIATE) only when it
    starts writing: the file is read, every check run and every result computed before."""
    from carbonpeak.io import validate
    from carbonpeak.store import service as store_service

    steps: list[str] = []
    check_table, prepare_results = validate.check_table, store_service.prepare_results
    monkeypatch.setattr(intake, "check_table", lambda *a, **k: steps.append("check") or check_table(*a, **k))
    monkeypatch.setattr(
        store_service, "prepare_results", lambda *a, **k: steps.append("account") or prepare_results(*a, **k)
    )
    engine = db.engine_for(sqlite_province)  # the write engine: every transaction begins IMMEDIATE
    who = enterprise(sqlite_province)

    def began(_connection: Any) -> None:
        steps.append("write lock")

    event.listen(engine, "begin", began)
    try:
        with db.transaction(sqlite_province) as session:
            report = intake.import_file(session, who, (HEADER + JANUARY + FEBRUARY).encode(), "m.csv")
    finally:
        event.remove(engine, "begin", began)
    assert report.results == 2
    assert steps == ["check", "account", "write lock"]


def test_two_import_processes_of_the_same_file_write_it_once(province: str, tmp_path) -> None:
    """The probe's case as it happened: two `carbonpeak import` processes started together on one file."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "m.csv"
    path.write_text(HEADER + JANUARY + FEBRUARY, encoding="utf-8")
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "CARBONPEAK_LANG": "en"}
    command = [sys.executable, "-m", "carbonpeak.cli", "import", str(path), "--db", province, "--json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert counts(province)[:2] == (2, 1)  # one version of each month, one evidence file
