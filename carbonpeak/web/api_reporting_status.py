"""Who has reported, in the REST API (/api/v1/reporting-status): the matrix enterprise × month and the
late list of a month, as the page shows them. Thin adapters over
:mod:`carbonpeak.services.reporting_status`; states are codes (``late``, ``returned``, ``not_due``,
``draft``, ``submitted``, ``not_required``: docs/reporting.md, "Who has reported")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from carbonpeak.services import reporting_status as use
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.pages.reporting_status import Code, First, Last, Month, today_of

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["reporting status"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a region outside your jurisdiction, or a role that may not read submissions"},
    404: {"description": "no region with this code"},
    422: {"description": "a month, range or sector that is not understood (coded, in your language)"},
}


class CellOut(BaseModel):
    period: str
    state: str = Field(description="late, returned, not_due, draft, submitted or not_required")
    facility: str = Field(description="the facility whose month this is (for an enterprise: the one deciding)")
    days_late: int
    has_draft: bool
    required: int = Field(description="facilities that had to report this month")
    reported: int = Field(description="of which reported")


class FacilityRowOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    sector: str
    cells: list[CellOut]


class EnterpriseRowOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    uscc: str
    cells: list[CellOut]
    facilities: list[FacilityRowOut]


class MatrixOut(BaseModel):
    today: dt.date
    region: str | None
    city: str | None
    sector: str | None
    periods: list[str]
    due: dict[str, dt.date]
    counts: dict[str, dict[str, int]] = Field(description="per month, enterprises in each state")
    facility_counts: dict[str, dict[str, int]] = Field(description="per month, facilities in each state")
    enterprises: list[EnterpriseRowOut]


class LateRowOut(BaseModel):
    enterprise: str
    enterprise_zh: str
    enterprise_en: str
    uscc: str
    facility: str
    facility_zh: str
    facility_en: str
    period: str
    state: str = Field(description="late (the late list holds only these)")
    has_draft: bool
    due: dt.date
    days_late: int
    contact_person: str
    contact_phone: str


class LateOut(BaseModel):
    today: dt.date
    region: str | None
    city: str | None
    sector: str | None
    period: str
    due: dt.date
    counts: dict[str, int] = Field(description="enterprises in each state that month")
    rows: list[LateRowOut]


def _cells(cells: tuple[use.Cell, ...]) -> list[CellOut]:
    return [CellOut(**c.__dict__) for c in cells]


@router.get(
    "/reporting-status", response_model=MatrixOut, responses=ERRORS, summary="Who has reported: enterprise × month"
)
def reporting_status(
    request: Request,
    session: DbSession,
    who: Who,
    region: Code = None,
    city: Code = None,
    sector: Code = None,
    first: First = None,
    last: Last = None,
) -> MatrixOut:
    """The state of every enterprise (and its facilities) in each month of the range (default: the 12
    months up to last month) on today; a regulator's own region by default."""
    m = use.matrix(
        session,
        who,
        today=today_of(request),
        region=region or None,
        city=city or None,
        sector=sector or None,
        first=first or None,
        last=last or None,
    )
    return MatrixOut(
        today=m.today,
        region=m.region.code if m.region else None,
        city=m.city.code if m.city else None,
        sector=m.sector,
        periods=list(m.periods),
        due=m.due,
        counts=m.counts,
        facility_counts=m.facility_counts,
        enterprises=[
            EnterpriseRowOut(
                code=e.code,
                name_zh=e.name_zh,
                name_en=e.name_en,
                uscc=e.uscc,
                cells=_cells(e.cells),
                facilities=[
                    FacilityRowOut(
                        code=f.code, name_zh=f.name_zh, name_en=f.name_en, sector=f.sector, cells=_cells(f.cells)
                    )
                    for f in e.facilities
                ],
            )
            for e in m.enterprises
        ],
    )


@router.get(
    "/reporting-status/late", response_model=LateOut, responses=ERRORS, summary="The late list of a month (催报)"
)
def reporting_status_late(
    request: Request,
    session: DbSession,
    who: Who,
    region: Code = None,
    city: Code = None,
    sector: Code = None,
    month: Month = None,
) -> LateOut:
    """The facilities that have not reported ``month`` (default: last month) after its due date, with
    their enterprise's registered contact."""
    late = use.late_list(
        session,
        who,
        today=today_of(request),
        month=month or None,
        region=region or None,
        city=city or None,
        sector=sector or None,
    )
    return LateOut(
        today=late.today,
        region=late.region.code if late.region else None,
        city=late.city.code if late.city else None,
        sector=late.sector,
        period=late.period,
        due=late.due,
        counts=late.counts,
        rows=[
            LateRowOut(
                enterprise=r.enterprise_code,
                enterprise_zh=r.enterprise_zh,
                enterprise_en=r.enterprise_en,
                uscc=r.uscc,
                facility=r.facility_code,
                facility_zh=r.facility_zh,
                facility_en=r.facility_en,
                period=r.period,
                state=r.state,
                has_draft=r.has_draft,
                due=r.due,
                days_late=r.days_late,
                contact_person=r.contact_person,
                contact_phone=r.contact_phone,
            )
            for r in late.rows
        ],
    )
