"""The registry's long lists, searched, filtered, sorted and paged on the server: enterprises
(/enterprises) and facilities (/facilities). Rows come from :mod:`carbonpeak.services.lists`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.services import lists
from carbonpeak.web import list_views as views
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.pages.common import context

router = APIRouter()


@router.get("/enterprises")
def enterprises_page(request: Request, session: DbSession, who: Who) -> Response:
    view = views.read(request, "/enterprises", tuple(lists.ENTERPRISE_SORTS))
    view.filters = [f for f in (views.city_filter(session, who), views.sector_filter(session, who)) if f]
    view.filters.append(views.class_filter())
    classes = views.classes(request, session, who) if view.query.benchmark_class else None
    view.page = lists.enterprises(session, who, view.query, classes)
    return render(request, "enterprises.html", **context(request, view=view, say=views.say))


@router.get("/facilities")
def facilities_page(request: Request, session: DbSession, who: Who) -> Response:
    view = views.read(request, "/facilities", tuple(lists.FACILITY_SORTS))
    view.filters = [f for f in (views.city_filter(session, who), views.sector_filter(session, who)) if f]
    view.filters += [views.class_filter(), views.facility_status_filter()]
    classes = views.classes(request, session, who)
    view.page = lists.facilities(session, who, view.query, classes)
    return render(request, "facilities.html", **context(request, view=view, say=views.say))
