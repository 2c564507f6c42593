"""The daily check of every warning: ``carbonpeak warnings refresh`` (for cron) and the web server's daily job.

A day's check runs once, whoever starts it: it is claimed as a ``warnings_refresh`` row of the ``job``
table (:mod:`carbonpeak.store.daily_jobs`), so the workers of one server, several servers on one database
and a cron entry never run it twice at once, and a second start the same day skips (``force`` runs it
again). The claim, the run and its record each commit on their own: the job's row says what it found,
raised and cleared, or why it failed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carbonpeak.errors import CarbonpeakError
from carbonpeak.services import warnings as cases
from carbonpeak.services.warnings import Refreshed
from carbonpeak.store import daily_jobs, db

KIND = "warnings_refresh"


@dataclass(frozen=True)
class DailyRun:
    """A day's check: run (``refreshed``, recorded as ``job``), or skipped because ``holder`` holds the day
    (``skipped``: running, done, or gave_up after repeated failures)."""

    day: dt.date
    job: int | None
    refreshed: Refreshed | None = None
    skipped: str = ""
    holder: int | None = None

    @property
    def ran(self) -> bool:
        return self.refreshed is not None


def run_daily(
    url: str | None,
    actor: str,
    *,
    day: dt.date | None = None,
    force: bool = False,
    benchmark_edition: str | None = None,
    trigger: str = "daily",
) -> DailyRun:
    """Claim the day's check and run it: every facility's warnings and the plan targets of every province
    with a plan, judged on ``day`` (default today), raised and cleared. Skips when the day is held."""
    day = day or dt.date.today()
    with db.transaction(url) as session:
        claim = daily_jobs.claim(
            session, KIND, day, actor, force=force, detail={"trigger": trigger, "benchmark_edition": benchmark_edition}
        )
    if claim.job is None:
        return DailyRun(day=day, job=None, skipped=claim.reason, holder=claim.holder)
    try:
        with db.transaction(url) as session:
            done = cases.after_change(session, actor, as_of=day, benchmark_edition=benchmark_edition)
            daily_jobs.finish(
                session, claim.job, {"found": done.found, "new": done.new, "cleared": done.cleared}, total=done.found
            )
    except BaseException as exc:
        with db.transaction(url) as session:
            daily_jobs.fail(session, claim.job, _coded(exc))
        raise
    return DailyRun(day=day, job=claim.job, refreshed=done)


def _coded(exc: BaseException) -> dict[str, object]:
    """The job's error as a coded message (a coded error keeps its own code and parameters)."""
    if isinstance(exc, CarbonpeakError) and exc.code:
        return {"code": str(exc.code), "params": {k: str(v) for k, v in (exc.params or {}).items()}}
    return {"code": "warning.job_failed", "params": {"error": f"{type(exc).__name__}: {exc}"[:500]}}
