"""Reference parameters: the values in force, with their source and confidence; an administrator enters
an official value with its citation (stored as a new version, never over a shipped or earlier one), and
the months it affects are recomputed in the background (services.recompute), with its progress shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.parameters import load
from carbonpeak.parameters.schema import Confidence
from carbonpeak.services import access, recompute
from carbonpeak.store import parameters as entered_values
from carbonpeak.web import i18n, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.errors import BadRequest, NotFound
from carbonpeak.web.i18n import N_
from carbonpeak.web.imports import imports_of
from carbonpeak.web.pages import jobs
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()


@router.get("/parameters")
def families(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "parameters.view")
    rows = queries.parameter_families(session)
    return render(request, "parameters.html", **context(request, families=rows))


def _family_page(
    request: Request,
    session: DbSession,
    who: Who,
    family: str,
    day: dt.date,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    files = queries.params(session).files
    if family not in files:
        raise NotFound()
    file = files[family]
    entries = [
        {
            "entry": e,
            "source": file.sources[e.source],
            "in_force": queries.in_force(e, day),
            "entered": entered_values.entered(e),
        }
        for e in file.entries
    ]
    shipped = load().files[family]
    superseded = [e for e in shipped.entries if e not in file.entries]  # by an entered value of the same slot
    form = dict(values or {})
    return render(
        request,
        "parameter_family.html",
        status_code=status,
        **context(
            request,
            file=file,
            entries=entries,
            day=day,
            superseded=superseded,
            history=entered_values.history(session, family),
            may_enter=access.allowed(who, "parameters.enter"),
            may_recompute=access.allowed(who, "parameters.recompute"),
            job=_job(session, who, family),
            key_choices={k: sorted({str(e.key[k]) for e in shipped.entries}) for k in shipped.keys},
            units=sorted({e.unit for e in shipped.entries}),
            confidences=[c.value for c in Confidence],
            values=form,
            errors=errors or {},
        ),
    )


def _job(session: DbSession, who: Who, family: str) -> dict[str, Any] | None:
    job = recompute.latest_job(session, who, family)
    return jobs.job_view(job, queries.params(session)) if job is not None else None


@router.get("/parameters/{family}")
def family(request: Request, family: str, session: DbSession, who: Who, on: str | None = None) -> Response:
    access.require(who, "parameters.view")
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise BadRequest(N_("The date must be written as 2025-06-30.")) from None
    # A link "enter the official value" carries the entry's key, unit, edition and period to prefill.
    values = {k: v for k, v in request.query_params.items() if k != "on"}
    return _family_page(request, session, who, family, day, values=values)


@router.post("/parameters/{family}/values")
async def enter_value(request: Request, family: str, session: DbSession, who: Who) -> Response:
    access.require(who, "parameters.enter")
    if family not in queries.params(session).files:
        raise NotFound()
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        entered = recompute.enter_parameter(session, who, family, values)
    except InputError as exc:
        session.rollback()
        problems = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        errors: dict[str, list[str]] = {}
        for problem in problems:
            shown = i18n.input_error(problem)
            text = shown["message"] + (f"; {i18n.gettext('expected')} {shown['expected']}" if shown["expected"] else "")
            errors.setdefault(str(problem.field or "value"), []).append(text)
        return _family_page(request, session, who, family, dt.date.today(), values=values, errors=errors, status=422)
    session.commit()
    # the months the value affects are recomputed in the background; the page shows the job's progress
    runner = imports_of(request.app)
    await run_in_threadpool(runner.background, recompute.run_job, runner.url, entered.job.id)
    flash(
        request,
        i18n.gettext(
            "The official value was entered as version %(version)s; the months it affects are being recomputed.",
            version=entered.value.version,
        ),
    )
    return redirect(f"/parameters/{family}#recompute")


@router.post("/parameters/{family}/recompute")
def recompute_family(request: Request, family: str, session: DbSession, who: Who) -> Response:
    """An administrator recomputes the months a family's values affect (waiting ones and those whose
    results used its values); a new result is added only where the values changed."""
    job = recompute.start_recompute(session, who, family)
    session.commit()
    runner = imports_of(request.app)
    runner.background(recompute.run_job, runner.url, job.id)
    return redirect(f"/jobs/{job.id}")
