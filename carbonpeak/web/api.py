"""The REST API, /api/v1: the same data and actions as the pages, for machine clients.

Authenticate with ``Authorization: Bearer <token>`` (``carbonpeak users token`` or the account
page). A browser session works too; then every state-changing request needs the ``X-CSRF-Token``
header. Errors are ``{"error": code, "message": text, "details": [...]}`` with a proper status.
The OpenAPI document is /api/v1/openapi.json; /api/v1/docs lists the endpoints (no CDN needed).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Body, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.indicators.warning_texts import text as warning_text
from carbonpeak.io.reading import Limits
from carbonpeak.parameters import Cited
from carbonpeak.services import access, submissions
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.limits import TEXT_LIMITS
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Enterprise, Facility, Region, SubmissionVersion, Warning
from carbonpeak.store.parameters import entered
from carbonpeak.web import i18n, queries
from carbonpeak.web.api_types import Timestamp
from carbonpeak.web.deps import DbSession, Who, csrf_protect, render, settings_of
from carbonpeak.web.errors import Conflict, Invalid, NotFound, TooLarge
from carbonpeak.web.imports import imports_of
from carbonpeak.web.pages.common import PERIOD, year_of
from carbonpeak.web.pages.overview import selection
from carbonpeak.web.pages.submissions import safe_filename
from carbonpeak.web.plausibility import flag_rows

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)])
Period = Annotated[str, PathParam(pattern=PERIOD, description="month, YYYY-MM")]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a parameter that is not understood (e.g. a year outside 1990-2100)"},
    401: {"description": "no valid token or session"},
    403: {"description": "outside your scope or role"},
    404: {"description": "no such object"},
}


# ---------------------------------------------------------------- schemas


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    region: str | None
    enterprises: list[str]


class EnterpriseOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    uscc: str
    region: str


class FacilityOut(BaseModel):
    code: str
    enterprise: str
    name_zh: str
    name_en: str
    region: str
    sector: str
    product: str
    technology: str
    capacity_t_per_a: float | None
    status: str


class MonthOut(BaseModel):
    facility: str
    period: str
    version: int
    status: str
    total_location_tco2e: float | None = None
    total_market_tco2e: float | None = None
    energy_tce: float | None = None


class ResultOut(BaseModel):
    computed_at: Timestamp
    method: str
    parameter_fingerprint: str
    total_location_tco2e: float
    total_market_tco2e: float
    energy_tce: float
    values: dict[str, Any]


class VersionOut(BaseModel):
    version: int
    status: str
    reason: str | None
    created_by: str
    created_at: Timestamp
    submitted_at: Timestamp | None
    verified_by: str | None
    verified_at: Timestamp | None = None
    opinion: str | None = Field(default=None, description="核查意见 of the verification")
    returned_by: str | None = None
    returned_at: Timestamp | None = None
    returned_reason: str | None = Field(default=None, description="why the verifier returned it (退回修改)")
    flags: list[dict[str, Any]] = Field(default_factory=list, description="plausibility warnings as saved")
    locked_at: Timestamp | None
    record: dict[str, Any]
    results: list[ResultOut]


class AuditOut(BaseModel):
    at: Timestamp
    actor: str
    action: str
    before_status: str | None
    after_status: str | None
    note: str | None = Field(
        default=None, description="the opinion of a verification, the reason of a return or correction"
    )


class MonthDetail(BaseModel):
    facility: str
    period: str
    versions: list[VersionOut]
    audit: list[AuditOut]


class FlagOut(BaseModel):
    rule: str
    code: str
    severity: str
    field: str
    params: dict[str, Any] = Field(description="numbers in canonical units")
    message: str = Field(description="the rule's text in the person's language")


class FlaggedOut(BaseModel):
    facility: str
    period: str
    version: int
    flags: list[FlagOut]


class ImportOut(BaseModel):
    file: str
    sha256: str | None = Field(description="of the evidence file kept; null when nothing new was written")
    rows: int
    versions: list[tuple[str, str, int]] = Field(description="(facility, period, version) written")
    unchanged: list[tuple[str, str, int]] = Field(
        default_factory=list, description="(facility, period, version) already holding the identical record"
    )
    results: int
    results_pending: list[str]
    flagged: list[FlaggedOut] = Field(
        default_factory=list, description="months saved with plausibility warnings (held out until verified)"
    )
    not_submitted: list[tuple[str, str, int]] = Field(
        default_factory=list,
        description="(facility, period, version) saved as drafts although submitting was asked: warnings without "
        "an explanation (情况说明)",
    )


class WarningEventOut(BaseModel):
    at: Timestamp
    actor: str
    action: str
    note: str | None


class WarningOut(BaseModel):
    id: int
    kind: str
    severity: str
    facility: str | None
    period: str | None
    status: str
    assignee: str | None
    deadline: dt.date | None
    message_zh: str
    message_en: str
    history: list[WarningEventOut] = []


class WarningAction(BaseModel):
    # the limits of carbonpeak.services.limits, until the warnings' use cases check them themselves
    note: str | None = Field(default=None, max_length=TEXT_LIMITS["note"])
    assignee: str | None = Field(default=None, max_length=TEXT_LIMITS["assignee"])


# ---------------------------------------------------------------- helpers


def clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities as null, NumPy scalars as Python, cited parameters as dicts."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Cited):
        return clean(value.as_dict())
    if isinstance(value, Facility | Enterprise):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _problems(errors: list[InputError]) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        shown = i18n.input_error(e)
        out.append(clean({k: shown[k] for k in ("record", "row", "field", "message", "value", "expected")}))
    return out


def facility_out(f: Facility) -> FacilityOut:
    return FacilityOut(
        code=f.code,
        enterprise=f.enterprise.code,
        name_zh=f.name_zh,
        name_en=f.name_en,
        region=f.region.code,
        sector=f.sector,
        product=f.product,
        technology=f.technology,
        capacity_t_per_a=f.capacity_t_per_a,
        status=f.status,
    )


def warning_out(w: Warning, history: bool = False) -> WarningOut:
    return WarningOut(
        id=w.id,
        kind=w.kind,
        severity=w.severity,
        facility=w.facility_code,
        period=w.period,
        status=w.status,
        assignee=w.assignee,
        deadline=w.deadline,
        message_zh=warning_text(w.details, "zh", w.message_zh),  # from the catalog by code where it has one
        message_en=warning_text(w.details, "en", w.message_en),
        history=[WarningEventOut(at=e.at, actor=e.actor, action=e.action, note=e.note) for e in w.events]
        if history
        else [],
    )


def version_out(session: Session, v: SubmissionVersion) -> VersionOut:
    return VersionOut(
        version=v.version,
        status=v.status,
        reason=v.reason,
        created_by=v.created_by,
        created_at=v.created_at,
        submitted_at=v.submitted_at,
        verified_by=v.verified_by,
        verified_at=v.verified_at,
        opinion=v.opinion,
        returned_by=v.returned_by,
        returned_at=v.returned_at,
        returned_reason=v.returned_reason,
        flags=clean([f for f in v.flags or [] if isinstance(f, dict)]),
        locked_at=v.locked_at,
        record=clean(v.record),
        results=[
            ResultOut(
                computed_at=r.computed_at,
                method=r.method,
                parameter_fingerprint=r.parameter_fingerprint,
                total_location_tco2e=r.total_location_tco2e,
                total_market_tco2e=r.total_market_tco2e,
                energy_tce=r.energy_tce,
                values=clean(r.values),
            )
            for r in repo.results_of(session, v)
        ],
    )


# ---------------------------------------------------------------- who am I


@router.get("/me", response_model=Me, responses=ERRORS, summary="The account behind the token")
def me(session: DbSession, who: Who) -> Me:
    region = session.get(Region, who.region_id) if who.region_id else None
    codes = session.scalars(select(Enterprise.code).where(Enterprise.id.in_(sorted(who.enterprise_ids))))
    return Me(
        username=who.username,
        display_name=who.display_name,
        role=who.role,
        region=region.code if region else None,
        enterprises=sorted(codes),
    )


# ---------------------------------------------------------------- registry


def _kept_list(request: Request, session: Session, who: access.Principal, model: Any, rows: Any) -> Response:
    """A registry list's JSON body, made once per scope and data state (the registry's changes are audited)
    and kept: the list grows with the province, and reading, checking and encoding it is most of its cost."""
    cache = request.app.state.cache

    def make() -> bytes:
        return TypeAdapter(list[model]).dump_json(rows())  # type: ignore[no-any-return]

    key = ("api-list", model.__name__, queries.scope_key(who))
    return Response(cache.get(key, make, queries.fresh(session, cache)), media_type="application/json")


@router.get("/enterprises", response_model=list[EnterpriseOut], responses=ERRORS, summary="Enterprises in scope")
def list_enterprises(request: Request, session: DbSession, who: Who) -> Response:
    def rows() -> list[EnterpriseOut]:
        return [
            EnterpriseOut(code=e.code, name_zh=e.name_zh, name_en=e.name_en, uscc=e.uscc, region=e.region.code)
            for e in queries.enterprises(session, who)
        ]

    access.require(who, "registry.view")
    return _kept_list(request, session, who, EnterpriseOut, rows)


@router.get("/enterprises/{code}", response_model=EnterpriseOut, responses=ERRORS, summary="One enterprise")
def get_enterprise(code: str, session: DbSession, who: Who) -> EnterpriseOut:
    e = access.get_enterprise(session, who, code)
    return EnterpriseOut(code=e.code, name_zh=e.name_zh, name_en=e.name_en, uscc=e.uscc, region=e.region.code)


@router.get("/facilities", response_model=list[FacilityOut], responses=ERRORS, summary="Facilities in scope")
def list_facilities(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "registry.view")
    return _kept_list(
        request, session, who, FacilityOut, lambda: [facility_out(f) for f in queries.facilities(session, who)]
    )


@router.get("/facilities/{code}", response_model=FacilityOut, responses=ERRORS, summary="One facility")
def get_facility(code: str, session: DbSession, who: Who) -> FacilityOut:
    return facility_out(access.get_facility(session, who, code, "registry.view"))


# ---------------------------------------------------------------- submissions


@router.get("/submissions", response_model=list[MonthOut], responses=ERRORS, summary="Facility-months in scope")
def list_months(
    session: DbSession, who: Who, facility: str | None = None, year: int | None = None, status: str | None = None
) -> list[MonthOut]:
    """The latest version of each facility-month, its status and its newest result."""
    row = access.get_facility(session, who, facility) if facility else None
    out = []
    for m in queries.months(session, who, facility=row, year=year, status=status):
        r = m["result"]
        out.append(
            MonthOut(
                facility=m["facility"].code,
                period=m["period"],
                version=m["version"].version,
                status=m["version"].status,
                total_location_tco2e=r.total_location_tco2e if r else None,
                total_market_tco2e=r.total_market_tco2e if r else None,
                energy_tce=r.energy_tce if r else None,
            )
        )
    return out


@router.get(
    "/submissions/{facility}/{period}", response_model=MonthDetail, responses=ERRORS, summary="One facility-month"
)
def get_month(facility: str, period: Period, session: DbSession, who: Who) -> MonthDetail:
    """Every version (corrections with their reason), its results, and the month's audit trail."""
    row = access.get_facility(session, who, facility)
    found = queries.detail(session, row, period)
    if not found["versions"]:
        raise NotFound()
    return MonthDetail(
        facility=row.code,
        period=period,
        versions=[version_out(session, v["version"]) for v in found["versions"]],
        audit=[
            AuditOut(
                at=a.at,
                actor=a.actor,
                action=a.action,
                before_status=(a.before or {}).get("status"),
                after_status=(a.after or {}).get("status"),
                note=(a.after or {}).get("opinion") or (a.after or {}).get("reason"),
            )
            for a in found["audit"]
        ],
    )


@router.get("/submissions/{facility}/{period}/provenance", responses=ERRORS, summary="How a month's figures were made")
def month_provenance(
    facility: str, period: Period, session: DbSession, who: Who, version: int | None = None
) -> dict[str, Any]:
    """Method, terms (formula, inputs, cited parameters with source and confidence), the stored result
    and the parameter snapshot it was computed with."""
    row = access.get_facility(session, who, facility)
    versions = repo.versions_of(session, row.code, period)
    chosen = (
        (versions[-1] if versions else None)
        if version is None
        else next((v for v in versions if v.version == version), None)
    )
    if chosen is None:
        raise NotFound()
    made = queries.provenance(session, row, chosen)
    result = made["result"]
    return clean(
        {
            "facility": row.code,
            "period": period,
            "version": chosen.version,
            "explanation": made["explanation"],
            "problem": made["problem"],
            "stored_result": {
                "computed_at": result.computed_at.isoformat(),
                "parameter_fingerprint": result.parameter_fingerprint,
                "values": result.values,
            }
            if result
            else None,
            "parameter_snapshot": made["snapshot"],
            "recomputed_differs": made["differs"],
        }
    )


def _api_step(target: str) -> Any:
    def step(facility: str, period: Period, session: DbSession, who: Who) -> MonthOut:
        try:
            (version,) = submissions.step(session, who, [(facility, period)], target)
        except InputError as exc:
            session.rollback()
            raise Conflict(i18n.detail(exc), details=_problems([exc])) from None
        session.commit()
        return MonthOut(facility=facility, period=period, version=version.version, status=version.status)

    step.__name__ = f"api_{target}"
    return step


# verify (with an opinion) and return (with a reason) take a body: web.api_verification
for _verb, _target in (("submit", "submitted"), ("lock", "locked")):
    router.post(
        f"/submissions/{{facility}}/{{period}}/{_verb}",
        response_model=MonthOut,
        responses={**ERRORS, 409: {"description": "not in the state this step needs"}},
        summary=f"{_verb.capitalize()} the latest version of a facility-month",
        name=f"api_{_verb}",
    )(_api_step(_target))


@router.post(
    "/imports",
    response_model=ImportOut,
    status_code=201,
    responses={
        **ERRORS,
        413: {"description": "file too large"},
        422: {"description": "row-level errors; nothing written"},
    },
    summary="Import a filled template (all rows or none)",
)
def import_upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File(description=".xlsx template, CSV, JSON or YAML")] = None,
    submit: Annotated[bool, Form()] = False,
) -> ImportOut:
    """services.intake.import_file, in an import process (web.imports); a plain ``def``: it waits in the
    thread pool, never on the event loop."""
    access.require(who, "submission.report")
    if file is None:
        raise Invalid(details=[{"field": "file", "message": i18n.gettext("Choose a file to upload.")}])
    session.commit()  # end the sign-in's transaction: no write lock is held while the file is read
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    name = safe_filename(file.filename or "upload.xlsx")
    try:
        report = imports_of(request.app).run(
            session, who, content, name, submit=submit, limits=Limits.from_env(max_bytes=limit)
        )
    except CarbonpeakError:
        session.rollback()
        raise  # coded: the app answers 422 (503 when busy) with every problem in the person's language
    return ImportOut(
        file=name,
        sha256=report.sha256,
        rows=report.rows,
        versions=report.versions,
        unchanged=report.unchanged,
        results=report.results,
        results_pending=[i18n.reason(p) for p in report.results_pending],  # coded: in the person's language
        flagged=[
            FlaggedOut(
                facility=code,
                period=period,
                version=version,
                flags=[
                    FlagOut(**flag, message=row["message"]) for flag, row in zip(flags, flag_rows(flags), strict=True)
                ],
            )
            for code, period, version, flags in report.flagged
        ],
        not_submitted=report.not_submitted,
    )


# ---------------------------------------------------------------- indicators, targets, benchmark


@router.get("/indicators", responses=ERRORS, summary="Plan indicators of a region and year")
def indicators(
    request: Request, session: DbSession, who: Who, region: str | None = None, year: str | None = None
) -> dict[str, Any]:
    chosen = selection(request, session, who, region, year, None)
    cache = request.app.state.cache
    records = queries.indicator_table(session, cache, who, chosen["region"], chosen["year"], chosen["edition"])
    coverage, period = queries.coverage_of(session, cache, who, chosen["region"].code, chosen["year"])
    return clean(
        {
            "region": chosen["region"].code,
            "year": chosen["year"],
            "period": period.as_dict(i18n.current_lang()),
            "coverage": coverage.as_dict(),
            "benchmark_edition": chosen["edition"],
            "indicators": records,
        }
    )


@router.get("/targets", responses=ERRORS, summary="A plan's targets: value, status and reason")
def targets(
    request: Request,
    session: DbSession,
    who: Who,
    plan: str | None = None,
    region: str | None = None,
    year: str | None = None,
) -> dict[str, Any]:
    chosen = selection(request, session, who, region, year, plan)
    evaluations = queries.plan_targets(
        session, request.app.state.cache, who, chosen["plan"], chosen["region"], chosen["year"], chosen["edition"]
    )
    coverage, period = queries.coverage_of(session, request.app.state.cache, who, chosen["region"].code, chosen["year"])
    return clean(
        {
            "plan": chosen["plan"],
            "region": chosen["region"].code,
            "year": chosen["year"],
            "period": period.as_dict(i18n.current_lang()),
            "coverage": coverage.as_dict(),
            "targets": evaluations,
        }
    )


@router.get("/benchmark", responses=ERRORS, summary="Benchmark classes, capacity shares and the aluminium surcharge")
def benchmark(request: Request, session: DbSession, who: Who, year: str | None = None) -> dict[str, Any]:
    cache = request.app.state.cache
    years = queries.years_with_data(queries.facts(session, cache, who))
    chosen = year_of(year, years) if year not in (None, "") else queries.default_year(session, cache, who, None)
    data = dict(queries.benchmark(session, cache, who, chosen, settings_of(request).benchmark_edition))
    data["coverage"] = data["coverage"].as_dict()
    data["period"] = data["period"].as_dict(i18n.current_lang())
    return clean({"year": chosen, **data})


# ---------------------------------------------------------------- warnings


@router.get("/warnings", response_model=list[WarningOut], responses=ERRORS, summary="Warnings in scope")
def list_warnings(
    session: DbSession, who: Who, status: str | None = None, kind: str | None = None, facility: str | None = None
) -> list[WarningOut]:
    return [warning_out(w) for w in queries.warnings(session, who, status=status, kind=kind, facility=facility)]


@router.get("/warnings/{warning_id}", response_model=WarningOut, responses=ERRORS, summary="A warning with its history")
def get_warning(warning_id: int, session: DbSession, who: Who) -> WarningOut:
    return warning_out(access.get_warning(session, who, warning_id), history=True)


@router.post(
    "/warnings/{warning_id}/{action}",
    response_model=WarningOut,
    responses={**ERRORS, 409: {"description": "not possible in the warning's state"}},
    summary="Acknowledge, assign, close or reopen a warning",
)
def act_on_warning(
    warning_id: int,
    session: DbSession,
    who: Who,
    action: Annotated[str, PathParam(pattern="^(acknowledge|assign|close|reopen)$")],
    body: Annotated[WarningAction | None, Body()] = None,
) -> WarningOut:
    warning = access.get_warning(session, who, warning_id, "warning.act")
    body = body or WarningAction()
    try:
        warning_cases.act(session, who, warning.id, action, note=body.note, assignee=body.assignee)
    except InputError as exc:
        session.rollback()
        raise Conflict(i18n.detail(exc), details=_problems([exc])) from None
    session.commit()
    return warning_out(warning, history=True)


# ---------------------------------------------------------------- parameters


@router.get("/parameters", responses=ERRORS, summary="Parameter families")
def parameter_families(session: DbSession, who: Who) -> list[dict[str, Any]]:
    access.require(who, "parameters.view")
    return [
        {
            "id": f.id,
            "title": f.title,
            "keys": f.keys,
            "entries": len(f.entries),
            "last_reviewed": f.last_reviewed.isoformat(),
        }
        for f in queries.parameter_families(session)
    ]


@router.get("/parameters/{family}", responses=ERRORS, summary="A family's values with source and confidence")
def parameter_family(family: str, session: DbSession, who: Who) -> dict[str, Any]:
    access.require(who, "parameters.view")
    files = queries.params(session).files
    if family not in files:
        raise NotFound()
    f = files[family]
    today = dt.date.today()
    return clean(
        {
            "id": f.id,
            "title": f.title,
            "description": f.description,
            "keys": f.keys,
            "entries": [
                {
                    **e.model_dump(mode="json"),
                    "in_force_today": queries.in_force(e, today),
                    "entered_by_administrator": entered(e),
                    "source_document": f.sources[e.source].model_dump(mode="json", exclude_none=True),
                }
                for e in f.entries
            ],
        }
    )


# ---------------------------------------------------------------- a list of the endpoints


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> Response:
    """The endpoints of the OpenAPI document, listed on a page (served without any CDN)."""
    schema = request.app.openapi()
    endpoints = [
        {"path": path, "method": method.upper(), "summary": op.get("summary", ""), "doc": op.get("description", "")}
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]
    return render(request, "api_docs.html", endpoints=endpoints, flash=[])
