"""The online-monitoring pages (重点用能单位能耗在线监测): thin adapters over
:mod:`carbonpeak.services.monitoring_board` (the figures) and :mod:`carbonpeak.services.monitoring` (meters).

* ``/monitoring``: the online rate, completeness and composite quality index of the person's meters over the
  last days, by city and enterprise (ranked), with the trend by day; ``?enterprise=`` drills to one
  enterprise's facilities.
* ``/monitoring/facilities/{facility}``: a facility's live chart (today by hour; this month by day against last
  month), its meters with their versions and quality, the gaps and the quality warnings; a regulator who
  manages the registry adds and changes meters here (the CLI's use cases and access rules).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.monitoring import meters as meter_rules
from carbonpeak.monitoring.rollups import local_timezone
from carbonpeak.services import access
from carbonpeak.services import monitoring as meter_cases
from carbonpeak.services import monitoring_board as board_use
from carbonpeak.services.access import Principal
from carbonpeak.vocabulary import FUELS
from carbonpeak.web import display, i18n
from carbonpeak.web.deps import DbSession, Who, render, settings_of
from carbonpeak.web.i18n import gettext as _
from carbonpeak.web.monitoring_store import store_of
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()
Code = Annotated[str | None, Query(max_length=60)]


def as_of_of(request: Request) -> dt.datetime:
    """The instant the pages are judged at: now; on a fixed platform day (a demonstration), that day at the
    current local time of day."""
    zone = ZoneInfo(local_timezone())
    now = dt.datetime.now(zone)
    fixed = settings_of(request).today
    if fixed:
        now = dt.datetime.combine(dt.date.fromisoformat(fixed), now.time().replace(microsecond=0), zone)
    return now.astimezone(dt.UTC)


def _say(code: str, params: dict[str, Any] | None = None) -> str:
    return messages.render(code, i18n.current_lang(), params or {})


def _store(request: Request) -> tuple[Any, str | None]:
    """The reading store, or the coded reason it cannot be opened (held by another process)."""
    try:
        return store_of(request), None
    except Conflict as exc:
        return None, exc.text(i18n.current_lang())


def energy_label(code: str | None) -> str:
    """An energy type's name: a fuel's from the national fuel table, else the catalog's."""
    if code in FUELS:
        return FUELS[code].zh if i18n.current_lang() == "zh" else FUELS[code].en
    key = f"monitoring.energy.{code}"
    return _say(key) if messages.known(key) else str(code or "")


def unit_label(unit: str | None) -> str:
    """A meter's unit as written on the page (the registry's ``wan_Nm3`` is 万Nm3)."""
    if unit == "wan_Nm3":
        return "万Nm3" if i18n.current_lang() == "zh" else "10⁴ Nm3"
    return display.labels_unit(unit)


def word(kind: str, code: str | None) -> str:
    """A value of a meter's record (point, kind, status, severity, action) in the page's language."""
    key = f"monitoring.{kind}.{code}"
    return _say(key) if messages.known(key) else str(code or "")


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _trend_chart(found: dict[str, Any]) -> dict[str, Any]:
    trend = found["trend"]
    return {
        "kind": "month_lines",
        "title": _("Online rate and quality index by day"),
        "x": [t["day"].strftime("%m-%d") for t in trend],
        "unit": "%",
        "lines": [
            {"name": _("Completeness"), "data": [_pct(t["completeness"]) for t in trend]},
            {"name": _("Online rate"), "data": [_pct(t["online"]) for t in trend]},
            {"name": _("Quality index"), "data": [_pct(t["composite"]) for t in trend]},
        ],
        "file": "monitoring-trend",
    }


def _ranking_chart(rows: list[dict[str, Any]], title: str, key: str) -> dict[str, Any]:
    """Bars of the index per city or enterprise; an enterprise's bar opens its facilities."""
    lang = i18n.current_lang()

    def bar(r: dict[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {"value": _pct(r["composite"])}
        if key == "enterprises":
            item["href"] = f"/monitoring?enterprise={r['enterprise_code']}"
        return item

    return {
        "kind": "hbar",
        "title": title,
        "y": [r["name"]["name_zh" if lang == "zh" else "name_en"] for r in rows],
        "series": [
            {"name": _("Quality index"), "data": [bar(r) for r in rows]},
            {"name": _("Online rate"), "data": [_pct(r["online"]) for r in rows]},
        ],
        "unit": "%",
        "file": f"monitoring-{key}",
    }


def _kept(
    request: Request, session: Any, who: Any, store: Any, as_of: dt.datetime, what: tuple[Any, ...], make: Any
) -> dict[str, Any]:
    """What ``make(quarter)`` computes from the reading store (the board, a facility's live figures), kept in
    the app's cache (:class:`carbonpeak.web.queries.Cache`, stale while revalidating) per scope and ``what``
    until the registry (its audit stamp), the reading store (:meth:`~carbonpeak.monitoring.store.DuckDBStore.
    state`) or the quarter hour changes. The figures are judged at the last quarter-hour boundary: the
    indices count whole 15-minute intervals, so within a quarter hour only new readings change them, and
    those change the store's state."""
    from carbonpeak.web import queries

    quarter = as_of.replace(minute=as_of.minute - as_of.minute % 15, second=0, microsecond=0)
    stamp = (queries.stamp(session), store.state(), quarter)
    kept: dict[str, Any] = request.app.state.cache.get(
        ("monitoring", *what, queries.scope_key(who)), lambda: make(quarter), stamp
    )
    return kept


@router.get("/monitoring")
def monitoring_board(request: Request, session: DbSession, who: Who, enterprise: Code = None) -> Response:
    store, unavailable = _store(request)
    as_of = as_of_of(request)
    found: dict[str, Any] | None = None
    if store is not None:
        chosen = enterprise or None
        found = _kept(
            request,
            session,
            who,
            store,
            as_of,
            ("board", chosen),
            lambda at: board_use.board(session, who, store, at, enterprise=chosen),
        )
    charts: dict[str, Any] = {}
    if found and found["total"] is not None:
        charts["trend"] = _trend_chart(found)
        if found["cities"]:
            charts["cities"] = _ranking_chart(found["cities"], _("Cities ranked by quality index"), "cities")
        if found["enterprises"]:
            charts["enterprises"] = _ranking_chart(
                found["enterprises"][:15], _("Enterprises ranked by quality index"), "enterprises"
            )
    return render(
        request,
        "monitoring.html",
        **context(request, found=found, unavailable=unavailable, charts=charts, pct=_pct, as_of=as_of, word=word),
    )


def _series_charts(found: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart of today by hour and one of this month against last month per energy type, in the page's
    units (万kWh on zh pages): display factors only, the figures are the service's."""
    out = []
    for s in found["series"]:
        unit = s["unit"]
        factor = display.factor_of(unit, "detail")
        shown = display.unit_of(unit, "detail")
        name = energy_label(s["energy_type"])

        def scaled(values: list[float | None], factor: float = factor) -> list[float | None]:
            return [None if v is None else round(v * factor, 3) for v in values]

        out.append(
            {
                "energy_type": s["energy_type"],
                "unit": unit,
                "today": {
                    "kind": "month_lines",
                    "title": _("%(energy)s today by hour (%(unit)s)", energy=name, unit=shown),
                    "x": [f"{h:02d}:00" for h in range(24)],
                    "unit": shown,
                    "lines": [{"name": _("Today"), "data": scaled(s["hours"])}],
                    "file": f"monitoring-today-{s['energy_type']}",
                },
                "month": {
                    "kind": "month_lines",
                    "title": _("%(energy)s by day: this month against last month (%(unit)s)", energy=name, unit=shown),
                    "x": [str(d) for d in range(1, 32)],
                    "unit": shown,
                    "lines": [
                        {"name": _("Last month"), "data": scaled(s["last_month"])},
                        {"name": _("This month"), "data": scaled(s["this_month"])},
                    ],
                    "file": f"monitoring-month-{s['energy_type']}",
                },
            }
        )
    return out


def _facility_page(
    request: Request,
    session: Any,
    who: Principal,
    code: str,
    status_code: int = 200,
    failed: str | None = None,
    values: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> Response:
    store, unavailable = _store(request)
    as_of = as_of_of(request)
    if store is None:
        facility = access.get_facility(session, who, code, "registry.view")
        found: dict[str, Any] = {"facility": facility, "meters": meter_cases.list_meters(session, who, code)}
    else:
        found = _kept(
            request,
            session,
            who,
            store,
            as_of,
            ("facility", code),
            lambda at: board_use.facility_live(session, who, store, code, at),
        )
    versions = {m["meter_code"]: meter_cases.meter_history(session, who, m["meter_code"]) for m in found["meters"]}
    warnings = [{**w, "text": _say(w["code"], w["params"])} for w in found.get("warnings", [])]
    return render(
        request,
        "monitoring_facility.html",
        status_code=status_code,
        **context(
            request,
            found=found,
            unavailable=unavailable,
            charts=_series_charts(found) if store is not None else [],
            warnings=warnings,
            versions=versions,
            pct=_pct,
            as_of=as_of,
            can_manage=access.allowed(who, "registry.manage"),
            energy_label=energy_label,
            word=word,
            unit_label=unit_label,
            choices=_choices(),
            failed=failed,
            values=values or {},
            errors=errors or [],
        ),
    )


def _choices() -> dict[str, Any]:
    return {
        "energy_types": meter_rules.ENERGY_TYPES,
        "measuring_points": meter_rules.MEASURING_POINTS,
        "reading_kinds": meter_rules.READING_KINDS,
        "statuses": meter_rules.STATUSES,
        "intervals": (15, 30, 60),
        "units": meter_rules.UNITS_BY_TYPE,
    }


@router.get("/monitoring/facilities/{facility}")
def facility_page(request: Request, session: DbSession, who: Who, facility: str) -> Response:
    return _facility_page(request, session, who, facility)


async def _meter_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k in meter_rules.FIELDS and isinstance(v, str) and v.strip() != ""}


def _problems(exc: CarbonpeakError) -> list[str]:
    lang = i18n.current_lang()
    return [p.text(lang) for p in (exc.errors if isinstance(exc, ValidationFailed) else [exc])]


@router.post("/monitoring/facilities/{facility}/meters")
async def add_meter(request: Request, session: DbSession, who: Who, facility: str) -> Response:
    await run_in_threadpool(access.get_facility, session, who, facility, "registry.manage")
    values = await _meter_form(request)
    values["facility_code"] = facility
    try:
        change = await run_in_threadpool(meter_cases.add_meter, session, who, values)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        return await run_in_threadpool(
            _facility_page, request, session, who, facility, 422, "add", values, _problems(exc)
        )
    session.commit()
    flash(request, _("Meter registered: %(code)s.", code=change.code))
    return redirect(f"/monitoring/facilities/{facility}#meters")


@router.post("/monitoring/facilities/{facility}/meters/{meter}")
async def change_meter(request: Request, session: DbSession, who: Who, facility: str, meter: str) -> Response:
    place = await run_in_threadpool(access.get_facility, session, who, facility, "registry.manage")
    found = await run_in_threadpool(meter_cases.managed_meter, session, who, meter)
    if found.facility_id != place.id:
        raise NotFound()  # a meter of another facility is not changed through this one's page
    values = await _meter_form(request)
    values.pop("meter_code", None)
    try:
        change = await run_in_threadpool(meter_cases.change_meter, session, who, meter, values)
    except (InputError, ValidationFailed) as exc:
        session.rollback()
        return await run_in_threadpool(
            _facility_page, request, session, who, facility, 422, meter, values, _problems(exc)
        )
    session.commit()
    if change.action == "unchanged":
        flash(request, _("Nothing changed: %(code)s.", code=meter))
    else:
        flash(request, _("Meter changed: %(code)s.", code=meter))
    return redirect(f"/monitoring/facilities/{facility}#meters")
