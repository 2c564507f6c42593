"""Recycled aluminium and copper in the REST API, /api/v1/recycling: the scrap intake template, an import (file,
all rows or none), the casthouse-months with their metal balance, the workflow steps (submit, verify, return,
lock: the monthly steps and refusals), recycled content per product with its method, and the region's share on
both bases. Thin adapters over :mod:`carbonpeak.services.recycling` and its siblings.

Access is asked first: a role that may not take a step gets 403; an unknown month and one outside the person's
scope get the same 404; bad rows a 422 listing every problem; a month not in the state a step needs a 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.io import scrap_file
from carbonpeak.services import access
from carbonpeak.services import recycling as intake
from carbonpeak.services import recycling_reads as reads
from carbonpeak.services import recycling_share as share
from carbonpeak.services import recycling_steps as steps
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, csrf_protect, settings_of
from carbonpeak.web.errors import Conflict, Invalid, TooLarge
from carbonpeak.web.pages.common import PERIOD
from carbonpeak.web.pages.submissions import safe_filename

router = APIRouter(prefix="/api/v1/recycling", dependencies=[Depends(csrf_protect)], tags=["recycling"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a parameter that is not understood"},
    401: {"description": "no valid token or session"},
    403: {"description": "your role may not do this"},
    404: {"description": "no such month or region within your scope (an unknown one and another's alike)"},
    409: {"description": "a month not in the state the step needs; nothing written"},
    413: {"description": "file too large"},
    422: {"description": "every problem of the input, coded; nothing written"},
}
STEP_ROLES = ("submission.report", "submission.verify")


class LedgerImportOut(BaseModel):
    file: str
    lots: int
    sha256: str | None
    versions: list[tuple[str, str, int]] = Field(description="(facility, period, version) added")
    unchanged: list[tuple[str, str, int]]
    submitted: bool
    open_balances: list[dict[str, Any]] = Field(description="drafts whose metal balance does not close (coded)")


class BalanceOut(BaseModel):
    metal_from_scrap_t: float
    other_metal_t: float
    metal_in_t: float
    output_t: float
    stock_change_t: float
    losses_t: float
    accounted_t: float
    residual_t: float
    residual_pct: float | None
    tolerance_pct: float
    closes: bool
    method: str


class LedgerMonthOut(BaseModel):
    facility: str
    period: str
    version: int
    status: str
    lots: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    balance: BalanceOut


class MonthRef(BaseModel):
    facility: str
    period: str = Field(pattern=PERIOD)


class StepIn(BaseModel):
    target: str = Field(default="", description="submitted, verified, returned or locked")
    months: list[MonthRef] = Field(default_factory=list)
    note: str | None = Field(default=None, description="the opinion (verified) or the reason (returned)")


class StepOut(BaseModel):
    facility: str
    period: str
    version: int
    status: str


@router.get(
    "/template",
    summary="The scrap intake template (.xlsx, zh or en)",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {XLSX: {}}, "description": "the template"}},
)
def template(who: Who, lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    access.require(who, "submission.report")
    return Response(
        scrap_file.write_template(lang),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=scrap-intake-{lang}.xlsx"},
    )


@router.post(
    "/imports", response_model=LedgerImportOut, status_code=201, responses=ERRORS, summary="Import a scrap intake file"
)
def import_upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File(description=".xlsx template, CSV (one table) or JSON")] = None,
    submit: Annotated[bool, Form()] = False,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> LedgerImportOut:
    access.require(who, "submission.report")
    if file is None:
        raise Invalid(details=[{"field": "file", "message": i18n.gettext("Choose a file to upload.")}])
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    name = safe_filename(file.filename or "upload.xlsx")
    try:
        done = intake.import_file(session, who, content, name, submit=submit, reason=reason or None)
    except CarbonpeakError:
        session.rollback()
        raise  # coded: 422 with every problem in the person's language
    session.commit()
    return LedgerImportOut(
        file=done.file,
        lots=done.lots,
        sha256=done.sha256,
        versions=done.versions,
        unchanged=done.unchanged,
        submitted=done.submitted,
        open_balances=[{**i18n.input_error(e), "code": e.code} for e in done.open_balances],
    )


@router.get(
    "/ledgers",
    response_model=list[LedgerMonthOut],
    responses=ERRORS,
    summary="Casthouse-months with their metal balance",
)
def ledgers(
    session: DbSession,
    who: Who,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    facility: Annotated[str | None, Query(max_length=60)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> list[LedgerMonthOut]:
    found = reads.months(session, who, facility=facility, year=year, status=status)
    return [
        LedgerMonthOut(
            facility=m.facility.code,
            period=m.period,
            version=m.version.version,
            status=m.version.status,
            lots=m.version.lots,
            outputs=m.version.outputs,
            balance=BalanceOut(**{k: getattr(m.balance, k) for k in BalanceOut.model_fields}),
        )
        for m in found
    ]


@router.post(
    "/steps", response_model=list[StepOut], responses=ERRORS, summary="Submit, verify, return or lock casthouse-months"
)
def take_steps(session: DbSession, who: Who, body: Annotated[StepIn | None, Body()] = None) -> list[StepOut]:
    if not any(access.allowed(who, action) for action in STEP_ROLES):
        access.require(who, "submission.verify")  # refused: the role takes no step (403)
    body = body or StepIn()
    return _steps(session, who, [(m.facility, m.period) for m in body.months], body.target, body.note)


def _steps(
    session: Session, who: Principal, months: list[tuple[str, str]], target: str, note: str | None
) -> list[StepOut]:
    try:
        versions = steps.step(session, who, months, target, note=note)
    except ValidationFailed:
        session.rollback()
        raise
    except InputError as exc:
        session.rollback()
        problem = i18n.input_error(exc)
        raise Conflict(i18n.detail(exc), details=[{k: problem[k] for k in ("record", "field", "message")}]) from None
    session.commit()
    return [
        StepOut(facility=code, period=period, version=v.version, status=v.status)
        for (code, period), v in zip(months, versions, strict=True)
    ]


@router.get(
    "/content", responses=ERRORS, summary="Recycled content of products over a year's verified months (ISO 14021)"
)
def content(
    session: DbSession, who: Who, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[dict[str, Any]]:
    """``year`` defaults to the latest year with a casthouse-month in the person's scope."""
    if year is None:
        years = sorted({int(m.period[:4]) for m in reads.months(session, who)})
        if not years:
            return []
        year = years[-1]
    return [
        {
            "facility": c.facility.code,
            "product": c.product,
            "months": c.months,
            "output_t": c.output_t,
            "recycled_t": c.content.recycled_t,
            "pre_consumer_t": c.content.pre_consumer_t,
            "post_consumer_t": c.content.post_consumer_t,
            "rework_t": c.content.rework_t,
            "charged_t": c.content.charged_t,
            "content_pct": c.content.content_pct,
            "method": c.content.method,
            "clause": c.content.clause,
        }
        for c in reads.contents(session, who, year)
    ]


@router.get(
    "/shares",
    responses=ERRORS,
    summary="The region's recycled-metal share on both bases, with numerator and denominator",
)
def shares(
    session: DbSession,
    who: Who,
    region: Annotated[str | None, Query(max_length=40)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> list[dict[str, Any]]:
    """``region`` defaults to the top of the person's jurisdiction, ``year`` to the latest year with a
    casthouse-month in scope (else the current year)."""
    access.require(who, "overview.view")
    lang = i18n.current_lang()
    if region is None:
        regions = access.regions_in_scope(session, who)
        if not regions:
            return []
        region = regions[0].code
    if year is None:
        years = sorted({int(m.period[:4]) for m in reads.months(session, who)})
        year = years[-1] if years else dt.date.today().year
    return [
        {
            "region": f.region,
            "year": f.year,
            "basis": f.basis,
            "basis_label": f.label.text(lang),
            "numerator_t": f.numerator_t,
            "denominator_t": f.denominator_t,
            "share_pct": f.share_pct,
            "numerator_source": f.numerator_source,
            "denominator_source": f.denominator_source,
            "gaps": [{"code": g.code, "message": g.text(lang)} for g in f.gaps],
            "targets": f.targets,
        }
        for f in share.shares(session, who, region, year)
    ]
