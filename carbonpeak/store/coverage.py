"""The month-states table: every facility-month expected or reported, with what an aggregate does with it
(counted, held out, waiting, awaiting verification, missing; :mod:`carbonpeak.indicators.coverage`).

Read column-wise from the facts table (one row per version: status, ``held``, whether it has a result),
like the facts reader: a province's or a country's months in one query, no ORM object per row.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import load_registry
from carbonpeak.store.models import Facility, Fact

_NAMES = ("submission_id", "facility_id", "period", "version", "status", "held", "waits")
_SETTLED = ("draft", "returned")  # a draft is not a report; a returned month awaits the enterprise's correction


def due_day(session: Session, as_of: dt.date) -> int:
    """The day of the following month by which a month's report is due (parameter
    ``indicators.warning_rule``, item ``report_due_day``: the one the missing-report warnings use)."""
    from carbonpeak.store.parameters import parameter_set

    return ind.due_day(parameter_set(session), as_of)


def _read_versions(session: Session, facility_codes: list[str] | None) -> pd.DataFrame:
    """Every version's key columns: submission, facility, period, version, status, held (0/1) and waits
    (1 when the version has no result)."""
    fact = Fact.__table__
    query = select(
        fact.c.submission_id,
        fact.c.facility_id,
        fact.c.period,
        fact.c.version,
        fact.c.status,
        case((fact.c.held, 1), else_=0).label("held"),
        case((fact.c.result_id.is_(None), 1), else_=0).label("waits"),
    )
    if facility_codes is not None:
        query = query.where(fact.c.facility_id.in_(select(Facility.id).where(Facility.code.in_(list(facility_codes)))))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        return pd.read_csv(
            buffer, names=list(_NAMES), header=None, dtype={"period": object, "status": object}, keep_default_na=False
        )
    rows = session.execute(query)
    kinds = [(n, object if n in ("period", "status") else np.int64) for n in _NAMES]
    packed = np.fromiter((tuple(r) for r in rows), dtype=kinds)
    return pd.DataFrame({n: np.ascontiguousarray(packed[n]) for n in _NAMES})


def _latest(mask: np.ndarray, submission: np.ndarray, version: np.ndarray) -> np.ndarray:
    """Row positions of the latest version per submission among the rows of ``mask``."""
    where = np.flatnonzero(mask)
    order = where[np.lexsort((version[where], submission[where]))]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = submission[order][1:] != submission[order][:-1]
    return order[last]


def month_states(
    session: Session,
    *,
    include_submitted: bool = False,
    as_of: dt.date | None = None,
    facility_codes: list[str] | None = None,
) -> pd.DataFrame:
    """One row per facility-month expected on ``as_of`` (default today) or reported, with its ``state``.

    The month's counted version is the one :func:`carbonpeak.store.facts.facility_months` takes (the latest
    verified/locked, or submitted on request, that is not held out): *counted* with a result, *waiting*
    without. A month with no such version is *held_out* when a submitted version has unresolved
    plausibility warnings, *unverified* when it is submitted, else *missing* when it is expected (from
    the facility's first reported month to the last month due, or its retirement). Columns:
    facility_code, period, year, month, sector, product, province_code, city_code, park_code, state."""
    as_of = as_of or dt.date.today()
    day = due_day(session, as_of)
    rows = _read_versions(session, facility_codes)
    submission = rows["submission_id"].to_numpy(dtype=np.int64)
    version = rows["version"].to_numpy(dtype=np.int64)
    status = rows["status"].to_numpy(dtype=object)
    held = rows["held"].to_numpy(dtype=np.int64) != 0
    waits = rows["waits"].to_numpy(dtype=np.int64) != 0
    counted_status = np.isin(status, (*repo.COUNTED, "submitted") if include_submitted else repo.COUNTED)
    held_out = held & ~np.isin(status, repo.COUNTED)
    # 1. months with a version that counts: counted, or waiting for its result
    chosen = _latest(counted_status & ~held_out, submission, version)
    states = np.where(waits[chosen], "waiting", "counted").astype(object)
    # 2. months without one, by their latest version that is a report (not a draft, not returned)
    taken = np.isin(submission, submission[chosen])
    reported = _latest(~taken & ~np.isin(status, _SETTLED), submission, version)
    reported_state = np.where(held[reported], "held_out", "unverified").astype(object)
    picked = np.concatenate([chosen, reported])
    frame = pd.DataFrame(
        {
            "facility_id": rows["facility_id"].to_numpy(dtype=np.int64)[picked],
            "period": rows["period"].to_numpy(dtype=object)[picked],
            "state": np.concatenate([states, reported_state]),
        }
    )
    # 3. expected months with neither: missing (a month with only a draft or a returned version too)
    missing = _missing(session, rows, frame, as_of, day, facility_codes)
    frame = pd.concat([frame, missing], ignore_index=True)
    return _with_registry(session, frame, facility_codes)


def _missing(
    session: Session,
    rows: pd.DataFrame,
    frame: pd.DataFrame,
    as_of: dt.date,
    day: int,
    facility_codes: list[str] | None,
) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame({"facility_id": [], "period": [], "state": []})
    index = _month_index(rows["period"])
    firsts = pd.DataFrame({"facility_id": rows["facility_id"].to_numpy(), "first": index})
    firsts = firsts.groupby("facility_id", as_index=False)["first"].min()
    retired = _retirement_months(session, facility_codes)
    firsts["retired"] = firsts["facility_id"].map(retired)
    ids, months = cov.expected_months(firsts, as_of, day)
    have = frame["facility_id"].to_numpy(dtype=np.int64) * 100_000 + _month_index(frame["period"])
    lacking = ~np.isin(ids * 100_000 + months, have)
    ids, months = ids[lacking], months[lacking]
    periods = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months.tolist()]
    return pd.DataFrame({"facility_id": ids, "period": np.array(periods, dtype=object), "state": "missing"})


def _month_index(periods: pd.Series) -> np.ndarray:
    """year × 12 + month − 1 of ``YYYY-MM`` periods (a year alone: its December)."""
    text = periods.astype(str)
    years = pd.to_numeric(text.str.slice(0, 4), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    return years * 12 + cov.month_of(periods).astype(np.int64) - 1


def _retirement_months(session: Session, facility_codes: list[str] | None) -> dict[int, int]:
    query = select(Facility.id, Facility.retired_on).where(Facility.retired_on.is_not(None))
    if facility_codes is not None:
        query = query.where(Facility.code.in_(list(facility_codes)))
    return {fid: day.year * 12 + day.month - 1 for fid, day in session.execute(query) if day is not None}


def _with_registry(session: Session, frame: pd.DataFrame, facility_codes: list[str] | None) -> pd.DataFrame:
    registry = load_registry(session, facility_codes=facility_codes)
    attributes = registry.facilities.rename(columns={"id": "facility_id", "code": "facility_code"})[
        ["facility_id", "facility_code", "sector", "product", "province_code", "city_code", "park_code"]
    ]
    out = frame.merge(attributes, on="facility_id", how="inner")
    out["year"] = pd.to_numeric(out["period"].astype(str).str.slice(0, 4)).astype(int)
    out["month"] = cov.month_of(out["period"])
    out["product"] = out["product"].fillna("")
    columns: list[Any] = ["facility_code", "period", "year", "month", "sector", "product"]
    out = out[[*columns, "province_code", "city_code", "park_code", "state"]]
    out = out.sort_values(["facility_code", "period"], kind="stable").reset_index(drop=True)
    out.attrs["clusters"] = registry.clusters
    return out
