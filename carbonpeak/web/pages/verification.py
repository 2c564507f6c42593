"""The verifier's queue (/verification): the months of the assigned enterprises with their plausibility
warnings, explanation and unit consumption, filters, and batch actions: verify the chosen months with one
opinion, or return them to their enterprise with one reason (all months, or none)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.services import access, verification
from carbonpeak.services import submissions as workflow
from carbonpeak.services.access import Principal
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.errors import BadRequest
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
STATUS_CHOICES = ("submitted", "returned", "verified", "locked")


def filters_of(values: Any) -> dict[str, Any]:
    """The queue's filters from a query string or a form (anything not understood is left out)."""
    status = str(values.get("status") or "")
    period = str(values.get("period") or "")
    return {
        "enterprise": str(values.get("enterprise") or "").strip()[:40],
        "period": period if MONTH.fullmatch(period) else "",
        "status": status if status in STATUS_CHOICES else "",
        "flagged": str(values.get("flagged") or "") in ("1", "on", "true"),
    }


def query_of(filters: dict[str, Any]) -> str:
    shown = {k: ("1" if v is True else v) for k, v in filters.items() if v}
    return urlencode(shown)


def queue_page(
    request: Request, session: Session, who: Principal, filters: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    found = verification.queue(
        session,
        who,
        enterprise=filters["enterprise"],
        period=filters["period"],
        status=filters["status"],
        flagged_only=filters["flagged"],
    )
    values: dict[str, Any] = {
        "queue": found,
        "filters": filters,
        "query": query_of(filters),
        "statuses": STATUS_CHOICES,
        "problems": [],
        "opinion": "",
        "return_reason": "",  # not "reason": the templates' reason() renders coded messages
        "chosen": set(),
        "limit": verification.LIMIT,
    }
    values.update(extra)
    return render(request, "verification.html", status, **context(request, **values))


@router.get("/verification")
def verification_queue(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "submission.verify")
    return queue_page(request, session, who, filters_of(request.query_params))


def _chosen(form: Any) -> list[tuple[str, str]]:
    months = []
    for item in form.getlist("month"):
        code, _sep, period = str(item).partition("@")
        if not code or not MONTH.fullmatch(period):
            raise BadRequest()
        months.append((code, period))
    return months


async def _decide(request: Request, session: Session, who: Principal, target: str) -> Response:
    """Verify or return the chosen months with the one text given for all of them (the work runs in the
    thread pool: a batch of hundreds of months never holds up the event loop)."""
    access.require(who, "submission.verify")
    form = await request.form()
    months = _chosen(form)
    if not months:
        raise BadRequest(N_("Choose at least one month."))
    text = str(form.get(workflow.NOTE_FIELD[target]) or "")
    return await run_in_threadpool(_apply, request, session, who, target, months, text, filters_of(form))


def _apply(
    request: Request,
    session: Session,
    who: Principal,
    target: str,
    months: list[tuple[str, str]],
    text: str,
    filters: dict[str, Any],
) -> Response:
    try:
        done = workflow.step(session, who, months, target, note=text)
    except (ValidationFailed, InputError) as exc:
        session.rollback()
        errors = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        return queue_page(
            request,
            session,
            who,
            filters,
            422 if isinstance(exc, ValidationFailed) else 409,
            problems=[i18n.input_error(e) for e in errors],
            chosen={f"{code}@{period}" for code, period in months},
            **{"opinion" if target == "verified" else "return_reason": text},
        )
    session.commit()
    if target == "verified":
        flash(request, i18n.ngettext("%(num)d month verified.", "%(num)d months verified.", len(done)))
    else:
        flash(
            request,
            i18n.ngettext(
                "%(num)d month returned to its enterprise.", "%(num)d months returned to their enterprises.", len(done)
            ),
        )
    query = query_of(filters)
    return redirect("/verification" + (f"?{query}" if query else ""))


@router.post("/verification/verify")
async def verify_months(request: Request, session: DbSession, who: Who) -> Response:
    return await _decide(request, session, who, "verified")


@router.post("/verification/return")
async def return_months(request: Request, session: DbSession, who: Who) -> Response:
    return await _decide(request, session, who, "returned")
