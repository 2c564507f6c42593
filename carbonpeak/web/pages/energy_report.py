"""The energy-utilisation status report pages (/energy-report): the list of the year's reports in the
person's scope, and one enterprise's report of a year: the platform's figures (表1–表4), the form of what
the enterprise completes (表5–表10), filing, the regulator's review, the history, the downloads (the report
as PDF, Word and Excel through /reports, the NBS 205 workbook). Thin: everything is asked of
:mod:`carbonpeak.services.energy_report`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak.energy_report.nbs205 import carrier_label, product_label
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import energy_report as use
from carbonpeak.services import energy_report_reads as reads
from carbonpeak.services import reports
from carbonpeak.services.access import Principal
from carbonpeak.services.energy_report_doc import KIND, deadline_words
from carbonpeak.services.reports_monitoring import Asked
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context, flash, redirect, year_of

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_NAMES = {
    "none": N_("not started"),
    "draft": N_("draft"),
    "submitted": N_("filed, under review"),
    "returned": N_("returned for correction"),
    "accepted": N_("accepted and locked"),
}
KEY_UNIT_NAMES = {
    "key": N_("key energy-using unit (10,000 tce or more)"),
    "designatable": N_("may be designated (5,000 to 10,000 tce)"),
    "below": N_("below the key-unit thresholds"),
}
BLANK_ROWS = 3
_FIELD = re.compile(r"^(t\d+(?:_\d+)?)\.(\d{1,3})\.(\w+)$")


def entries_of_form(form: Any) -> dict[str, list[dict[str, str]]]:
    """``t8.2.name=...`` fields as ``{"t8": [row 1, row 2, ...]}`` (rows in their number's order)."""
    rows: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in form.multi_items():
        found = _FIELD.match(str(key))
        if found:
            rows.setdefault(found[1], {}).setdefault(int(found[2]), {})[found[3]] = str(value)
    return {table: [by_row[n] for n in sorted(by_row)] for table, by_row in rows.items()}


def _names() -> dict[str, dict[str, str]]:
    return {
        "status": {k: i18n.gettext(v) for k, v in STATUS_NAMES.items()},
        "key_unit": {k: i18n.gettext(v) for k, v in KEY_UNIT_NAMES.items()},
    }


def _page(
    request: Request,
    session: Session,
    who: Principal,
    enterprise: str,
    year: int,
    status_code: int = 200,
    errors: list[str] | None = None,
    given: dict[str, list[dict[str, str]]] | None = None,
) -> Response:
    opened = use.open_report(session, who, enterprise, year)
    lang = i18n.current_lang()
    shown = given if given is not None else opened.entries
    tables = []
    for spec in opened.forms.enterprise_tables():
        rows = list(shown.get(spec.id) or [])
        count = max(len(rows) + (BLANK_ROWS if spec.many else 0), 1) if spec.many else 1
        rows += [{}] * (count - len(rows))
        tables.append({"spec": spec, "heading": spec.heading(lang), "rows": rows[:count]})
    own = [
        r for r in reports.list_reports(session, who, kind=KIND, enterprise=opened.basic.code) if r.period == str(year)
    ]
    return render(
        request,
        "energy_report.html",
        status_code=status_code,
        **context(
            request,
            o=opened,
            f=opened.figures,
            lang_code=lang,
            tables=tables,
            names=_names(),
            carrier=lambda c: carrier_label(c, lang),
            product=lambda p: product_label(p, lang),
            heading=lambda table_id: opened.forms.table(table_id).heading(lang),
            deadline=deadline_words(opened.deadline, lang),
            editable=opened.may_fill and opened.status in ("none", "draft", "returned"),
            reviewable=opened.may_review and opened.status == "submitted",
            made=own,
            errors=errors or [],
        ),
    )


@router.get("/energy-report")
def energy_report_list(request: Request, session: DbSession, who: Who, year: str | None = None) -> Response:
    chosen = year_of(year, [])
    enterprises = reads.enterprises(session, who)  # access first: 403 for a role that reads no report
    own = reads.own_enterprise(session, who)
    if own is not None:
        return redirect(f"/enterprises/{own}/energy-report?year={chosen}")
    filed = {r.enterprise: r for r in reads.inbox(session, who, chosen)}
    return render(
        request,
        "energy_report_list.html",
        **context(request, year=chosen, enterprises=enterprises, filed=filed, names=_names()),
    )


@router.get("/enterprises/{code}/energy-report")
def energy_report_page(request: Request, code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    return _page(request, session, who, code, year_of(year, []))


def _failed(
    request: Request, session: Session, who: Principal, code: str, year: int, failed: InputError, given: Any = None
) -> Response:
    session.rollback()
    problems = failed.errors if isinstance(failed, ValidationFailed) else [failed]
    lang = i18n.current_lang()
    return _page(request, session, who, code, year, 422, [p.text(lang) for p in problems], given)


def _back(code: str, year: int) -> Response:
    return redirect(f"/enterprises/{code}/energy-report?year={year}")


@router.post("/enterprises/{code}/energy-report/save")
async def save_entries(request: Request, code: str, session: DbSession, who: Who) -> Response:
    form = await request.form()
    chosen = year_of(str(form.get("year") or ""), [])
    given = entries_of_form(form)
    try:
        if form.get("action") == "submit":
            done = use.submit(session, who, code, chosen, given)
        else:
            done = use.save(session, who, code, chosen, given)
    except InputError as failed:
        return _failed(request, session, who, code, chosen, failed, given)
    session.commit()
    text = N_("Filed: version %(version)s.") if done.status == "submitted" else N_("Saved: version %(version)s.")
    flash(request, i18n.gettext(text, version=done.version))
    return _back(code, chosen)


@router.post("/enterprises/{code}/energy-report/upload")
async def upload_entries(request: Request, code: str, session: DbSession, who: Who) -> Response:
    """A CSV of ``table,row,field,value`` saved as a new version (checked like the form's entries)."""
    form = await request.form()
    chosen = year_of(str(form.get("year") or ""), [])
    upload = form.get("file")
    content = await upload.read() if hasattr(upload, "read") else b""
    try:
        done = use.save_csv(session, who, code, chosen, content)
    except InputError as failed:
        return _failed(request, session, who, code, chosen, failed)
    session.commit()
    flash(request, i18n.gettext("Saved: version %(version)s.", version=done.version))
    return _back(code, chosen)


@router.post("/enterprises/{code}/energy-report/review")
def review_report(
    request: Request,
    code: str,
    session: DbSession,
    who: Who,
    year: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    chosen = year_of(year, [])
    try:
        done = use.review(session, who, code, chosen, decision, reason)
    except InputError as failed:
        return _failed(request, session, who, code, chosen, failed)
    session.commit()
    flash(request, i18n.gettext(STATUS_NAMES[done.status]))
    return _back(code, chosen)


@router.post("/enterprises/{code}/energy-report/make")
def make_report(
    request: Request, code: str, session: DbSession, who: Who, year: Annotated[str, Form()] = ""
) -> Response:
    chosen = year_of(year, [])
    base = str(request.base_url).rstrip("/")
    lang = i18n.current_lang()
    asked = Asked(kind=KIND, region="", period=str(chosen), lang=lang, enterprise=code, base_url=base)
    try:
        made = reports.make(session, who, asked)
    except InputError as failed:
        return _failed(request, session, who, code, chosen, failed)
    session.commit()
    return redirect(f"/reports/{made.id}")


@router.get("/enterprises/{code}/energy-report/nbs205.xlsx")
def nbs205_workbook(code: str, session: DbSession, who: Who, year: str | None = None) -> Response:
    name, content = reads.nbs205(session, who, code, year_of(year, []))
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
