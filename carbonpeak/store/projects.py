"""The repository of 两高 project records: reads and writes of the project tables, as plain dataclasses.

A project's record is kept as the canonical JSON of the validated record
(:class:`carbonpeak.projects.model.Project`) in :class:`~carbonpeak.store.models.ProjectVersion`, one row per
version; the columns one queries on (province, sector, kind, capacity...) are those of the current version
(:func:`carbonpeak.projects.records.columns`). A stored review keeps the whole outcome and names the version
it reviewed and the parameter snapshot it used.

Nothing here checks who acts or whether a change is allowed: the use cases of
:mod:`carbonpeak.services.projects` do (access first, then the rules of :mod:`carbonpeak.projects.records`),
and write the audit events. Every function works in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from carbonpeak.projects.measured import MeasuredVsApproved, compare_measured, not_built
from carbonpeak.projects.model import Project, parse_project
from carbonpeak.projects.records import ENTITY, StoredVersion, columns
from carbonpeak.projects.review import ProjectReview
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import AuditEvent, Facility, ProjectReviewRun, ProjectVersion, Upload
from carbonpeak.store.models import Project as ProjectRow

__all__ = [
    "FacilityChoice",
    "LinkTarget",
    "ProjectSummary",
    "add_project",
    "add_review",
    "add_version",
    "current",
    "facilities_of_sector",
    "find",
    "history",
    "link",
    "link_target",
    "list_projects",
    "measured_vs_approved",
    "record",
    "store_upload",
    "stored_versions",
]


# ---------------------------------------------------------------- one project


def find(session: Session, code: str, *, for_update: bool = False) -> ProjectRow | None:
    """The project row of ``code``, or None; ``for_update`` locks it for the transaction (two corrections of
    one project then number their versions one after the other)."""
    query = select(ProjectRow).where(ProjectRow.code == code)
    return session.scalar(query.with_for_update() if for_update else query)


def _version(session: Session, row: ProjectRow, number: int | None = None) -> ProjectVersion:
    version = session.scalar(
        select(ProjectVersion).where(
            ProjectVersion.project_id == row.id, ProjectVersion.version == (number or row.current_version)
        )
    )
    assert version is not None  # a project row is always written with its first version
    return version


def current(session: Session, row: ProjectRow) -> StoredVersion:
    """The number and record digest of the current version."""
    version = _version(session, row)
    return StoredVersion(version.version, version.sha256)


def record(session: Session, row: ProjectRow) -> Project:
    """The current version of a stored project, as a validated record."""
    return parse_project(_version(session, row).record)


def stored_versions(session: Session, codes: Iterable[str]) -> dict[str, StoredVersion]:
    """The current version (number and digest) of each stored project among ``codes``."""
    rows = session.execute(
        select(ProjectRow.code, ProjectVersion.version, ProjectVersion.sha256)
        .join(ProjectVersion, ProjectVersion.project_id == ProjectRow.id)
        .where(ProjectRow.code.in_(sorted(set(codes))), ProjectVersion.version == ProjectRow.current_version)
    )
    return {code: StoredVersion(version, sha) for code, version, sha in rows}


# ---------------------------------------------------------------- writing


def store_upload(session: Session, filename: str, content: bytes, actor: str, rows: int) -> int:
    """Keep a file as evidence; returns its id."""
    return repo.store_upload(session, filename, content, actor, rows=rows).id


def add_project(
    session: Session, project: Project, record: dict[str, Any], sha256: str, *, upload_id: int | None, actor: str
) -> None:
    """Write a new project (status planned) and its version 1."""
    row = ProjectRow(code=project.id, current_version=1, status="planned", created_by=actor, **columns(project))
    session.add(row)
    session.flush()
    session.add(
        ProjectVersion(
            project_id=row.id, version=1, record=record, sha256=sha256, upload_id=upload_id, created_by=actor
        )
    )
    session.flush()


def add_version(
    session: Session,
    row: ProjectRow,
    project: Project,
    record: dict[str, Any],
    sha256: str,
    *,
    reason: str,
    upload_id: int | None,
    actor: str,
) -> tuple[dict[str, Any], int]:
    """Add the next version of a project with its reason and make it current; returns the record it replaced
    and the new version's number."""
    before = _version(session, row)
    number = row.current_version + 1
    session.add(
        ProjectVersion(
            project_id=row.id,
            version=number,
            record=record,
            sha256=sha256,
            reason=reason,
            upload_id=upload_id,
            created_by=actor,
        )
    )
    for name, value in columns(project).items():
        setattr(row, name, value)
    row.current_version = number
    session.flush()
    return before.record, number


@dataclass(frozen=True)
class LinkTarget:
    """A registry facility a project may be linked to: its id, code, sector and province (None where the
    registry names none)."""

    id: int
    code: str
    sector: str
    province: str | None


def link_target(session: Session, code: str, *, within: ColumnElement[bool] | None = None) -> LinkTarget | None:
    """The facility of ``code`` (among those satisfying ``within``, a condition on the facility), or None."""
    facility = session.scalar(select(Facility).where(Facility.code == code, within if within is not None else true()))
    if facility is None:
        return None
    return LinkTarget(facility.id, facility.code, facility.sector, repo.facility_province(session, facility))


def link(session: Session, row: ProjectRow, facility: LinkTarget) -> None:
    """Link the project to the facility that measures it; its status becomes built."""
    row.facility_id = facility.id
    row.status = "built"
    session.flush()
    session.refresh(row)


@dataclass(frozen=True)
class FacilityChoice:
    """A facility offered for a link: its code and names."""

    code: str
    name_zh: str
    name_en: str


def facilities_of_sector(
    session: Session, sector: str, *, within: ColumnElement[bool] | None = None
) -> list[FacilityChoice]:
    """The facilities of a sector (among those satisfying ``within``), by code."""
    query = select(Facility.code, Facility.name_zh, Facility.name_en).where(
        Facility.sector == sector, within if within is not None else true()
    )
    return [FacilityChoice(*row) for row in session.execute(query.order_by(Facility.code))]


def add_review(
    session: Session, row: ProjectRow, review: ProjectReview, fingerprint: str, actor: str
) -> ProjectReviewRun:
    """Keep a review of the current version with the parameter snapshot it used."""
    result = review.as_dict()
    result.pop("project")
    run = ProjectReviewRun(
        project_id=row.id,
        version=row.current_version,
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
    return run


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
    within: ColumnElement[bool] | None = None,
    province: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    kind: str | None = None,
    code: str | None = None,
) -> list[ProjectSummary]:
    """Stored projects (current versions) with their latest review, ordered by code; filters combine.

    ``within``: a condition on :class:`~carbonpeak.store.models.Project` (a person's scope); ``status``:
    planned or built; ``classification``: that of the latest stored review (halt, rectify, proceed), or
    ``none`` for projects never reviewed. The filters' values are checked by the caller
    (:func:`carbonpeak.projects.records.check_filters`).
    """
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
    if within is not None:
        query = query.where(within)
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


def history(session: Session, row: ProjectRow) -> dict[str, Any]:
    """Everything stored about a project: its current summary and record, every version (with its reason and
    the file it came from), every review (rules, classification, parameter fingerprint) and the audit
    events, oldest first."""
    (summary,) = list_projects(session, code=row.code)
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
            select(AuditEvent)
            .where(AuditEvent.entity == ENTITY, AuditEvent.entity_key == row.code)
            .order_by(AuditEvent.id)
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
            {"at": _stamp(e.at), "actor": e.actor, "action": e.action, "before": e.before, "after": e.after}
            for e in events
        ],
    }


def measured_vs_approved(
    session: Session, row: ProjectRow, year: int, *, include_submitted: bool = False
) -> MeasuredVsApproved:
    """What the project measured in ``year`` (the counted months of its linked facility, from the facts
    table) next to what was designed and approved (:func:`carbonpeak.projects.measured.compare_measured`);
    ``not_built`` when it is not linked to a facility."""
    project = record(session, row)
    if row.facility is None:
        return not_built(project, year, version=row.current_version)
    facility_code = row.facility.code
    mine = facility_months(session, include_submitted=include_submitted, facility_codes=[facility_code])
    years = tuple(sorted({int(y) for y in mine["year"]}))
    months = mine[mine["year"] == int(year)].reset_index(drop=True)
    return compare_measured(
        project, months, int(year), facility_code=facility_code, version=row.current_version, years_with_data=years
    )
