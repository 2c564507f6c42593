"""Disclosure deadlines: the annual report's due day (15 March of the following year, a cited parameter)
and its state on a day, and the temporary report's due day (5 working days, counted Monday to Friday:
no holiday calendar is held, so a public holiday or a make-up working day is not taken into account)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ON_TIME, LATE, NOT_YET, OVERDUE = "on_time", "late", "not_yet", "overdue"
STATES = (ON_TIME, LATE, NOT_YET, OVERDUE)


@dataclass(frozen=True)
class Rule:
    """The annual report's due day as month and day of the year after the reported one, and the temporary
    report's working days."""

    annual_month: int
    annual_day: int
    temporary_working_days: int


def annual_due(rule: Rule, year: int) -> dt.date:
    """The day the annual disclosure of ``year`` is due (in the following year)."""
    return dt.date(year + 1, rule.annual_month, rule.annual_day)


def state(due: dt.date, published_on: dt.date | None, today: dt.date) -> str:
    """published on or before the due day: on time; after it: late; not published and the day not passed:
    not yet; not published after the due day: overdue."""
    if published_on is not None:
        return ON_TIME if published_on <= due else LATE
    return NOT_YET if today <= due else OVERDUE


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``start``; holidays are not known (see the module)."""
    current, left = start, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
