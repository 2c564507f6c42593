"""Disclosure in the REST API (/api/v1/disclosure, /api/v1/enterprises/{code}/disclosure; docs/disclosure.md): an
enterprise's disclosure of a year
(due day, state, statement, reports), its allowance statement, making and publishing a disclosure report,
the regulator's deadline list and flags, and the public answer of what an enterprise published (no token).
Thin adapters over :mod:`carbonpeak.services.disclosure` and its siblings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from carbonpeak.services import access
from carbonpeak.services import disclosure as use
from carbonpeak.services import disclosure_deadlines as board_use
from carbonpeak.services import disclosure_public as public_use
from carbonpeak.services import reports as report_use
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["disclosure"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a role that may not do this"},
    404: {"description": "no such enterprise or report within your scope (the same answer for both)"},
    409: {"description": "the report is published (signed off) already"},
    422: {"description": "a year, status, quantity or reason that is not understood, or nothing to disclose (coded)"},
}


class StatementOut(BaseModel):
    enterprise: str
    year: int
    version: int
    status: str = Field(description="completed, partly or not_completed")
    surrendered_tco2e: float | None
    note: str | None
    entered_by: str
    entered_at: dt.datetime


class StatementIn(BaseModel):
    status: Literal["completed", "partly", "not_completed"] = "completed"
    surrendered_tco2e: float | None = Field(None, ge=0, description="allowances surrendered, t CO2e (optional)")
    note: str | None = Field(None, max_length=2000)


class ReportRef(BaseModel):
    id: int
    kind: str
    period: str
    lang: str
    version: int
    status: str = Field(description="made, or signed (published, locked)")
    provisional: bool
    signed_at: dt.datetime | None


class OwnOut(BaseModel):
    enterprise: str
    year: int
    due: dt.date = Field(description="15 March of the following year (MEE Order No. 24; disclosure.yaml)")
    state: str = Field(description="on_time, late, not_yet or overdue")
    published_on: dt.date | None
    statement: StatementOut | None
    reports: list[ReportRef]


class MakeIn(BaseModel):
    kind: Literal["disclosure_mee", "disclosure_climate"] = "disclosure_mee"
    enterprise: str = Field("", max_length=40)
    year: str = Field("", max_length=4, description="e.g. 2025")
    lang: Literal["zh", "en"] = "zh"


class RowOut(BaseModel):
    enterprise: str
    name: str
    region: str
    why: list[str] = Field(description="carbon_market, sector, flagged")
    due: dt.date
    state: str
    published_on: dt.date | None
    report_id: int | None


class BoardOut(BaseModel):
    year: int
    due: dt.date
    counts: dict[str, int]
    rows: list[RowOut]
    source: dict[str, Any]


class FlagIn(BaseModel):
    enterprise: str = Field("", max_length=40)
    obliged: bool = True
    reason: str = Field("", max_length=2000)


class FlagOut(BaseModel):
    enterprise: str
    version: int
    obliged: bool
    reason: str


class FigureOut(BaseModel):
    label: str
    value: str


class PublishedOut(BaseModel):
    id: int
    kind: str
    year: str
    lang: str
    version: int
    title: str
    published_on: dt.date
    provisional: bool
    figures: list[FigureOut]
    pdf: str = Field(description="the PDF's address (no token needed)")
    pdf_sha256: str


def _ref(r: report_use.Summary) -> ReportRef:
    return ReportRef(**{k: getattr(r, k) for k in ReportRef.model_fields})


@router.get("/disclosure/deadlines", response_model=BoardOut, responses=ERRORS, summary="Deadline list of a year")
def deadlines(request: Request, session: DbSession, who: Who, year: int | None = None) -> BoardOut:
    today = today_of(request)
    found = board_use.board(session, who, year or today.year - 1, today)
    rows = [RowOut(**{**r.__dict__, "why": list(r.why)}) for r in found.rows]
    return BoardOut(year=found.year, due=found.due, counts=found.counts, rows=rows, source=found.source)


@router.get(
    "/enterprises/{code}/disclosure/{year}", response_model=OwnOut, responses=ERRORS, summary="An enterprise's year"
)
def own(request: Request, session: DbSession, who: Who, code: str, year: str) -> OwnOut:
    found = use.own(session, who, code, year, today_of(request))
    statement = StatementOut(**found.statement.__dict__) if found.statement else None
    return OwnOut(
        enterprise=found.enterprise,
        year=found.year,
        due=found.due,
        state=found.state,
        published_on=found.published_on,
        statement=statement,
        reports=[_ref(r) for r in found.reports],
    )


@router.post(
    "/enterprises/{code}/disclosure/{year}/allowance",
    response_model=StatementOut,
    status_code=201,
    responses=ERRORS,
    summary="State the year's allowance surrender (a new version)",
)
def allowance(
    session: DbSession, who: Who, code: str, year: str, body: Annotated[StatementIn | None, Body()] = None
) -> StatementOut:
    access.require(who, "disclosure.state")  # before the body is looked at
    body = body or StatementIn()
    done = use.record_allowance(session, who, code, year, body.status, body.surrendered_tco2e, body.note)
    session.commit()
    return StatementOut(**done.__dict__)


@router.post("/disclosure/reports", response_model=ReportRef, status_code=201, responses=ERRORS, summary="Make one")
def make(request: Request, session: DbSession, who: Who, body: Annotated[MakeIn | None, Body()] = None) -> ReportRef:
    access.require(who, "report.enterprise.make")
    body = body or MakeIn()
    asked = Asked(
        kind=body.kind,
        region="",
        period=body.year,
        lang=body.lang,
        as_of=today_of(request),
        base_url=str(request.base_url).rstrip("/"),
        enterprise=body.enterprise,
    )
    made = report_use.make(session, who, asked)
    session.commit()
    return _ref(made)


@router.post(
    "/disclosure/reports/{report_id}/publish", response_model=ReportRef, responses=ERRORS, summary="Publish (sign off)"
)
def publish(session: DbSession, who: Who, report_id: int) -> ReportRef:
    done = use.publish(session, who, report_id)
    session.commit()
    return _ref(done)


@router.post("/disclosure/flags", response_model=FlagOut, status_code=201, responses=ERRORS, summary="Flag")
def flag(session: DbSession, who: Who, body: Annotated[FlagIn | None, Body()] = None) -> FlagOut:
    access.require(who, "disclosure.flag")
    body = body or FlagIn()
    done = use.flag(session, who, body.enterprise, body.obliged, body.reason)
    session.commit()
    return FlagOut(enterprise=done.enterprise, version=done.version, obliged=done.obliged, reason=done.reason)


@router.get(
    "/public/disclosure/{enterprise}",
    response_model=list[PublishedOut],
    responses={404: {"description": "nothing published (or no such enterprise: the same answer)"}},
    summary="What an enterprise published (public, no token)",
)
def public(session: DbSession, enterprise: str) -> list[PublishedOut]:
    found = public_use.page(session, enterprise)
    return [
        PublishedOut(
            **{k: getattr(r, k) for k in PublishedOut.model_fields if k not in ("figures", "pdf")},
            figures=[FigureOut(label=f.label, value=f.value) for f in r.figures],
            pdf=f"/public/disclosure/{found.enterprise}/reports/{r.id}.pdf",
        )
        for r in found.reports
    ]
