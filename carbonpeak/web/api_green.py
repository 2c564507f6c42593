"""The green-manufacturing register in the REST API (/api/v1/green): designations by year, designate and decide
(warn, remove, keep, relist), the dynamic-management board (filing state, flag for removal, 企业绿码), an
enterprise's filing and its GB/T 36132-2025 gaps. Thin adapters over :mod:`carbonpeak.services.green_register`
and :mod:`carbonpeak.services.green_register_filing`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel

from carbonpeak.green import config, scoring
from carbonpeak.services import green_register as use
from carbonpeak.services import green_register_filing as filing
from carbonpeak.web.deps import DbSession, Who, csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], tags=["green manufacturing"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a role that may not do this (said before anything is looked up)"},
    404: {"description": "no such designation or enterprise, or one outside your scope"},
    422: {"description": "every problem of the entry, coded, with its field"},
}
Year = Annotated[int | None, Query(ge=1990, le=2100, description="the year (default: last year)")]


def _year(year: int | None) -> int:
    return year if year is not None else dt.date.today().year - 1


class DoneOut(BaseModel):
    action: str
    designation: int
    version: int


class FiledOut(BaseModel):
    enterprise: str
    year: int
    version: int


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}


@router.get(
    "/api/v1/green/designations",
    responses=ERRORS,
    summary="Designations in your scope, with whether in force in the year",
)
def designations(session: DbSession, who: Who, year: Year = None) -> list[dict[str, Any]]:
    return [_plain(r) for r in use.register_rows(session, who, _year(year))]


@router.post(
    "/api/v1/green/designations", response_model=DoneOut, status_code=201, responses=ERRORS, summary="Designate"
)
def designate(
    session: DbSession,
    who: Who,
    record: Annotated[
        dict[str, Any] | None,
        Body(
            description="subject (enterprise or park code), kind (factory, park, supply_chain), level (national, "
            "provincial, city), year, batch, document",
            examples=[{"subject": "E07", "kind": "factory", "level": "provincial", "year": 2025}],
        ),
    ] = None,
) -> DoneOut:
    done = use.designate(session, who, {k: "" if v is None else str(v) for k, v in (record or {}).items()})
    session.commit()
    return DoneOut(**done.__dict__)


@router.post(
    "/api/v1/green/designations/{designation_id}/decide",
    response_model=DoneOut,
    responses=ERRORS,
    summary="Warn, remove, keep",
)
def decide(
    designation_id: int,
    session: DbSession,
    who: Who,
    action: Annotated[str, Body(embed=True, description="warn, remove, keep or relist")] = "",
    reason: Annotated[str, Body(embed=True)] = "",
    year: Annotated[int | None, Body(embed=True, description="keep: the filing year decided on")] = None,
) -> DoneOut:
    done = use.decide(session, who, designation_id, action, reason, year=year)
    session.commit()
    return DoneOut(**done.__dict__)


@router.get(
    "/api/v1/green/status",
    responses=ERRORS,
    summary="Filing state, flag for removal and 企业绿码 per designated enterprise",
)
def status(session: DbSession, who: Who, year: Year = None) -> list[dict[str, Any]]:
    out = []
    for r in filing.board(session, who, _year(year)):
        found = r["filing"]
        out.append(
            {
                "enterprise": r["enterprise"],
                "name": r["name"],
                "state": r["state"],
                "deadline": r["deadline"].on.isoformat() if r["deadline"] else None,
                "deadline_source": r["deadline"].source if r["deadline"] else None,
                "flagged_for_removal": r["flagged"],
                "kept": r["kept"],
                "green_code": r["code"],
                "filing": None if found is None else {"version": found.version, "filed_on": found.filed_on.isoformat()},
            }
        )
    return out


@router.post("/api/v1/enterprises/{code}/green/filings", response_model=FiledOut, status_code=201, responses=ERRORS)
def file_indicators(
    code: str,
    session: DbSession,
    who: Who,
    year: Annotated[int | None, Body(embed=True)] = None,
    values: Annotated[dict[str, Any] | None, Body(embed=True, description="indicator → number (else measured)")] = None,
    reason: Annotated[str | None, Body(embed=True, description="why, for a correction")] = None,
) -> FiledOut:
    done = filing.file(session, who, code, year or 0, values or {}, reason=reason)  # access before the year
    session.commit()
    return FiledOut(**done.__dict__)


@router.get("/api/v1/enterprises/{code}/green/gaps", responses=ERRORS, summary="Measured values beside GB/T 36132-2025")
def gaps(code: str, session: DbSession, who: Who, year: Year = None) -> dict[str, Any]:
    taken = filing.prefill(session, who, code, _year(year))
    return {
        "standard": config.standard()["standard"],
        "basis": taken["basis"],
        "rows": [g.__dict__ for g in scoring.gaps(config.standard(), taken["values"])],
    }
