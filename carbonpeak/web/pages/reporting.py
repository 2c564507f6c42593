"""Reporting: the months returned for correction first (退回修改, with the verifier's reason), download the
Excel template, upload it (all rows or none, every error next to its row), submit the drafts. The verifier's
queue is a page of its own (/verification, web.pages.verification)."""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from carbonpeak import plausibility
from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.io.reading import Limits, Table, cell_text, read_upload
from carbonpeak.io.template import template_columns, write_template
from carbonpeak.services import access, intake
from carbonpeak.services import month_form as form_use
from carbonpeak.services import month_prefill as prefill_use
from carbonpeak.services import submissions as workflow
from carbonpeak.services.access import Principal
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility
from carbonpeak.vocabulary import Sector
from carbonpeak.web import i18n, queries
from carbonpeak.web import plausibility as plausibility_view
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import BadRequest, Forbidden, NotFound, TooLarge
from carbonpeak.web.i18n import N_, _
from carbonpeak.web.imports import imports_of
from carbonpeak.web.pages.common import PERIOD, context, flash, redirect
from carbonpeak.web.pages.submissions import safe_filename
from carbonpeak.web.plausibility import flag_rows

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reporting_page(request: Request, session: Session, who: Principal, status: int = 200, **extra: Any) -> Response:
    may_report = access.allowed(who, "submission.report")
    facilities = queries.facilities(session, who) if may_report else []
    values: dict[str, Any] = {
        "may_report": may_report,
        "may_verify": access.allowed(who, "submission.verify"),
        "sectors": sorted({f.sector for f in facilities}),
        "returned": queries.months(session, who, status="returned") if may_report else [],
        "drafts": queries.drafts(session, who) if may_report else [],
        "upload": None,
        "problems": [],
    }
    values.update(extra)
    return render(request, "reporting.html", status, **context(request, **values))


@router.get("/reporting")
def reporting(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "submission.view")
    return reporting_page(request, session, who)


@router.get("/reporting/template")
def template(
    request: Request, session: DbSession, who: Who, sector: str | None = None, lang: str | None = None
) -> Response:
    """The sector's Excel template, with the person's facilities of that sector in its drop-down."""
    access.require(who, "submission.report")
    if sector not in {s.value for s in Sector}:
        raise NotFound()
    assert sector is not None
    language = lang if lang in i18n.LANGS else i18n.current_lang()
    facilities = [
        (f.code, f.name_zh if language == "zh" else f.name_en)
        for f in queries.facilities(session, who)
        if f.sector == sector
    ]
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-template-"))
    path = write_template(folder / f"template_{sector}_{language}.xlsx", sector, language, facilities=facilities)
    return FileResponse(
        path, media_type=XLSX, filename=path.name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )


@router.post("/reporting/upload")
def upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File()] = None,
    submit: Annotated[str | None, Form()] = None,
) -> Response:
    """Import a filled template (services.intake): all rows, or none with every problem beside its row.

    A plain ``def``: FastAPI runs it in its thread pool, where it waits for the import process
    (web.imports), so a large file never holds up other people's requests."""
    access.require(who, "submission.report")
    if file is None or not file.filename:
        session.rollback()
        problem = {"field": "file", "field_label": _("file"), "message": _("Choose a file to upload.")}
        return reporting_page(request, session, who, 422, upload={"ok": False, "errors": [problem], "rows": []})
    session.commit()  # end the sign-in's transaction: no write lock is held while the file is read
    content = read_limited(request, file)
    name = safe_filename(file.filename)
    limits = Limits.from_env(max_bytes=settings_of(request).max_upload_bytes)
    with tempfile.TemporaryDirectory(prefix="carbonpeak-upload-") as folder:
        try:
            report = imports_of(request.app).run(
                session, who, content, name, submit=bool(submit), limits=limits, rejected_dir=Path(folder)
            )
        except ValidationFailed as exc:
            session.rollback()
            outcome = _failed(request, content, name, exc, limits)
            return reporting_page(request, session, who, 422, upload=outcome)
        except InputError as exc:
            session.rollback()
            outcome = {"ok": False, "file": name, "errors": [i18n.input_error(exc)], "rows": []}
            return reporting_page(request, session, who, 422, upload=outcome)
    session.commit()
    outcome = {
        "ok": True,
        "file": name,
        "rows": report.rows,
        "versions": report.versions,
        "unchanged": report.unchanged,
        "results": report.results,
        "pending": report.results_pending,
        "submitted": bool(submit) and not report.not_submitted,  # else the page says which stayed drafts
        # months saved with plausibility warnings, and those left as drafts for want of an explanation
        "flagged": [(code, period, version, flag_rows(flags)) for code, period, version, flags in report.flagged],
        "not_submitted": report.not_submitted,
    }
    return reporting_page(request, session, who, 201, upload=outcome)


def read_limited(request: Request, file: UploadFile) -> bytes:
    """The uploaded bytes, refused above the upload limit (read from the spooled file, off the event loop)."""
    limit = settings_of(request).max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(limit=limit // 2**20)
    return content


def _failed(request: Request, content: bytes, name: str, failure: ValidationFailed, limits: Limits) -> dict[str, Any]:
    """The file's rows with each row's errors beside it, and the annotated copy to download."""
    problems = [i18n.input_error(e) for e in failure.errors]
    by_row: dict[int, list[dict[str, Any]]] = {}
    general = []
    for problem in problems:
        if problem["row"] is None or problem["row"] == 1:
            general.append(problem)
        else:
            by_row.setdefault(problem["row"], []).append(problem)
    rows = []
    for number, values in _preview(content, name, limits):
        rows.append({"row": number, "values": values, "errors": by_row.pop(number, [])})
    for number, errs in sorted(by_row.items()):  # errors of rows the preview could not show
        rows.append({"row": number, "values": {}, "errors": errs})
    annotated = getattr(failure, "annotated", None)
    download = None
    if annotated is not None and Path(annotated).exists():
        download = _keep_rejected(request, Path(annotated))
    return {
        "ok": False,
        "file": name,
        "count": len(problems),
        "errors": general,
        "rows": rows,
        "annotated": download,
    }


_PREVIEW_COLUMNS = ("facility_id", "period", "sector", "output_t")
_PREVIEW_ROWS = 2000


def _preview(content: bytes, name: str, limits: Limits) -> list[tuple[int, dict[str, Any]]]:
    """(row number, a few identifying values from the file itself) of the first 2,000 rows, as far as the
    file can be read; the rows with problems after them are listed with their errors only."""
    try:
        table = read_upload(content, name, limits)
    except (InputError, ValueError, OSError):
        return []
    if not isinstance(table, Table) or table.by_record:
        return []
    columns = {}
    for position, header in enumerate(table.headers):
        base = str(header).split("[")[0].strip()
        if base in _PREVIEW_COLUMNS and base not in columns:
            columns[base] = position
    out = []
    for index, number in enumerate(table.row_numbers.tolist()):
        row = table.frame.iloc[index]
        out.append((int(number), {k: cell_text(row[c]) if c in row.index else "" for k, c in columns.items()}))
        if len(out) >= _PREVIEW_ROWS:
            break
    return out


REJECTED_NAME = re.compile(r"[A-Za-z0-9_-]{16}\.errors\.xlsx")  # token_urlsafe(12): 16 characters


def _keep_rejected(request: Request, annotated: Path) -> str:
    """Keep the annotated copy for this session to download; returns its name."""
    folder = Path(settings_of(request).rejected_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(12)}.errors.xlsx"
    shutil.copyfile(annotated, folder / name)
    kept = list(request.session.get("rejected", []))[-9:]
    request.session["rejected"] = [*kept, name]
    return name


@router.get("/reporting/rejected/{name}")
def rejected_copy(request: Request, name: str, who: Who) -> Response:
    """The annotated copy of a refused workbook (only to the session that uploaded it)."""
    access.require(who, "submission.report")
    if not REJECTED_NAME.fullmatch(name):  # only names _keep_rejected makes reach the file system
        raise NotFound()
    if name not in request.session.get("rejected", []):
        raise Forbidden() if (Path(settings_of(request).rejected_dir) / name).exists() else NotFound()
    path = Path(settings_of(request).rejected_dir) / name
    if not path.exists():
        raise NotFound()
    return FileResponse(path, media_type=XLSX, filename="rejected.errors.xlsx")


@router.post("/reporting/submit")
async def submit_drafts(request: Request, session: DbSession, who: Who) -> Response:
    """Submit the chosen draft months (``month`` fields "FACILITY@YYYY-MM"): all of them, or none."""
    access.require(who, "submission.report")
    form = await request.form()
    chosen = [str(v) for v in form.getlist("month")]
    if not chosen:
        raise BadRequest(N_("Choose at least one month."))
    pairs = []
    for item in chosen:
        code, _sep, period = item.partition("@")
        if not code or len(period) != 7:
            raise BadRequest()
        pairs.append((code, period))
    try:
        workflow.step(session, who, pairs, "submitted")
    except InputError as exc:
        session.rollback()
        return reporting_page(request, session, who, 409, problems=[i18n.input_error(exc)])
    session.commit()
    flash(request, i18n.ngettext("%(num)d month submitted.", "%(num)d months submitted.", len(pairs)))
    return redirect("/reporting")


# ---------------------------------------------------------------- one month in a form

IDENTITY = ("facility_id", "sector", "region", "period")


def form_page(
    request: Request,
    session: Session,
    who: Principal,
    facility: Facility | None,
    period: str,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    *,
    flags: list[dict[str, Any]] | None = None,
    notice: dict[str, Any] | None = None,
    prefill: bool = False,
) -> Response:
    columns = [c for c in template_columns(facility.sector) if c.name not in IDENTITY] if facility else []
    # the meters' values of the month (计量值), offered beside their fields; a month not reported yet starts with them
    metered = prefill_use.form_offers(session, who, facility.code, period, values) if facility and period else {}
    if prefill and metered:
        values = {**{name: offer.value for name, offer in metered.items()}, **values}
    errors = errors or {}
    placed = {c.name for c in columns} | set(IDENTITY)
    lang = i18n.current_lang()
    last = form_use.last_month(session, who, facility.code, period) if facility and period else None
    live = (
        {
            "formulas": form_use.formulas(facility.sector, lang),
            "last": last.values if last is not None else {},
        }
        if facility
        else None
    )
    return render(
        request,
        "month_form.html",
        status,
        **context(
            request,
            facilities=queries.facilities(session, who),
            facility=facility,
            period=period,
            columns=columns,
            values=values,
            errors=errors,
            # problems of no input of the form (the fuels' energy, a rule on several fields): listed at the top
            other_errors=[m for name, found in errors.items() if name not in placed for m in found],
            choices={
                c.name: plausibility_view.options(c.name, facility.sector, values.get(c.name))
                for c in columns
                if plausibility_view.is_coded(c.name)
            }
            if facility
            else {},
            flags=flag_rows(flags),
            notice=notice,
            # grouped in the field table's sections, with last month's values, their change and the live ratios
            sections=form_use.sections(columns, lang),
            last=last,
            changes={c.name: form_use.change_pct(values.get(c.name), last.values.get(c.name)) for c in columns}
            if last is not None
            else {},
            live=live,
            unit_consumption=form_use.unit_consumption(facility.sector, values) if facility else {},
            correcting=_correcting(session, facility, period) if facility and period else None,
            metered=metered,
        ),
    )


def _correcting(session: Session, facility: Facility, period: str) -> dict[str, Any] | None:
    """A month that left the enterprise (submitted, returned, verified, locked) changes only by a correction:
    the form then asks for its reason and says why (a returned month shows the verifier's reason)."""
    versions = repo.versions_of(session, facility.code, period)
    if not versions or versions[-1].status == "draft":
        return None
    latest = versions[-1]
    return {"status": latest.status, "version": latest.version, "returned_reason": latest.returned_reason}


@router.get("/reporting/form")
def month_form(
    request: Request, session: DbSession, who: Who, facility: str | None = None, period: str | None = None
) -> Response:
    """A month of one facility in a form (the latest version's values filled in)."""
    access.require(who, "submission.report")
    chosen = access.get_facility(session, who, facility, "submission.report") if facility else None
    month = period if period and re.fullmatch(PERIOD, period) else ""
    values: dict[str, Any] = {}
    flags = None
    if chosen is not None and month:
        versions = repo.versions_of(session, chosen.code, month)
        if versions:
            values = form_use.record_values(versions[-1].record)
            flags = versions[-1].flags
    return form_page(request, session, who, chosen, month, values, flags=flags, prefill=not values)


@router.post("/reporting/form")
async def save_month_form(request: Request, session: DbSession, who: Who) -> Response:
    """Save the month as a draft (or submit it) through the same intake as a file (services.intake), so
    the same checks apply and every problem is shown beside its field. The work runs in the thread pool."""
    access.require(who, "submission.report")
    form = await request.form()
    code, period = str(form.get("facility_id", "")), str(form.get("period", ""))
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    return await run_in_threadpool(_save_month, request, session, who, code, period, values)


def _save_month(
    request: Request, session: Session, who: Principal, code: str, period: str, values: dict[str, str]
) -> Response:
    facility = access.get_facility(session, who, code, "submission.report")
    if not re.fullmatch(PERIOD, period):
        session.rollback()
        errors = {"period": [i18n.gettext("Choose a month such as 2025-03.")]}
        return form_page(request, session, who, facility, period, values, errors, 422)
    # each input under its template header (a unit in brackets converts as in a file)
    entered = {
        c.header: values.get(c.name, "").strip() for c in template_columns(facility.sector) if c.name not in IDENTITY
    }
    correcting = _correcting(session, facility, period)
    try:
        if correcting is None:
            report = intake.save_month(session, who, facility.code, period, entered, submit=bool(values.get("submit")))
        else:  # a new version with its reason (the answer to a return), submitted again when asked
            report = intake.correct(
                session, who, facility.code, period, values.get("correction_reason", ""), values=entered
            )
            if values.get("submit"):
                workflow.step(session, who, [(facility.code, period)], "submitted")
    except ValidationFailed as exc:
        session.rollback()
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            shown = i18n.input_error(error)
            errors.setdefault(str(error.field or "period"), []).append(shown["message"])
        return form_page(request, session, who, facility, period, values, errors, 422)
    except InputError as exc:
        session.rollback()
        return form_page(
            request, session, who, facility, period, values, {"period": [exc.text(i18n.current_lang())]}, 422
        )
    # which saved figures are the meters' values: recorded on the version (the accounting is unchanged)
    prefill_use.record(
        session,
        who,
        facility.code,
        period,
        values,
        prefill_use.form_offers(session, who, facility.code, period, values),
    )
    session.commit()
    latest = repo.versions_of(session, facility.code, period)[-1]
    if latest.flags and latest.status == "draft":  # saved with warnings: the form says so, beside the fields
        notice = {
            "count": len(latest.flags),
            "not_submitted": bool(report.not_submitted),
            "explained": not plausibility.unexplained(latest.flags, latest.record),
        }
        return form_page(request, session, who, facility, period, values, flags=latest.flags, notice=notice)
    flash(request, i18n.gettext("%(facility)s, %(period)s saved.", facility=facility.code, period=i18n.period(period)))
    return redirect(f"/submissions/{facility.code}/{period}")
