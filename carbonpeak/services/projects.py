"""两高 project use cases: register projects (from records, a form or a file), correct one, link it to the
facility that measures it once built, review it and keep the review; and the reads of the pages, the API
and the CLI.

Each takes the session (the caller's one transaction) and the acting person
(:class:`~carbonpeak.services.access.Principal`) and, in this order: checks the person's role and scope
(``project.view`` / ``project.manage``, :func:`carbonpeak.services.access.get_project`; a new or corrected
site must lie in the person's jurisdiction); validates with the pure rules (:mod:`carbonpeak.projects.model`,
:mod:`carbonpeak.projects.records`), collecting every problem of a file as coded errors
(:class:`~carbonpeak.errors.ValidationFailed`); writes through the repository
(:mod:`carbonpeak.store.projects`); writes an audit event (entity ``project``, key the project's code) with
the state before and after; and returns a typed result. Nothing is written when anything is refused.

A stored review (:func:`review`) keeps the whole outcome of :func:`carbonpeak.projects.review.review_project`
and the parameter values it used as a snapshot; it names the version it reviewed, so that after a
correction it shows as a review of an earlier version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet, PeriodLike, load
from carbonpeak.projects.measured import MeasuredVsApproved, check_year
from carbonpeak.projects.model import Project, collect_projects, collect_projects_from, parse_project
from carbonpeak.projects.records import (
    ENTITY,
    canonical_record,
    check_filters,
    correction_problems,
    digest,
    link_problems,
    parameters_used,
    plan_registration,
)
from carbonpeak.projects.review import ProjectReview, review_project
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import projects as store
from carbonpeak.store.models import Project as ProjectRow
from carbonpeak.store.projects import FacilityChoice, ProjectSummary
from carbonpeak.store.repository import audit, snapshot_parameters

__all__ = [
    "Correction",
    "Registration",
    "StoredReview",
    "correct_from_file",
    "correct_project",
    "enter_project",
    "facility_in_scope",
    "find",
    "history",
    "link_facility",
    "linkable_facilities",
    "list_projects",
    "measured",
    "record",
    "register_content",
    "register_file",
    "register_projects",
    "review",
]


@dataclass(frozen=True)
class StoredReview:
    """A review kept in the store: its id, the version it reviewed, the day whose rules applied, the
    classification and the rules that decided it, the parameter snapshot, and the review itself."""

    id: int
    code: str
    version: int
    period: dt.date
    classification: str
    decisive: tuple[str, ...]
    national_approved_capacity_t_per_a: float | None
    parameter_fingerprint: str
    review: ProjectReview


@dataclass(frozen=True)
class Registration:
    """What happened to one project of a list: ``registered`` (version 1) or ``unchanged`` (already stored,
    identical to its current version); its review when one was asked for."""

    code: str
    version: int
    action: str
    review: StoredReview | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "version": self.version, "action": self.action}
        if self.review is not None:
            out["review"] = {"id": self.review.id, "classification": self.review.classification}
        return out


@dataclass(frozen=True)
class Correction:
    """A correction kept as a new version with its reason; its review when one was asked for."""

    code: str
    version: int
    reason: str
    review: StoredReview | None = None


# ---------------------------------------------------------------- access


def _project(session: Session, principal: Principal, code: str, action: str, *, for_update: bool = False) -> ProjectRow:
    """The stored project when the person may do ``action`` on it (else AccessDenied or NotFound, checked
    before anything else is read); ``for_update`` locks its row for the transaction."""
    row = access.get_project(session, principal, code, action)
    if for_update:
        locked = store.find(session, code, for_update=True)
        assert locked is not None
        return locked
    return row


def _outside(session: Session, principal: Principal, projects: Sequence[Project], file: str | None) -> list[InputError]:
    """Projects sited outside the person's jurisdiction."""
    return [
        InputError(
            code="projects.outside_jurisdiction",
            file=file,
            record=p.id,
            field="site.province",
            value=p.site.province,
        )
        for p in projects
        if not access.may_site_project(session, principal, p.site.province)
    ]


def _problems(exc: InputError) -> list[InputError]:
    return list(exc.errors) if isinstance(exc, ValidationFailed) else [exc]


def _refuse(problems: list[InputError], file: str | None = None) -> None:
    if len(problems) == 1:
        raise problems[0]
    raise ValidationFailed(problems, file=file)


# ---------------------------------------------------------------- registering


def register_projects(
    session: Session,
    principal: Principal,
    projects: Sequence[Project],
    *,
    file: str | None = None,
    content: bytes | None = None,
    errors: Sequence[InputError] = (),
    review: bool = False,
    params: ParameterSet | None = None,
) -> list[Registration]:
    """Register validated projects, all or none; ``review``: review each newly registered one and keep it.

    A project whose id is already stored with an identical record is left as it is (``unchanged``); with a
    different record it is refused (a change is a correction, :func:`correct_project`). ``errors`` are the
    problems already found in the file (:func:`carbonpeak.projects.model.collect_projects`): they are
    reported with those found here, in one :class:`~carbonpeak.errors.ValidationFailed`, and nothing is
    written. ``content`` (the file's bytes) is kept as evidence, named after ``file``.
    """
    access.require(principal, "project.manage")
    problems = [*errors, *_outside(session, principal, projects, file)]
    stored = store.stored_versions(session, [p.id for p in projects])
    plan = plan_registration(projects, stored, file=file, errors=problems)
    if plan.problems:
        raise ValidationFailed(plan.problems, file=file)
    upload_id = None
    if plan.new and content is not None:
        upload_id = store.store_upload(
            session, Path(file).name if file else "projects", content, principal.actor, len(projects)
        )
    done: dict[str, Registration] = {
        code: Registration(code, version, "unchanged") for code, version in plan.unchanged.items()
    }
    for project, record, sha in plan.new:
        store.add_project(session, project, record, sha, upload_id=upload_id, actor=principal.actor)
        audit(
            session,
            principal.actor,
            "register",
            ENTITY,
            project.id,
            after={"version": 1, "status": "planned", "sha256": sha, "file": file, "record": record},
        )
        stored_review = _review(session, principal, project.id, params=params) if review else None
        done[project.id] = Registration(project.id, 1, "registered", stored_review)
    session.flush()
    order = list(dict.fromkeys(p.id for p in projects))
    return [done[code] for code in order if code in done]


def register_file(
    session: Session, principal: Principal, path: str | Path, *, review: bool = False
) -> list[Registration]:
    """Read a project file and register its projects, all or none; every problem of the file (the record's
    own checks and the registration's) is reported together, naming file, project and field."""
    access.require(principal, "project.manage")
    path = Path(path)
    projects, errors = collect_projects(path)
    return register_projects(
        session, principal, projects, file=str(path), content=path.read_bytes(), errors=errors, review=review
    )


def register_content(
    session: Session, principal: Principal, name: str, content: bytes, *, review: bool = False
) -> list[Registration]:
    """:func:`register_file` for a file received as bytes (an upload), named ``name`` (.yaml, .yml, .json)."""
    access.require(principal, "project.manage")
    projects, errors = collect_projects_from(content, name)
    return register_projects(session, principal, projects, file=name, content=content, errors=errors, review=review)


def enter_project(
    session: Session, principal: Principal, record: Mapping[str, Any], *, review: bool = False
) -> Registration:
    """Register one project given as a mapping of fields (a form): validated by the record model, then as
    :func:`register_projects`; every problem is reported at once."""
    access.require(principal, "project.manage")
    project = parse_project(dict(record))
    (done,) = register_projects(session, principal, [project], review=review)
    return done


# ---------------------------------------------------------------- correcting


def correct_project(
    session: Session,
    principal: Principal,
    code: str,
    corrected: Project | Mapping[str, Any],
    reason: str,
    *,
    file: str | None = None,
    content: bytes | None = None,
    review: bool = False,
    params: ParameterSet | None = None,
) -> Correction:
    """Add a version of project ``code`` with the corrected record (validated here when given as a mapping)
    and the reason; ``review``: review the new version and keep it.

    The earlier versions stay. Refused: a project the person may not manage, a blank reason, a record with
    another id or a site outside the person's jurisdiction, a record identical to the current version.
    """
    row = _project(session, principal, code, "project.manage", for_update=True)
    current = store.current(session, row)
    problems: list[InputError] = []
    project: Project | None = None
    if isinstance(corrected, Project):
        project = corrected
    else:
        try:
            project = parse_project(dict(corrected), file=file)
        except InputError as exc:
            problems += _problems(exc)
    if project is not None:
        problems += _outside(session, principal, [project], file)
    problems += correction_problems(code, project, reason, current, file=file)
    if problems or project is None:
        _refuse(problems, file)
    assert project is not None
    record = canonical_record(project)
    sha = digest(record)
    upload_id = None
    if content is not None:
        upload_id = store.store_upload(session, Path(file).name if file else "projects", content, principal.actor, 1)
    before, number = store.add_version(
        session, row, project, record, sha, reason=reason.strip(), upload_id=upload_id, actor=principal.actor
    )
    audit(
        session,
        principal.actor,
        "correct",
        ENTITY,
        code,
        before={"version": current.version, "sha256": current.sha256, "record": before},
        after={"version": number, "sha256": sha, "reason": reason.strip(), "file": file, "record": record},
    )
    stored_review = _review(session, principal, code, params=params) if review else None
    return Correction(code, number, reason.strip(), stored_review)


def correct_from_file(
    session: Session, principal: Principal, code: str, path: str | Path, reason: str, *, review: bool = False
) -> Correction:
    """:func:`correct_project` with the record of project ``code`` read from a file (one project, or a list
    holding it)."""
    _project(session, principal, code, "project.manage")
    path = Path(path)
    projects, errors = collect_projects(path)
    if errors:
        raise ValidationFailed(errors, file=str(path))
    chosen = [p for p in projects if p.id == code]
    if not chosen and len(projects) == 1:
        chosen = projects  # the id check of the correction names the mismatch
    if not chosen:
        raise InputError(
            code="projects.not_in_file",
            file=str(path),
            record=code,
            field="id",
            expected=Message("projects.expected.project_in_file", project=code),
        )
    return correct_project(
        session, principal, code, chosen[0], reason, file=str(path), content=path.read_bytes(), review=review
    )


# ---------------------------------------------------------------- linking and reviewing


def link_facility(session: Session, principal: Principal, code: str, facility_code: str) -> bool:
    """Link project ``code``, once built, to the registry facility that measures it; its status becomes
    ``built``. Returns False when it was already linked to that facility (nothing written).

    Refused: a facility that is not registered or not within the person's scope (the same answer for
    both), or one of another sector or (where the registry names it) province.
    """
    row = _project(session, principal, code, "project.manage", for_update=True)
    target = store.link_target(session, facility_code, within=access.facility_filter(principal))
    if target is None:
        raise InputError(code="projects.unknown_facility", record=code, field="facility", value=facility_code)
    if row.facility_id == target.id:
        return False
    problems = link_problems(
        code,
        sector=row.sector,
        province=row.province,
        facility=target.code,
        facility_sector=target.sector,
        facility_province=target.province,
    )
    if problems:
        _refuse(problems)
    before = {"facility": row.facility.code if row.facility is not None else None, "status": row.status}
    store.link(session, row, target)
    audit(
        session,
        principal.actor,
        "link",
        ENTITY,
        code,
        before=before,
        after={"facility": target.code, "status": "built"},
    )
    return True


def review(
    session: Session,
    principal: Principal,
    code: str,
    *,
    period: PeriodLike = None,
    national_approved_capacity_t_per_a: float | None = None,
    params: ParameterSet | None = None,
) -> StoredReview:
    """Review the current version of project ``code`` at ``period`` (None: its planned start) and keep the
    review with the parameter values it used; audited."""
    _project(session, principal, code, "project.manage")
    return _review(
        session,
        principal,
        code,
        period=period,
        national_approved_capacity_t_per_a=national_approved_capacity_t_per_a,
        params=params,
    )


def _review(
    session: Session,
    principal: Principal,
    code: str,
    *,
    period: PeriodLike = None,
    national_approved_capacity_t_per_a: float | None = None,
    params: ParameterSet | None = None,
) -> StoredReview:
    row = store.find(session, code)
    assert row is not None
    outcome = review_project(
        store.record(session, row),
        params or load(),
        period=period,
        national_approved_capacity_t_per_a=national_approved_capacity_t_per_a,
    )
    fingerprint = snapshot_parameters(session, parameters_used(outcome))
    run = store.add_review(session, row, outcome, fingerprint, principal.actor)
    audit(
        session,
        principal.actor,
        "review",
        ENTITY,
        code,
        after={
            "review": run.id,
            "version": run.version,
            "period": outcome.period.isoformat(),
            "classification": run.classification,
            "decisive": run.decisive,
            "parameter_fingerprint": fingerprint,
        },
    )
    return StoredReview(
        id=run.id,
        code=code,
        version=run.version,
        period=run.period,
        classification=run.classification,
        decisive=tuple(run.decisive),
        national_approved_capacity_t_per_a=run.national_approved_capacity_t_per_a,
        parameter_fingerprint=fingerprint,
        review=outcome,
    )


# ---------------------------------------------------------------- reading


def list_projects(
    session: Session,
    principal: Principal,
    *,
    province: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    kind: str | None = None,
) -> list[ProjectSummary]:
    """The projects within the person's scope (current versions) with their latest review, ordered by code;
    filters combine (``status``: planned or built; ``classification``: of the latest review, or ``none``)."""
    access.require(principal, "project.view")
    check_filters(status, classification)
    return store.list_projects(
        session,
        within=access.project_filter(session, principal),
        province=province,
        sector=sector,
        status=status,
        classification=classification,
        kind=kind,
    )


def find(session: Session, principal: Principal, code: str, action: str = "project.view") -> ProjectSummary:
    """One project's summary, when the person may do ``action`` on it."""
    row = _project(session, principal, code, action)
    (summary,) = store.list_projects(session, code=row.code)
    return summary


def record(session: Session, principal: Principal, code: str) -> Project:
    """The current version of a project, as a validated record."""
    return store.record(session, _project(session, principal, code, "project.view"))


def history(session: Session, principal: Principal, code: str) -> dict[str, Any]:
    """Everything stored about a project: summary, record, versions, reviews and audit events
    (:func:`carbonpeak.store.projects.history`)."""
    return store.history(session, _project(session, principal, code, "project.view"))


def measured(
    session: Session, principal: Principal, code: str, year: int, *, include_submitted: bool = False
) -> MeasuredVsApproved:
    """What project ``code`` measured in ``year`` (the counted months of its linked facility) next to what was
    designed and approved; ``no_data`` when the facility has no counted month in the year, ``not_built`` when
    the project is not linked to a facility."""
    row = _project(session, principal, code, "project.view")
    year = check_year(year)
    return store.measured_vs_approved(session, row, year, include_submitted=include_submitted)


def linkable_facilities(session: Session, principal: Principal, code: str) -> list[FacilityChoice]:
    """The facilities within the person's scope that project ``code`` may be linked to (its sector);
    empty when it is linked already or the person may not manage it."""
    if not access.allowed(principal, "project.manage"):
        return []
    row = _project(session, principal, code, "project.manage")
    if row.facility_id is not None:
        return []
    return store.facilities_of_sector(session, row.sector, within=access.facility_filter(principal))


def facility_in_scope(session: Session, principal: Principal, facility_code: str | None) -> bool:
    """Whether the person may see the registry facility (a project's linked facility is shown as a link then)."""
    if not facility_code:
        return False
    return store.link_target(session, facility_code, within=access.facility_filter(principal)) is not None
