"""The monthly report on a schedule: last month's 碳达峰监测报告 of every province and city, made once a
month whoever starts it (``carbonpeak report schedule`` from cron, and the web server's daily job).

Like the daily warnings check (:mod:`carbonpeak.services.warnings_daily`), the run is claimed as a
``reports_monthly`` row of the ``job`` table (:mod:`carbonpeak.store.daily_jobs`), keyed by the first day
of the month it runs in: several servers and a cron entry never make the month's reports twice. Each
region's report is made and stored in a transaction of its own; a region with nothing to report (no
counted month) is listed as skipped, a failure as failed with its coded reason, and the others go on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from carbonpeak.errors import CarbonpeakError
from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.services.reports_monitoring import MONTHLY, Asked
from carbonpeak.store import daily_jobs, db
from carbonpeak.store.models import Region

KIND = "reports_monthly"


@dataclass
class MonthlyRun:
    day: dt.date
    job: int | None
    made: list[int] = field(default_factory=list)  # the stored reports' ids
    skipped_regions: list[str] = field(default_factory=list)  # nothing to report
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: str = ""  # the month's run is held: running, done, gave_up


def last_month(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def run_monthly(
    url: str | None,
    actor: str,
    *,
    day: dt.date | None = None,
    force: bool = False,
    edition: str | None = "2021",
    regions: list[str] | None = None,
) -> MonthlyRun:
    """Claim this month's run and make last month's report of every province and city (or of ``regions``)."""
    day = day or dt.date.today()
    month_start = day.replace(day=1)
    with db.transaction(url) as session:
        claim = daily_jobs.claim(session, KIND, month_start, actor, force=force, detail={"trigger": "schedule"})
    if claim.job is None:
        return MonthlyRun(day=day, job=None, skipped=claim.reason)
    run = MonthlyRun(day=day, job=claim.job)
    who = access.operator(actor)
    period = last_month(day)
    if regions is None:
        with db.transaction(url, mode="read") as session:
            query = select(Region.code).where(Region.level.in_(("province", "city"))).order_by(Region.code)
            regions = list(session.scalars(query))
    for code in regions:
        try:
            with db.transaction(url) as session:
                made = use.make(
                    session, who, Asked(MONTHLY, code, period, as_of=day, edition=edition), trigger="schedule"
                )
            run.made.append(made.id)
        except CarbonpeakError as exc:
            if exc.code == "reports.no_data":
                run.skipped_regions.append(code)
            else:
                run.failed.append({"region": code, "code": str(exc.code or ""), "message": str(exc)[:300]})
    with db.transaction(url) as session:
        daily_jobs.finish(
            session,
            claim.job,
            {"period": period, "made": run.made, "skipped": run.skipped_regions, "failed": run.failed},
            total=len(regions),
        )
    return run
