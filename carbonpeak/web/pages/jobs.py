"""A background job's page (a recompute): its progress while it runs, then what it changed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.accounting.waiting import YEAR_KEY, Missing, message_of, parameter_label
from carbonpeak.messages import Message
from carbonpeak.parameters import ParameterSet
from carbonpeak.services import recompute
from carbonpeak.store.models import Job
from carbonpeak.web import i18n, queries
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context

router = APIRouter()

JOB_STATUS = {"queued": N_("queued"), "running": N_("running"), "done": N_("done"), "failed": N_("failed")}


def job_view(job: Job, params: ParameterSet) -> dict[str, Any]:
    """What the job block shows, in the reader's language."""
    lang = i18n.current_lang()
    detail = job.detail or {}
    scope = detail.get("scope") or {}
    family = scope.get("family")
    if family:
        key = dict(scope.get("key") or {})
        title = parameter_label(params, Missing(family, key))[lang]
        if YEAR_KEY in key:
            title += " · " + Message("recompute.period.data_year", year=str(key[YEAR_KEY])).text(lang)
        what = i18n.gettext("The months waiting for “%(title)s” and those whose results used it", title=title)
    else:
        what = i18n.gettext("Every month")
    error = message_of(job.error) if job.error else None
    return {
        "job": job,
        "status": i18n.gettext(JOB_STATUS.get(job.status, job.status)),
        "scope": what,
        "summary": detail.get("summary"),
        "error": error.text(lang) if isinstance(error, Message) else None,
        "family": family,
    }


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: int, session: DbSession, who: Who) -> Response:
    job = recompute.job_of(session, who, job_id)
    shown = job_view(job, queries.params(session))
    return render(request, "job.html", **context(request, shown=shown, family=shown["family"]))
