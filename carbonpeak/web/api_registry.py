"""The registry in the REST API, /api/v1: regions, parks, enterprises, facilities, the bulk file and the
changes enterprises propose. Thin adapters over :mod:`carbonpeak.services.registry`.

Bodies are plain JSON objects with the fields of the field tables (``io/fields/registry_*.csv``); every
problem comes back at once as a 422 with one coded detail per problem, in the person's language. Access
is asked first (the role, then whether the object is within the person's jurisdiction).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access, registry_bulk
from carbonpeak.services import registry as reg
from carbonpeak.services import registry_proposals as proposals
from carbonpeak.web.api_types import Timestamp
from carbonpeak.web.deps import DbSession, Who, csrf_protect, settings_of
from carbonpeak.web.errors import TooLarge

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["registry"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "outside your scope or role"},
    404: {"description": "no such object"},
    422: {"description": "every problem of the record, coded, with its field"},
}
Record = Annotated[
    dict[str, Any] | None,
    Body(
        description="the fields of the record, named as in the field tables (docs/registry.md)",
        examples=[{"enterprise_code": "E1", "name_zh": "甲铝业", "uscc": "91610000...", "region_code": "XA"}],
    ),
]


class ChangeOut(BaseModel):
    entity: str
    code: str
    action: str  # created, changed, unchanged
    changed: list[str]
    ledger_events: list[int]
    after: dict[str, Any]


class VersionOut(BaseModel):
    version: int
    at: Timestamp
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ImportOut(BaseModel):
    files: list[str]
    created: dict[str, list[str]]
    changed: dict[str, list[str]]
    unchanged: dict[str, list[str]]


class ProposalIn(BaseModel):
    facility: str | None = None
    changes: dict[str, Any] | None = None
    note: str | None = None


class ProposalOut(BaseModel):
    id: int
    facility: str
    enterprise: str
    changes: dict[str, Any]
    before: dict[str, Any]
    note: str | None
    status: str
    proposed_by: str
    proposed_at: Timestamp
    decided_by: str | None
    decided_at: Timestamp | None
    reason: str | None


class DecisionIn(BaseModel):
    reason: str | None = None
    note: str | None = None


def _change_out(change: reg.Change) -> ChangeOut:
    return ChangeOut(
        entity=change.entity,
        code=change.code,
        action=change.action,
        changed=change.changed_fields,
        ledger_events=list(change.ledger_events),
        after=change.after,
    )


def _proposal_out(p: proposals.Proposal) -> ProposalOut:
    return ProposalOut(
        id=p.id,
        facility=p.facility_code,
        enterprise=p.enterprise_code,
        changes=p.changes,
        before=p.before,
        note=p.note,
        status=p.status,
        proposed_by=p.proposed_by,
        proposed_at=p.proposed_at,
        decided_by=p.decided_by,
        decided_at=p.decided_at,
        reason=p.reason,
    )


def _add(session: Any, who: Any, kind: str, record: dict[str, Any] | None) -> ChangeOut:
    result = reg.add(session, who, kind, record or {})
    session.commit()
    return _change_out(result)


def _change(session: Any, who: Any, kind: str, code: str, changes: dict[str, Any] | None) -> ChangeOut:
    result = reg.change(session, who, kind, code, changes or {})
    session.commit()
    return _change_out(result)


# ---------------------------------------------------------------- regions and parks


@router.get("/regions", responses=ERRORS, summary="Regions (administrative divisions) of the registry")
def list_regions(session: DbSession, who: Who) -> list[dict[str, Any]]:
    return reg.list_regions(session, who)


@router.post("/regions", response_model=ChangeOut, status_code=201, responses=ERRORS, summary="Register a region")
def add_region(session: DbSession, who: Who, record: Record = None) -> ChangeOut:
    return _add(session, who, "regions", record)


@router.patch("/regions/{code}", response_model=ChangeOut, responses=ERRORS, summary="Change a region")
def change_region(code: str, session: DbSession, who: Who, changes: Record = None) -> ChangeOut:
    return _change(session, who, "regions", code, changes)


@router.get("/parks", responses=ERRORS, summary="Industrial parks")
def list_parks(session: DbSession, who: Who) -> list[dict[str, Any]]:
    return reg.list_parks(session, who)


@router.post("/parks", response_model=ChangeOut, status_code=201, responses=ERRORS, summary="Register a park")
def add_park(session: DbSession, who: Who, record: Record = None) -> ChangeOut:
    return _add(session, who, "parks", record)


@router.patch("/parks/{code}", response_model=ChangeOut, responses=ERRORS, summary="Change a park")
def change_park(code: str, session: DbSession, who: Who, changes: Record = None) -> ChangeOut:
    return _change(session, who, "parks", code, changes)


# ---------------------------------------------------------------- enterprises and facilities


@router.post(
    "/enterprises", response_model=ChangeOut, status_code=201, responses=ERRORS, summary="Register an enterprise"
)
def add_enterprise(session: DbSession, who: Who, record: Record = None) -> ChangeOut:
    return _add(session, who, "enterprises", record)


@router.patch("/enterprises/{code}", response_model=ChangeOut, responses=ERRORS, summary="Change an enterprise")
def change_enterprise(code: str, session: DbSession, who: Who, changes: Record = None) -> ChangeOut:
    return _change(session, who, "enterprises", code, changes)


@router.get(
    "/enterprises/{code}/history",
    response_model=list[VersionOut],
    responses=ERRORS,
    summary="Versions of an enterprise",
)
def enterprise_history(code: str, session: DbSession, who: Who) -> list[VersionOut]:
    return [_version_out(v) for v in reg.history(session, who, "enterprises", code)]


@router.post(
    "/facilities",
    response_model=ChangeOut,
    status_code=201,
    responses=ERRORS,
    summary="Register a facility (its capacity enters the capacity ledger)",
)
def add_facility(session: DbSession, who: Who, record: Record = None) -> ChangeOut:
    return _add(session, who, "facilities", record)


@router.patch(
    "/facilities/{code}",
    response_model=ChangeOut,
    responses=ERRORS,
    summary="Change a facility (a capacity change goes through the capacity ledger)",
)
def change_facility(code: str, session: DbSession, who: Who, changes: Record = None) -> ChangeOut:
    return _change(session, who, "facilities", code, changes)


@router.get(
    "/facilities/{code}/history", response_model=list[VersionOut], responses=ERRORS, summary="Versions of a facility"
)
def facility_history(code: str, session: DbSession, who: Who) -> list[VersionOut]:
    return [_version_out(v) for v in reg.history(session, who, "facilities", code)]


def _version_out(v: reg.Version) -> VersionOut:
    return VersionOut(version=v.number, at=v.at, actor=v.actor, action=v.action, before=v.before, after=v.after)


# ---------------------------------------------------------------- the bulk file


@router.get(
    "/registry/template.xlsx",
    response_class=Response,
    responses={**ERRORS, 200: {"description": "the workbook", "content": {XLSX: {}}}},
    summary="The bulk registry template (zh or en)",
)
def registry_template(who: Who, lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    access.require(who, "registry.manage")
    return Response(
        registry_bulk.template(lang),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="registry-template-{lang}.xlsx"'},
    )


@router.post(
    "/registry/imports",
    response_model=ImportOut,
    responses=ERRORS,
    summary="Import a bulk registry file (.xlsx, or CSV files one per kind): all or nothing",
)
def registry_import(
    request: Request,
    session: DbSession,
    who: Who,
    files: Annotated[list[UploadFile] | None, File(description="the workbook, or CSV files")] = None,
) -> ImportOut:
    access.require(who, "registry.manage")
    limit = settings_of(request).max_upload_bytes
    contents = []
    for upload in files or []:
        content = upload.file.read(limit + 1)
        if len(content) > limit:
            raise TooLarge(limit=limit // 2**20)
        contents.append((upload.filename or "registry.xlsx", content))
    if not contents:
        raise ValidationFailed([InputError(code="registry.required", field="files")])
    done = registry_bulk.import_registry(session, who, contents)
    session.commit()
    return ImportOut(files=done.files, created=done.created, changed=done.changed, unchanged=done.unchanged)


# ---------------------------------------------------------------- proposals


@router.get("/proposals", response_model=list[ProposalOut], responses=ERRORS, summary="Proposed facility changes")
def list_proposals(
    session: DbSession, who: Who, status: Annotated[str | None, Query(pattern="^(pending|approved|rejected)$")] = None
) -> list[ProposalOut]:
    return [_proposal_out(p) for p in proposals.list_proposals(session, who, status)]


@router.post(
    "/proposals",
    response_model=ProposalOut,
    status_code=201,
    responses=ERRORS,
    summary="Propose a change to one of your facilities (enterprise users)",
)
def propose(session: DbSession, who: Who, body: Annotated[ProposalIn | None, Body()] = None) -> ProposalOut:
    access.require(who, "registry.propose")
    body = body or ProposalIn()
    if not body.facility:
        raise ValidationFailed([InputError(code="registry.required", field="facility_code")])
    made = proposals.propose(session, who, body.facility, body.changes or {}, body.note)
    session.commit()
    return _proposal_out(made)


@router.post(
    "/proposals/{proposal_id}/approve",
    response_model=ProposalOut,
    responses=ERRORS,
    summary="Approve a proposal: applied as a registry change",
)
def approve(
    proposal_id: int, session: DbSession, who: Who, body: Annotated[DecisionIn | None, Body()] = None
) -> ProposalOut:
    done = proposals.approve(session, who, proposal_id, (body or DecisionIn()).note)
    session.commit()
    return _proposal_out(done)


@router.post(
    "/proposals/{proposal_id}/reject", response_model=ProposalOut, responses=ERRORS, summary="Reject with a reason"
)
def reject(
    proposal_id: int, session: DbSession, who: Who, body: Annotated[DecisionIn | None, Body()] = None
) -> ProposalOut:
    done = proposals.reject(session, who, proposal_id, (body or DecisionIn()).reason or "")
    session.commit()
    return _proposal_out(done)
