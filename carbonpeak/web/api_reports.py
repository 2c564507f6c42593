"""The regulator's reports in the REST API (/api/v1/reports): list, make, read, download a file, sign off,
regenerate and compare. Thin adapters over :mod:`carbonpeak.services.reports` (docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from carbonpeak.reports.formats import FORMATS, MEDIA_TYPES
from carbonpeak.services import reports as use
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.web.deps import DbSession, Who, csrf_protect, settings_of
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["reports"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a role that may not read (or sign) reports"},
    404: {"description": "no such report within your jurisdiction (the same answer for both)"},
    409: {"description": "the report is signed off already"},
    422: {"description": "a kind, period or region that is not understood, or nothing to report (coded)"},
}


class FileOut(BaseModel):
    format: str
    sha256: str
    size: int
    url: str


class ReportOut(BaseModel):
    id: int
    kind: str = Field(description="carbon_peak_monthly, carbon_peak_yearly, or an enterprise's kind (docs/reports.md)")
    region: str
    enterprise: str = Field("", description="the enterprise an enterprise report is of ('' for a region's report)")
    period: str
    lang: str
    version: int
    status: str = Field(description="made, or signed (locked: it never changes)")
    provisional: bool
    made_on: dt.date
    made_by: str
    made_at: dt.datetime
    trigger: str
    state_sha256: str
    signed_by: str | None
    signed_at: dt.datetime | None
    files: list[FileOut]


class ReportDetailOut(ReportOut):
    data_state: dict[str, Any] = Field(
        description="what the figures were made from: every facility-month of the window with its version and state, "
        "each parameter family's fingerprint, the digests of the other inputs, the day judged on (docs/reports.md)"
    )


class MakeIn(BaseModel):
    kind: str = Field("carbon_peak_monthly", max_length=40, description="a report kind (docs/reports.md)")
    region: str = Field("", max_length=40, description="a region's report: the region")
    enterprise: str = Field("", max_length=40, description="an enterprise's report: the enterprise")
    period: str = Field("", max_length=10, description="2025-12 (monthly) or 2025 (yearly)")
    lang: Literal["zh", "en"] = "zh"


class ChangeOut(BaseModel):
    part: str
    key: str
    before: str | None
    after: str | None


class CheckOut(BaseModel):
    report: ReportOut
    state_now: str
    data_changed: bool
    reproduced: bool
    from_document: dict[str, bool] = Field(description="per format: the stored document renders to the stored SHA-256")
    from_store: dict[str, bool] = Field(
        description="per format, when the data state is unchanged: recomputed, same SHA-256"
    )
    changes: list[ChangeOut]


def _out(r: use.Summary) -> ReportOut:
    return ReportOut(
        **{k: getattr(r, k) for k in ReportOut.model_fields if k != "files"},
        files=[
            FileOut(format=f.format, sha256=f.sha256, size=f.size, url=f"/api/v1/reports/{r.id}/files/{f.format}")
            for f in r.files
        ],
    )


@router.get("/reports", response_model=list[ReportOut], responses=ERRORS, summary="Stored reports of your jurisdiction")
def list_reports(session: DbSession, who: Who, region: str | None = None, kind: str | None = None) -> list[ReportOut]:
    return [_out(r) for r in use.list_reports(session, who, region=region, kind=kind)]


@router.post("/reports", response_model=ReportOut, status_code=201, responses=ERRORS, summary="Make a report")
def make(request: Request, session: DbSession, who: Who, body: Annotated[MakeIn | None, Body()] = None) -> ReportOut:
    use.require_maker(who)  # before the body is looked at
    body = body or MakeIn()
    asked = Asked(
        kind=body.kind,
        region=body.region,
        enterprise=body.enterprise,
        period=body.period,
        lang=body.lang,
        as_of=today_of(request),
        edition=settings_of(request).benchmark_edition,
        base_url=str(request.base_url).rstrip("/"),
    )
    made = use.make(session, who, asked)
    session.commit()
    return _out(made)


@router.get("/reports/{report_id}", response_model=ReportDetailOut, responses=ERRORS, summary="One report")
def read(report_id: int, session: DbSession, who: Who) -> ReportDetailOut:
    """The report with its data state."""
    found = _out(use.get(session, who, report_id))
    return ReportDetailOut(**found.model_dump(), data_state=use.data_state_of(session, who, report_id))


@router.get(
    "/reports/{report_id}/files/{fmt}",
    response_class=Response,
    responses={**ERRORS, 200: {"description": "the file", "content": {MEDIA_TYPES[f]: {} for f in FORMATS}}},
    summary="A report's file (pdf, docx, xlsx)",
)
def file(report_id: int, fmt: Literal["pdf", "docx", "xlsx"], session: DbSession, who: Who) -> Response:
    name, media, data = use.file_of(session, who, report_id, fmt)
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/reports/{report_id}/signoff", response_model=ReportOut, responses=ERRORS, summary="Sign a report off")
def sign_off(report_id: int, session: DbSession, who: Who) -> ReportOut:
    signed = use.sign_off(session, who, report_id)
    session.commit()
    return _out(signed)


@router.post(
    "/reports/{report_id}/regenerate", response_model=CheckOut, responses=ERRORS, summary="Make again, compare"
)
def regenerate(report_id: int, session: DbSession, who: Who) -> CheckOut:
    """Make the report's files again from its data state and compare their SHA-256; changes nothing."""
    check = use.regenerate(session, who, report_id)
    session.rollback()
    return CheckOut(
        report=_out(check.report),
        state_now=check.state_now,
        data_changed=check.data_changed,
        reproduced=check.reproduced,
        from_document=check.from_document,
        from_store=check.from_store,
        changes=[ChangeOut(**c.__dict__) for c in check.changes],
    )
