"""Reading and writing the pollutant ledger: months locked for a write, versions added and audited (entity
``pollutant_month`` keyed ``pollutants:facility@period``: apart from the monthly submission's ``facility@period``,
whose audit trail a month's page lists), the latest figures of many months read as one table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from carbonpeak.store import facility_months
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, Facility, utcnow
from carbonpeak.store.pollutants.models import PollutantMonth, PollutantVersion

ENTITY = "pollutant_month"
COLUMNS = ("so2_t", "nox_t", "pm_t", "source", "note")


def lock_months(session: Session, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], PollutantMonth]:
    """The months of (facility id, period), created when missing, locked for this transaction."""
    return facility_months.lock_pairs(session, PollutantMonth, pairs)


def latest_versions(session: Session, month_ids: Sequence[int]) -> dict[int, PollutantVersion]:
    return facility_months.latest_versions(session, PollutantVersion, "month_id", month_ids)


def same(version: PollutantVersion | None, values: dict[str, Any]) -> bool:
    """Whether the latest version already says exactly this (then nothing new is written)."""
    return version is not None and all(getattr(version, k) == values.get(k) for k in COLUMNS)


def add_version(
    session: Session,
    month: PollutantMonth,
    previous: PollutantVersion | None,
    values: dict[str, Any],
    actor: str,
    *,
    key: str,
    reason: str | None = None,
    upload_id: int | None = None,
) -> PollutantVersion:
    """A new version of a month (the next number), audited with what it replaced."""
    version = PollutantVersion(
        month_id=month.id,
        version=(previous.version if previous else 0) + 1,
        reason=reason,
        upload_id=upload_id,
        recorded_by=actor,
        **{k: values.get(k) for k in COLUMNS},
    )
    session.add(version)
    session.flush()
    repo.audit(
        session,
        actor,
        "correct" if previous else "create",
        ENTITY,
        f"pollutants:{key}",
        before=as_record(previous) if previous else None,
        after={**as_record(version), **({"reason": reason} if reason else {})},
    )
    return version


def add_first_versions(session: Session, rows: Sequence[tuple[PollutantMonth, dict[str, Any], str]], actor: str) -> int:
    """Version 1 of many new months at once (the demonstration loader: two bulk inserts, not a flush per
    month), each audited as :func:`add_version` audits it."""
    if not rows:
        return 0
    now = utcnow()
    versions = [
        {"month_id": m.id, "version": 1, "recorded_by": actor, "recorded_at": now, **{k: v.get(k) for k in COLUMNS}}
        for m, v, _key in rows
    ]
    session.execute(insert(PollutantVersion), versions)
    events = [
        {
            "at": now,
            "actor": actor,
            "action": "create",
            "entity": ENTITY,
            "entity_key": f"pollutants:{key}",
            "before": None,
            "after": {"version": 1, **{k: v.get(k) for k in COLUMNS}},
        }
        for _m, v, key in rows
    ]
    session.execute(insert(AuditEvent), events)
    return len(rows)


def as_record(version: PollutantVersion) -> dict[str, Any]:
    return {"version": version.version, **{k: getattr(version, k) for k in COLUMNS}}


def latest_table(session: Session, facility_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The latest version of every month (of these facilities when given) as plain rows: facility_code,
    period, version, so2_t, nox_t, pm_t, source."""
    newest = (
        select(PollutantVersion.month_id, func.max(PollutantVersion.version).label("version"))
        .group_by(PollutantVersion.month_id)
        .subquery()
    )
    query = (
        select(
            Facility.code,
            PollutantMonth.period,
            PollutantVersion.version,
            PollutantVersion.so2_t,
            PollutantVersion.nox_t,
            PollutantVersion.pm_t,
            PollutantVersion.source,
        )
        .join(PollutantMonth, PollutantMonth.id == PollutantVersion.month_id)
        .join(newest, (newest.c.month_id == PollutantVersion.month_id) & (newest.c.version == PollutantVersion.version))
        .join(Facility, Facility.id == PollutantMonth.facility_id)
    )
    if facility_ids is not None:
        query = query.where(PollutantMonth.facility_id.in_(sorted(facility_ids)))
    rows = session.execute(query).all()
    columns = ["facility_code", "period", "version", "so2_t", "nox_t", "pm_t", "source"]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def history(session: Session, facility_id: int) -> list[tuple[PollutantMonth, PollutantVersion]]:
    """Every version of every month of a facility: newest month first, versions in order."""
    query = (
        select(PollutantMonth, PollutantVersion)
        .join(PollutantVersion, PollutantVersion.month_id == PollutantMonth.id)
        .where(PollutantMonth.facility_id == facility_id)
        .order_by(PollutantMonth.period.desc(), PollutantVersion.version)
    )
    return [(m, v) for m, v in session.execute(query).all()]
