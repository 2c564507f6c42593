"""/reports: the regulator's 碳达峰监测报告 (monthly and yearly): make one, list the stored ones with their
state, download the PDF, Word and Excel files, sign one off, and check that a stored report comes out of
its data state to the same bytes. Thin adapters over :mod:`carbonpeak.services.reports`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError
from carbonpeak.reports.formats import FORMATS
from carbonpeak.services import access
from carbonpeak.services import reports as use
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import MONTHLY, YEARLY, Asked
from carbonpeak.web import i18n, labels
from carbonpeak.web.cockpit import link
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter()
KIND_NAMES = {
    MONTHLY: N_("Monthly carbon peaking monitoring report"),
    YEARLY: N_("Yearly carbon peaking monitoring report"),
}
FORMAT_NAMES = {"pdf": N_("PDF"), "docx": N_("Word"), "xlsx": N_("Excel")}
LANG_NAMES = {"zh": N_("Chinese"), "en": N_("English")}
# the parts of a data state, as the difference names them (carbonpeak.reports.state.difference)
PART_NAMES = {
    "months": N_("facility-months"),
    "earlier_months": N_("earlier months"),
    "parameters": N_("parameter families"),
    "statistics": N_("regional statistics"),
    "registry": N_("registry"),
    "targets": N_("targets"),
    "benchmark": N_("benchmark classes"),
    "reporting": N_("reporting status"),
    "warnings": N_("warnings"),
    "projects": N_("projects"),
    "scenario": N_("pathways scenario"),
    "as_of": N_("day judged on"),
    "edition": N_("benchmark edition"),
    "draws": N_("draws"),
    "kind": N_("report"),
    "region": N_("region"),
    "period": N_("period"),
    "lang": N_("language"),
}


def default_period(kind: str, today: dt.date) -> str:
    """Last month (a monthly report) or last year (a yearly one): the latest period that has ended."""
    if kind == YEARLY:
        return str(today.year - 1)
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def row_view(report: use.Summary) -> dict[str, Any]:
    return {
        "r": report,
        "kind": _(KIND_NAMES.get(report.kind, report.kind)),
        "lang": _(LANG_NAMES.get(report.lang, report.lang)),
        "made_by": labels.actor(report.made_by),
        "signed_by": labels.actor(report.signed_by) if report.signed_by else "",
        "formats": [(f.format, _(FORMAT_NAMES.get(f.format, f.format))) for f in report.files],
    }


def _regions(session: Session, who: Principal) -> list[Any]:
    return [r for r in access.regions_in_scope(session, who) if r.level in ("province", "city")]


def list_page(request: Request, session: Session, who: Principal, status: int = 200, **extra: Any) -> Response:
    access.require(who, "overview.view")
    regions = _regions(session, who)
    region = request.query_params.get("region") or (regions[0].code if regions else "")
    today = today_of(request)
    found = use.list_reports(session, who, region=request.query_params.get("region") or None)
    extra.setdefault("error", None)
    names = {r.code: (r.name_zh if i18n.current_lang() == "zh" else r.name_en or r.name_zh) for r in regions}
    return render(
        request,
        "reports.html",
        status_code=status,
        **context(
            request,
            reports=[row_view(r) for r in found],
            regions=regions,
            region=region,
            names=names,
            kinds=[(k, _(v)) for k, v in KIND_NAMES.items()],
            periods={k: default_period(k, today) for k in KIND_NAMES},
            may_sign=access.allowed(who, "report.sign"),
            **extra,
        ),
    )


@router.get("/reports")
def reports_page(request: Request, session: DbSession, who: Who) -> Response:
    return list_page(request, session, who)


@router.post("/reports")
def make_report(
    request: Request,
    session: DbSession,
    who: Who,
    kind: Annotated[str, Form(max_length=40)] = MONTHLY,
    region: Annotated[str, Form(max_length=40)] = "",
    period: Annotated[str, Form(max_length=10)] = "",
    lang: Annotated[str, Form(max_length=5)] = "zh",
) -> Response:
    settings = settings_of(request)
    asked = Asked(
        kind=kind,
        region=region,
        period=period.strip(),
        lang=lang if lang in i18n.LANGS else "zh",
        as_of=today_of(request),
        edition=settings.benchmark_edition,
        base_url=str(request.base_url).rstrip("/"),
    )
    try:
        made = use.make(session, who, asked)
    except InputError as exc:
        session.rollback()
        problem = i18n.input_error(exc)
        return list_page(request, session, who, 422, error=problem["message"])
    session.commit()
    flash(request, _("Report made: version %(version)s.", version=made.version))
    return redirect(f"/reports/{made.id}")


@router.get("/reports/latest")
def latest(
    request: Request, session: DbSession, who: Who, region: str = "", kind: str = MONTHLY, format: str = "pdf"
) -> Response:
    """The newest stored report of a region and kind, to download (the overview's buttons)."""
    access.require(who, "overview.view")  # the regulators' buttons (enterprises read their reports elsewhere)
    found = [
        r for r in use.list_reports(session, who, region=region or None, kind=kind) if r.lang == i18n.current_lang()
    ]
    if not found or format not in FORMATS:
        flash(request, _("No report of this kind is stored for the region yet: make one here."), "warn")
        return redirect(link("/reports", region=region))
    return redirect(f"/reports/{found[0].id}/download/{format}")


def detail_page(
    request: Request, session: Session, who: Principal, report_id: int, check: use.Check | None = None
) -> Response:
    report = use.get(session, who, report_id)
    return render(
        request,
        "report.html",
        **context(
            request,
            shown=row_view(report),
            check=check,
            may_sign=access.allowed(who, "report.sign") and not report.locked,
            format_names={k: _(v) for k, v in FORMAT_NAMES.items()},
            part_names={k: _(v) for k, v in PART_NAMES.items()},
        ),
    )


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: int, session: DbSession, who: Who) -> Response:
    return detail_page(request, session, who, report_id)


@router.post("/reports/{report_id}/check")
def check_report(request: Request, report_id: int, session: DbSession, who: Who) -> Response:
    """Make the report's files again from its data state and compare their SHA-256 (changes nothing)."""
    check = use.regenerate(session, who, report_id)
    session.rollback()
    return detail_page(request, session, who, report_id, check)


@router.post("/reports/{report_id}/signoff")
def sign_off(request: Request, report_id: int, session: DbSession, who: Who) -> Response:
    try:
        use.sign_off(session, who, report_id)
    except Conflict as exc:  # signed already: said on its page (a report not found is not found)
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "warn")
        return redirect(f"/reports/{report_id}")
    session.commit()
    flash(request, _("Report signed off: it is locked and never changes."))
    return redirect(f"/reports/{report_id}")


@router.get("/reports/{report_id}/download/{fmt}")
def download(report_id: int, fmt: str, session: DbSession, who: Who) -> Response:
    name, media, data = use.file_of(session, who, report_id, fmt)
    from urllib.parse import quote

    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
