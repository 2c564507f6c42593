"""Green power in the REST API (/api/v1/green-power): register, withdraw and list instruments; electricity
by source with location- and market-based indirect emissions per facility-month; the renewable share of
electrolytic aluminium with its basis. Thin adapters over :mod:`carbonpeak.services.green_power`."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel

from carbonpeak.services import green_power as use
from carbonpeak.web.deps import DbSession, Who, csrf_protect

router = APIRouter(prefix="/api/v1/green-power", dependencies=[Depends(csrf_protect)], tags=["green power"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a facility, enterprise or region outside your scope, or a role that may not do this"},
    404: {"description": "no such facility, enterprise, region or instrument"},
    422: {"description": "every problem of the record, coded, with its field"},
}
Record = Annotated[
    dict[str, Any] | None,
    Body(
        description="an instrument: code, kind (certificate, contract, onsite), facility, source_type, volumes "
        "({'2024-03': 1200.0} or '2024-03:1200;2024-04:900'), and per kind: serial_from, serial_to, batch_id, "
        "volume_mwh, production_from, production_to, cancelled_on (certificates); counterparty (contracts); "
        "measurement (on-site); reason (a correction)",
        examples=[
            {
                "code": "GEC-2024-001",
                "kind": "certificate",
                "facility": "AL03",
                "source_type": "wind",
                "serial_from": "000100",
                "serial_to": "000199",
                "volume_mwh": 100,
                "production_from": "2023-11",
                "production_to": "2023-12",
                "cancelled_on": "2024-04-10",
                "volumes": {"2024-03": 60, "2024-04": 40},
            }
        ],
    ),
]


class RegisteredOut(BaseModel):
    code: str
    kind: str
    facility: str
    action: str  # created, corrected, withdrawn, unchanged
    version: int


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


@router.get("/instruments", responses=ERRORS, summary="Green-power instruments in your scope")
def list_instruments(
    session: DbSession, who: Who, facility: str | None = None, enterprise: str | None = None
) -> list[dict[str, Any]]:
    return use.instruments(session, who, facility=facility, enterprise=enterprise)


@router.post(
    "/instruments", response_model=RegisteredOut, status_code=201, responses=ERRORS, summary="Register an instrument"
)
def register(session: DbSession, who: Who, record: Record = None) -> RegisteredOut:
    done = use.register(session, who, record or {})
    session.commit()
    return RegisteredOut(**done.__dict__)


@router.post(
    "/instruments/{code}/withdraw", response_model=RegisteredOut, responses=ERRORS, summary="Withdraw an instrument"
)
def withdraw(code: str, session: DbSession, who: Who, reason: Annotated[str, Body(embed=True)] = "") -> RegisteredOut:
    done = use.withdraw(session, who, code, reason)
    session.commit()
    return RegisteredOut(**done.__dict__)


@router.get("/electricity", responses=ERRORS, summary="Electricity by source, location- and market-based, per month")
def electricity(
    session: DbSession,
    who: Who,
    facility: str | None = None,
    enterprise: str | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> list[dict[str, Any]]:
    frame = use.electricity_report(
        session, who, facility=facility, enterprise=enterprise, year=year, include_submitted=True
    )
    return [{k: _plain(v) for k, v in row.items()} for row in frame.reset_index().to_dict("records")]


@router.get("/share", responses=ERRORS, summary="Renewable share of electrolytic aluminium against the 2030 target")
def share(
    session: DbSession,
    who: Who,
    region: str | None = None,
    enterprise: str | None = None,
    by: Annotated[str, Query(pattern="^(year|period)$")] = "year",
) -> dict[str, Any]:
    frame = use.renewable_share(session, who, region=region, enterprise=enterprise, by=by)
    rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    return {"target": use.share_target(session), "rows": rows}
