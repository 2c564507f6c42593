"""What "who has reported" reads: facilities with their reporting life, their enterprises, and the status
of every version of the months asked for, as plain column-wise frames (no ORM object per row).

The facilities are chosen by a condition on :class:`Facility` (the use case's access filter with the
region, city and sector asked for); the versions are joined to the same condition in SQL, so a
province's thousands of facility-months are one query each, without long lists of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from carbonpeak.store.models import Enterprise, Facility, Region, Submission, SubmissionVersion

FACILITY_COLUMNS = [
    "facility_id",
    "code",
    "name_zh",
    "name_en",
    "enterprise_id",
    "sector",
    "region_id",
    "status",
    "status_since",
    "commissioning_year",
    "commissioned_on",
    "retired_on",
]
ENTERPRISE_COLUMNS = [
    "enterprise_id",
    "code",
    "name_zh",
    "name_en",
    "uscc",
    "contact_person",
    "contact_phone",
    "contact_email",
]
VERSION_COLUMNS = ["facility_id", "period", "version", "status"]


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


def facilities(session: Session, condition: ColumnElement[bool]) -> pd.DataFrame:
    """The facilities meeting ``condition`` with the first and last month they reported anything
    (any version, ``first_reported``/``last_reported``; None when never), ordered by code."""
    rows = session.execute(
        select(
            Facility.id,
            Facility.code,
            Facility.name_zh,
            Facility.name_en,
            Facility.enterprise_id,
            Facility.sector,
            Facility.region_id,
            Facility.status,
            Facility.status_since,
            Facility.commissioning_year,
            Facility.commissioned_on,
            Facility.retired_on,
        )
        .where(condition)
        .order_by(Facility.code)
    ).all()
    frame = _frame(rows, FACILITY_COLUMNS)
    spans = session.execute(
        select(Submission.facility_id, func.min(Submission.period), func.max(Submission.period))
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Facility, Facility.id == Submission.facility_id)
        .where(condition)
        .group_by(Submission.facility_id)
    ).all()
    first = {fid: low for fid, low, _high in spans}
    last = {fid: high for fid, _low, high in spans}
    frame["first_reported"] = frame["facility_id"].map(first).astype(object)
    frame["last_reported"] = frame["facility_id"].map(last).astype(object)
    frame["commissioning_year"] = pd.to_numeric(frame["commissioning_year"], errors="coerce")
    for column in ("first_reported", "last_reported"):
        frame[column] = frame[column].where(frame[column].notna(), None)
    return frame


def enterprises(session: Session, condition: ColumnElement[bool]) -> pd.DataFrame:
    """The enterprises of the facilities meeting ``condition``, with their contacts, ordered by code."""
    owners = select(Facility.enterprise_id).where(condition)
    rows = session.execute(
        select(
            Enterprise.id,
            Enterprise.code,
            Enterprise.name_zh,
            Enterprise.name_en,
            Enterprise.uscc,
            Enterprise.contact_person,
            Enterprise.contact_phone,
            Enterprise.contact_email,
        )
        .where(Enterprise.id.in_(owners))
        .order_by(Enterprise.code)
    ).all()
    return _frame(rows, ENTERPRISE_COLUMNS)


def _driver_rows(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as plain tuples from the driver's own cursor (no SQLAlchemy row object per
    row: a province's months are tens of thousands). The query's values are ids, months and codes,
    written into it by the dialect's own literal rendering."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def versions(session: Session, condition: ColumnElement[bool], first: str, last: str) -> pd.DataFrame:
    """facility_id, period, version, status of every version of the months ``first``..``last`` of the
    facilities meeting ``condition``."""
    rows = _driver_rows(
        session,
        select(Submission.facility_id, Submission.period, SubmissionVersion.version, SubmissionVersion.status)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Facility, Facility.id == Submission.facility_id)
        .where(condition, Submission.period >= first, Submission.period <= last),
    )
    if not rows:
        return _frame([], VERSION_COLUMNS)
    facility_id, period, version, status = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "facility_id": np.asarray(facility_id, dtype=np.int64),
            "period": np.asarray(period, dtype=object),
            "version": np.asarray(version, dtype=np.int64),
            "status": np.asarray(status, dtype=object),
        }
    )


def region_by_code(session: Session, code: str) -> Region | None:
    return session.scalar(select(Region).where(Region.code == code))


def regions(session: Session) -> list[Any]:
    """Every region as a plain row: id, code, name_zh, name_en, level, parent_id (to find a facility's city)."""
    return list(
        session.execute(
            select(Region.id, Region.code, Region.name_zh, Region.name_en, Region.level, Region.parent_id)
        ).all()
    )


def facility_regions(session: Session, condition: ColumnElement[bool]) -> list[int]:
    """The regions the facilities meeting ``condition`` are registered in."""
    return sorted(session.scalars(select(Facility.region_id).where(condition).distinct()))


def sectors(session: Session, condition: ColumnElement[bool]) -> list[str]:
    """The sectors of the facilities meeting ``condition`` (the choices of the sector filter)."""
    return sorted(session.scalars(select(Facility.sector).where(condition).distinct()))
