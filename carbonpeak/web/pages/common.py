"""Small helpers the pages share: redirects, flash messages, parameters and the home of a role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Enterprise
from carbonpeak.web.errors import BadRequest
from carbonpeak.web.i18n import N_

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (already translated)."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, text])
    request.session["flash"] = messages[-5:]


def take_flash(request: Request) -> list[list[str]]:
    return list(request.session.pop("flash", []))


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go on to (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home(session: Session, principal: Principal) -> str:
    if access.allowed(principal, "overview.view"):
        return "/overview"
    if principal.role == access.VERIFIER:
        return "/verification"
    if principal.enterprise_id is not None:
        enterprise = session.get(Enterprise, principal.enterprise_id)
        if enterprise is not None:
            return f"/enterprises/{enterprise.code}"
    return "/enterprises"


# Years a page or the API can be asked about: every plan, statistic and project of the platform falls in
# them (project records accept 1990-2100 too); anything else is a mistyped year, not a question.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def year_of(value: str | int | None, years: list[int], default: int | None = None) -> int:
    """A year asked for (a number from FIRST_YEAR to LAST_YEAR), else the latest year with data, else last year."""
    if value not in (None, ""):
        try:
            year = int(str(value))
        except ValueError:
            raise BadRequest(N_("The year must be a number such as 2025.")) from None
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadRequest(N_("The year must be between 1990 and 2100."))
        return year
    if years:
        return years[-1]
    return default or dt.date.today().year - 1


def context(request: Request, **values: Any) -> dict[str, Any]:
    values.setdefault("flash", take_flash(request))
    return values
