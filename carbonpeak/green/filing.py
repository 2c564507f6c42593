"""The state of a designated unit's annual dynamic-management filing against its province's deadline.

A unit that has not filed once the deadline has passed is *flagged for removal* (Heilongjiang's rules: one that
does not file is removed); the platform flags and a regulator decides (remove with a reason, or keep). Without a
configured deadline the state says so; a filing is never judged late against a date no source gives.
"""

from __future__ import annotations

import datetime as dt

FILED, FILED_LATE, DUE, OVERDUE, NO_DEADLINE = "filed", "filed_late", "due", "overdue", "no_deadline"
STATES = (FILED, FILED_LATE, DUE, OVERDUE, NO_DEADLINE)


def filing_state(filed_on: dt.date | None, deadline: dt.date | None, today: dt.date) -> str:
    """``filed`` / ``filed_late`` (after the deadline) / ``due`` (not filed, deadline ahead) / ``overdue`` (not
    filed, deadline passed: flagged for removal) / ``no_deadline`` (not filed, no deadline configured)."""
    if filed_on is not None:
        return FILED_LATE if deadline is not None and filed_on > deadline else FILED
    if deadline is None:
        return NO_DEADLINE
    return OVERDUE if today > deadline else DUE


def flagged_for_removal(state: str) -> bool:
    return state == OVERDUE
