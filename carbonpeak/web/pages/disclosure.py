"""/disclosure: an enterprise's disclosure of a year (its due day and state, its allowance-surrender
statement, making and publishing the two disclosure reports), the regulator's deadline list of its region
with the flag form, and the public page of what an enterprise published (/public/disclosure/{code}, no
account). Thin adapters over :mod:`carbonpeak.services.disclosure` and its siblings."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError
from carbonpeak.services import access
from carbonpeak.services import disclosure as use
from carbonpeak.services import disclosure_deadlines as board_use
from carbonpeak.services import disclosure_public as public_use
from carbonpeak.services import reports as report_use
from carbonpeak.services.access import Principal
from carbonpeak.services.disclosure_climate import CLIMATE
from carbonpeak.services.disclosure_mee import MEE
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.store.models import Enterprise
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, MaybeWho, Who, render
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.pages.reporting_status import today_of

router = APIRouter()
Year = Annotated[int | None, Query(ge=1990, le=2100)]
Code = Annotated[str | None, Query(max_length=40)]
KIND_NAMES = {
    MEE: N_("Environmental information disclosure: carbon emissions"),
    CLIMATE: N_("Sustainability report: climate (scope 1 and 2)"),
}
STATE_NAMES = {
    "on_time": N_("published on time"),
    "late": N_("published late"),
    "not_yet": N_("not yet published"),
    "overdue": N_("overdue, not published"),
}
WHY_NAMES = {
    board_use.MARKET: N_("national carbon market"),
    board_use.SECTOR: N_("carbon-market sector"),
    board_use.FLAGGED: N_("flagged by a regulator"),
}
ALLOWANCE_NAMES = {
    "completed": N_("surrendered in full"),
    "partly": N_("partly surrendered"),
    "not_completed": N_("not surrendered"),
}


def _own_code(session: Session, who: Principal) -> str | None:
    if who.enterprise_id is None:
        return None
    return session.scalar(select(Enterprise.code).where(Enterprise.id == who.enterprise_id))


def _names() -> dict[str, Any]:
    return {
        "kind_names": {k: _(v) for k, v in KIND_NAMES.items()},
        "state_names": {k: _(v) for k, v in STATE_NAMES.items()},
        "why_names": {k: _(v) for k, v in WHY_NAMES.items()},
        "allowance_names": {k: _(v) for k, v in ALLOWANCE_NAMES.items()},
    }


def _page(
    request: Request, session: Session, who: Principal, enterprise: str | None, year: int | None, **extra: Any
) -> Response:
    today = today_of(request)
    chosen = year or today.year - 1
    code = enterprise or (_own_code(session, who) if who.role == access.ENTERPRISE else None)
    extra.setdefault("error", None)
    if code:
        own = use.own(session, who, code, chosen, today)
        return render(
            request,
            "disclosure.html",
            status_code=422 if extra["error"] else 200,
            **context(
                request,
                own=own,
                year=chosen,
                may_make=access.allowed(who, "report.enterprise.make"),
                may_publish=access.allowed(who, "report.enterprise.sign"),
                may_state=access.allowed(who, "disclosure.state"),
                may_board=access.allowed(who, "disclosure.deadlines"),
                **_names(),
                **extra,
            ),
        )
    found = board_use.board(session, who, chosen, today)
    return render(
        request,
        "disclosure_board.html",
        status_code=422 if extra["error"] else 200,
        **context(
            request, board=found, year=chosen, may_flag=access.allowed(who, "disclosure.flag"), **_names(), **extra
        ),
    )


@router.get("/disclosure")
def disclosure_page(
    request: Request, session: DbSession, who: Who, enterprise: Code = None, year: Year = None
) -> Response:
    access.require(who, "disclosure.view")
    return _page(request, session, who, enterprise, year)


def _back(enterprise: str, year: Any) -> str:
    return f"/disclosure?enterprise={quote(enterprise)}&year={quote(str(year))}"


@router.post("/disclosure/make")
def make(
    request: Request,
    session: DbSession,
    who: Who,
    enterprise: Annotated[str, Form(max_length=40)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    kind: Annotated[str, Form(max_length=40)] = MEE,
    lang: Annotated[str, Form(max_length=5)] = "zh",
) -> Response:
    access.require(who, "report.enterprise.make")  # the wrong role is refused before the form is looked at
    if kind not in use.KINDS:
        kind = MEE
    asked = Asked(
        kind=kind,
        region="",
        period=year.strip(),
        lang=lang if lang in i18n.LANGS else "zh",
        as_of=today_of(request),
        base_url=str(request.base_url).rstrip("/"),
        enterprise=enterprise,
    )
    try:
        made = report_use.make(session, who, asked)
    except InputError as exc:
        session.rollback()
        problem = i18n.input_error(exc)
        return _page(request, session, who, enterprise, _year(year), error=problem["message"])
    session.commit()
    flash(request, _("Report made: version %(version)s.", version=made.version))
    return redirect(_back(enterprise, year))


def _year(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and 1990 <= int(text) <= 2100 else None


@router.post("/disclosure/publish/{report_id}")
def publish(request: Request, report_id: int, session: DbSession, who: Who) -> Response:
    try:
        done = use.publish(session, who, report_id)
    except (Conflict, InputError) as exc:
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "warn")
        return redirect("/disclosure")
    session.commit()
    flash(request, _("Published: the report is signed off, locked and shown on the public disclosure page."))
    return redirect(_back(done.enterprise, done.period))


@router.post("/disclosure/allowance")
def allowance(
    request: Request,
    session: DbSession,
    who: Who,
    enterprise: Annotated[str, Form(max_length=40)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    surrendered_tco2e: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    access.require(who, "disclosure.state")
    try:
        use.record_allowance(session, who, enterprise, year, status, surrendered_tco2e.strip() or None, note)
    except InputError as exc:
        session.rollback()
        problems = getattr(exc, "errors", None) or [exc]
        text = "；".join(i18n.input_error(p)["message"] for p in problems)
        return _page(request, session, who, enterprise, _year(year), error=text)
    session.commit()
    flash(request, _("Allowance surrender recorded as a new version."))
    return redirect(_back(enterprise, year))


@router.post("/disclosure/flag")
def flag(
    request: Request,
    session: DbSession,
    who: Who,
    enterprise: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    obliged: Annotated[str, Form(max_length=5)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    access.require(who, "disclosure.flag")
    try:
        use.flag(session, who, enterprise.strip(), obliged == "1", reason)
    except InputError as exc:
        session.rollback()
        return _page(request, session, who, None, _year(year), error=i18n.input_error(exc)["message"])
    session.commit()
    flash(request, _("Disclosure flag recorded."))
    return redirect(f"/disclosure?year={quote(year)}" if _year(year) else "/disclosure")


@router.get("/public/disclosure/{enterprise}")
def public_page(request: Request, session: DbSession, who: MaybeWho, enterprise: str) -> Response:
    """What the enterprise published, for anyone (no account); the same *not found* for an unknown
    enterprise and for one with nothing published."""
    found = public_use.page(session, enterprise)
    return render(request, "disclosure_public.html", **context(request, page=found, **_names()))


@router.get("/public/disclosure/{enterprise}/reports/{report_id}.pdf")
def public_pdf(session: DbSession, enterprise: str, report_id: int) -> Response:
    name, media, data = public_use.pdf(session, enterprise, report_id)
    return Response(
        data, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )
