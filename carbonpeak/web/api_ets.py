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
from carbonpeak.services import ets_deposit_plain as plain
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_reports
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["national carbon market"])
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


@router.get("/ets/config", summary="The deposit's items, deadlines and limits, with their source")
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


@router.get("/ets/deposits", responses=ERRORS, summary="Deposits of the enterprises in your scope")
def list_deposits(session: DbSession, who: Who, month: str | None = None) -> list[dict[str, Any]]:
    return [
        {"enterprise": d.enterprise_code, "month": d.month, "status": d.status, "version": d.version}
        for d in reads.deposits(session, who, month)
    ]


@router.get("/enterprises/{code}/ets/deposits/{period}", responses=ERRORS, summary="A month's deposit with its checks")
def read(request: Request, code: str, period: str, session: DbSession, who: Who) -> dict[str, Any]:
    return plain.as_dict(reads.view(session, who, code, period, today_of(request)))


@router.post("/enterprises/{code}/ets/deposits/{period}/values", responses=ERRORS, summary="Save the month's values")
def save(
    request: Request,
    code: str,
    period: str,
    session: DbSession,
    who: Who,
    body: Annotated[ValuesIn | None, Body()] = None,
) -> dict[str, Any]:
    body = body or ValuesIn()
    use.save(session, who, code, period, body.values, reason=body.reason)
    session.commit()
    return plain.as_dict(reads.view(session, who, code, period, today_of(request)))


@router.post(
    "/enterprises/{code}/ets/deposits/{period}/files", status_code=201, responses=ERRORS, summary="Upload evidence"
)
def upload(
    code: str,
    period: str,
    session: DbSession,
    who: Who,
    item: Annotated[str, Form(max_length=120)] = "",
    file: Annotated[UploadFile | None, File(description="the evidence file")] = None,
) -> dict[str, Any]:
    """The person's permission first (a file missing is one of the problems listed, not a reason to skip it)."""
    data = file.file.read(ets_config.load().max_bytes + 1) if file is not None else b""  # one past: the check names it
    stored = use.upload(session, who, code, period, item, (file.filename or "") if file is not None else "", data)
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
    "/enterprises/{code}/ets/deposits/{period}/evidence/{name}",
    response_class=Response,
    responses=ERRORS,
    summary="An evidence file by its name (the latest version, or ?version=N)",
)
def download(code: str, period: str, name: str, session: DbSession, who: Who, version: int = 0) -> Response:
    from urllib.parse import quote

    found = reads.file_named(session, who, code, period, name, version)
    return Response(
        bytes(found.content),
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "X-Content-SHA256": found.sha256,
        },
    )


@router.post("/enterprises/{code}/ets/deposits/{period}/deposit", responses=ERRORS, summary="Deposit the month")
def deposit(request: Request, code: str, period: str, session: DbSession, who: Who) -> dict[str, Any]:
    use.deposit(session, who, code, period)
    session.commit()
    return plain.as_dict(reads.view(session, who, code, period, today_of(request)))


@router.post(
    "/enterprises/{code}/ets/deposits/{period}/review", responses=ERRORS, summary="Accept or return a deposited month"
)
def review(
    request: Request,
    code: str,
    period: str,
    session: DbSession,
    who: Who,
    body: Annotated[ReviewIn | None, Body()] = None,
) -> dict[str, Any]:
    """The person's permission first, then the decision (missing: a coded error naming it)."""
    use.review(session, who, code, period, body.decision if body else "", body.reason if body else "")
    session.commit()
    return plain.as_dict(reads.view(session, who, code, period, today_of(request)))


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


@router.get("/enterprises/{code}/ets/reports", responses=ERRORS, summary="The enterprise's ETS reports")
def reports_of(code: str, session: DbSession, who: Who) -> list[dict[str, Any]]:
    return [_report(r) for r in ets_reports.of_enterprise(session, who, code)]


@router.post(
    "/enterprises/{code}/ets/reports", status_code=201, responses=ERRORS, summary="Make the annual report or a receipt"
)
def make_report(
    request: Request, code: str, session: DbSession, who: Who, body: Annotated[MakeIn | None, Body()] = None
) -> dict[str, Any]:
    body = body or MakeIn()
    made = ets_reports.make(
        session,
        who,
        code,
        body.kind,
        body.period,
        lang=body.lang,
        as_of=today_of(request),
        base_url=str(request.base_url).rstrip("/"),
    )
    session.commit()
    return _report(made)
