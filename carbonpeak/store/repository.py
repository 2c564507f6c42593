"""Reading and writing the store: registry, the submission workflow, results and the audit log.

Every function takes a session inside a transaction opened by the caller (``db.transaction()``), so
a whole import or a whole workflow step commits together or not at all. Every change writes an
audit event with the state before and after.

Workflow of a facility-month: draft → submitted → verified → locked; a verifier may instead return a
submitted month (returned, 退回修改), which the enterprise answers with a correction (a new draft version)
and submits again. A correction adds a version with a reason; no version is ever changed in content or
deleted. Totals use, per facility-month,
the latest verified or locked version (or submitted, when asked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ARRAY, Select, any_, bindparam, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from carbonpeak.errors import InputError
from carbonpeak.messages import Message
from carbonpeak.plausibility import flag_messages, unexplained
from carbonpeak.store import bulk
from carbonpeak.store.models import (
    FACT_RECORD_FIELDS,
    FACT_RESULT_FIELDS,
    AuditEvent,
    Cluster,
    Enterprise,
    Facility,
    Fact,
    ParameterSnapshot,
    Park,
    Region,
    Result,
    Submission,
    SubmissionVersion,
    Upload,
    utcnow,
)
from carbonpeak.uscc import problem as uscc_problem

STATUSES = ("draft", "submitted", "returned", "verified", "locked")
# target: the status a version must have to take that step (a returned version takes none: it is answered by
# a correction, a new version)
NEXT_STATUS = {"submitted": "draft", "verified": "submitted", "returned": "submitted", "locked": "verified"}
COUNTED = ("verified", "locked")


# ---------------------------------------------------------------- audit


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(AuditEvent(actor=actor, action=action, entity=entity, entity_key=key, before=before, after=after))


def audit_trail(session: Session, key_prefix: str | None = None, limit: int = 200) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if key_prefix:
        query = query.where(AuditEvent.entity_key.startswith(key_prefix))
    return list(session.scalars(query.limit(limit)))


# ---------------------------------------------------------------- registry


def _region(session: Session, code: str) -> Region:
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise InputError(code="store.unknown_region", field="region_code", region=code)
    return region


def _created(session: Session, row: Any, actor: str, entity: str, data: dict[str, Any]) -> Any:
    """Add a registry row and audit its creation with the data it was made from."""
    session.add(row)
    session.flush()
    audit(session, actor, "create", entity, row.code, after=data)
    return row


def add_region(session: Session, data: dict[str, Any], actor: str) -> Region:
    parent = _region(session, data["parent_code"]) if data.get("parent_code") else None
    region = Region(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        level=data["level"],
        parent_id=parent.id if parent else None,
        grid_province=data.get("grid_province"),
    )
    return _created(session, region, actor, "region", data)


def add_park(session: Session, data: dict[str, Any], actor: str) -> Park:
    park = Park(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        region_id=_region(session, data["region_code"]).id,
    )
    return _created(session, park, actor, "park", data)


def add_cluster(session: Session, data: dict[str, Any], actor: str) -> Cluster:
    cluster = Cluster(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        regions=[_region(session, code) for code in data["region_codes"]],
    )
    return _created(session, cluster, actor, "cluster", data)


def add_enterprise(session: Session, data: dict[str, Any], actor: str) -> Enterprise:
    """Register an enterprise; its unified social credit code must pass the GB 32100 check."""
    wrong = uscc_problem(str(data.get("uscc", "")))
    if wrong:
        raise InputError(
            f"unified social credit code {wrong}",
            record=data.get("code"),
            field="uscc",
            value=data.get("uscc"),
            expected="18 characters with a valid check character",
        )
    fields = {
        k: data.get(k) for k in ("code", "name_zh", "name_en", "uscc", "green_factory_level", "green_factory_year")
    }
    flags = {
        k: bool(data.get(k, False))
        for k in ("state_owned", "key_energy_user", "national_carbon_market", "green_supply_chain")
    }
    enterprise = Enterprise(**fields, **flags, region_id=_region(session, data["region_code"]).id)
    return _created(session, enterprise, actor, "enterprise", _jsonable(data))


def add_facility(session: Session, data: dict[str, Any], actor: str) -> Facility:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == data["enterprise_code"]))
    if enterprise is None:
        raise InputError(
            code="store.unknown_enterprise",
            record=data.get("code"),
            field="enterprise_code",
            enterprise=data["enterprise_code"],
        )
    park = session.scalar(select(Park).where(Park.code == data["park_code"])) if data.get("park_code") else None
    facility = Facility(
        code=data["code"],
        enterprise_id=enterprise.id,
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        region_id=_region(session, data["region_code"]).id,
        park_id=park.id if park else None,
        sector=data["sector"],
        process_route=data.get("process_route", ""),
        technology=data.get("technology", ""),
        product=data.get("product", ""),
        capacity_t_per_a=data.get("capacity_t_per_a"),
        cell_amperage_ka=data.get("cell_amperage_ka"),
        commissioning_year=data.get("commissioning_year"),
        status=data.get("status", "operating"),
        status_since=_date(data.get("status_since")),
        retired_on=_date(data.get("retired_on")),
    )
    return _created(session, facility, actor, "facility", _jsonable(data))


def facilities_by_code(session: Session, codes: Iterable[str] | None = None) -> dict[str, Facility]:
    query = select(Facility)
    if codes is not None:
        query = query.where(Facility.code.in_(list(set(codes))))
    return {f.code: f for f in session.scalars(query)}


def facility_province(session: Session, facility: Facility) -> str | None:
    """The province code used for grid factors: the nearest ancestor region that names one."""
    region: Region | None = facility.region
    while region is not None:
        if region.grid_province:
            return region.grid_province
        region = session.get(Region, region.parent_id) if region.parent_id else None
    return None


# ---------------------------------------------------------------- submissions


def _chunks(items: Sequence[Any], size: int = 4000) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _among(session: Session, column: Any, values: Iterable[Any], size: int = 4000) -> list[Any]:
    """Conditions "column is one of values", one per query to run: on PostgreSQL one ``= ANY(array)``
    (one parameter, whatever the count), on SQLite ``IN`` lists of a few thousand."""
    unique = sorted(set(values))
    if not unique:
        return []
    if bulk.dialect(session) == "postgresql":
        return [column == any_(bindparam(None, unique, type_=ARRAY(column.type)))]
    return [column.in_(chunk) for chunk in _chunks(unique, size)]


def _submissions_for_update(session: Session, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Submission ids of (facility id, period) pairs, created where missing and locked for this transaction."""
    unique = sorted(set(pairs))
    session.flush()
    driver = bulk._driver(session)
    if bulk.dialect(session) == "postgresql":
        # One statement for any number of months; a concurrent import's rows are left as they are.
        with driver.cursor() as cursor:
            cursor.execute(
                "insert into submission (facility_id, period) select * from unnest(%s::int[], %s::text[]) "
                "on conflict do nothing",
                ([f for f, _ in unique], [p for _, p in unique]),
            )
    else:
        cursor = driver.cursor()
        try:
            cursor.executemany("insert or ignore into submission (facility_id, period) values (?, ?)", unique)
        finally:
            cursor.close()
    ids: dict[tuple[int, str], int] = {}
    facility_ids = sorted({f for f, _ in unique})
    periods = sorted({p for _, p in unique})
    wanted = set(unique)
    for among in _among(session, Submission.facility_id, facility_ids, 2000):
        query = (
            select(Submission.id, Submission.facility_id, Submission.period)
            .where(among, Submission.period.in_(periods))
            .order_by(Submission.id)
            .with_for_update()
        )
        for sid, fid, period in session.execute(query):
            if (fid, period) in wanted:
                ids[(fid, period)] = sid
    return ids


def latest_versions(session: Session, submission_ids: Sequence[int]) -> dict[int, SubmissionVersion]:
    """The latest version of each submission, in one query per few thousand submissions."""
    out: dict[int, SubmissionVersion] = {}
    for among in _among(session, SubmissionVersion.submission_id, submission_ids):
        newest = (
            select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
            .where(among)
            .group_by(SubmissionVersion.submission_id)
            .subquery()
        )
        query = select(SubmissionVersion).join(
            newest,
            (newest.c.submission_id == SubmissionVersion.submission_id)
            & (newest.c.version == SubmissionVersion.version),
        )
        out.update({v.submission_id: v for v in session.scalars(query)})
    return out


def latest_of_months(session: Session, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], SubmissionVersion]:
    """The latest version of each (facility id, period) that has one; nothing is created or locked."""
    wanted = set(pairs)
    ids: dict[int, tuple[int, str]] = {}
    periods = sorted({p for _, p in wanted})
    for among in _among(session, Submission.facility_id, {f for f, _ in wanted}, 2000):
        query = select(Submission.id, Submission.facility_id, Submission.period).where(
            among, Submission.period.in_(periods)
        )
        for sid, fid, period in session.execute(query):
            if (fid, period) in wanted:
                ids[sid] = (fid, period)
    return {ids[sid]: version for sid, version in latest_versions(session, list(ids)).items()}


def latest_figures(session: Session, months: Sequence[tuple[int, str]]) -> pd.DataFrame:
    """The figures the plausibility gate compares with (output, AC power to electrolysis, energy) of the
    latest version of each (facility id, period) that has one, read from the facts table: columns
    facility (id), period, output_t, electrolysis_ac_mwh, energy_tce."""
    wanted = set(months)
    columns = ["facility", "period", "version", "output_t", "electrolysis_ac_mwh", "energy_tce"]
    rows: list[Any] = []
    periods = sorted({p for _, p in wanted})
    if not wanted:
        return pd.DataFrame(columns=columns[:2] + columns[3:])
    fact = Fact.__table__.c
    for among in _among(session, fact.facility_id, {f for f, _ in wanted}, 2000):
        query = select(
            fact.facility_id, fact.period, fact.version, fact.output_t, fact.electrolysis_ac_mwh, fact.energy_tce
        ).where(among, fact.period.in_(periods))
        rows.extend(row for row in session.execute(query) if (row[0], row[1]) in wanted)
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values("version").drop_duplicates(["facility", "period"], keep="last")
    return frame.drop(columns="version").reset_index(drop=True)


def latest_version(session: Session, submission: Submission) -> SubmissionVersion | None:
    return latest_versions(session, [submission.id]).get(submission.id)


def check_can_receive(latest: SubmissionVersion | None, *, correction: bool) -> Message | None:
    """Why a new (non-correction) version may not be added (a coded message: ``InputError(refusal, ...)``), or None
    when it may."""
    if latest is None or latest.status == "draft" or correction:
        return None
    if latest.status == "locked":
        return Message("submission.period_locked")
    if latest.status == "returned":
        return Message("submission.period_returned")
    return Message("submission.period_already", status=Message(f"submission.status.{latest.status}"))


@dataclass(slots=True, eq=False)
class SavedVersion:
    """A version as written by :func:`save_versions`: the columns of a ``SubmissionVersion`` row without
    an ORM object (an import of 100,000 months builds none). ``transition_many``, results and reports
    take it wherever they take a ``SubmissionVersion``."""

    id: int
    submission_id: int
    version: int
    status: str
    record: dict[str, Any]
    reason: str | None = None
    upload_id: int | None = None
    created_by: str = ""
    created_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    verified_by: str | None = None
    locked_at: dt.datetime | None = None
    verified_at: dt.datetime | None = None
    opinion: str | None = None
    returned_by: str | None = None
    returned_at: dt.datetime | None = None
    returned_reason: str | None = None
    flags: list[Any] | None = None  # the plausibility gate's warnings on the version


def _latest_saved(session: Session, submission_ids: Sequence[int]) -> dict[int, SavedVersion]:
    """The latest version of each submission as plain rows (what a new version needs to know)."""
    out: dict[int, SavedVersion] = {}
    table = SubmissionVersion.__table__
    for among in _among(session, table.c.submission_id, submission_ids):
        newest = (
            select(table.c.submission_id, func.max(table.c.version).label("version"))
            .where(among)
            .group_by(table.c.submission_id)
            .subquery()
        )
        query = select(
            table.c.id,
            table.c.submission_id,
            table.c.version,
            table.c.status,
            table.c.record,
            table.c.reason,
            table.c.flags,
        ).join(newest, (newest.c.submission_id == table.c.submission_id) & (newest.c.version == table.c.version))
        for vid, sid, number, status, record, reason, flags in session.execute(query):
            out[sid] = SavedVersion(vid, sid, number, status, record, reason, flags=flags)
    return out


@dataclass(slots=True)
class LockedMonths:
    """Facility-months locked for the current transaction, with each one's latest version as it stands
    under the lock (what a concurrent import committed before is seen here)."""

    ids: dict[tuple[int, str], int]  # (facility id, period) -> submission id
    latest: dict[int, SavedVersion]  # submission id -> latest version

    def latest_of(self, facility_id: int, period: str) -> SavedVersion | None:
        sid = self.ids.get((facility_id, period))
        return self.latest.get(sid) if sid is not None else None


def lock_months(session: Session, pairs: Sequence[tuple[int, str]]) -> LockedMonths:
    """Lock (facility id, period) months for this transaction, creating the missing ones, and read their latest
    versions under the lock: two imports of the same month decide one after the other (a row lock on
    PostgreSQL; on SQLite the transaction holds the write lock)."""
    ids = _submissions_for_update(session, pairs)
    return LockedMonths(ids, _latest_saved(session, list(ids.values())))


def _fact_numbers(records: Sequence[dict[str, Any]], names: Sequence[str]) -> list[list[float | None]]:
    """Per name, the records' values as floats for the typed facts columns (None: absent, text or NaN)."""
    out = []
    for name in names:
        column = pd.to_numeric(pd.Series([r.get(name) for r in records], dtype=object), errors="coerce")
        numbers = column.to_numpy(dtype=float, na_value=np.nan)
        out.append(np.where(np.isnan(numbers), None, numbers).tolist())
    return out


FACT_COLUMNS = (
    "version_id",
    "submission_id",
    "facility_id",
    "period",
    "version",
    "status",
    "metering",
    "held",
    *FACT_RECORD_FIELDS,
)
_VERSION_COLUMNS = (
    "id",
    "submission_id",
    "version",
    "status",
    "record",
    "reason",
    "upload_id",
    "created_by",
    "created_at",
    "flags",
)
_AUDIT_COLUMNS = ("actor", "action", "entity", "entity_key", "before", "after", "at")


def save_versions(
    session: Session,
    items: Sequence[tuple[Facility, str, dict[str, Any]]],
    actor: str,
    *,
    reason: str | None = None,
    upload_id: int | None = None,
    actors: Sequence[str] | None = None,
    reasons: Sequence[str | None] | None = None,
    locked: LockedMonths | None = None,
    flags: Sequence[list[dict[str, Any]] | None] | None = None,
) -> list[SavedVersion]:
    """Add a draft version to each (facility, period, record); a correction when ``reason`` is given.

    ``actors`` and ``reasons`` give one per item instead (loading history recorded elsewhere). ``flags``:
    per item, the plausibility gate's warnings (stored on the version; its facts row is then ``held``).

    Set-based: a few statements for any number of rows (bulk inserts; COPY on PostgreSQL), and each
    version's row of the facts table with it. Each facility-month is locked for the transaction, so
    concurrent imports of the same month number their versions without loss. ``locked`` is what
    :func:`lock_months` returned for these months earlier in the same transaction.
    """
    if reason is not None and not reason.strip():
        raise InputError(code="submission.correction_needs_reason", field="reason")
    if locked is None:  # else the caller locked the months already (lock_months) in this transaction
        locked = lock_months(session, [(f.id, p) for f, p, _ in items])
    ids, latest = locked.ids, dict(locked.latest)
    version_ids = bulk.reserve_ids(session, SubmissionVersion.__table__, len(items))
    now = utcnow()
    rows, facts, audits, saved = [], [], [], []
    next_number: dict[int, int] = {}
    who_list = list(actors) if actors is not None else [actor] * len(items)
    why_list = list(reasons) if reasons is not None else [reason] * len(items)
    flag_list = [list(f) if f else None for f in flags] if flags is not None else [None] * len(items)
    for (facility, period, record), who, why, vid, flagged in zip(
        items, who_list, why_list, version_ids, flag_list, strict=True
    ):
        sid = ids[(facility.id, period)]
        previous = latest.get(sid)
        refusal = check_can_receive(previous, correction=why is not None)  # type: ignore[arg-type]
        if refusal:
            raise InputError(refusal, record=f"{facility.code}@{period}", field="period", value=period)
        number = next_number.get(sid, previous.version if previous else 0) + 1
        next_number[sid] = number
        rows.append((vid, sid, number, "draft", record, why, upload_id, who, now, flagged))
        facts.append((vid, sid, facility.id, period, number, "draft", _metering(record), flagged is not None))
        audits.append(
            (
                who,
                "correct" if why else "save",
                "submission",
                f"{facility.code}@{period}",
                _version_state(previous),  # type: ignore[arg-type]
                {
                    "version": number,
                    "status": "draft",
                    "reason": why,
                    "record": record,
                    **({"flags": flagged} if flagged else {}),  # the plausibility warnings it was saved with
                },
                now,
            )
        )
        version = SavedVersion(vid, sid, number, "draft", record, why, upload_id, who, now, flags=flagged)
        saved.append(version)
        latest[sid] = version  # a second row of the same month in one call follows the first
    bulk.insert_rows(session, SubmissionVersion.__table__, _VERSION_COLUMNS, rows)
    numbers = _fact_numbers([record for _f, _p, record in items], FACT_RECORD_FIELDS)
    facts = [(*head, *values) for head, *values in zip(facts, *numbers, strict=True)]
    bulk.insert_rows(session, Fact.__table__, FACT_COLUMNS, facts)
    bulk.insert_rows(session, AuditEvent.__table__, _AUDIT_COLUMNS, audits)
    return saved


def _metering(record: dict[str, Any]) -> str | None:
    metering = record.get("metering")
    return metering if isinstance(metering, str) else None


def save_version(
    session: Session,
    facility: Facility,
    period: str,
    record: dict[str, Any],
    actor: str,
    *,
    reason: str | None = None,
    upload_id: int | None = None,
    flags: list[dict[str, Any]] | None = None,
) -> SubmissionVersion:
    """Add a draft version of one facility-month (a correction when ``reason`` is given)."""
    saved = save_versions(
        session, [(facility, period, record)], actor, reason=reason, upload_id=upload_id, flags=[flags]
    )[0]
    version = session.get(SubmissionVersion, saved.id)
    assert version is not None
    return version


def _audit_many(session: Session, rows: list[dict[str, Any]]) -> None:
    bulk.insert_rows(
        session, AuditEvent.__table__, _AUDIT_COLUMNS, [tuple(row[c] for c in _AUDIT_COLUMNS) for row in rows]
    )


_ACTION = {"submitted": "submit", "verified": "verify", "returned": "return", "locked": "lock"}
# the columns a step stamps: who, when, and the text it takes (the verifier's opinion, the reason of a return)
_STAMPS: dict[str, dict[str, str]] = {
    "submitted": {"at": "submitted_at"},
    "verified": {"by": "verified_by", "at": "verified_at", "note": "opinion"},
    "returned": {"by": "returned_by", "at": "returned_at", "note": "returned_reason"},
    "locked": {"at": "locked_at"},
}
_NOTE_KEY = {"verified": "opinion", "returned": "reason"}  # how the audit log names the step's text
# The same steps, stamps and audit actions serve the other versioned monthly report, the scrap intake ledger
# (carbonpeak.store.recycling.repository): one workflow, not a second one.
WORKFLOW_STAMPS, WORKFLOW_ACTIONS, WORKFLOW_NOTE_KEYS = _STAMPS, _ACTION, _NOTE_KEY


def step_refusal(status: str, version: int, target: str) -> Message | None:
    """Why a version in ``status`` may not take the step to ``target`` (a coded message), or None."""
    required = NEXT_STATUS[target]
    if status == required:
        return None
    return Message("submission.step_refused", version=version, **_statuses(status, required, target))


def transition_many(
    session: Session,
    versions: Sequence[SubmissionVersion | SavedVersion],
    target: str,
    actor: str,
    *,
    at: Sequence[dt.datetime | None] | None = None,
    note: str | None = None,
) -> None:
    """Move versions one workflow step (each must be the latest of its month and in the step before).

    ``note`` is the text the step records: the verification opinion (核查意见) or the reason a month is
    returned (退回修改). The use cases require it; the store records what it is given.

    Column-wise: one bulk update of the versions, of their facts rows and one bulk insert of audit events.
    """
    if target not in NEXT_STATUS:
        raise InputError(code="submission.unknown_step", field="status", value=target)
    stamps = list(at) if at is not None else [None] * len(versions)
    if len(stamps) != len(versions):
        raise ValueError("one time stamp per version")
    keys = _version_keys(session, [v.id for v in versions])
    for version in versions:
        if target == "submitted" and unexplained(version.flags, version.record):
            raise InputError(
                code="plausibility.unexplained",
                record=keys[version.id],
                field="explanation",
                warnings=flag_messages(version.flags or []),
            )
        refusal = step_refusal(version.status, version.version, target)
        if refusal is not None:
            raise InputError(refusal, record=keys[version.id], field="status")
    now = utcnow()
    columns = _STAMPS[target]
    names = ["status", *columns.values()]
    updates, audits = [], []
    for version, stamp in zip(versions, stamps, strict=True):
        when = stamp or now
        values = {"by": actor, "at": when, "note": note}
        updates.append((version.id, target, *(values[role] for role in columns)))
        after: dict[str, Any] = {"version": version.version, "status": target}
        if target in _NOTE_KEY:
            after[_NOTE_KEY[target]] = note
        audits.append(
            (
                actor,
                _ACTION[target],
                "submission",
                keys[version.id],
                {"version": version.version, "status": version.status},
                after,
                when,
            )
        )
    bulk.update_rows(session, SubmissionVersion.__table__, "id", names, updates)
    bulk.update_rows(session, Fact.__table__, "version_id", ["status"], [(v.id, target) for v in versions])
    bulk.insert_rows(session, AuditEvent.__table__, _AUDIT_COLUMNS, audits)
    for version, (_id, *values) in zip(versions, updates, strict=True):
        # The objects the caller holds say what the database now says (ORM objects without a flush).
        for name, value in zip(names, values, strict=True):
            if hasattr(version, "_sa_instance_state"):
                set_committed_value(version, name, value)
            else:
                setattr(version, name, value)


def _statuses(status: str, required: str, target: str) -> dict[str, Message]:
    """The workflow statuses of a refused step, named in the reader's language."""
    names = {"status": status, "required": required, "target": target}
    return {k: Message(f"submission.status.{v}") for k, v in names.items()}


def _version_keys(session: Session, version_ids: Sequence[int]) -> dict[int, str]:
    """ "facility@period" of each version id, in one query per few thousand versions."""
    out: dict[int, str] = {}
    for among in _among(session, SubmissionVersion.id, version_ids):
        query = (
            select(SubmissionVersion.id, Facility.code, Submission.period)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .join(Facility, Facility.id == Submission.facility_id)
            .where(among)
        )
        out.update({vid: f"{code}@{period}" for vid, code, period in session.execute(query)})
    return out


def transition(
    session: Session,
    facility_code: str,
    period: str,
    target: str,
    actor: str,
    *,
    at: dt.datetime | None = None,
    note: str | None = None,
) -> SubmissionVersion:
    """Move the latest version of a facility-month one step: submit, verify, return or lock."""
    facility = _facility(session, facility_code)
    ids = _submissions_for_update(session, [(facility.id, period)])
    latest = latest_versions(session, list(ids.values())).get(ids[(facility.id, period)])
    if latest is None:
        raise InputError(code="submission.nothing_reported", record=f"{facility_code}@{period}", field="period")
    transition_many(session, [latest], target, actor, at=[at], note=note)
    return latest


def _facility(session: Session, code: str) -> Facility:
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise InputError(code="store.unknown_facility", field="facility_id", facility=code)
    return facility


def versions_of(session: Session, facility_code: str, period: str) -> list[SubmissionVersion]:
    facility = _facility(session, facility_code)
    submission = session.scalar(
        select(Submission).where(Submission.facility_id == facility.id, Submission.period == period)
    )
    return list(submission.versions) if submission else []


def latest_versions_query() -> Select[tuple[Submission, SubmissionVersion]]:
    """(submission, latest version) of every month, joined to its facility: callers add their filters.

    The latest version is looked up per month (a correlated ``max`` on the unique index (submission,
    version)), so a query for one facility or year reads those months only; a grouped subquery of every
    version made each such query scan the whole province's versions (30 ms at 40,000 months)."""
    newer = aliased(SubmissionVersion)
    newest = (
        select(func.max(newer.version))
        .where(newer.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    return (
        select(Submission, SubmissionVersion)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == newest),
        )
        .join(Facility, Facility.id == Submission.facility_id)
    )


def list_submissions(
    session: Session,
    *,
    facility_code: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    status: str | None = None,
) -> list[tuple[Submission, SubmissionVersion]]:
    """(submission, latest version) pairs matching the filters, ordered by facility and period."""
    query = latest_versions_query().order_by(Facility.code, Submission.period)
    if facility_code:
        query = query.where(Facility.code == facility_code)
    if period_from:
        query = query.where(Submission.period >= period_from)
    if period_to:
        query = query.where(Submission.period <= period_to)
    if status:
        query = query.where(SubmissionVersion.status == status)
    return [(s, v) for s, v in session.execute(query).all()]


def counted_versions(
    session: Session, *, include_submitted: bool = False, facility_codes: Sequence[str] | None = None
) -> list[SubmissionVersion]:
    """Per facility-month, the version that counts in totals: the latest verified or locked one."""
    statuses = (*COUNTED, "submitted") if include_submitted else COUNTED
    best = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .where(SubmissionVersion.status.in_(statuses))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    query = select(SubmissionVersion).join(
        best, (best.c.submission_id == SubmissionVersion.submission_id) & (best.c.version == SubmissionVersion.version)
    )
    if facility_codes is not None:
        query = query.join(Submission).join(Facility).where(Facility.code.in_(list(facility_codes)))
    return list(session.scalars(query))


# ---------------------------------------------------------------- uploads and results


def store_upload(session: Session, filename: str, content: bytes, actor: str, rows: int) -> Upload:
    upload = Upload(
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        content=content,
        uploaded_by=actor,
        rows=rows,
    )
    session.add(upload)
    session.flush()
    audit(
        session,
        actor,
        "upload",
        "upload",
        upload.sha256,
        after={"filename": filename, "size_bytes": len(content), "rows": rows},
    )
    return upload


def fingerprint(parameters: list[dict[str, Any]]) -> str:
    """A hash of the parameter values (with their validity and source) a result used."""
    canonical = json.dumps(
        sorted(parameters, key=lambda p: json.dumps(p, sort_keys=True, default=str)), sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot_parameters(session: Session, parameters: list[dict[str, Any]]) -> str:
    """Keep a set of cited parameter values once, by fingerprint; results refer to it."""
    print_ = fingerprint(parameters)
    if session.get(ParameterSnapshot, print_) is None:
        session.add(ParameterSnapshot(fingerprint=print_, parameters=parameters))
        session.flush()
    return print_


_RESULT_COLUMNS = (
    "id",
    "version_id",
    "method",
    "parameter_fingerprint",
    "values",
    "computed_at",
    "total_location_tco2e",
    "total_market_tco2e",
    "energy_tce",
)


def record_results(
    session: Session, rows: Sequence[tuple[SubmissionVersion | SavedVersion, str, dict[str, Any], str]], actor: str
) -> int:
    """Store (version, method, values, parameter fingerprint) results, skipping any version that already
    has a result computed with the same parameter values. Returns how many were added.

    Each new result also becomes the result columns of its version's facts row (the latest result wins)."""
    existing: set[tuple[int, str]] = set()
    for among in _among(session, Result.version_id, [v.id for v, *_ in rows]):
        existing.update(session.execute(select(Result.version_id, Result.parameter_fingerprint).where(among)).all())
    new = [(v, m, values, fp) for v, m, values, fp in rows if (v.id, fp) not in existing]
    now = utcnow()
    result_ids = bulk.reserve_ids(session, Result.__table__, len(new))
    inserted, audits = [], []
    for rid, (v, m, values, fp) in zip(result_ids, new, strict=True):
        inserted.append(
            (
                rid,
                v.id,
                m,
                fp,
                values,
                now,
                values["total_location_tco2e"],
                values["total_market_tco2e"],
                values["energy_tce"],
            )
        )
        audits.append(
            (
                actor,
                "compute",
                "result",
                f"version:{v.id}",
                None,
                {"fingerprint": fp, "total_location_tco2e": values["total_location_tco2e"]},
                now,
            )
        )
    numbers = _fact_numbers([values for _v, _m, values, _fp in new], FACT_RESULT_FIELDS)
    facts = [(v.id, rid, *values) for (v, *_rest), rid, *values in zip(new, result_ids, *numbers, strict=True)]
    bulk.insert_rows(session, Result.__table__, _RESULT_COLUMNS, inserted)
    bulk.update_rows(session, Fact.__table__, "version_id", ["result_id", *FACT_RESULT_FIELDS], facts)
    bulk.insert_rows(session, AuditEvent.__table__, _AUDIT_COLUMNS, audits)
    return len(new)


def without_result(session: Session, version_ids: Sequence[int]) -> set[int]:
    """The versions among ``version_ids`` that have no result yet (their facts row has no ``result_id``)."""
    out: set[int] = set()
    for among in _among(session, Fact.version_id, version_ids):
        out.update(session.scalars(select(Fact.version_id).where(among, Fact.result_id.is_(None))))
    return out


def results_of(session: Session, version: SubmissionVersion) -> list[Result]:
    return list(session.scalars(select(Result).where(Result.version_id == version.id).order_by(Result.id)))


# ---------------------------------------------------------------- helpers


def _version_state(version: SubmissionVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"version": version.version, "status": version.status, "reason": version.reason, "record": version.record}


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=str))
