"""Reference parameters: the values in force, with their source and confidence (read-only)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.web import access, queries
from carbonpeak.web.deps import Who, render
from carbonpeak.web.errors import BadRequest, NotFound
from carbonpeak.web.i18n import N_
from carbonpeak.web.pages.common import context

router = APIRouter()


@router.get("/parameters")
def families(request: Request, who: Who) -> Response:
    access.require(who, "parameters.view")
    rows = queries.parameter_families()
    return render(request, "parameters.html", **context(request, families=rows))


@router.get("/parameters/{family}")
def family(request: Request, family: str, who: Who, on: str | None = None) -> Response:
    access.require(who, "parameters.view")
    files = queries.params().files
    if family not in files:
        raise NotFound()
    try:
        day = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise BadRequest(N_("The date must be written as 2025-06-30.")) from None
    file = files[family]
    entries = [
        {"entry": e, "source": file.sources[e.source], "in_force": queries.in_force(e, day)} for e in file.entries
    ]
    return render(request, "parameter_family.html", **context(request, file=file, entries=entries, day=day))
