"""An import killed with SIGKILL at any moment leaves the store as it was before or as it is after, never between.

What it proves (probe 4a/4b of ../shared/research/probe-reliability.md, kept as a test): an import writes
its versions, facts rows, results, evidence file and audit events in one transaction, so a process killed
while writing leaves either none of them or all of them; no row points at a row that is not there; SQLite's
own integrity check passes; and the same file imported afterwards is complete (nothing lost, nothing
doubled). The import runs in a child process started for the purpose; the child says when its modules are
loaded, so every kill lands inside the import's own work, spread over the time a clean import takes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, Fact, Result, Submission, SubmissionVersion, Upload
from carbonpeak.uscc import check_character
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401

FACILITIES = 40
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
ROWS = FACILITIES * len(MONTHS)  # 960 facility-months: a clean import takes a few seconds
KILL_AT = (0.2, 0.55, 0.9)  # fractions of a clean import's working time

CHILD = """
import sys, time
from pathlib import Path
from carbonpeak.accounting import account  # libraries loaded before the work starts
from carbonpeak.services import access, intake
from carbonpeak.store import db
url, path = sys.argv[1], Path(sys.argv[2])
db.engine_for(url).connect().close()
print("ready", flush=True)
started = time.perf_counter()
with db.transaction(url) as session:
    report = intake.import_file(session, access.operator("fault-test"), path.read_bytes(), path.name)
print("done", report.rows, time.perf_counter() - started, flush=True)
"""


def _registry(url: str) -> None:
    with db.transaction(url) as session:
        repo.add_region(
            session,
            {"code": "P", "name_zh": "测试省", "name_en": "Test", "level": "province", "grid_province": "shaanxi"},
            "test:setup",
        )
        first17 = "91610000KT0000001"
        repo.add_enterprise(
            session,
            {
                "code": "E",
                "name_zh": "测试铝业",
                "name_en": "Test",
                "region_code": "P",
                "uscc": first17 + check_character(first17),
            },
            "test:setup",
        )
        for i in range(FACILITIES):
            repo.add_facility(
                session,
                {
                    "code": f"AL{i:03d}",
                    "enterprise_code": "E",
                    "name_zh": f"电解铝{i}",
                    "name_en": f"Line {i}",
                    "region_code": "P",
                    "sector": "electrolytic_aluminium",
                },
                "test:setup",
            )


def _csv(path: Path) -> Path:
    lines = ["facility_id,sector,region,period,output_t,grid_electricity_mwh,electrolysis_ac_mwh,auxiliary_ac_mwh"]
    for i in range(FACILITIES):
        for n, period in enumerate(MONTHS):
            output = 10000 + 37 * i + n
            lines.append(
                f"AL{i:03d},electrolytic_aluminium,shaanxi,{period},{output},"
                f"{output * 13.6:.1f},{output * 13.2:.1f},{output * 0.3:.1f}"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start(url: str, path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    return child


def _counts(url: str) -> dict[str, int]:
    with db.transaction(url) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Submission, SubmissionVersion, Fact, Result, Upload)
        }
        counts["import audit"] = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.actor == "fault-test")
        )
        orphans = {
            "fact without version": "select count(*) from fact where version_id not in "
            "(select id from submission_version)",
            "result without version": "select count(*) from result where version_id not in "
            "(select id from submission_version)",
            "version without submission": "select count(*) from submission_version where submission_id not in "
            "(select id from submission)",
            "submission without version": "select count(*) from submission where id not in "
            "(select submission_id from submission_version)",
            "version without fact": "select count(*) from submission_version where id not in "
            "(select version_id from fact)",
            "version of a missing upload": "select count(*) from submission_version where upload_id is not null "
            "and upload_id not in (select id from upload)",
        }
        for name, query in orphans.items():
            counts[name] = session.scalar(text(query))
        if session.get_bind().dialect.name == "sqlite":
            assert session.scalar(text("pragma integrity_check")) == "ok"
            assert session.execute(text("pragma foreign_key_check")).all() == []
    db.engine_for(url).dispose()
    return counts


def _reset(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink()
    else:
        with db.engine_for(url).begin() as connection:
            connection.execute(text("drop schema public cascade"))
            connection.execute(text("create schema public"))
    db.engine_for(url).dispose()
    db.upgrade(url)
    _registry(url)


def test_a_killed_import_leaves_the_store_before_or_after(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    path = _csv(tmp_path / "months.csv")
    _reset(db_url)
    before = _counts(db_url)
    assert before["submission_version"] == 0

    clean = _start(db_url, path)
    out, err = clean.communicate(timeout=300)
    assert clean.returncode == 0, err
    working = float(out.split()[2])
    after = _counts(db_url)
    assert after["submission_version"] == after["fact"] == after["result"] == ROWS
    assert after["upload"] == 1

    outcomes = []
    for fraction in KILL_AT:
        _reset(db_url)
        child = _start(db_url, path)
        time.sleep(working * fraction)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.communicate()
        found = _counts(db_url)
        assert found in (before, after), f"killed at {fraction:.0%} of the import: {found}"
        outcomes.append("after" if found == after else "before")

        if found == after:
            continue
        # The store is usable and complete after the kill: the same file imported again gives the whole file once.
        again = _start(db_url, path)
        _, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        assert _counts(db_url)["submission_version"] == ROWS
    # Kills spread over the import's working time: at least one landed before the commit.
    assert "before" in outcomes, outcomes
