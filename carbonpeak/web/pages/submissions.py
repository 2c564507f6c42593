"""One facility-month: its versions (a correction shows both versions and its reason), results and their
history (why two results differ), why it waits for a parameter and its provisional figure, audit trail,
the workflow steps (submit, verify with an opinion, return with a reason, lock, correct) and how each figure
was made. A month returned to its enterprise (退回修改) shows the enterprise the reason and the form to answer
it with a correction."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.io.reading import Limits
from carbonpeak.services import access, intake, verification
from carbonpeak.services import submissions as workflow
from carbonpeak.services.access import Principal
from carbonpeak.services.month_results import month_results
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility
from carbonpeak.web import i18n, labels, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import NotFound, TooLarge
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import PERIOD, context, flash, redirect

router = APIRouter()
Period = Annotated[str, PathParam(pattern=PERIOD)]


def month_page(
    request: Request,
    session: Session,
    who: Principal,
    facility: Facility,
    period: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    found = queries.detail(session, facility, period)
    if not found["versions"]:
        raise NotFound()
    latest = found["latest"]
    may_verify = latest.status == "submitted" and access.allowed(who, "submission.verify")
    steps = {
        "submitted": latest.status == "draft" and access.allowed(who, "submission.report"),
        "verified": may_verify,
        "returned": may_verify,
        "locked": latest.status == "verified" and access.allowed(who, "submission.lock"),
    }
    month = month_results(session, who, facility.code, period)
    versions = [item["version"] for item in found["versions"]]
    lang = i18n.current_lang()
    explanation = latest.record.get("explanation")
    values: dict[str, Any] = {
        "facility": facility,
        "period": period,
        "month": month,
        "detail": found,
        "latest": latest,
        "fields": queries.record_fields(latest),
        "steps": steps,
        "may_correct": latest.status != "draft" and access.allowed(who, "submission.report"),
        # the version a draft correction answers, when the month before it was returned (退回修改)
        "answers": versions[-2] if len(versions) > 1 and versions[-2].status == "returned" else None,
        "flags": [m.text(lang) for m in verification.flag_messages(latest.flags)],
        "explanation": str(explanation).strip() if explanation not in (None, "") else None,
        "has_result": bool(found["versions"][-1]["results"]),
        "errors": [],
        "reason": "",
        "opinion": "",
        "return_reason": "",
    }
    values.update(extra)
    return render(request, "submission.html", status, **context(request, **values))


@router.get("/submissions/{facility}/{period}")
def submission_page(request: Request, facility: str, period: Period, session: DbSession, who: Who) -> Response:
    row = access.get_facility(session, who, facility)
    return month_page(request, session, who, row, period)


@router.get("/submissions/{facility}/{period}/provenance")
def provenance_page(
    request: Request,
    facility: str,
    period: Period,
    session: DbSession,
    who: Who,
    version: int | None = None,
    figure: str | None = None,
) -> Response:
    row = access.get_facility(session, who, facility)
    versions = repo.versions_of(session, row.code, period)
    if not versions:
        raise NotFound()
    chosen = versions[-1] if version is None else next((v for v in versions if v.version == version), None)
    if chosen is None:
        raise NotFound()
    made = queries.provenance(session, row, chosen)
    return render(
        request,
        "provenance.html",
        **context(
            request,
            facility=row,
            period=period,
            version=chosen,
            versions=versions,
            made=made,
            figure=figure if figure in labels.RESULT_COLUMNS else None,
        ),
    )


def _take_step(
    request: Request,
    session: Session,
    who: Principal,
    facility: str,
    period: str,
    target: str,
    note: str | None = None,
) -> Response:
    """One workflow step through the use case, which asks the role and the scope first (an unknown month and
    one outside the person's scope get the same answer)."""
    try:
        (version,) = workflow.step(session, who, [(facility, period)], target, note=note)
    except (ValidationFailed, InputError) as exc:
        session.rollback()
        row = access.get_facility(session, who, facility)  # within scope: the use case checked it
        errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        kept = {"opinion": note or ""} if target == "verified" else {"return_reason": note or ""}
        status = 422 if isinstance(exc, ValidationFailed) else 409
        problems = [i18n.input_error(e) for e in errors]
        return month_page(request, session, who, row, period, status, errors=problems, **kept)
    session.commit()
    flash(
        request,
        _(
            "Version %(version)s of %(facility)s, %(period)s is now %(status)s.",
            version=version.version,
            facility=facility,
            period=i18n.period(period),
            status=labels.label(labels.SUBMISSION_STATUS, target),
        ),
    )
    return redirect(f"/submissions/{facility}/{period}")


@router.post("/submissions/{facility}/{period}/submit", name="submit_month")
def submit_month(request: Request, facility: str, period: Period, session: DbSession, who: Who) -> Response:
    return _take_step(request, session, who, facility, period, "submitted")


@router.post("/submissions/{facility}/{period}/verify", name="verify_month")
def verify_month(
    request: Request,
    facility: str,
    period: Period,
    session: DbSession,
    who: Who,
    opinion: Annotated[str, Form()] = "",  # required and limited in length by the use case
) -> Response:
    return _take_step(request, session, who, facility, period, "verified", opinion)


@router.post("/submissions/{facility}/{period}/return", name="return_month")
def return_month(
    request: Request,
    facility: str,
    period: Period,
    session: DbSession,
    who: Who,
    reason: Annotated[str, Form()] = "",  # required and limited in length by the use case
) -> Response:
    return _take_step(request, session, who, facility, period, "returned", reason)


@router.post("/submissions/{facility}/{period}/lock", name="lock_month")
def lock_month(request: Request, facility: str, period: Period, session: DbSession, who: Who) -> Response:
    return _take_step(request, session, who, facility, period, "locked")


@router.post("/submissions/{facility}/{period}/correct")
def correct_month(
    request: Request,
    facility: str,
    period: Period,
    session: DbSession,
    who: Who,
    reason: Annotated[str, Form()] = "",  # its length is checked by the use case (services.limits)
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add a corrected version with its reason, from a file holding the month's corrected record: the
    same checks as an import (services.intake.correct), and the file kept as evidence."""
    row = access.get_facility(session, who, facility, "submission.report")
    errors: list[dict[str, Any]] = []
    if not reason.strip():
        errors.append({"field": "reason", "field_label": _("reason"), "message": _("A correction needs a reason.")})
    if file is None or not file.filename:
        errors.append(
            {"field": "file", "field_label": _("file"), "message": _("Choose the file with the corrected month.")}
        )
    if errors:
        session.rollback()
        return month_page(request, session, who, row, period, 422, errors=errors, reason=reason)
    assert file is not None
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    try:
        result = intake.correct(
            session,
            who,
            row.code,
            period,
            reason,
            content=content,
            filename=safe_filename(file.filename or "correction.xlsx"),
            limits=Limits.from_env(max_bytes=limit),
        )
    except ValidationFailed as exc:
        session.rollback()
        problems = [i18n.input_error(e) for e in exc.errors]
        return month_page(request, session, who, row, period, 422, errors=problems, reason=reason)
    except InputError as exc:
        session.rollback()
        return month_page(request, session, who, row, period, 422, errors=[i18n.input_error(exc)], reason=reason)
    session.commit()
    flash(
        request,
        _(
            "Version %(version)s added as a correction (draft). Submit it when it is ready.",
            version=result.versions[0][2],
        ),
    )
    return redirect(f"/submissions/{row.code}/{period}")


def safe_filename(name: str) -> str:
    """The uploaded file's name without any folder, kept to safe characters (its suffix matters)."""
    import re

    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "_", base, flags=re.UNICODE).strip("._") or "upload"
    return cleaned[-120:]
