"""The pollutant ledger's use cases: record reported SO2, NOx and particulate tonnages per facility and month
(the web form, ``POST /api/v1/pollutants``, a CSV/Excel upload and ``carbonpeak pollutants import`` all come
here), read a facility's history, read the latest figures in one's scope.

Checked in this order, and nothing written unless every row passes:

1. **who may report** (``pollutants.enter``: an enterprise for its own facilities, an administrator) and, per
   row, the facility: one the person may not report for, whether it exists or not, gets only
   ``intake.facility_not_yours`` and nothing else is said of it;
2. **the fields** (:func:`carbonpeak.synergy.ledger.check`): non-negative numbers, a month not after this
   month, a source of the vocabulary; every problem of every row at once;
3. **the month's state**: a month already reported takes a new figure only as a correction with its reason
   (``pollutants.reason_required``); a row identical to the latest version adds nothing (``unchanged``);
4. **the plausibility gate** against the facility's own history (:func:`carbonpeak.synergy.ledger.gate`): an
   unusual figure is refused unless the row's note explains it.

Each new version is audited (entity ``pollutant_month``); an uploaded file is kept as evidence (SHA-256).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.reporting_status import china_today
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility
from carbonpeak.store.pollutants import repository as ledger
from carbonpeak.store.pollutants.models import PollutantMonth, PollutantVersion
from carbonpeak.synergy import file as pollutant_file
from carbonpeak.synergy import ledger as rules
from carbonpeak.synergy.ledger import Entry

VIEW, ENTER = "pollutants.view", "pollutants.enter"


@dataclass
class Recorded:
    """What recording did: (facility, month, version) added, and those left unchanged."""

    file: str
    versions: list[tuple[str, str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, str, int]] = field(default_factory=list)
    sha256: str | None = None  # of the evidence file kept


def record(
    session: Session,
    principal: Principal,
    rows: Iterable[tuple[int | None, Mapping[str, Any]]],
    *,
    file: str = "form",
    content: bytes | None = None,
    reason: str | None = None,
    today: dt.date | None = None,
    allow_demo: bool = False,
) -> Recorded:
    """Record rows of the ledger: all, or none (every problem named by file, row and field).

    ``reason`` applies to every row that corrects a month and carries no reason of its own."""
    access.require(principal, ENTER)
    rows = list(rows)
    codes = sorted({str(r.get("facility_id") or "").strip() for _n, r in rows} - {""})
    mine = _facilities(session, principal, codes)
    refused = [c for c in codes if c not in mine]
    refused_errors = [
        InputError(code="intake.facility_not_yours", file=file, row=_first_row(rows, c), field="facility_id", value=c)
        for c in refused
    ]
    kept = [(n, r) for n, r in rows if str(r.get("facility_id") or "").strip() not in set(refused)]
    entries, errors = rules.check(kept, today=today or china_today(), file=file, allow_demo=allow_demo)
    errors = refused_errors + errors
    pairs = {(e.facility, e.period): (mine[e.facility].id, e.period) for e in entries}
    months = ledger.lock_months(session, list(pairs.values())) if not errors else {}
    latest = ledger.latest_versions(session, [m.id for m in months.values()])
    history = _history(session, [mine[c].id for c in {e.facility for e in entries}]) if not errors else {}
    fallback = (reason or "").strip() or None
    plan: list[tuple[Entry, PollutantMonth, PollutantVersion | None, str | None]] = []
    for entry in entries if not errors else []:
        month = months[pairs[(entry.facility, entry.period)]]
        previous = latest.get(month.id)
        values = {**entry.values(), "source": entry.source, "note": entry.note}
        if ledger.same(previous, values):
            plan.append((entry, month, previous, None))
            continue
        why = entry.reason or fallback
        if previous is not None and not why:
            errors.append(
                InputError(
                    code="pollutants.reason_required",
                    file=file,
                    row=entry.row,
                    record=f"{entry.facility}@{entry.period}",
                    field="reason",
                    version=previous.version,
                )
            )
        earlier = history.get(entry.facility, pd.DataFrame())
        if not earlier.empty:
            earlier = earlier[earlier["period"] < entry.period]
        errors += rules.gate(
            entry, {n: earlier[n].tolist() for n in rules.POLLUTANTS} if not earlier.empty else {}, file=file
        )
        plan.append((entry, month, previous, why if previous is not None else None))
    if errors:
        raise ValidationFailed(sorted(errors, key=lambda e: (e.row or 0, str(e.field or ""))), file=file)
    done = Recorded(file=file)
    upload_id = None
    for entry, month, previous, why in plan:
        values = {**entry.values(), "source": entry.source, "note": entry.note}
        if ledger.same(previous, values):
            assert previous is not None
            done.unchanged.append((entry.facility, entry.period, previous.version))
            continue
        if upload_id is None and content is not None:
            upload = repo.store_upload(session, file, content, principal.actor, len(plan))
            upload_id, done.sha256 = upload.id, upload.sha256
        version = ledger.add_version(
            session,
            month,
            previous,
            values,
            principal.actor,
            key=f"{entry.facility}@{entry.period}",
            reason=why,
            upload_id=upload_id,
        )
        done.versions.append((entry.facility, entry.period, version.version))
    return done


def import_file(
    session: Session,
    principal: Principal,
    content: bytes,
    filename: str,
    *,
    reason: str | None = None,
    today: dt.date | None = None,
) -> Recorded:
    """Record every row of a CSV or Excel file: all, or none."""
    access.require(principal, ENTER)  # the role first: nothing of the file is read for one who may not
    rows = pollutant_file.read(filename, content)
    return record(session, principal, rows, file=filename, content=content, reason=reason, today=today)


def _first_row(rows: list[tuple[int | None, Mapping[str, Any]]], code: str) -> int | None:
    return next((n for n, r in rows if str(r.get("facility_id") or "").strip() == code), None)


def _facilities(session: Session, principal: Principal, codes: list[str]) -> dict[str, Facility]:
    if not codes:
        return {}
    query = select(Facility).where(Facility.code.in_(codes), access.facility_filter(principal))
    return {f.code: f for f in session.scalars(query)}


def _history(session: Session, facility_ids: list[int]) -> dict[str, pd.DataFrame]:
    table = ledger.latest_table(session, facility_ids)
    if table.empty:
        return {}
    table = table.sort_values(["facility_code", "period"])
    return {str(code): rows for code, rows in table.groupby("facility_code")}


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class MonthVersion:
    """One version of a facility-month, as the history lists it."""

    period: str
    version: int
    latest: bool
    so2_t: float
    nox_t: float
    pm_t: float
    source: str
    note: str | None
    reason: str | None
    recorded_by: str
    recorded_at: dt.datetime


def history(session: Session, principal: Principal, facility_code: str) -> tuple[Facility, list[MonthVersion]]:
    """A facility's ledger: every version of every month, newest month first (404/403 first)."""
    facility = access.get_facility(session, principal, facility_code, VIEW)
    rows = ledger.history(session, facility.id)
    newest: dict[int, int] = {}
    for month, version in rows:
        newest[month.id] = max(newest.get(month.id, 0), version.version)
    out = [
        MonthVersion(
            period=month.period,
            version=version.version,
            latest=version.version == newest[month.id],
            so2_t=version.so2_t,
            nox_t=version.nox_t,
            pm_t=version.pm_t,
            source=version.source,
            note=version.note,
            reason=version.reason,
            recorded_by=version.recorded_by,
            recorded_at=version.recorded_at,
        )
        for month, version in rows
    ]
    return facility, out


def latest(session: Session, principal: Principal, facility_codes: list[str] | None = None) -> pd.DataFrame:
    """The latest figures of every month in the person's scope (of these facilities when given)."""
    access.require(principal, VIEW)
    query = select(Facility.id).where(access.facility_filter(principal))
    if facility_codes is not None:
        query = query.where(Facility.code.in_(sorted(facility_codes)))
    ids = list(session.scalars(query))
    return ledger.latest_table(session, ids)
