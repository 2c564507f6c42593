"""The warnings inbox: filter, acknowledge, assign, close or reopen, each step kept in the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError
from carbonpeak.indicators.warning_texts import text
from carbonpeak.indicators.warnings import ACTIONS
from carbonpeak.services import access, lists
from carbonpeak.services import warnings as warning_cases
from carbonpeak.services.access import Principal
from carbonpeak.store.accounts import User
from carbonpeak.store.models import Facility, Warning
from carbonpeak.web import i18n, labels, list_views, queries
from carbonpeak.web import warning_views as views
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.errors import NotFound
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()


def assignees(session: Session, who: Principal) -> list[str]:
    """People a warning can be assigned to: the regulators and administrators."""
    query = select(User.username).where(User.role.in_(sorted(access.REGULATORS | {access.ADMIN})), User.active)
    return list(session.scalars(query.order_by(User.username)))


@router.get("/warnings")
def inbox(request: Request, session: DbSession, who: Who) -> Response:
    """The inbox, searched, filtered, sorted and paged on the server (services/lists.py)."""
    view = list_views.read(request, "/warnings", tuple(lists.WARNING_SORTS))
    if view.query.status and view.query.status not in labels.WARNING_STATUS:
        view.query = replace(view.query, status="")
    if view.query.kind and view.query.kind not in labels.WARNING_KIND:
        view.query = replace(view.query, kind="")
    view.filters = [f for f in (list_views.city_filter(session, who), list_views.sector_filter(session, who)) if f]
    view.filters.append(
        list_views.Filter(
            "kind",
            list_views.say("list.kind"),
            [(k, labels.label(labels.WARNING_KIND, k)) for k in labels.WARNING_KIND],
        )
    )
    view.page = lists.warnings(session, who, view.query)
    totals = lists.warning_totals(session, who, view.query)
    groups = list_views.warning_groups(session, view.page.rows, totals)
    status, kind, facility = view.query.status or None, view.query.kind or None, view.query.facility
    return render(
        request,
        "warnings.html",
        **context(
            request,
            view=view,
            say=list_views.say,
            groups=groups,
            total=view.page.total,
            page=view.page.page,
            pages=view.page.pages,
            status=status,
            kind=kind,
            facility=facility,
            counts=queries.warning_counts(session, who),
            may_act=access.allowed(who, "warning.act"),
            may_refresh=access.allowed(who, "warning.refresh"),
            plans=queries.plans_for(queries.default_region(session, who))
            if access.allowed(who, "warning.refresh")
            else [],
        ),
    )


def warning_page(
    request: Request, session: Session, who: Principal, warning: Warning, status: int = 200, **extra: object
) -> Response:
    lang = i18n.current_lang()
    link, link_label = views.figure(warning)
    code = warning.facility_code
    owner = session.scalar(select(Facility).where(Facility.code == code)) if code else None
    names = {owner.code: owner.name_zh if lang == "zh" else owner.name_en} if owner else {}
    values = {
        "warning": warning,
        "text": text(warning.details, lang, warning.message_zh if lang == "zh" else warning.message_en, names),
        "link": link,
        "link_label": link_label,
        "owner": owner,
        "may_act": access.allowed(who, "warning.act"),
        "assignees": assignees(session, who),
        "errors": {},
    }
    values.update(extra)
    return render(request, "warning.html", status, **context(request, **values))


@router.get("/warnings/{warning_id}")
def warning_detail(request: Request, warning_id: int, session: DbSession, who: Who) -> Response:
    warning = access.get_warning(session, who, warning_id)
    return warning_page(request, session, who, warning)


@router.post("/warnings/refresh")
def refresh(
    request: Request,
    session: DbSession,
    who: Who,
    plan: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
) -> Response:
    """Raise the warnings the data support (once each; existing ones keep their status)."""
    access.require(who, "warning.refresh")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        day = dt.date.today()
    region = queries.default_region(session, who)
    done = warning_cases.refresh(
        session,
        who,
        as_of=day,
        plan=plan or None,
        region=region.code if region else None,
        benchmark_edition=settings_of(request).benchmark_edition,
    )
    session.commit()
    flash(request, i18n.ngettext("%(num)d new warning raised.", "%(num)d new warnings raised.", done.new))
    return redirect("/warnings")


@router.post("/warnings/{warning_id}/{action}")
def act(
    request: Request,
    warning_id: int,
    action: str,
    session: DbSession,
    who: Who,
    note: Annotated[str, Form(max_length=2000)] = "",
    assignee: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if action not in ACTIONS:
        raise NotFound()
    warning = access.get_warning(session, who, warning_id, "warning.act")
    if action == "assign" and assignee and assignee not in assignees(session, who):
        session.rollback()
        errors = {"assignee": _("Choose a regulator or administrator.")}
        return warning_page(request, session, who, warning, 422, errors=errors)
    try:
        warning_cases.act(session, who, warning.id, action, note=note.strip() or None, assignee=assignee or None)
    except InputError as exc:
        session.rollback()
        problem = i18n.input_error(exc)
        return warning_page(
            request, session, who, warning, 409, errors={problem["field"] or "action": problem["message"]}
        )
    session.commit()
    flash(
        request,
        _("Warning %(id)s: %(status)s.", id=warning.id, status=labels.label(labels.WARNING_STATUS, warning.status)),
    )
    return redirect(f"/warnings/{warning.id}")
