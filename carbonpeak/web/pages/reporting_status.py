"""Who has reported: the matrix enterprise × month (/reporting-status), the late list of a month with its
Excel and its printable 催报 notice, and the overview's block of last month's counts.

Thin adapters over :mod:`carbonpeak.services.reporting_status`; every text comes from the message
catalog (``reporting_status.*``) in the page's language. "Today" is the clock in China unless the
setting ``today`` fixes it (a demonstration, a test).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.indicators import reporting_status as rules
from carbonpeak.services import access, lists
from carbonpeak.services import reporting_status as use
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Region
from carbonpeak.web import i18n, list_views, queries
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.pages.common import context

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "/reporting-status"
Month = Annotated[str | None, Query(max_length=7, description="a month, YYYY-MM")]
First = Annotated[str | None, Query(alias="from", max_length=7, description="first month, YYYY-MM")]
Last = Annotated[str | None, Query(alias="to", max_length=7, description="last month, YYYY-MM")]
Code = Annotated[str | None, Query(max_length=60)]


def today_of(request: Request) -> dt.date:
    """The day due dates are counted against: the setting ``today`` where given, else today in China."""
    fixed = settings_of(request).today
    return dt.date.fromisoformat(fixed) if fixed else use.china_today()


def say(code: str, **params: Any) -> str:
    """A text of the message catalog in the page's language."""
    return messages.render(code, i18n.current_lang(), params)


def _region_code(session: Session, who: Principal, region: str | None) -> str | None:
    """The region asked for, else the person's default (a regulator's own, the administrator's top)."""
    if region:
        return region
    if who.role in access.REGULATORS or who.role == access.ADMIN:
        chosen = queries.default_region(session, who)
        return chosen.code if chosen is not None else None
    return None


def link(path: str, **params: str | None) -> str:
    """``path`` with the given query parameters (empty ones left out)."""
    query = urlencode({k.rstrip("_"): v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def _regions(session: Session, who: Principal) -> list[Region]:
    return [r for r in access.regions_in_scope(session, who) if r.level in ("province", "city")]


@router.get(PAGE)
def status_page(
    request: Request,
    session: DbSession,
    who: Who,
    region: Code = None,
    city: Code = None,
    sector: Code = None,
    first: First = None,
    last: Last = None,
) -> Response:
    today = today_of(request)
    chosen = _region_code(session, who, region)
    problem = None
    try:
        found = _matrix(
            request,
            session,
            who,
            today=today,
            region=chosen,
            city=city or None,
            sector=sector or None,
            first=first,
            last=last,
        )
    except InputError as error:  # a month mistyped: the default months, with what was wrong
        problem = error.text(i18n.current_lang())
        found = _matrix(request, session, who, today=today, region=chosen, city=city or None, sector=sector or None)
    view = list_views.read(request, PAGE, lists.STATUS_SORTS, city="", sector="")  # city, sector: the matrix's
    if view.query.status not in rules.STATES:
        view.query = replace(view.query, status="")
    view.page = lists.status_rows(found, view.query)
    view.extra = {
        "region": region or "",
        "city": city or "",
        "sector": sector or "",
        "from": first or "",
        "to": last or "",
    }
    return render(
        request,
        "reporting_status.html",
        **context(
            request,
            m=found,
            view=view,
            words=list_views.say,
            say=say,
            link=link,
            problem=problem,
            regions=_regions(session, who),
            last_month=rules.last_month(today),
            due_day=use.due_days(session, [found.periods[-1]])[found.periods[-1]],
            region_code=found.region.code if found.region else "",
            city_code=found.city.code if found.city else "",
        ),
    )


def _matrix(request: Request, session: Session, who: Principal, **asked: Any) -> use.Matrix:
    """The matrix asked for, kept until the data change (its pages, sorts and searches reuse it)."""
    cache = request.app.state.cache
    key = ("reporting_matrix", queries.fresh(session, cache), queries.scope_key(who), tuple(sorted(asked.items())))
    return cache.get(key, lambda: use.matrix(session, who, **asked))  # type: ignore[no-any-return]


def _late(
    request: Request,
    session: DbSession,
    who: Who,
    region: Code = None,
    city: Code = None,
    sector: Code = None,
    month: Month = None,
) -> use.MonthList:
    """The late list the query asks for: one dependency for the page, the Excel and the notice."""
    return use.late_list(
        session,
        who,
        today=today_of(request),
        month=month or None,
        region=_region_code(session, who, region),
        city=city or None,
        sector=sector or None,
    )


Late = Annotated[use.MonthList, Depends(_late)]


def _exporter(who: Who) -> Principal:
    access.require(who, "export")  # before the list is read (FastAPI resolves the parameters in order)
    return who


def _late_context(late: use.MonthList) -> dict[str, Any]:
    places = {"region": late.region.code if late.region else None, "city": late.city.code if late.city else None}
    selection = {**places, "sector": late.sector, "month": late.period}
    return {
        "late": late,
        "say": say,
        "link": link,
        "selection": selection,
        "state_text": lambda row: use.state_text(row.state, i18n.current_lang(), row.has_draft),
        "due_passed": late.today > late.due,
        "by_enterprise": _grouped(late),
    }


def _grouped(late: use.MonthList) -> list[list[use.MonthRow]]:
    groups: dict[str, list[use.MonthRow]] = {}
    for row in late.rows:
        groups.setdefault(row.enterprise_code, []).append(row)
    return list(groups.values())


@router.get(PAGE + "/late")
def late_page(request: Request, late: Late) -> Response:
    return render(request, "reporting_status_late.html", **context(request, **_late_context(late)))


@router.get(PAGE + "/late.xlsx")
def late_workbook(_who: Annotated[Principal, Depends(_exporter)], late: Late) -> Response:
    folder = Path(tempfile.mkdtemp(prefix="carbonpeak-late-"))
    name = f"late_{late.region.code if late.region else 'all'}_{late.period}.xlsx"
    path = use.write_late_workbook(late, folder / name, i18n.current_lang())
    return FileResponse(
        path, media_type=XLSX, filename=name, background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    )


@router.get(PAGE + "/notice")
def notice_page(request: Request, late: Late) -> Response:
    return render(request, "reporting_status_notice.html", **context(request, **_late_context(late)))


# ---------------------------------------------------------------- the overview's block


def overview_block(request: Request, session: Session, who: Principal, region: Region) -> dict[str, Any] | None:
    """Last month's counts of the overview's region for its block, or None when they cannot be had
    (the overview stays whole; the matrix page says why)."""
    try:
        summary = queries.last_month(session, request.app.state.cache, who, today_of(request), region.code)
    except CarbonpeakError:
        return None
    return {
        "summary": summary,
        "say": say,
        "states": rules.STATES,
        "late_url": link(PAGE + "/late", region=region.code, month=summary.period),
        "matrix_url": link(PAGE, region=region.code),
    }
