"""The web server's daily warnings check: a background thread started and stopped with the app.

Every ``warnings_daily_check_s`` seconds (and shortly after start, to catch up a server restarted after the
hour) each server process looks whether the day's check is due: from ``warnings_daily_hour`` o'clock in
the server's local time on. It then tries to claim the day's run in the database
(:func:`carbonpeak.services.warnings_daily.run_daily`): one process runs it, the others skip; a process
that saw the day done does not ask again until the next day. ``warnings_daily_hour = -1`` turns the
thread off (e.g. where cron runs ``carbonpeak warnings refresh``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from carbonpeak.errors import Busy
from carbonpeak.services.warnings import Refreshed
from carbonpeak.services.warnings_daily import DailyRun, run_daily
from carbonpeak.store.db import is_busy

log = logging.getLogger("carbonpeak.web.daily")
ACTOR = "system:daily"
FIRST_CHECK_S = 30.0  # after start: the server is serving before the day's check may take the database


def done_counts(done: Refreshed) -> tuple[int, int, int]:
    return done.found, done.new, done.cleared


class DailyWarnings:
    """The thread of one server process; :meth:`tick` is one look (the tests call it directly)."""

    def __init__(
        self,
        url: str | None,
        hour: int,
        check_s: float,
        benchmark_edition: str | None = None,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
        today: dt.date | None = None,
        monthly_reports: bool = False,
    ) -> None:
        self.url, self.hour, self.check_s, self.edition, self.clock = url, hour, check_s, benchmark_edition, clock
        self.monthly_reports_on = monthly_reports  # the server's: also last month's reports, once a month
        self.today = today  # the day judged where the platform is set to one (a demonstration), else the clock's
        self.settled: dt.date | None = None  # the last day seen done (or given up) here
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.hour < 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="carbonpeak-daily-warnings", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        wait = min(FIRST_CHECK_S, self.check_s)
        while not self._stop.wait(wait):
            self.tick()
            wait = self.check_s

    def tick(self) -> DailyRun | None:
        """Run the day's check if it is due and not settled here; None when nothing was asked."""
        now = self.clock()
        if now.hour < self.hour or self.settled == now.date():
            return None
        try:
            outcome = run_daily(self.url, ACTOR, day=self.today or now.date(), benchmark_edition=self.edition)
        except Busy:
            return None  # another writer held the database past the busy timeout: look again at the next check
        except Exception as exc:  # the job's row keeps the error; the server goes on serving
            if is_busy(exc):
                return None
            log.exception("the daily warnings check failed", exc_info=exc)
            return None
        if outcome.ran or outcome.skipped in ("done", "gave_up"):
            self.settled = now.date()
        if outcome.ran and outcome.refreshed is not None:
            done = outcome.refreshed
            log.info("daily warnings check %s: %d found, %d new, %d cleared", now.date(), *done_counts(done))
        if self.monthly_reports_on:
            self.monthly_reports(self.today or now.date())
        return outcome

    def monthly_reports(self, day: dt.date) -> None:
        """Last month's 碳达峰监测报告 of every region, once a month (claimed: the other processes skip)."""
        from carbonpeak.services.reports_daily import run_monthly

        try:
            run = run_monthly(self.url, "system:reports", day=day, edition=self.edition)
        except Exception as exc:  # the job's row keeps what was made; the server goes on serving
            if not is_busy(exc):
                log.exception("the monthly reports failed", exc_info=exc)
            return
        if run.job is not None:
            log.info("monthly reports %s: %d made, %d failed", day, len(run.made), len(run.failed))
