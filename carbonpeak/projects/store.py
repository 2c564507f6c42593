"""Project records in the store: register, correct, link to a facility once built, review, and compare what
was measured with what was approved.

Every function takes a session inside a transaction opened by the caller (``db.transaction()``): a whole
file of projects is registered together or not at all. Every change writes an audit event (entity
``project``, key the project's code) with the state before and after.

Versions, not overwrites
    A project's record is kept as the canonical JSON of the validated record
    (:class:`carbonpeak.projects.model.Project`) in :class:`~carbonpeak.store.models.ProjectVersion`; a
    correction adds a version with its reason. The columns one queries on (province, sector, kind,
    capacity...) are those of the current version.

Stored reviews
    :func:`review_stored` reviews the current version (:func:`carbonpeak.projects.review.review_project`)
    and keeps the whole outcome: every rule with its reason, declared and required values and citations,
    the classification and the rule that made it, and the parameter values used as a snapshot
    (:func:`carbonpeak.store.repository.snapshot_parameters`). A review names the version it reviewed;
    after a correction it is shown as a review of an earlier version.

Measured against approved
    :func:`measured_vs_approved` reads the counted facility-months of the linked facility
    (:func:`carbonpeak.store.facts.facility_months`) for a year and hands them to the pure
    :func:`compare_measured`. Definitions there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.engine.energy import unit_consumption
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.parameters import Cited, ParameterSet, PeriodLike, load
from carbonpeak.projects.model import Indicator, collect_projects, parse_project
from carbonpeak.projects.model import Project as ProjectRecord
from carbonpeak.projects.review import ProjectReview, review_project
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, Facility, ProjectReviewRun, ProjectVersion, Upload
from carbonpeak.store.models import Project as ProjectRow

__all__ = [
    "ENTITY",
    "STATUSES",
    "IndicatorComparison",
    "MeasuredVsApproved",
    "ProjectSummary",
    "Registration",
    "TotalComparison",
    "canonical_record",
    "compare_measured",
    "correct_project",
    "get_project",
    "link_facility",
    "list_projects",
    "measured_vs_approved",
    "project_history",
    "register_file",
    "register_projects",
    "review_stored",
]

ENTITY = "project"
STATUSES = ("planned", "built")  # built: linked to the registry facility that measures it
# Column widths of the project table (PostgreSQL enforces them; a record is checked before it is written).
_WIDTHS = {"id": 100, "name_zh": 300, "name_en": 300, "enterprise": 300, "product": 60}

# How each indicator is measured from a facility's counted months: numerator column of the facts table,
# scale to the indicator's unit per t of output, the numerator's unit, and the formula in words.
_MEASURE: dict[Indicator, tuple[str, float, str, str]] = {
    Indicator.COMPREHENSIVE_ENERGY: ("energy_tce", 1000.0, "tce", "Σ energy_tce × 1000 / Σ output_t"),
    Indicator.AC_POWER_LIQUID_ALUMINIUM: (
        "electrolysis_ac_mwh",
        1000.0,
        "MWh",
        "Σ electrolysis_ac_mwh × 1000 / Σ output_t",
    ),
}


# ---------------------------------------------------------------- records


def canonical_record(project: ProjectRecord) -> dict[str, Any]:
    """The validated record as plain JSON (fields left out are not written; reading it back gives the same)."""
    data: dict[str, Any] = project.model_dump(mode="json", exclude_none=True)
    return data


def _sha256(record: dict[str, Any]) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _width_problems(project: ProjectRecord, file: str | None) -> list[InputError]:
    values = {
        "id": project.id,
        "name_zh": project.name_zh,
        "name_en": project.name_en,
        "enterprise": project.enterprise,
        "product": project.product,
    }
    return [
        InputError(
            "too long to store", file=file, record=project.id, field=name, expected=f"at most {width} characters"
        )
        for name, width in _WIDTHS.items()
        if len(values[name]) > width
    ]


def _columns(project: ProjectRecord) -> dict[str, Any]:
    return {
        "name_zh": project.name_zh,
        "name_en": project.name_en,
        "enterprise": project.enterprise,
        "province": project.site.province,
        "sector": project.sector.value,
        "product": project.product,
        "kind": project.kind.value,
        "capacity_t_per_a": project.capacity_t_per_a,
        "net_new_capacity_t_per_a": project.net_new_capacity_t_per_a,
        "in_key_air_pollution_area": project.in_key_air_pollution_area,
        "planned_start": project.planned_start,
    }


def _row(session: Session, code: str, field_name: str = "code", *, for_update: bool = False) -> ProjectRow:
    """The project row of ``code``; ``for_update`` locks it for the transaction (two corrections of one project
    then number their versions one after the other)."""
    query = select(ProjectRow).where(ProjectRow.code == code)
    row = session.scalar(query.with_for_update() if for_update else query)
    if row is None:
        raise InputError(
            "unknown project",
            field=field_name,
            value=code,
            expected="the id of a registered project (carbonpeak projects list)",
        )
    return row


def _version(session: Session, row: ProjectRow, number: int | None = None) -> ProjectVersion:
    version = session.scalar(
        select(ProjectVersion).where(
            ProjectVersion.project_id == row.id, ProjectVersion.version == (number or row.current_version)
        )
    )
    assert version is not None  # a project row is always written with its first version
    return version


def get_project(session: Session, code: str) -> ProjectRecord:
    """The current version of a stored project, as a validated record."""
    return parse_project(_version(session, _row(session, code)).record)


def _upload_id(session: Session, content: bytes | None, filename: str | None, actor: str, rows: int) -> int | None:
    if content is None:
        return None
    return repo.store_upload(session, filename or "projects", content, actor, rows=rows).id


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Registration:
    """What happened to one project of a file: ``registered`` (version 1) or ``unchanged`` (already stored,
    identical to its current version)."""

    code: str
    version: int
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "version": self.version, "action": self.action}


def register_projects(
    session: Session,
    projects: Sequence[ProjectRecord],
    actor: str,
    *,
    file: str | None = None,
    content: bytes | None = None,
    errors: Sequence[InputError] = (),
) -> list[Registration]:
    """Register validated projects, all or none.

    A project whose id is already stored with an identical record is left as it is (``unchanged``); with a
    different record it is refused (a change is a correction, :func:`correct_project`). ``errors`` are the
    problems already found in the file (:func:`carbonpeak.projects.model.collect_projects`): they are
    reported with those found here, in one :class:`~carbonpeak.errors.ValidationFailed`, and nothing is
    written. ``content`` (the file's bytes) is kept as evidence, named ``file``.
    """
    problems = list(errors)
    existing = {
        row.code: row
        for row in session.scalars(select(ProjectRow).where(ProjectRow.code.in_([p.id for p in projects])))
    }
    plan: list[tuple[ProjectRecord, dict[str, Any], str]] = []
    seen: set[str] = set()
    for project in projects:
        if project.id in seen:
            if not any(e.record == project.id and e.field == "id" for e in problems):
                problems.append(
                    InputError("project id used twice", file=file, record=project.id, field="id", value=project.id)
                )
            continue
        seen.add(project.id)
        problems.extend(_width_problems(project, file))
        record = canonical_record(project)
        digest = _sha256(record)
        row = existing.get(project.id)
        if row is not None:
            current = _version(session, row)
            if current.sha256 != digest:
                problems.append(
                    InputError(
                        f"already registered (version {row.current_version}) with a different record",
                        file=file,
                        record=project.id,
                        field="id",
                        value=project.id,
                        expected=f"a correction with its reason: carbonpeak projects correct {project.id} FILE "
                        "--reason '...'",
                    )
                )
            continue
        plan.append((project, record, digest))
    if problems:
        raise ValidationFailed(problems, file=file)
    upload_id = _upload_id(session, content, Path(file).name if file else None, actor, len(projects)) if plan else None
    out: list[Registration] = []
    for project in projects:
        if project.id in existing:
            out.append(Registration(project.id, existing[project.id].current_version, "unchanged"))
    for project, record, digest in plan:
        row = ProjectRow(code=project.id, current_version=1, status="planned", created_by=actor, **_columns(project))
        session.add(row)
        session.flush()
        session.add(
            ProjectVersion(
                project_id=row.id,
                version=1,
                record=record,
                sha256=digest,
                upload_id=upload_id,
                created_by=actor,
            )
        )
        repo.audit(
            session,
            actor,
            "register",
            ENTITY,
            project.id,
            after={"version": 1, "status": "planned", "sha256": digest, "file": file, "record": record},
        )
        out.append(Registration(project.id, 1, "registered"))
    session.flush()
    return sorted(out, key=lambda r: [p.id for p in projects].index(r.code))


def register_file(session: Session, path: str | Path, actor: str) -> list[Registration]:
    """Read a project file and register its projects, all or none; every problem of the file (the record's
    own checks and the store's) is reported together, naming file, project and field."""
    path = Path(path)
    projects, errors = collect_projects(path)
    return register_projects(session, projects, actor, file=str(path), content=path.read_bytes(), errors=errors)


def correct_project(
    session: Session,
    code: str,
    project: ProjectRecord,
    reason: str,
    actor: str,
    *,
    file: str | None = None,
    content: bytes | None = None,
) -> int:
    """Add a version of project ``code`` with the corrected record and the reason; returns its number.

    The earlier versions stay. Refused: an unknown code, a record with another id, a blank reason, a record
    identical to the current version.
    """
    if not reason or not reason.strip():
        raise InputError("a correction needs a reason", record=code, field="reason", expected="why the record changes")
    row = _row(session, code, for_update=True)
    if project.id != code:
        raise InputError(
            "the corrected record has another id",
            file=file,
            record=code,
            field="id",
            value=project.id,
            expected=f"{code} (a project's id does not change)",
        )
    problems = _width_problems(project, file)
    if problems:
        raise ValidationFailed(problems, file=file)
    record = canonical_record(project)
    digest = _sha256(record)
    current = _version(session, row)
    if current.sha256 == digest:
        raise InputError(
            f"identical to version {row.current_version}: nothing to correct",
            file=file,
            record=code,
            expected="a record that differs from the current version",
        )
    number = row.current_version + 1
    upload_id = _upload_id(session, content, Path(file).name if file else None, actor, 1)
    session.add(
        ProjectVersion(
            project_id=row.id,
            version=number,
            record=record,
            sha256=digest,
            reason=reason.strip(),
            upload_id=upload_id,
            created_by=actor,
        )
    )
    for name, value in _columns(project).items():
        setattr(row, name, value)
    row.current_version = number
    session.flush()
    repo.audit(
        session,
        actor,
        "correct",
        ENTITY,
        code,
        before={"version": current.version, "sha256": current.sha256, "record": current.record},
        after={"version": number, "sha256": digest, "reason": reason.strip(), "file": file, "record": record},
    )
    return number


def correct_from_file(session: Session, code: str, path: str | Path, reason: str, actor: str) -> int:
    """:func:`correct_project` with the record of project ``code`` read from a file (one project, or a list
    holding it)."""
    path = Path(path)
    projects, errors = collect_projects(path)
    if errors:
        raise ValidationFailed(errors, file=str(path))
    chosen = [p for p in projects if p.id == code]
    if not chosen and len(projects) == 1:
        chosen = projects  # the id check in correct_project names the mismatch
    if not chosen:
        raise InputError(
            "the file holds no record of this project",
            file=str(path),
            record=code,
            field="id",
            expected=f"a project with id {code}",
        )
    return correct_project(session, code, chosen[0], reason, actor, file=str(path), content=path.read_bytes())


def link_facility(session: Session, code: str, facility_code: str, actor: str) -> bool:
    """Link project ``code``, once built, to the registry facility that measures it; its status becomes
    ``built``. Returns False when it was already linked to that facility (nothing written).

    Refused: an unknown facility, or one of another sector or (where the registry names it) province.
    """
    row = _row(session, code, for_update=True)
    facility = session.scalar(select(Facility).where(Facility.code == facility_code))
    if facility is None:
        raise InputError(
            "unknown facility",
            record=code,
            field="facility",
            value=facility_code,
            expected="a facility code in the registry",
        )
    if row.facility_id == facility.id:
        return False
    if facility.sector != row.sector:
        raise InputError(
            f"facility {facility_code} is of sector {facility.sector}; the project is {row.sector}",
            record=code,
            field="facility",
            value=facility_code,
            expected=f"a facility of sector {row.sector}",
        )
    province = repo.facility_province(session, facility)
    if province is not None and province != row.province:
        raise InputError(
            f"facility {facility_code} lies in {province}; the project's site is in {row.province}",
            record=code,
            field="facility",
            value=facility_code,
            expected=f"a facility in {row.province}",
        )
    before_facility = row.facility.code if row.facility is not None else None
    before = {"facility": before_facility, "status": row.status}
    row.facility_id = facility.id
    row.status = "built"
    session.flush()
    session.refresh(row)
    repo.audit(
        session, actor, "link", ENTITY, code, before=before, after={"facility": facility_code, "status": "built"}
    )
    return True


def _cited_used(review: ProjectReview) -> list[dict[str, Any]]:
    used: dict[str, Cited] = {}
    for result in review.rules:
        for cited in result.parameters:
            used[f"{cited.label}|{cited.valid_from}"] = cited
    if review.comparison is not None:
        for check in review.comparison.reference_levels:
            if check.cited is not None:
                used[f"{check.cited.label}|{check.cited.valid_from}"] = check.cited
    return [c.as_dict() for c in used.values()]


def review_stored(
    session: Session,
    code: str,
    actor: str,
    *,
    period: PeriodLike = None,
    national_approved_capacity_t_per_a: float | None = None,
    params: ParameterSet | None = None,
) -> tuple[ProjectReviewRun, ProjectReview]:
    """Review the current version of project ``code`` at ``period`` (None: its planned start) and store the
    review with the parameter values it used; audited."""
    row = _row(session, code)
    version = _version(session, row)
    project = parse_project(version.record)
    review = review_project(
        project,
        params or load(),
        period=period,
        national_approved_capacity_t_per_a=national_approved_capacity_t_per_a,
    )
    fingerprint = repo.snapshot_parameters(session, _cited_used(review))
    result = review.as_dict()
    result.pop("project")
    run = ProjectReviewRun(
        project_id=row.id,
        version=version.version,
        period=review.period,
        classification=review.classification.value,
        decisive=list(review.decisive),
        national_approved_capacity_t_per_a=review.national_approved_capacity_t_per_a,
        result=result,
        parameter_fingerprint=fingerprint,
        reviewed_by=actor,
    )
    session.add(run)
    session.flush()
    repo.audit(
        session,
        actor,
        "review",
        ENTITY,
        code,
        after={
            "review": run.id,
            "version": version.version,
            "period": review.period.isoformat(),
            "classification": run.classification,
            "decisive": run.decisive,
            "parameter_fingerprint": fingerprint,
        },
    )
    return run, review


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the project list: the current version's columns and the latest stored review."""

    code: str
    version: int
    name_zh: str
    name_en: str
    enterprise: str
    province: str
    sector: str
    product: str
    kind: str
    capacity_t_per_a: float
    net_new_capacity_t_per_a: float
    in_key_air_pollution_area: bool
    planned_start: dt.date
    status: str
    facility_code: str | None
    classification: str | None  # of the latest stored review, None if never reviewed
    reviewed_version: int | None
    reviewed_period: dt.date | None
    reviewed_at: dt.datetime | None

    @property
    def review_outdated(self) -> bool:
        """The latest review is of an earlier version (the project was corrected since)."""
        return self.reviewed_version is not None and self.reviewed_version != self.version

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "enterprise": self.enterprise,
            "province": self.province,
            "sector": self.sector,
            "product": self.product,
            "kind": self.kind,
            "capacity_t_per_a": self.capacity_t_per_a,
            "net_new_capacity_t_per_a": self.net_new_capacity_t_per_a,
            "in_key_air_pollution_area": self.in_key_air_pollution_area,
            "planned_start": self.planned_start.isoformat(),
            "status": self.status,
            "facility_code": self.facility_code,
            "classification": self.classification,
            "reviewed_version": self.reviewed_version,
            "reviewed_period": self.reviewed_period.isoformat() if self.reviewed_period else None,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "review_outdated": self.review_outdated,
        }


def list_projects(
    session: Session,
    *,
    province: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    kind: str | None = None,
    code: str | None = None,
) -> list[ProjectSummary]:
    """Stored projects (current versions) with their latest review, ordered by code; filters combine.

    ``status``: planned or built; ``classification``: that of the latest stored review (halt, rectify,
    proceed), or ``none`` for projects never reviewed.
    """
    if status is not None and status not in STATUSES:
        raise InputError("unknown status", field="status", value=status, expected=" or ".join(STATUSES))
    if classification is not None and classification not in ("halt", "rectify", "proceed", "none"):
        raise InputError(
            "unknown classification",
            field="classification",
            value=classification,
            expected="halt, rectify, proceed or none",
        )
    latest = (
        select(ProjectReviewRun.project_id, func.max(ProjectReviewRun.id).label("review_id"))
        .group_by(ProjectReviewRun.project_id)
        .subquery()
    )
    query = (
        select(ProjectRow, Facility.code, ProjectReviewRun)
        .outerjoin(Facility, Facility.id == ProjectRow.facility_id)
        .outerjoin(latest, latest.c.project_id == ProjectRow.id)
        .outerjoin(ProjectReviewRun, ProjectReviewRun.id == latest.c.review_id)
        .order_by(ProjectRow.code)
    )
    if province:
        query = query.where(ProjectRow.province == province)
    if sector:
        query = query.where(ProjectRow.sector == sector)
    if status:
        query = query.where(ProjectRow.status == status)
    if kind:
        query = query.where(ProjectRow.kind == kind)
    if code:
        query = query.where(ProjectRow.code == code)
    if classification == "none":
        query = query.where(ProjectReviewRun.id.is_(None))
    elif classification:
        query = query.where(ProjectReviewRun.classification == classification)
    return [_summary(row, facility_code, run) for row, facility_code, run in session.execute(query)]


def _summary(row: ProjectRow, facility_code: str | None, run: ProjectReviewRun | None) -> ProjectSummary:
    return ProjectSummary(
        code=row.code,
        version=row.current_version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        enterprise=row.enterprise,
        province=row.province,
        sector=row.sector,
        product=row.product,
        kind=row.kind,
        capacity_t_per_a=row.capacity_t_per_a,
        net_new_capacity_t_per_a=row.net_new_capacity_t_per_a,
        in_key_air_pollution_area=row.in_key_air_pollution_area,
        planned_start=row.planned_start,
        status=row.status,
        facility_code=facility_code,
        classification=run.classification if run else None,
        reviewed_version=run.version if run else None,
        reviewed_period=run.period if run else None,
        reviewed_at=run.reviewed_at if run else None,
    )


def _stamp(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def project_history(session: Session, code: str) -> dict[str, Any]:
    """Everything stored about a project: its current summary and record, every version (with its reason and
    the file it came from), every review (rules, classification, parameter fingerprint) and the audit
    events, oldest first."""
    row = _row(session, code)
    (summary,) = list_projects(session, code=code)
    uploads = {
        u.id: u
        for u in session.scalars(
            select(Upload)
            .join(ProjectVersion, ProjectVersion.upload_id == Upload.id)
            .where(ProjectVersion.project_id == row.id)
        )
    }
    versions = list(
        session.scalars(
            select(ProjectVersion).where(ProjectVersion.project_id == row.id).order_by(ProjectVersion.version)
        )
    )
    reviews = list(
        session.scalars(
            select(ProjectReviewRun).where(ProjectReviewRun.project_id == row.id).order_by(ProjectReviewRun.id)
        )
    )
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.entity == ENTITY, AuditEvent.entity_key == code).order_by(AuditEvent.id)
        )
    )
    return {
        "project": summary.as_dict(),
        "record": versions[-1].record if versions else None,
        "versions": [
            {
                "version": v.version,
                "reason": v.reason,
                "created_by": v.created_by,
                "created_at": _stamp(v.created_at),
                "sha256": v.sha256,
                "file": uploads[v.upload_id].filename if v.upload_id in uploads else None,
                "file_sha256": uploads[v.upload_id].sha256 if v.upload_id in uploads else None,
                "record": v.record,
            }
            for v in versions
        ],
        "reviews": [
            {
                "id": r.id,
                "version": r.version,
                "period": r.period.isoformat(),
                "classification": r.classification,
                "decisive": r.decisive,
                "national_approved_capacity_t_per_a": r.national_approved_capacity_t_per_a,
                "parameter_fingerprint": r.parameter_fingerprint,
                "reviewed_by": r.reviewed_by,
                "reviewed_at": _stamp(r.reviewed_at),
                "rules": r.result.get("rules", []),
                "classification_rule_en": r.result.get("classification_rule_en"),
                "classification_rule_zh": r.result.get("classification_rule_zh"),
                "comparison": r.result.get("comparison"),
                "unverified": r.result.get("unverified", []),
            }
            for r in reviews
        ],
        "audit": [
            {
                "at": _stamp(e.at),
                "actor": e.actor,
                "action": e.action,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ],
    }


# ---------------------------------------------------------------- measured against approved


@dataclass(frozen=True)
class IndicatorComparison:
    """A designed unit consumption against the one measured over the counted months (difference = measured −
    designed; percent of designed). ``measured`` is None, with ``no_data`` saying why, where the months give
    no value."""

    indicator: Indicator
    unit: str
    designed: float
    measured: float | None
    difference: float | None
    percent: float | None
    formula: str
    months: int  # months with both the numerator and output
    numerator: float | None  # Σ numerator over those months [numerator_unit]
    numerator_unit: str
    designed_at_output: float | None  # designed × Σ output / scale [numerator_unit]
    no_data: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.value,
            "unit": self.unit,
            "designed": self.designed,
            "measured": self.measured,
            "difference": self.difference,
            "percent": self.percent,
            "formula": self.formula,
            "months": self.months,
            "numerator": self.numerator,
            "numerator_unit": self.numerator_unit,
            "designed_at_output": self.designed_at_output,
            "no_data": self.no_data,
        }


@dataclass(frozen=True)
class TotalComparison:
    """A measured total for the year against the annual amount approved, where the record states one."""

    item: str  # energy_tce, location_tco2e, market_tco2e
    unit: str
    measured: float | None
    approved: float | None  # per year; None: not stated in the record
    difference: float | None
    percent: float | None
    note: str
    note_zh: str = ""

    def note_in(self, lang: str) -> str:
        return self.note if lang == "en" or not self.note_zh else self.note_zh

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "unit": self.unit,
            "measured": self.measured,
            "approved": self.approved,
            "difference": self.difference,
            "percent": self.percent,
            "note": self.note,
            "note_zh": self.note_zh,
        }


@dataclass(frozen=True)
class MeasuredVsApproved:
    """What a built project measured in a year (from the store) next to what was designed and approved.

    ``status``: ``measured``; ``no_data`` (linked, but no counted month of the facility in the year);
    ``not_built`` (not linked to a facility). ``message_en``/``message_zh`` say which, and why.
    """

    code: str
    version: int
    year: int
    status: str
    message_en: str
    message_zh: str
    facility_code: str | None = None
    months_counted: int = 0
    months_with_result: int = 0
    periods: tuple[str, ...] = ()
    output_t: float | None = None
    capacity_t_per_a: float | None = None
    indicators: tuple[IndicatorComparison, ...] = ()
    totals: tuple[TotalComparison, ...] = ()
    years_with_data: tuple[int, ...] = ()
    declared: dict[str, Any] | None = None  # the record's own ``measured`` block for the year, if any
    sources: list[dict[str, Any]] = field(default_factory=list)  # facility-months used: period, version, status

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def indicator(self, indicator: Indicator) -> IndicatorComparison:
        for comparison in self.indicators:
            if comparison.indicator is indicator:
                return comparison
        raise KeyError(indicator)

    def total(self, item: str) -> TotalComparison:
        for comparison in self.totals:
            if comparison.item == item:
                return comparison
        raise KeyError(item)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "year": self.year,
            "status": self.status,
            "message_en": self.message_en,
            "message_zh": self.message_zh,
            "facility_code": self.facility_code,
            "months_counted": self.months_counted,
            "months_with_result": self.months_with_result,
            "periods": list(self.periods),
            "output_t": self.output_t,
            "capacity_t_per_a": self.capacity_t_per_a,
            "indicators": [c.as_dict() for c in self.indicators],
            "totals": [c.as_dict() for c in self.totals],
            "years_with_data": list(self.years_with_data),
            "declared": self.declared,
            "sources": self.sources,
        }


def _sum(values: pd.Series) -> float:
    return float(np.nansum(values.to_numpy(dtype=float)))


def _difference(measured: float | None, reference: float | None) -> tuple[float | None, float | None]:
    if measured is None or reference is None:
        return None, None
    difference = measured - reference
    return difference, (difference / reference * 100.0 if reference else None)


def compare_measured(
    project: ProjectRecord,
    months: pd.DataFrame,
    year: int,
    *,
    facility_code: str,
    version: int = 1,
    years_with_data: Sequence[int] = (),
) -> MeasuredVsApproved:
    """Measured against designed and approved, from the counted facility-months of one facility and year.

    Pure. ``months`` has one row per counted facility-month of ``year`` (columns of
    :func:`carbonpeak.store.facts.facility_months`: period, version, status, output_t, energy_tce,
    electrolysis_ac_mwh, total_location_tco2e, total_market_tco2e, has_result).

    Definitions
        For each designed indicator, over the months that report both its numerator and an output:
        comprehensive energy [kgce/t] = Σ energy_tce × 1000 / Σ output_t; AC power per t of liquid aluminium
        [kWh/t] = Σ electrolysis_ac_mwh × 1000 / Σ output_t (as in the benchmark classification).
        ``designed_at_output`` = designed × Σ output_t / 1000: what the months would have used at the designed
        value. Totals (energy, location- and market-based emissions) sum the months that have a result; they
        are set against the annual amounts approved (``approved_energy_tce_per_a``,
        ``approved_emissions_tco2e_per_a``) where the record states them. Difference = measured − designed
        (or approved); percent of designed (or approved). No value is invented: a month without a result
        counts in no energy or emission figure, and an indicator without months says so.
    """
    periods = tuple(sorted(str(p) for p in months["period"])) if not months.empty else ()
    declared = None
    if project.measured is not None and project.measured.year == year:
        declared = project.measured.model_dump(mode="json", exclude_none=True)
    base: dict[str, Any] = {
        "code": project.id,
        "version": version,
        "year": year,
        "facility_code": facility_code,
        "capacity_t_per_a": project.capacity_t_per_a,
        "years_with_data": tuple(years_with_data),
        "declared": declared,
    }
    if months.empty:
        others = ", ".join(str(y) for y in years_with_data)
        tail_en = f"; counted months exist for {others}" if others else "; it has no counted month in any year"
        tail_zh = f"；有已计入月份的年份：{others}" if others else "；该设施尚无任何已计入月份"
        return MeasuredVsApproved(
            status="no_data",
            message_en=f"no data: facility {facility_code} has no counted (verified or locked) month in {year}"
            f"{tail_en}. Nothing is estimated.",
            message_zh=f"无数据：设施 {facility_code} 在 {year} 年没有已计入（已核查或已锁定）的月份{tail_zh}。"
            "不作估算。",
            **base,
        )
    output = pd.to_numeric(months["output_t"], errors="coerce")
    has_result = months["has_result"].astype(bool) if "has_result" in months else months["energy_tce"].notna()
    indicators = []
    for indicator, quantity in project.designed_unit_consumption.items():
        column, scale, numerator_unit, formula = _MEASURE[indicator]
        designed = quantity.canonical(indicator)
        values = pd.to_numeric(months[column], errors="coerce") if column in months else pd.Series(np.nan, months.index)
        usable = values.notna() & output.notna() & (output > 0)
        if column == "energy_tce":
            usable &= has_result
        n = int(usable.sum())
        if n == 0:
            why_en = (
                f"no counted month of {year} reports {column} with an output"
                if column != "energy_tce"
                else f"no counted month of {year} has both a result (energy_tce) and an output"
            )
            indicators.append(
                IndicatorComparison(
                    indicator=indicator,
                    unit=indicator.unit,
                    designed=designed,
                    measured=None,
                    difference=None,
                    percent=None,
                    formula=formula,
                    months=0,
                    numerator=None,
                    numerator_unit=numerator_unit,
                    designed_at_output=None,
                    no_data=why_en,
                )
            )
            continue
        numerator = _sum(values[usable])
        produced = _sum(output[usable])
        measured = float(unit_consumption(numerator, produced, scale))
        difference, percent = _difference(measured, designed)
        indicators.append(
            IndicatorComparison(
                indicator=indicator,
                unit=indicator.unit,
                designed=designed,
                measured=measured,
                difference=difference,
                percent=percent,
                formula=formula,
                months=n,
                numerator=numerator,
                numerator_unit=numerator_unit,
                designed_at_output=designed * produced / scale,
            )
        )
    with_result = months[has_result]
    n_result = len(with_result)
    caveats_en, caveats_zh = [], []
    if len(months) != 12:
        caveats_en.append(f"{len(months)} of 12 months counted: totals are for part of the year")
        caveats_zh.append(f"仅 {len(months)}/12 个月已计入，合计为部分年度")
    if n_result != len(months):
        caveats_en.append(
            f"{len(months) - n_result} counted month(s) without a result yet (a parameter awaited) are left out of "
            "energy and emissions"
        )
        caveats_zh.append(f"{len(months) - n_result} 个已计入月份尚无核算结果，未计入能耗与排放")
    totals = []
    for item, unit, approved, stated in (
        ("energy_tce", "tce", project.approved_energy_tce_per_a, "approved_energy_tce_per_a"),
        ("total_location_tco2e", "tCO2e", project.approved_emissions_tco2e_per_a, "approved_emissions_tco2e_per_a"),
        ("total_market_tco2e", "tCO2e", project.approved_emissions_tco2e_per_a, "approved_emissions_tco2e_per_a"),
    ):
        measured_total = _sum(with_result[item]) if n_result else None
        difference, percent = _difference(measured_total, approved)
        notes = [*caveats_en, f"the record states no {stated}" if approved is None else f"against {stated} (per year)"]
        notes_zh = [*caveats_zh, f"项目记录未申报 {stated}" if approved is None else f"对照 {stated}（年度）"]
        if not n_result:
            notes.append(f"no counted month of {year} has a result: no figure")
            notes_zh.append(f"{year} 年已计入月份均无核算结果，无数值")
        totals.append(
            TotalComparison(
                item, unit, measured_total, approved, difference, percent, "; ".join(notes), "；".join(notes_zh)
            )
        )
    shown = [c for c in indicators if c.measured is not None and c.difference is not None and c.percent is not None]
    if shown:
        first = shown[0]
        assert first.measured is not None and first.difference is not None and first.percent is not None
        sign = "+" if first.difference >= 0 else ""
        summary_en = (
            f"{first.indicator.label_en}: designed {first.designed:,.1f} {first.unit}, measured {first.measured:,.1f} "
            f"{first.unit} ({sign}{first.difference:,.1f} {first.unit}, {sign}{first.percent:.2f} %)"
        )
        summary_zh = (
            f"{first.indicator.label_zh}：设计 {first.designed:,.1f} {first.unit}，实测 {first.measured:,.1f} "
            f"{first.unit}（{sign}{first.difference:,.1f} {first.unit}，{sign}{first.percent:.2f} %）"
        )
    else:
        summary_en = "no unit consumption can be measured from these months"
        summary_zh = "这些月份无法计算单位产品能耗"
    return MeasuredVsApproved(
        status="measured",
        message_en=f"facility {facility_code}, {year}: {len(months)} counted month(s); {summary_en}"
        + "".join(f"; {c}" for c in caveats_en),
        message_zh=f"设施 {facility_code}，{year} 年：已计入 {len(months)} 个月；{summary_zh}"
        + "".join(f"；{c}" for c in caveats_zh),
        months_counted=len(months),
        months_with_result=n_result,
        periods=periods,
        output_t=_sum(output),
        indicators=tuple(indicators),
        totals=tuple(totals),
        sources=[
            {"period": str(r["period"]), "version": int(r["version"]), "status": str(r["status"])}
            for _, r in months.sort_values("period").iterrows()
        ],
        **base,
    )


def measured_vs_approved(
    session: Session, code: str, year: int, *, include_submitted: bool = False
) -> MeasuredVsApproved:
    """What project ``code`` measured in ``year`` (counted months of its linked facility) next to what was
    designed and approved; ``no_data`` when the facility has no counted month in the year, ``not_built``
    when the project is not linked to a facility. See :func:`compare_measured`."""
    from carbonpeak.store.facts import facility_months

    if not 1990 <= int(year) <= 2100:
        raise InputError("not a year", field="year", value=year, expected="a year such as 2025")
    row = _row(session, code)
    project = parse_project(_version(session, row).record)
    if row.facility is None:
        return MeasuredVsApproved(
            code=code,
            version=row.current_version,
            year=year,
            status="not_built",
            message_en=f"project {code} is not linked to a registry facility: nothing measured to compare "
            f"(once built: carbonpeak projects link {code} --facility CODE)",
            message_zh=f"项目 {code} 尚未关联登记设施，无实测数据可对照"
            f"（建成后：carbonpeak projects link {code} --facility 设施代码）",
            capacity_t_per_a=project.capacity_t_per_a,
        )
    facility_code = row.facility.code
    mine = facility_months(session, include_submitted=include_submitted, facility_codes=[facility_code])
    years = tuple(sorted({int(y) for y in mine["year"]}))
    months = mine[mine["year"] == int(year)].reset_index(drop=True)
    return compare_measured(
        project, months, int(year), facility_code=facility_code, version=row.current_version, years_with_data=years
    )
