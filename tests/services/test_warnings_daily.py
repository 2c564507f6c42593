"""The daily warnings check runs once a day whoever starts it: two claimers at once (threads on the real
database, SQLite and PostgreSQL) run it once; a dead run is noticed; the server's thread looks when due."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import select

from carbonpeak.services import intake
from carbonpeak.services.warnings_daily import KIND, DailyRun, run_daily
from carbonpeak.store import daily_jobs, db
from carbonpeak.store import warnings as stored
from carbonpeak.store.models import Job
from carbonpeak.web.daily import DailyWarnings
from tests.services.conftest import person

DAY = dt.date.today()


def _late_month(url: str) -> None:
    with db.transaction(url) as session:
        who = person(session, "e1", "enterprise", enterprise="E1")
        values = {"output_t": 10000.0, "grid_electricity_mwh": 130000.0, "electrolysis_ac_mwh": 128000.0}
        intake.save_month(session, who, "AL1", "2025-03", values, submit=False)  # a draft: raises nothing


def _jobs(url: str) -> list[Job]:
    with db.transaction(url) as session:
        return list(session.scalars(select(Job).where(Job.kind == KIND).order_by(Job.id)))


def test_two_claimers_at_once_run_the_day_once(province: str) -> None:
    _late_month(province)
    with db.transaction(province) as session:  # the draft is reported behind the warnings' back
        from carbonpeak.store import repository as repo

        repo.transition_many(session, [repo.versions_of(session, "AL1", "2025-03")[-1]], "submitted", "web:e1")
    start = threading.Barrier(2)
    outcomes: list[DailyRun] = []
    failures: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            start.wait(timeout=30)
            outcomes.append(run_daily(province, f"system:{name}", day=DAY))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in ("worker-1", "worker-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    ran = [o for o in outcomes if o.ran]
    skipped = [o for o in outcomes if not o.ran]
    assert len(ran) == 1 and len(skipped) == 1, outcomes
    assert skipped[0].skipped in ("running", "done") and skipped[0].holder == ran[0].job
    (job,) = _jobs(province)
    assert (job.id, job.status, job.detail["day"], job.detail["trigger"]) == (
        ran[0].job,
        "done",
        DAY.isoformat(),
        "daily",
    )
    assert job.detail["new"] == ran[0].refreshed.new >= 2 and job.finished_at is not None  # late and missing months
    with db.transaction(province) as session:
        assert [w.key for w in stored.listing(session, kind="late_submission")] == ["late_submission:AL1:2025-03"]
    again = run_daily(province, "system:worker-3", day=DAY)  # later the same day: done already
    assert (again.ran, again.skipped, again.holder) == (False, "done", job.id)
    forced = run_daily(province, "cli:admin", day=DAY, force=True, trigger="cli")
    assert forced.ran and forced.refreshed is not None and forced.refreshed.new == 0
    assert [(j.status, j.detail["trigger"]) for j in _jobs(province)] == [("done", "daily"), ("done", "cli")]


def test_a_run_whose_process_died_is_counted_failed_and_the_day_runs(province: str) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=7)
    with db.transaction(province) as session:
        session.add(
            Job(kind=KIND, status="running", started_by="system:gone", started_at=long_ago, detail={"day": "x"})
        )
    with db.transaction(province) as session:
        fresh = daily_jobs.claim(session, KIND, DAY, "system:w1")
    assert fresh.job is not None
    with db.transaction(province) as session:  # while the new one runs, nobody else may start
        busy = daily_jobs.claim(session, KIND, DAY, "system:w2", force=True)
    assert (busy.job, busy.holder, busy.reason) == (None, fresh.job, "running")
    dead, running = _jobs(province)
    assert (dead.status, dead.error) == ("failed", {"code": "warning.job_abandoned", "params": {}})
    assert running.status == "running"


def test_a_day_that_keeps_failing_is_given_up_after_three_tries(province: str) -> None:
    for _ in range(daily_jobs.ATTEMPTS):
        with db.transaction(province) as session:
            claim = daily_jobs.claim(session, KIND, DAY, "system:w1")
            assert claim.job is not None
            daily_jobs.fail(session, claim.job, {"code": "warning.job_failed", "params": {"error": "disk full"}})
    with db.transaction(province) as session:
        assert daily_jobs.claim(session, KIND, DAY, "system:w1").reason == "gave_up"


def test_the_server_thread_looks_from_the_hour_on_and_once_a_day(province: str) -> None:
    _late_month(province)
    now: dict[str, Any] = {"at": dt.datetime.combine(DAY, dt.time(1, 30))}
    workers = [DailyWarnings(province, 2, 600, clock=lambda: now["at"]) for _ in range(2)]
    assert [w.tick() for w in workers] == [None, None]  # before 02:00 nothing is asked
    now["at"] = dt.datetime.combine(DAY, dt.time(2, 5))
    first, second = (w.tick() for w in workers)
    assert first is not None and first.ran and second is not None and second.skipped == "done"
    assert [w.settled for w in workers] == [DAY, DAY]
    assert [w.tick() for w in workers] == [None, None]  # settled here: the database is not asked again today
    assert len(_jobs(province)) == 1
    off = DailyWarnings(province, -1, 600)
    off.start()  # -1: no thread
    assert off._thread is None


def test_two_runs_at_once_store_each_warning_once(province: str) -> None:
    """A report's check and the daily one at the same moment: the second waits for the first and raises
    nothing twice (without the lock, PostgreSQL would refuse its duplicate key and lose the report)."""
    import time

    from carbonpeak.services import warnings as cases
    from carbonpeak.store import repository as repo

    _late_month(province)
    with db.transaction(province) as session:  # reported behind the warnings' back
        repo.transition_many(session, [repo.versions_of(session, "AL1", "2025-03")[-1]], "submitted", "web:e1")
    first_done = threading.Barrier(2)
    results: dict[str, Any] = {}

    def first() -> None:
        with db.transaction(province) as session:
            results["first"] = cases.after_change(session, "web:e1", facilities=["AL1"])
            first_done.wait(timeout=30)
            time.sleep(0.5)  # still holding its transaction while the second starts

    def second() -> None:
        first_done.wait(timeout=30)
        try:
            with db.transaction(province) as session:
                results["second"] = cases.after_change(session, "system:daily")
        except Exception as exc:
            results["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results["first"].new >= 2
    assert not isinstance(results["second"], Exception), results["second"]
    assert results["second"].new == 0 and results["second"].found >= results["first"].found
    with db.transaction(province) as session:
        keys = [w.key for w in stored.listing(session)]
    assert len(keys) == len(set(keys)) == results["first"].new


def test_a_platform_set_to_a_day_judges_that_day(province: str) -> None:
    """CARBONPEAK_TODAY (a demonstration) : the daily check judges the set day, not the clock's."""
    _late_month(province)
    set_day = DAY - dt.timedelta(days=3)
    worker = DailyWarnings(province, 2, 600, clock=lambda: dt.datetime.combine(DAY, dt.time(3, 0)), today=set_day)
    outcome = worker.tick()
    assert outcome is not None and outcome.ran and outcome.refreshed is not None
    assert outcome.refreshed.as_of == set_day
