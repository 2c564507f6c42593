"""The national carbon market pages (/ets): an aluminium enterprise's months of monthly evidence deposit
(月度信息化存证) with their deadlines, one month's deposit (values beside the report's, evidence files with
their SHA-256, checks against the report and the meters, deposit, the city's review), and its ETS reports
(the annual report, the receipts: make, download, file). Thin: everything is asked of
:mod:`carbonpeak.services.ets_deposit`, :mod:`~carbonpeak.services.ets_deposit_reads` and
:mod:`~carbonpeak.services.ets_reports`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, ValidationFailed
from carbonpeak.ets import config as ets_config
from carbonpeak.services import access, ets_reports
from carbonpeak.services import ets_deposit as use
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_report_parts as parts
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n, labels
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter()

STATUS_NAMES = {
    "none": N_("not started"),
    "draft": N_("draft, not deposited"),
    "deposited": N_("deposited, awaiting review"),
    "returned": N_("returned for correction"),
    "accepted": N_("accepted, locked"),
}
DEADLINE_NAMES = {
    "on_time": N_("on time"),
    "late": N_("late"),
    "overdue": N_("overdue"),
    "open": N_("not yet due"),
}
CHECK_NAMES = {
    "within": N_("within tolerance"),
    "beyond": N_("beyond tolerance"),
    "not_deposited": N_("not deposited"),
    "not_reported": N_("not in the report"),
    "not_metered": N_("not metered"),
}
KIND_NAMES = {"ets_annual": N_("Annual GHG emission report"), "ets_deposit_monthly": N_("Monthly deposit receipt")}
FORMAT_NAMES = {"pdf": N_("PDF"), "docx": N_("Word"), "xlsx": N_("Excel")}


def _names() -> dict[str, dict[str, str]]:
    return {
        "status": {k: i18n.gettext(v) for k, v in STATUS_NAMES.items()},
        "deadline": {k: i18n.gettext(v) for k, v in DEADLINE_NAMES.items()},
        "check": {k: i18n.gettext(v) for k, v in CHECK_NAMES.items()},
        "kind": {k: i18n.gettext(v) for k, v in KIND_NAMES.items()},
        "format": {k: i18n.gettext(v) for k, v in FORMAT_NAMES.items()},
    }


def _problems(failed: InputError) -> list[str]:
    lang = i18n.current_lang()
    return [p.text(lang) for p in (failed.errors if isinstance(failed, ValidationFailed) else [failed])]


@router.get("/ets")
def ets_home(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "ets.view")
    found = reads.enterprises_in_ets(session, who)
    if who.role == access.ENTERPRISE and len(found) == 1:
        return redirect(f"/enterprises/{found[0].code}/ets")
    return render(
        request,
        "ets.html",
        **context(
            request,
            enterprises=found,
            deposits=reads.deposits(session, who),
            names=_names(),
            page_lang=i18n.current_lang(),
        ),
    )


def _enterprise_page(
    request: Request, session: Session, who: Principal, code: str, year: int, errors: list[str], status: int = 200
) -> Response:
    today = today_of(request)
    months = reads.year_of(session, who, code, year, today)
    return render(
        request,
        "ets_enterprise.html",
        status_code=status,
        **context(
            request,
            code=code,
            enterprise=months[0].enterprise if months else reads.enterprise_for(session, who, code),
            year=year,
            years=list(range(today.year - 2, today.year + 1)),
            months=months,
            reports=[r for r in ets_reports.of_enterprise(session, who, code)],
            may_make=access.allowed(who, "report.enterprise.make"),
            may_file=access.allowed(who, "report.enterprise.sign"),
            names=_names(),
            errors=errors,
            made_by=labels.actor,
        ),
    )


@router.get("/enterprises/{code}/ets")
def enterprise_page(request: Request, code: str, session: DbSession, who: Who, year: int | None = None) -> Response:
    chosen = year if year and 2000 <= year <= 2100 else today_of(request).year - 1
    return _enterprise_page(request, session, who, code, chosen, [])


@router.post("/enterprises/{code}/ets/reports")
async def make_report(request: Request, code: str, session: DbSession, who: Who) -> Response:
    form = await request.form()
    kind, period = str(form.get("kind") or ""), str(form.get("period") or "").strip()
    lang = str(form.get("lang") or i18n.current_lang())
    try:
        made = ets_reports.make(
            session,
            who,
            code,
            kind,
            period,
            lang=lang,
            as_of=today_of(request),
            base_url=str(request.base_url).rstrip("/"),
        )
    except InputError as failed:
        session.rollback()
        year = int(period[:4]) if period[:4].isdigit() else today_of(request).year - 1
        return _enterprise_page(request, session, who, code, year, _problems(failed), 422)
    session.commit()
    flash(request, i18n.gettext("Report made: version %(version)s.", version=made.version))
    back = (
        f"/enterprises/{code}/ets/deposits/{period}"
        if kind == "ets_deposit_monthly"
        else f"/enterprises/{code}/ets?year={period}"
    )
    return redirect(back)


@router.post("/enterprises/{code}/ets/reports/{report_id}/file")
def file_report(request: Request, code: str, report_id: int, session: DbSession, who: Who) -> Response:
    try:
        ets_reports.file(session, who, report_id)
    except Conflict as exc:
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "warn")
        return redirect(f"/enterprises/{code}/ets")
    session.commit()
    flash(request, i18n.gettext("Report filed: it is locked and never changes."))
    return redirect(f"/enterprises/{code}/ets")


def _deposit_page(
    request: Request,
    session: Session,
    who: Principal,
    code: str,
    month: str,
    errors: list[str],
    status: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    shown = reads.view(session, who, code, month, today_of(request))
    receipts = [
        r
        for r in ets_reports.of_enterprise(session, who, code)
        if r.kind == "ets_deposit_monthly" and r.period == month
    ]
    return render(
        request,
        "ets_deposit.html",
        status_code=status,
        **context(
            request,
            v=shown,
            code=code,
            month=month,
            may_edit=access.allowed(who, "ets.deposit") and shown.status in ("none", "draft", "returned"),
            may_review=access.allowed(who, "ets.review") and shown.status == "deposited",
            may_make=access.allowed(who, "report.enterprise.make"),
            receipts=receipts,
            names=_names(),
            errors=errors,
            values=values or {},
            page_lang=i18n.current_lang(),
            suffixes=", ".join(ets_config.load().suffixes),
            key_label=lambda key: parts.key_label(key, shown.cfg, i18n.current_lang()),
            unit_of=lambda item, fuel: parts.unit_of(item, fuel, i18n.current_lang()),
            actor=labels.actor,
        ),
    )


@router.get("/enterprises/{code}/ets/deposits/{period}")
def deposit_page(request: Request, code: str, period: str, session: DbSession, who: Who) -> Response:
    month = period  # the path names them as the other pages name them
    return _deposit_page(request, session, who, code, month, [])


async def _act(
    request: Request, session: Session, who: Principal, code: str, month: str, action: Any, done: str
) -> Response:
    try:
        await action()
    except InputError as failed:
        session.rollback()
        form = await request.form()
        kept = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return _deposit_page(request, session, who, code, month, _problems(failed), 422, kept)
    except Conflict as exc:
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "warn")
        return redirect(f"/enterprises/{code}/ets/deposits/{month}")
    session.commit()
    flash(request, done)
    return redirect(f"/enterprises/{code}/ets/deposits/{month}")


@router.post("/enterprises/{code}/ets/deposits/{period}/values")
async def save_values(request: Request, code: str, period: str, session: DbSession, who: Who) -> Response:
    month = period  # the path names them as the other pages name them

    async def action() -> None:
        form = await request.form()
        reason = str(form.get("reason") or "").strip() or None
        if form.get("prefill"):
            use.save(session, who, code, month, None, reason=reason)
            return
        given = {str(k)[2:]: str(v) for k, v in form.items() if str(k).startswith("v:")}
        use.save(session, who, code, month, given, reason=reason)

    return await _act(request, session, who, code, month, action, i18n.gettext("Values saved as a new version."))


@router.post("/enterprises/{code}/ets/deposits/{period}/files")
async def upload_file(request: Request, code: str, period: str, session: DbSession, who: Who) -> Response:
    month = period  # the path names them as the other pages name them

    async def action() -> None:
        form = await request.form()
        upload = form.get("file")
        name = getattr(upload, "filename", "") or ""
        data = await upload.read(ets_config.load().max_bytes + 1) if hasattr(upload, "read") else b""
        use.upload(session, who, code, month, str(form.get("item") or ""), name, data)

    return await _act(request, session, who, code, month, action, i18n.gettext("Evidence file stored."))


@router.post("/enterprises/{code}/ets/deposits/{period}/deposit")
async def deposit_month(request: Request, code: str, period: str, session: DbSession, who: Who) -> Response:
    month = period  # the path names them as the other pages name them

    async def action() -> None:
        use.deposit(session, who, code, month)

    return await _act(request, session, who, code, month, action, i18n.gettext("Month deposited: the city reviews it."))


@router.post("/enterprises/{code}/ets/deposits/{period}/review")
async def review_month(request: Request, code: str, period: str, session: DbSession, who: Who) -> Response:
    month = period  # the path names them as the other pages name them

    async def action() -> None:
        form = await request.form()
        use.review(session, who, code, month, str(form.get("decision") or ""), str(form.get("reason") or ""))

    return await _act(request, session, who, code, month, action, i18n.gettext("Review recorded."))


@router.get("/enterprises/{code}/ets/deposits/{period}/evidence/{name}")
def download_file(code: str, period: str, name: str, session: DbSession, who: Who, version: int = 0) -> Response:
    """An evidence file by its name (its latest version, or ``?version=N``)."""
    found = reads.file_named(session, who, code, period, name, version)
    return Response(
        bytes(found.content),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}"},
    )
