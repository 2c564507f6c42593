"""The pollutant ledger in the REST API (/api/v1/pollutants): record months (JSON rows or a CSV/Excel file),
read the latest figures and a facility's versions, and the synergy indicators of a facility or an enterprise.
Thin adapters over :mod:`carbonpeak.services.pollutants` and :mod:`carbonpeak.services.pollutants_reads`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from pydantic import BaseModel

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.services import access
from carbonpeak.services import pollutants as use
from carbonpeak.services import pollutants_reads as reads
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, csrf_protect, settings_of
from carbonpeak.web.errors import Invalid, TooLarge
from carbonpeak.web.pages.submissions import safe_filename

router = APIRouter(prefix="/api/v1/pollutants", dependencies=[Depends(csrf_protect)], tags=["pollutants"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a facility outside your scope, or a role that may not do this"},
    404: {"description": "no such facility"},
    422: {"description": "every problem of every row, coded, with its row and field; nothing was written"},
}
Rows = Annotated[
    list[dict[str, Any]] | None,
    Body(
        embed=True,
        description="one object per facility-month: facility_id, period (YYYY-MM), so2_t, nox_t, pm_t [t], "
        "source (permit_report, cems, manual_estimate), note, reason (a correction of a month already reported)",
        examples=[
            [
                {
                    "facility_id": "AL03",
                    "period": "2025-11",
                    "so2_t": 41.2,
                    "nox_t": 30.5,
                    "pm_t": 3.1,
                    "source": "permit_report",
                }
            ]
        ],
    ),
]


class RecordedOut(BaseModel):
    file: str
    versions: list[tuple[str, str, int]]  # (facility, month, version) added
    unchanged: list[tuple[str, str, int]]
    sha256: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@router.post("/months", response_model=RecordedOut, status_code=201, responses=ERRORS, summary="Record months")
def record(
    session: DbSession,
    who: Who,
    rows: Rows = None,
    reason: Annotated[str | None, Body(embed=True, max_length=2000)] = None,
) -> RecordedOut:
    access.require(who, use.ENTER)  # the role first: a body is not looked at for one who may not record
    if not rows:
        raise InputError(code="pollutants.no_rows", file="api", field="rows")
    try:
        done = use.record(session, who, list(enumerate(rows, start=1)), file="api", reason=reason)
    except CarbonpeakError:
        session.rollback()
        raise
    session.commit()
    return RecordedOut(**dataclasses.asdict(done))


@router.post("/imports", response_model=RecordedOut, status_code=201, responses=ERRORS, summary="Upload a file")
def upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File(description="CSV or .xlsx, one row per facility-month")] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> RecordedOut:
    access.require(who, use.ENTER)
    if file is None:
        raise Invalid(details=[{"field": "file", "message": i18n.gettext("Choose a file to upload.")}])
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    try:
        done = use.import_file(session, who, content, safe_filename(file.filename or "upload.csv"), reason=reason)
    except CarbonpeakError:
        session.rollback()
        raise
    session.commit()
    return RecordedOut(**dataclasses.asdict(done))


@router.get("/months", responses=ERRORS, summary="The latest figures of every month in your scope")
def months(
    session: DbSession,
    who: Who,
    facility: str | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> list[dict[str, Any]]:
    if facility:
        access.get_facility(session, who, facility, use.VIEW)
    table = use.latest(session, who, [facility] if facility else None)
    if year is not None and not table.empty:
        table = table[table["period"].str.startswith(f"{year:04d}-")]
    return [_plain(r) for r in table.to_dict("records")]


@router.get("/facilities/{code}/versions", responses=ERRORS, summary="Every version of every month of a facility")
def versions(code: str, session: DbSession, who: Who) -> list[dict[str, Any]]:
    _facility, found = use.history(session, who, code)
    return [{**dataclasses.asdict(v), "recorded_at": v.recorded_at.isoformat()} for v in found]


@router.get("/synergy", responses=ERRORS, summary="Synergy indicators of a facility, an enterprise or your scope")
def synergy(
    session: DbSession,
    who: Who,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    facility: str | None = None,
    enterprise: str | None = None,
) -> dict[str, Any]:
    """A facility's or an enterprise's figures for the year (default: the latest year with pollutant
    figures); with neither, every facility in one's scope."""
    if facility:
        access.get_facility(session, who, facility, use.VIEW)
    elif enterprise:
        access.get_enterprise(session, who, enterprise)
    access.require(who, use.VIEW)
    if year is None:
        latest = use.latest(session, who, [facility] if facility else None)
        year = int(str(latest["period"].max())[:4]) if not latest.empty else dt.date.today().year - 1
    if not facility and not enterprise:
        rows = reads.scope(session, who, year=year)
        return _plain({"year": year, "whole": None, "facilities": [dataclasses.asdict(r) for r in rows], "months": []})
    shown = reads.block(session, who, year=year, facility=facility, enterprise=enterprise)
    if shown is None:
        return {"year": year, "whole": None, "facilities": [], "months": []}
    return _plain(
        {
            "year": year,
            "whole": dataclasses.asdict(shown.whole) if shown.whole else None,
            "facilities": [dataclasses.asdict(f) for f in shown.facilities],
            "months": shown.months,
            "demo": shown.demo,
        }
    )
