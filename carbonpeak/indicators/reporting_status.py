"""Who has reported: the state of each facility-month and enterprise-month on a given day.

Pure functions over plain frames (the store reads them: :mod:`carbonpeak.store.reporting_status`), so
one facility or a country is the same few array operations.

A month M is due on the due day of month M+1 (parameter ``indicators.warning_rule[report_due_day]``,
in force for M; a day past the end of a short month is that month's last day). On the due day itself
a report is still on time; it is late from the next day (as the ``late_submission`` warning counts).

States of one facility-month (``STATES``, worst first):

* ``late`` 逾期未报: the due date has passed and no version was submitted; a draft is not a report;
* ``returned`` 退回: the latest version that left the enterprise was returned by the verifier and the
  enterprise has not submitted a correction yet (a correction still in draft leaves it returned);
* ``not_due`` 未到期: nothing saved yet, and the due date has not passed;
* ``draft`` 草稿: only drafts, and the due date has not passed;
* ``submitted`` 已报送: the latest version that left the enterprise is submitted, verified or locked (a
  correction in draft after it does not undo the report);
* ``not_required``: outside the facility's reporting life (before its first month or after its last),
  shown empty and never counted.

A facility's first month is the month of its commissioning day (``commissioned_on``) where known, else
the month of its first report (any version), else January of its commissioning year, else there is no
first month; its last month is the month of ``retired_on``, else for a facility whose status is
``retired`` the month of ``status_since`` or else of its last report. Idle facilities report (zeros).

An enterprise-month takes the worst state of its facilities' months (in the order above: what the
regulator must act on first), so "submitted" means every facility due has reported.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

LATE, RETURNED, NOT_DUE, DRAFT, SUBMITTED, NOT_REQUIRED = (
    "late",
    "returned",
    "not_due",
    "draft",
    "submitted",
    "not_required",
)
STATES = (LATE, RETURNED, NOT_DUE, DRAFT, SUBMITTED)  # worst first; not_required is never counted
_RANK = {state: rank for rank, state in enumerate((*STATES, NOT_REQUIRED))}
REPORTED = frozenset({"submitted", "verified", "locked"})  # version statuses that count as a report
# Version statuses that decide a month: the latest of these is what the enterprise last sent.
_DECIDING = REPORTED | {"returned"}
_FAR = 10**7  # a month index beyond any real month (no first or last month)

FACILITY_COLUMNS = (
    "facility_id",
    "enterprise_id",
    "status",
    "status_since",
    "commissioning_year",
    "commissioned_on",
    "retired_on",
    "first_reported",
    "last_reported",
)
CELL_COLUMNS = ("facility_id", "enterprise_id", "period", "state", "due", "days_late", "has_draft")


# ---------------------------------------------------------------- months


def month_index(period: str) -> int:
    """A month "YYYY-MM" as a count of months (year * 12 + month - 1)."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included (empty when ``last`` is before ``first``)."""
    return [period_of(i) for i in range(month_index(first), month_index(last) + 1)]


def last_month(today: dt.date) -> str:
    """The month before the month of ``today``."""
    return period_of(today.year * 12 + today.month - 2)


def default_window(today: dt.date, count: int = 12) -> tuple[str, str]:
    """The ``count`` months up to last month (the pages' default)."""
    last = month_index(last_month(today))
    return period_of(last - count + 1), period_of(last)


def due_date(period: str, day: int) -> dt.date:
    """The day month ``period``'s report is due: ``day`` of the following month (at most its last day)."""
    following = month_index(period) + 1
    year, month = following // 12, following % 12 + 1
    return dt.date(year, month, min(int(day), calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- one facility's reporting life


def _month_of(value: object) -> int | None:
    """The month index of a date (or ISO text), None when absent."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, str):
        if not value:
            return None
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime | pd.Timestamp):
        value = value.date()
    assert isinstance(value, dt.date)
    return value.year * 12 + value.month - 1


def _reported_index(value: object) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value):
        return None
    return month_index(str(value))


def reporting_span(facility: Mapping[str, object]) -> tuple[int, int]:
    """(first, last) month index a facility must report (see the module's rules); ``-_FAR``/``_FAR``
    when unbounded, and first > last when it must report no month at all."""
    first = _month_of(facility.get("commissioned_on"))
    if first is None:
        first = _reported_index(facility.get("first_reported"))
    if first is None:
        year = facility.get("commissioning_year")
        if year is not None and not (isinstance(year, float) and np.isnan(year)):
            first = int(year) * 12  # type: ignore[call-overload]
    last = _month_of(facility.get("retired_on"))
    if last is None and facility.get("status") == "retired":
        last = _month_of(facility.get("status_since"))
        if last is None:
            last = _reported_index(facility.get("last_reported"))
        if last is None:
            return _FAR, -_FAR  # retired, with no date and no report: nothing to ask of it
    return (-_FAR if first is None else first), (_FAR if last is None else last)


# ---------------------------------------------------------------- classification


def deciding_status(versions: pd.DataFrame) -> pd.DataFrame:
    """Per facility-month (columns facility_id, period, version, status of every version): ``status``,
    the status of the latest version that left the enterprise (submitted, returned, verified, locked;
    "" when none did), and ``has_draft``, whether any version is a draft."""
    keys = ["facility_id", "period"]
    if versions.empty:
        return pd.DataFrame(
            {
                "facility_id": np.array([], dtype=np.int64),
                "period": np.array([], dtype=object),
                "status": np.array([], dtype=object),
                "has_draft": np.array([], dtype=bool),
            }
        )
    sent = versions[versions["status"].isin(sorted(_DECIDING))].sort_values([*keys, "version"])
    sent = sent.drop_duplicates(keys, keep="last")[[*keys, "status"]]
    drafts = versions.loc[versions["status"] == "draft", keys].drop_duplicates()
    drafts = drafts.assign(has_draft=True)
    out = sent.merge(drafts, on=keys, how="outer")
    out["status"] = out["status"].fillna("")
    out["has_draft"] = out["has_draft"].eq(True)
    return out.reset_index(drop=True)


def classify(
    facilities: pd.DataFrame,
    versions: pd.DataFrame,
    periods: Sequence[str],
    due_days: Mapping[str, int],
    today: dt.date,
) -> pd.DataFrame:
    """The state of every facility (``FACILITY_COLUMNS``) in every month of ``periods`` on ``today``.

    ``versions``: facility_id, period, version, status of the versions of those months;
    ``due_days``: the due day in force for each month. Returns one row per facility and month
    (``CELL_COLUMNS``): the state, the due date, the days late (0 unless late) and whether a draft
    exists."""
    periods = list(periods)
    n_fac, n_months = len(facilities), len(periods)
    spans = np.array([reporting_span(row) for row in facilities.to_dict("records")], dtype=np.int64).reshape(-1, 2)
    month_ids = np.array([month_index(p) for p in periods], dtype=np.int64)
    dues = [due_date(p, due_days[p]) for p in periods]
    overdue_days = np.array([(today - d).days for d in dues], dtype=np.int64)
    grid = pd.DataFrame(
        {
            "facility_id": np.repeat(facilities["facility_id"].to_numpy(dtype=np.int64), n_months),
            "enterprise_id": np.repeat(facilities["enterprise_id"].to_numpy(dtype=np.int64), n_months),
            "period": np.tile(np.array(periods, dtype=object), n_fac),
        }
    )
    decided = deciding_status(versions)
    grid = grid.merge(decided, on=["facility_id", "period"], how="left")
    status = grid["status"].fillna("").to_numpy(dtype=object)
    has_draft = grid["has_draft"].eq(True).to_numpy(dtype=bool)
    month = np.tile(month_ids, n_fac)
    required = (month >= np.repeat(spans[:, 0], n_months)) & (month <= np.repeat(spans[:, 1], n_months))
    days = np.tile(overdue_days, n_fac)
    overdue = days > 0  # the due day itself is still on time
    reported = np.isin(status, sorted(REPORTED))
    returned = status == "returned"
    state = np.select(
        [~required, reported, returned, overdue, has_draft],
        [NOT_REQUIRED, SUBMITTED, RETURNED, LATE, DRAFT],
        default=NOT_DUE,
    )
    grid["state"] = state
    grid["due"] = np.tile(np.array(dues, dtype=object), n_fac)
    grid["days_late"] = np.where(state == LATE, days, 0)
    grid["has_draft"] = has_draft
    return grid[list(CELL_COLUMNS)]


def rank(state: str) -> int:
    """A state's place in the order, 0 the worst."""
    return _RANK[state]


def by_enterprise(cells: pd.DataFrame, codes: Mapping[int, str] | None = None) -> pd.DataFrame:
    """Enterprise-months from facility-months (``classify``): the worst state of the enterprise's
    facilities, the facility that decided it (the first by ``codes``, else by id, among the worst),
    how many facilities had to report and how many did; sorted by enterprise id, then month."""
    if cells.empty:
        ints = {name: np.array([], dtype=np.int64) for name in ("enterprise_id", "facility_id", "required", "reported")}
        texts = {name: np.array([], dtype=object) for name in ("period", "state")}
        return pd.DataFrame({**ints, **texts})[
            ["enterprise_id", "period", "state", "facility_id", "required", "reported"]
        ]
    frame = cells[["enterprise_id", "period", "facility_id", "state"]].copy()
    frame["rank"] = frame["state"].map(_RANK).astype(np.int64)
    frame["order"] = frame["facility_id"].map(codes) if codes is not None else frame["facility_id"]
    frame["required"] = frame["state"] != NOT_REQUIRED
    frame["reported"] = frame["state"] == SUBMITTED
    counts = frame.groupby(["enterprise_id", "period"], sort=False)[["required", "reported"]].sum()
    worst = frame.sort_values(["enterprise_id", "period", "rank", "order"]).drop_duplicates(
        ["enterprise_id", "period"], keep="first"
    )
    out = worst[["enterprise_id", "period", "state", "facility_id"]].merge(
        counts.reset_index(), on=["enterprise_id", "period"]
    )
    out["required"] = out["required"].astype(np.int64)
    out["reported"] = out["reported"].astype(np.int64)
    return out.reset_index(drop=True)


def state_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows (enterprise- or facility-months) are in each state, every state listed."""
    found = frame["state"].value_counts().to_dict() if not frame.empty else {}
    return {state: int(found.get(state, 0)) for state in STATES}
