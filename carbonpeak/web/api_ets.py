"""The national carbon market in the REST API (/api/v1/ets): an aluminium enterprise's monthly evidence
deposit (read, save values, upload evidence, deposit, the city's review, evidence downloads) and its ETS
reports (the annual report, the deposit receipt; their files come from /api/v1/reports/{id}/files/{fmt}).
Thin adapters over :mod:`carbonpeak.services.ets_deposit`, :mod:`~carbonpeak.services.ets_deposit_reads`
and :mod:`~carbonpeak.services.ets_reports`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from carbonpeak.ets import config as ets_config
from carbonpeak.services import ets_deposit as use
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_reports
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter(prefix="/api/v1/ets", dependencies=[Depends(csrf_protect)], tags=["national carbon market"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "a role that may not do this"},
    404: {"description": "no such enterprise, deposit, file or report in your scope"},
    409: {"description": "the month is awaiting review or accepted (locked)"},
    422: {"description": "every problem of the input, coded, with its field"},
}


class ValuesIn(BaseModel):
    values: dict[str, float | str | None] | None = Field(
        None, description="facility:item -> value (facility:fuel_consumption:fuel per fuel); null: the report's"
    )
    reason: str | None = Field(None, max_length=2000)


class ReviewIn(BaseModel):
    decision: Literal["accept", "return"]
    reason: str = Field("", max_length=2000)


class MakeIn(BaseModel):
    kind: Literal["ets_annual", "ets_deposit_monthly"] = "ets_annual"
    period: str = Field("", max_length=10, description="2025 (annual) or 2025-11 (deposit receipt)")
    lang: Literal["zh", "en"] = "zh"


@router.get("/config", summary="The deposit's items, deadlines and limits, with their source")
def configuration(who: Who) -> dict[str, Any]:
    cfg = ets_config.load()
    return {
        "edition": cfg.edition,
        "valid_from": cfg.valid_from.isoformat(),
        "source": cfg.source,
        "enterprise_days_after_month_end": cfg.enterprise_days,
        "district_review_days": cfg.district_review_days,
        "city_review_days_after_month_end": cfg.city_review_days,
        "report_tolerance_pct": cfg.report_tolerance_pct,
        "evidence": {
            "max_bytes": cfg.max_bytes,
            "max_files_per_item": cfg.max_files_per_item,
            "suffixes": cfg.suffixes,
        },
        "items": [i.__dict__ for i in cfg.items],
    }


@router.get("/deposits", responses=ERRORS, summary="Deposits of the enterprises in your scope")
def list_deposits(session: DbSession, who: Who, month: str | None = None) -> list[dict[str, Any]]:
    return [
        {"enterprise": d.enterprise_code, "month": d.month, "status": d.status, "version": d.version}
        for d in reads.deposits(session, who, month)
    ]


@router.get("/{enterprise}/deposits/{month}", responses=ERRORS, summary="A month's deposit with its checks")
def read(request: Request, enterprise: str, month: str, session: DbSession, who: Who) -> dict[str, Any]:
    return reads.as_dict(reads.view(session, who, enterprise, month, today_of(request)))


@router.post("/{enterprise}/deposits/{month}/values", responses=ERRORS, summary="Save the month's values")
def save(
    request: Request,
    enterprise: str,
    month: str,
    session: DbSession,
    who: Who,
    body: Annotated[ValuesIn | None, Body()] = None,
) -> dict[str, Any]:
    body = body or ValuesIn()
    use.save(session, who, enterprise, month, body.values, reason=body.reason)
    session.commit()
    return reads.as_dict(reads.view(session, who, enterprise, month, today_of(request)))


@router.post("/{enterprise}/deposits/{month}/files", status_code=201, responses=ERRORS, summary="Upload evidence")
def upload(
    enterprise: str,
    month: str,
    session: DbSession,
    who: Who,
    item: Annotated[str, Form(max_length=120)],
    file: Annotated[UploadFile, File(description="the evidence file")],
) -> dict[str, Any]:
    data = file.file.read(ets_config.load().max_bytes + 1)  # one byte past the limit: the check names it
    stored = use.upload(session, who, enterprise, month, item, file.filename or "", data)
    session.commit()
    return {
        "id": stored.id,
        "item": stored.item,
        "name": stored.name,
        "version": stored.version,
        "sha256": stored.sha256,
        "size": stored.size,
    }


@router.get(
    "/{enterprise}/deposits/{month}/files/{file_id}",
    response_class=Response,
    responses=ERRORS,
    summary="An evidence file",
)
def download(enterprise: str, month: str, file_id: int, session: DbSession, who: Who) -> Response:
    from urllib.parse import quote

    found = reads.file_row(session, who, enterprise, month, file_id)
    return Response(
        bytes(found.content),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "X-Content-SHA256": found.sha256,
        },
    )


@router.post("/{enterprise}/deposits/{month}/deposit", responses=ERRORS, summary="Deposit the month")
def deposit(request: Request, enterprise: str, month: str, session: DbSession, who: Who) -> dict[str, Any]:
    use.deposit(session, who, enterprise, month)
    session.commit()
    return reads.as_dict(reads.view(session, who, enterprise, month, today_of(request)))


@router.post("/{enterprise}/deposits/{month}/review", responses=ERRORS, summary="Accept or return a deposited month")
def review(
    request: Request, enterprise: str, month: str, session: DbSession, who: Who, body: Annotated[ReviewIn, Body()]
) -> dict[str, Any]:
    use.review(session, who, enterprise, month, body.decision, body.reason)
    session.commit()
    return reads.as_dict(reads.view(session, who, enterprise, month, today_of(request)))


def _report(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "enterprise": r.enterprise,
        "period": r.period,
        "lang": r.lang,
        "version": r.version,
        "status": r.status,
        "provisional": r.provisional,
        "state_sha256": r.state_sha256,
        "files": [
            {"format": f.format, "sha256": f.sha256, "size": f.size, "url": f"/api/v1/reports/{r.id}/files/{f.format}"}
            for f in r.files
        ],
    }


@router.get("/{enterprise}/reports", responses=ERRORS, summary="The enterprise's ETS reports")
def reports_of(enterprise: str, session: DbSession, who: Who) -> list[dict[str, Any]]:
    return [_report(r) for r in ets_reports.of_enterprise(session, who, enterprise)]


@router.post("/{enterprise}/reports", status_code=201, responses=ERRORS, summary="Make the annual report or a receipt")
def make_report(
    request: Request, enterprise: str, session: DbSession, who: Who, body: Annotated[MakeIn | None, Body()] = None
) -> dict[str, Any]:
    body = body or MakeIn()
    made = ets_reports.make(
        session,
        who,
        enterprise,
        body.kind,
        body.period,
        lang=body.lang,
        as_of=today_of(request),
        base_url=str(request.base_url).rstrip("/"),
    )
    session.commit()
    return _report(made)
