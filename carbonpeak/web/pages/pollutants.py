"""The pollutant ledger's pages: ``/pollutants`` (the facilities in one's scope with their synergy figures for
a year, the bulk upload, the template) and ``/pollutants/facilities/{code}`` (a facility's block, the form to
report or correct a month, and every version of every month). Also :func:`block`, the card the facility and
enterprise pages include. Thin: the work is :mod:`carbonpeak.services.pollutants` and
:mod:`carbonpeak.services.pollutants_reads`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access
from carbonpeak.services import pollutants as use
from carbonpeak.services import pollutants_reads as reads
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Facility
from carbonpeak.synergy import file as pollutant_file
from carbonpeak.synergy.ledger import SOURCE_NAMES, SOURCES
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.pages.common import context, flash, redirect, year_of
from carbonpeak.web.pages.reporting import read_limited

router = APIRouter()
FORM_FIELDS = ("period", "so2_t", "nox_t", "pm_t", "source", "note", "reason")


def block(
    session: Session, who: Principal, *, year: int, facility: str | None = None, enterprise: str | None = None
) -> reads.Block | None:
    """The synergy card of a facility or an enterprise (None: nothing to show)."""
    shown = reads.block(session, who, year=year, facility=facility, enterprise=enterprise)
    return None if shown is None or shown.empty else shown


def source_names() -> dict[str, str]:
    lang = i18n.current_lang()
    return {code: (zh if lang == "zh" else en) for code, (zh, en) in SOURCE_NAMES.items()}


def _years(session: Session, who: Principal, codes: list[str]) -> list[int]:
    table = use.latest(session, who, codes)
    return sorted({int(p[:4]) for p in table["period"]}) if not table.empty else []


@router.get("/pollutants")
def pollutants_page(
    request: Request, session: DbSession, who: Who, year: str | None = None, region: str | None = None
) -> Response:
    return _index(request, session, who, year)


def _index(
    request: Request,
    session: Session,
    who: Principal,
    year: str | None,
    status_code: int = 200,
    upload: dict[str, Any] | None = None,
) -> Response:
    access.require(who, use.VIEW)
    facilities = list(session.scalars(select(Facility).where(access.facility_filter(who)).order_by(Facility.code)))
    codes = [f.code for f in facilities]
    years = _years(session, who, codes)
    chosen = year_of(year, years)
    rows = reads.scope(session, who, year=chosen) if years else []
    names = {f.code: f for f in facilities}
    return render(
        request,
        "pollutants.html",
        status_code=status_code,
        **context(
            request,
            year=chosen,
            years=years,
            rows=[(names.get(r.key[0]), r) for r in rows],
            may_enter=access.allowed(who, use.ENTER),
            upload=upload,
        ),
    )


@router.get("/pollutants/template.csv")
def template(who: Who, lang: str = "zh") -> Response:
    access.require(who, use.VIEW)
    return Response(
        pollutant_file.template("en" if lang == "en" else "zh"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pollutants_template.csv"'},
    )


@router.post("/pollutants/upload")
def upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File()] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Record every row of a CSV or Excel file: all, or none with every problem listed."""
    access.require(who, use.ENTER)
    lang = i18n.current_lang()
    if file is None or not file.filename:
        outcome = {"ok": False, "errors": [i18n.gettext("Choose a file to upload.")]}
        return _index(request, session, who, None, 422, outcome)
    content = read_limited(request, file)
    name = file.filename.replace("/", "_").replace("\\", "_")[-200:]
    try:
        done = use.import_file(session, who, content, name, reason=(reason or None))
    except InputError as failed:
        session.rollback()
        problems = failed.errors if isinstance(failed, ValidationFailed) else [failed]
        return _index(request, session, who, None, 422, {"ok": False, "errors": [p.text(lang) for p in problems]})
    session.commit()
    outcome = {"ok": True, "file": name, "versions": done.versions, "unchanged": done.unchanged}
    return _index(request, session, who, None, 201, outcome)


@router.get("/pollutants/facilities/{code}")
def facility_page(request: Request, code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    return _facility(request, session, who, code, year)


def _facility(
    request: Request,
    session: Session,
    who: Principal,
    code: str,
    year: str | None,
    status_code: int = 200,
    errors: list[str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    facility, versions = use.history(session, who, code)
    years = sorted({int(v.period[:4]) for v in versions})
    chosen = year_of(year, years)
    return render(
        request,
        "pollutants_facility.html",
        status_code=status_code,
        **context(
            request,
            facility=facility,
            year=chosen,
            years=years,
            versions=versions,
            synergy=block(session, who, year=chosen, facility=facility.code),
            may_enter=access.allowed(who, use.ENTER) and (who.is_admin or facility.enterprise_id in who.enterprise_ids),
            sources=SOURCES,
            source_names=source_names(),
            errors=errors or [],
            values={name: (values or {}).get(name, "") for name in FORM_FIELDS},
        ),
    )


@router.post("/pollutants/facilities/{code}")
async def save_month(request: Request, code: str, session: DbSession, who: Who) -> Response:
    """One month entered in the form: the same checks as a file."""
    access.require(who, use.ENTER)
    access.get_facility(session, who, code, use.ENTER)  # 404 / 403 before anything of the form is read
    form = await request.form()
    values = {name: str(form.get(name) or "").strip()[:2000] for name in FORM_FIELDS}
    try:
        done = use.record(session, who, [(None, {"facility_id": code, **values})])
    except InputError as failed:
        session.rollback()
        problems = failed.errors if isinstance(failed, ValidationFailed) else [failed]
        lang = i18n.current_lang()
        return _facility(request, session, who, code, None, 422, [p.text(lang) for p in problems], values)
    session.commit()
    if done.versions:
        _f, period, version = done.versions[0]
        flash(request, i18n.gettext("Saved: %(period)s, version %(version)s.", period=period, version=version))
    else:
        flash(request, i18n.gettext("Nothing changed: the month already says this."))
    return redirect(f"/pollutants/facilities/{code}")
