"""Reading and writing the store: registry, the submission workflow, results and the audit log.

Every function takes a session inside a transaction opened by the caller (``db.transaction()``), so
a whole import or a whole workflow step commits together or not at all. Every change writes an
audit event with the state before and after.

Workflow of a facility-month: draft → submitted → verified → locked. A correction adds a version
with a reason; no version is ever changed in content or deleted. Totals use, per facility-month,
the latest verified or locked version (or submitted, when asked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.store.models import (
    AuditEvent,
    Cluster,
    Enterprise,
    Facility,
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

STATUSES = ("draft", "submitted", "verified", "locked")
NEXT_STATUS = {"submitted": "draft", "verified": "submitted", "locked": "verified"}  # target: required current
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
        raise InputError("unknown region", field="region_code", value=code, expected="a region in the registry")
    return region


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
    session.add(region)
    session.flush()
    audit(session, actor, "create", "region", region.code, after=data)
    return region


def add_park(session: Session, data: dict[str, Any], actor: str) -> Park:
    park = Park(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        region_id=_region(session, data["region_code"]).id,
    )
    session.add(park)
    session.flush()
    audit(session, actor, "create", "park", park.code, after=data)
    return park


def add_cluster(session: Session, data: dict[str, Any], actor: str) -> Cluster:
    cluster = Cluster(
        code=data["code"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        regions=[_region(session, code) for code in data["region_codes"]],
    )
    session.add(cluster)
    session.flush()
    audit(session, actor, "create", "cluster", cluster.code, after=data)
    return cluster


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
    session.add(enterprise)
    session.flush()
    audit(session, actor, "create", "enterprise", enterprise.code, after=_jsonable(data))
    return enterprise


def add_facility(session: Session, data: dict[str, Any], actor: str) -> Facility:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == data["enterprise_code"]))
    if enterprise is None:
        raise InputError(
            "unknown enterprise", record=data.get("code"), field="enterprise_code", value=data["enterprise_code"]
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
    session.add(facility)
    session.flush()
    audit(session, actor, "create", "facility", facility.code, after=_jsonable(data))
    return facility


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


def _submission_for_update(session: Session, facility: Facility, period: str) -> Submission:
    """The submission row of a facility-month, created if needed and locked for this transaction."""
    table = Submission.__table__
    insert = pg_insert if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(table).values(facility_id=facility.id, period=period).on_conflict_do_nothing())
    submission = session.scalars(
        select(Submission).where(Submission.facility_id == facility.id, Submission.period == period).with_for_update()
    ).one()
    return submission


def latest_version(session: Session, submission: Submission) -> SubmissionVersion | None:
    return session.scalars(
        select(SubmissionVersion)
        .where(SubmissionVersion.submission_id == submission.id)
        .order_by(SubmissionVersion.version.desc())
        .limit(1)
    ).first()


def check_can_receive(latest: SubmissionVersion | None, *, correction: bool) -> str | None:
    """Why a new (non-correction) version may not be added, or None when it may."""
    if latest is None or latest.status == "draft" or correction:
        return None
    if latest.status == "locked":
        return "the period is locked; a change needs a correction with a reason (submissions correct)"
    return f"the period is already {latest.status}; a change needs a correction with a reason (submissions correct)"


def save_version(
    session: Session,
    facility: Facility,
    period: str,
    record: dict[str, Any],
    actor: str,
    *,
    reason: str | None = None,
    upload_id: int | None = None,
) -> SubmissionVersion:
    """Add a draft version of a facility-month (a correction when ``reason`` is given)."""
    submission = _submission_for_update(session, facility, period)
    latest = latest_version(session, submission)
    refusal = check_can_receive(latest, correction=reason is not None)
    if refusal:
        raise InputError(refusal, record=f"{facility.code}@{period}", field="period", value=period)
    if reason is not None and not reason.strip():
        raise InputError("a correction needs a reason", record=f"{facility.code}@{period}", field="reason")
    version = SubmissionVersion(
        submission_id=submission.id,
        version=(latest.version + 1) if latest else 1,
        status="draft",
        record=record,
        reason=reason,
        upload_id=upload_id,
        created_by=actor,
    )
    session.add(version)
    session.flush()
    audit(
        session,
        actor,
        "correct" if reason else "save",
        "submission",
        f"{facility.code}@{period}",
        before=_version_state(latest),
        after=_version_state(version),
    )
    return version


def transition(
    session: Session, facility_code: str, period: str, target: str, actor: str, *, at: dt.datetime | None = None
) -> SubmissionVersion:
    """Move the latest version of a facility-month one step: submit, verify or lock."""
    if target not in NEXT_STATUS:
        raise InputError("unknown workflow step", field="status", value=target, expected="submitted, verified, locked")
    facility = _facility(session, facility_code)
    submission = _submission_for_update(session, facility, period)
    latest = latest_version(session, submission)
    key = f"{facility_code}@{period}"
    if latest is None:
        raise InputError("nothing has been reported for this facility and month", record=key, field="period")
    required = NEXT_STATUS[target]
    if latest.status != required:
        raise InputError(
            f"version {latest.version} is {latest.status}; only a {required} version can become {target}",
            record=key,
            field="status",
            value=latest.status,
        )
    before = _version_state(latest)
    now = at or utcnow()
    latest.status = target
    if target == "submitted":
        latest.submitted_at = now
    elif target == "verified":
        latest.verified_by = actor
    else:
        latest.locked_at = now
    session.flush()
    audit(session, actor, _ACTION[target], "submission", key, before=before, after=_version_state(latest))
    return latest


_ACTION = {"submitted": "submit", "verified": "verify", "locked": "lock"}


def _facility(session: Session, code: str) -> Facility:
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise InputError("unknown facility", field="facility_id", value=code, expected="a facility in the registry")
    return facility


def versions_of(session: Session, facility_code: str, period: str) -> list[SubmissionVersion]:
    facility = _facility(session, facility_code)
    submission = session.scalar(
        select(Submission).where(Submission.facility_id == facility.id, Submission.period == period)
    )
    return list(submission.versions) if submission else []


def list_submissions(
    session: Session,
    *,
    facility_code: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    status: str | None = None,
) -> list[tuple[Submission, SubmissionVersion]]:
    """(submission, latest version) pairs matching the filters, ordered by facility and period."""
    newest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    query = (
        select(Submission, SubmissionVersion)
        .join(newest, newest.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == newest.c.version),
        )
        .join(Facility, Facility.id == Submission.facility_id)
        .order_by(Facility.code, Submission.period)
    )
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


def record_result(
    session: Session,
    version: SubmissionVersion,
    method: str,
    values: dict[str, Any],
    parameter_fingerprint: str,
    actor: str,
) -> Result | None:
    """Store a result unless one computed with the same parameter values exists for this version."""
    exists = session.scalar(
        select(Result.id).where(Result.version_id == version.id, Result.parameter_fingerprint == parameter_fingerprint)
    )
    if exists is not None:
        return None
    result = Result(
        version_id=version.id,
        method=method,
        parameter_fingerprint=parameter_fingerprint,
        values=values,
        total_location_tco2e=values["total_location_tco2e"],
        total_market_tco2e=values["total_market_tco2e"],
        energy_tce=values["energy_tce"],
    )
    session.add(result)
    session.flush()
    audit(
        session,
        actor,
        "compute",
        "result",
        f"version:{version.id}",
        after={"fingerprint": parameter_fingerprint, "total_location_tco2e": values["total_location_tco2e"]},
    )
    return result


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
