"""Verification in the REST API, /api/v1: the verifier's queue, verify a month with an opinion (核查意见),
return it to its enterprise with a reason (退回修改), and both for many months at once (all, or none).
Thin adapters over :mod:`carbonpeak.services.submissions` and :mod:`carbonpeak.services.verification`.

Access is asked first: a role that may not verify gets 403; a month that does not exist and one outside the
verifier's assignment both get the same 404. A missing or too long opinion or reason is a 422, a month not
in a state to take the step (or without a result) a 409, each with its coded details.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import submissions as workflow
from carbonpeak.services import verification
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n
from carbonpeak.web.api_types import Timestamp
from carbonpeak.web.deps import DbSession, Who, csrf_protect
from carbonpeak.web.errors import Conflict
from carbonpeak.web.pages.common import PERIOD

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["verification"])
Period = Annotated[str, PathParam(pattern=PERIOD, description="month, YYYY-MM")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid token or session"},
    403: {"description": "your role may not verify"},
    404: {"description": "no such month within your scope (an unknown month and another's answer alike)"},
    409: {"description": "a month not in the state the step needs, or without a result; nothing written"},
    422: {"description": "the opinion or reason is missing or too long; nothing written"},
}


class Opinion(BaseModel):
    opinion: str | None = Field(default=None, description="核查意见: required (its length is limited)")


class Reason(BaseModel):
    reason: str | None = Field(default=None, description="why the month goes back to the enterprise: required")


class MonthRef(BaseModel):
    facility: str
    period: str = Field(pattern=PERIOD)


class BatchOpinion(Opinion):
    months: list[MonthRef] = Field(default_factory=list)


class BatchReason(Reason):
    months: list[MonthRef] = Field(default_factory=list)


class StepOut(BaseModel):
    facility: str
    period: str
    version: int
    status: str
    opinion: str | None = None
    returned_reason: str | None = None


class QueueRowOut(BaseModel):
    enterprise: str
    enterprise_name: str = Field(description="in the language of the request")
    facility: str
    facility_name: str
    period: str
    version: int
    status: str
    corrected: bool = Field(description="the version is a correction (it has a reason)")
    returned_reason: str | None
    flags: list[dict[str, Any]] = Field(description="plausibility warnings: code, field, params, and the message")
    explanation: str | None
    measure: str = Field(description="ac_power_liquid_aluminium (kWh/t) or comprehensive_energy (kgce/t)")
    measure_label: str
    unit: str
    unit_consumption: float | None
    previous: float | None = Field(description="the month before's unit consumption")
    change_pct: float | None
    has_result: bool
    submitted_at: Timestamp | None


class QueueOut(BaseModel):
    total: int
    flagged: int
    rows: list[QueueRowOut]


def _named(row: Any) -> str:
    return str((row.name_zh if i18n.current_lang() == "zh" else row.name_en) or row.name_zh or row.name_en)


@router.get("/verification", response_model=QueueOut, responses=ERRORS, summary="The verifier's queue")
def queue(
    session: DbSession,
    who: Who,
    enterprise: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD, description="month, YYYY-MM")] = None,
    status: str | None = None,
    flagged: bool = False,
) -> QueueOut:
    """Months of the verifier's enterprises (submitted, returned and verified unless ``status`` says which),
    with plausibility warnings, explanation and unit consumption with its change on the month before."""
    found = verification.queue(
        session, who, enterprise=enterprise, period=period, status=status or None, flagged_only=flagged
    )
    lang = i18n.current_lang()
    rows = []
    for r in found.rows:
        flags = [
            {"code": f.get("code"), "field": f.get("field"), "params": f.get("params") or {}, "message": shown}
            for f in r.version.flags or []
            if isinstance(f, dict)
            for shown in [verification.flag_messages([f])[0].text(lang)]
        ]
        rows.append(
            QueueRowOut(
                enterprise=r.enterprise.code,
                enterprise_name=_named(r.enterprise),
                facility=r.facility.code,
                facility_name=_named(r.facility),
                period=r.period,
                version=r.version.version,
                status=r.version.status,
                corrected=bool(r.version.reason),
                returned_reason=r.version.returned_reason,
                flags=flags,
                explanation=r.explanation,
                measure=r.measure.code,
                measure_label=r.measure.label.text(lang),
                unit=r.measure.unit,
                unit_consumption=r.value,
                previous=r.previous,
                change_pct=r.change_pct,
                has_result=r.has_result,
                submitted_at=r.version.submitted_at,
            )
        )
    return QueueOut(total=found.total, flagged=found.flagged, rows=rows)


def _steps(
    session: Session, who: Principal, months: list[tuple[str, str]], target: str, note: str | None
) -> list[StepOut]:
    try:
        versions = workflow.step(session, who, months, target, note=note)
    except ValidationFailed:
        session.rollback()
        raise  # coded: 422 with every problem in the person's language
    except InputError as exc:
        session.rollback()
        problem = i18n.input_error(exc)
        details = [{k: problem[k] for k in ("record", "field", "message")}]
        raise Conflict(i18n.detail(exc), details=details) from None
    session.commit()
    return [
        StepOut(
            facility=code,
            period=period,
            version=v.version,
            status=v.status,
            opinion=v.opinion,
            returned_reason=v.returned_reason,
        )
        for (code, period), v in zip(dict.fromkeys(months), versions, strict=True)
    ]


@router.post(
    "/submissions/{facility}/{period}/verify",
    response_model=StepOut,
    responses=ERRORS,
    summary="Verify the latest version of a facility-month, with an opinion",
)
def verify_month(
    facility: str, period: Period, session: DbSession, who: Who, body: Annotated[Opinion | None, Body()] = None
) -> StepOut:
    (done,) = _steps(session, who, [(facility, period)], "verified", (body or Opinion()).opinion)
    return done


@router.post(
    "/submissions/{facility}/{period}/return",
    response_model=StepOut,
    responses=ERRORS,
    summary="Return a submitted facility-month to its enterprise, with a reason (退回修改)",
)
def return_month(
    facility: str, period: Period, session: DbSession, who: Who, body: Annotated[Reason | None, Body()] = None
) -> StepOut:
    (done,) = _steps(session, who, [(facility, period)], "returned", (body or Reason()).reason)
    return done


@router.post(
    "/verification/verify",
    response_model=list[StepOut],
    responses=ERRORS,
    summary="Verify many months with one opinion (all, or none)",
)
def verify_months(session: DbSession, who: Who, body: Annotated[BatchOpinion | None, Body()] = None) -> list[StepOut]:
    chosen = body or BatchOpinion()
    return _steps(session, who, [(m.facility, m.period) for m in chosen.months], "verified", chosen.opinion)


@router.post(
    "/verification/return",
    response_model=list[StepOut],
    responses=ERRORS,
    summary="Return many months to their enterprises with one reason (all, or none)",
)
def return_months(session: DbSession, who: Who, body: Annotated[BatchReason | None, Body()] = None) -> list[StepOut]:
    chosen = body or BatchReason()
    return _steps(session, who, [(m.facility, m.period) for m in chosen.months], "returned", chosen.reason)
