"""The rules of keeping project records: pure checks over plain data, for the use cases of
:mod:`carbonpeak.services.projects` and the repository :mod:`carbonpeak.store.projects`.

Versions, not overwrites
    A project's record is kept as its canonical JSON (:func:`canonical_record`) with a SHA-256 of it
    (:func:`digest`); registering the same record again changes nothing, a different record under a stored
    id is refused (a change is a correction, with its reason), and a correction identical to the current
    version is refused. The columns one queries on (province, sector, kind, capacity...) are those of the
    current version (:func:`columns`).

Every problem is a coded :class:`~carbonpeak.errors.InputError` (``projects.*`` in
``carbonpeak/messages/projects.yaml``) naming the file, the project and the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.messages import Message
from carbonpeak.parameters import Cited
from carbonpeak.projects.model import Project, province_words, sector_words
from carbonpeak.projects.review import Classification, ProjectReview

__all__ = [
    "CLASSIFICATIONS",
    "ENTITY",
    "STATUSES",
    "WIDTHS",
    "Plan",
    "StoredVersion",
    "canonical_record",
    "check_filters",
    "columns",
    "correction_problems",
    "digest",
    "link_problems",
    "parameters_used",
    "plan_registration",
    "width_problems",
]

ENTITY = "project"  # the audit log's entity of a project (its key: the project's code)
STATUSES = ("planned", "built")  # built: linked to the registry facility that measures it
CLASSIFICATIONS = (*(c.value for c in Classification), "none")  # none: never reviewed
# Column widths of the project table (PostgreSQL enforces them; a record is checked before it is written).
WIDTHS = {"id": 100, "name_zh": 300, "name_en": 300, "enterprise": 300, "product": 60}


def canonical_record(project: Project) -> dict[str, Any]:
    """The validated record as plain JSON (fields left out are not written; reading it back gives the same)."""
    data: dict[str, Any] = project.model_dump(mode="json", exclude_none=True)
    return data


def digest(record: Mapping[str, Any]) -> str:
    """SHA-256 of a canonical record (keys sorted, no spaces): equal records, equal digests."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def columns(project: Project) -> dict[str, Any]:
    """The columns of the project table a record sets (those one queries on)."""
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


def width_problems(project: Project, file: str | None) -> list[InputError]:
    """Texts longer than the project table's columns."""
    values = {
        "id": project.id,
        "name_zh": project.name_zh,
        "name_en": project.name_en,
        "enterprise": project.enterprise,
        "product": project.product,
    }
    return [
        InputError(
            code="projects.too_long",
            file=file,
            record=project.id,
            field=name,
            expected=Message("projects.expected.at_most_characters", limit=width),
        )
        for name, width in WIDTHS.items()
        if len(values[name]) > width
    ]


@dataclass(frozen=True)
class StoredVersion:
    """The current version of a stored project: its number and the digest of its record."""

    version: int
    sha256: str


@dataclass(frozen=True)
class Plan:
    """What registering a list of projects does: the records to write as version 1 (project, canonical record,
    digest), the ids already stored identically (with their version), and the problems."""

    new: list[tuple[Project, dict[str, Any], str]]
    unchanged: dict[str, int]
    problems: list[InputError]


def plan_registration(
    projects: Sequence[Project],
    stored: Mapping[str, StoredVersion],
    *,
    file: str | None = None,
    errors: Sequence[InputError] = (),
) -> Plan:
    """Which projects to register and which problems refuse the whole list (``errors``: those already found,
    reported with these). A project whose id is stored with an identical record is left as it is; with a
    different record it is refused (a change is a correction)."""
    problems = list(errors)
    new: list[tuple[Project, dict[str, Any], str]] = []
    unchanged: dict[str, int] = {}
    seen: set[str] = set()
    for project in projects:
        if project.id in seen:
            if not any(e.record == project.id and e.field == "id" for e in problems):
                problems.append(
                    InputError(code="projects.id_twice", file=file, record=project.id, field="id", value=project.id)
                )
            continue
        seen.add(project.id)
        problems.extend(width_problems(project, file))
        record = canonical_record(project)
        sha = digest(record)
        current = stored.get(project.id)
        if current is None:
            new.append((project, record, sha))
        elif current.sha256 == sha:
            unchanged[project.id] = current.version
        else:
            problems.append(
                InputError(
                    code="projects.already_registered",
                    file=file,
                    record=project.id,
                    field="id",
                    value=project.id,
                    expected=Message("projects.expected.correction", project=project.id),
                    version=current.version,
                )
            )
    return Plan(new, unchanged, problems)


def correction_problems(
    code: str, project: Project | None, reason: str, current: StoredVersion, *, file: str | None = None
) -> list[InputError]:
    """Why a correction of project ``code`` is refused: no reason, another id, a text too long, or a record
    identical to the current version (checked only when the others pass). ``project`` None: the corrected
    record did not validate (its own problems are reported by the caller), only the reason is checked."""
    problems = []
    if not reason or not reason.strip():
        problems.append(InputError(code="projects.correction_needs_reason", file=file, record=code, field="reason"))
    if project is None:
        return problems
    if project.id != code:
        problems.append(
            InputError(
                code="projects.other_id",
                file=file,
                record=code,
                field="id",
                value=project.id,
                expected=Message("projects.expected.same_id", project=code),
            )
        )
    problems += width_problems(project, file)
    if not problems and digest(canonical_record(project)) == current.sha256:
        problems.append(InputError(code="projects.identical", file=file, record=code, version=current.version))
    return problems


def link_problems(
    code: str,
    *,
    sector: str,
    province: str,
    facility: str,
    facility_sector: str,
    facility_province: str | None,
) -> list[InputError]:
    """Why project ``code`` (its sector and site province) may not be linked to ``facility``: another sector,
    or (where the registry names it) another province."""
    problems = []
    where: dict[str, Any] = {"record": code, "field": "facility", "value": facility}
    if facility_sector != sector:
        problems.append(
            InputError(
                code="projects.facility_other_sector",
                expected=Message("projects.expected.facility_of_sector", sector=sector_words(sector)),
                facility=facility,
                sector=sector_words(facility_sector),
                other=sector_words(sector),
                **where,
            )
        )
    elif facility_province is not None and facility_province != province:
        problems.append(
            InputError(
                code="projects.facility_other_province",
                expected=Message("projects.expected.facility_in", province=province_words(province)),
                facility=facility,
                province=province_words(facility_province),
                other=province_words(province),
                **where,
            )
        )
    return problems


def check_filters(status: str | None, classification: str | None) -> None:
    """The filters of the project list: a status of :data:`STATUSES`, a classification of
    :data:`CLASSIFICATIONS`."""
    if status is not None and status not in STATUSES:
        raise InputError(code="projects.unknown_status", field="status", value=status, allowed=list(STATUSES))
    if classification is not None and classification not in CLASSIFICATIONS:
        raise InputError(
            code="projects.unknown_classification",
            field="classification",
            value=classification,
            allowed=list(CLASSIFICATIONS),
        )


def parameters_used(review: ProjectReview) -> list[dict[str, Any]]:
    """Every parameter value a review cited (each once), as plain data for the parameter snapshot."""
    used: dict[str, Cited] = {}
    for result in review.rules:
        for cited in result.parameters:
            used[f"{cited.label}|{cited.valid_from}"] = cited
    if review.comparison is not None:
        for check in review.comparison.reference_levels:
            if check.cited is not None:
                used[f"{check.cited.label}|{check.cited.valid_from}"] = check.cited
    return [c.as_dict() for c in used.values()]
