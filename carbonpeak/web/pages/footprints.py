"""Product carbon footprints: the list by facility, product and region with the distribution (median,
P10–P90) by province and by power source; a footprint's page with the waterfall of its stages, its
versions and the regulator's review and publish buttons; the public list of published footprints; the
declaration (Excel, zh/en) and the PACT JSON. Thin adapter over :mod:`carbonpeak.services.footprints`."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from carbonpeak.accounting.waiting import message_of
from carbonpeak.engine.footprint import PRODUCTS, product_of_sector
from carbonpeak.errors import Conflict, InputError, NotFound
from carbonpeak.services import access
from carbonpeak.services import footprint_exports as exports
from carbonpeak.services import footprint_reads as reads
from carbonpeak.services import footprints as use
from carbonpeak.store.facts import load_registry
from carbonpeak.store.parameters import parameter_set
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, MaybeWho, Who, render
from carbonpeak.web.i18n import _
from carbonpeak.web.pages.common import context, flash, redirect

router = APIRouter()
Year = Annotated[int | None, Query(ge=1990, le=2100)]
Code = Annotated[str | None, Query(max_length=60)]


def _names(lang: str, session: Any = None) -> dict[str, Any]:
    regions: dict[str, str] = {}
    if session is not None:
        frame = load_registry(session).regions
        regions = dict(zip(frame["code"], frame["name_zh" if lang == "zh" else "name_en"], strict=True))
    params = parameter_set(session) if session is not None else None

    def parameter(cited: dict[str, Any]) -> str:
        if params is None or str(cited.get("parameter")) not in params:
            return str(cited.get("parameter"))
        file = params.files[cited["parameter"]]
        title = file.title.get(lang, file.title["en"])
        values = file.value_names or {}
        keys = [
            values.get(k, {}).get(str(v), str(v)) if lang == "zh" else str(v)
            for k, v in (cited.get("key") or {}).items()
        ]
        return title + (" · " + " · ".join(keys) if keys else "")

    return {
        "region": lambda code: regions.get(code, code),
        "parameter": parameter,
        "product": lambda code: exports.pick(exports.PRODUCT_NAMES[code], lang),
        "stage": lambda code: exports.pick(exports.STAGE_NAMES[code], lang),
        "cutoff": lambda code: exports.pick(exports.CUTOFF_NAMES[code], lang),
        "status": lambda code: exports.pick(exports.STATUS_NAMES[code], lang),
        "power": lambda code: {"grid": _("Grid"), "captive": _("Captive plant"), "renewable": _("Renewables")}[code],
    }


def _list_page(
    request: Request, session: Any, who: Any, rows: Any, year: int | None, product: str | None, public: bool
) -> Response:
    years = sorted({int(y) for y in rows["year"]}, reverse=True)
    chosen = year if year in years else (years[0] if years else None)
    shown = rows[rows["year"] == chosen] if chosen is not None else rows
    if product:
        shown = shown[shown["product"] == product]
    lang = i18n.current_lang()
    template = "footprints_public.html" if public else "footprints.html"
    return render(
        request,
        template,
        **context(
            request,
            rows=shown.to_dict("records"),
            years=years,
            year=chosen,
            product=product,
            products=sorted(set(rows["product"])),
            by_province=reads.distribution(shown, "province_code"),
            by_power=reads.distribution(shown, "power_source"),
            names=_names(lang, session),
            may_compute=not public and use.allowed(who, "footprint.compute"),
        ),
    )


@router.get("/footprints")
def footprint_list(request: Request, session: DbSession, who: Who, year: Year = None, product: Code = None) -> Response:
    rows = reads.in_scope(session, who)
    return _list_page(request, session, who, rows, year, product, public=False)


@router.get("/public/footprints")
def public_list(
    request: Request, session: DbSession, who: MaybeWho, year: Year = None, product: Code = None
) -> Response:
    """Published footprints, read-only, for anyone (no account)."""
    return _list_page(request, session, who, reads.published(session), year, product, public=True)


def _chosen(session: Any, who: Any, facility: str, year: int | None) -> tuple[Any, Any]:
    found = access.get_facility(session, who, facility, "submission.view")
    product = product_of_sector(found.sector)
    if product is None:
        return found, None
    rows = reads.in_scope(session, who)
    mine = rows[(rows["facility_code"] == facility) & (rows["product"] == product)]
    if year is None and len(mine):
        year = int(mine["year"].max())
    if year is None or not len(mine[mine["year"] == year]):
        return found, None
    return found, use.get(session, who, facility, product, year)


@router.get("/footprints/{facility}")
def footprint_page(request: Request, session: DbSession, who: Who, facility: str, year: Year = None) -> Response:
    found, footprint = _chosen(session, who, facility, year)
    lang = i18n.current_lang()
    names = _names(lang, session)
    chart: dict[str, Any] | None = None
    latest = footprint.versions[-1] if footprint else None
    if latest is not None:
        x, base, values, running = [], [], [], 0.0
        for stage, value in latest.stages.items():
            x.append(names["stage"](stage))
            base.append(running if value is not None else None)
            values.append(value)
            running += value or 0.0
        x.append(_("Footprint"))
        base.append(0.0)
        values.append(latest.value_tco2e_per_t)
        chart = {
            "kind": "waterfall",
            "x": x,
            "base": base,
            "values": values,
            "name": _("Contribution"),
            "unit": _("t CO2e/t"),
            "missing": _("missing: not quantified"),
            "title": _("Contributions by stage · %(year)s", year=footprint.year),
        }
    reasons = {v.version: _reason_text(v.reason, lang) for v in footprint.versions} if footprint else {}
    return render(
        request,
        "footprint.html",
        **context(
            request,
            facility=found,
            footprint=footprint,
            latest=latest,
            chart=chart,
            names=names,
            reasons=reasons,
            method=PRODUCTS[footprint.product] if footprint else None,
            may_review=use.allowed(who, "footprint.review"),
            may_compute=use.allowed(who, "footprint.compute"),
        ),
    )


def _reason_text(kept: dict[str, Any], lang: str) -> str:
    message = message_of(kept)
    return message.text(lang) if hasattr(message, "text") else str(message)


@router.post("/footprints/compute")
def compute_all(
    request: Request, session: DbSession, who: Who, year: Annotated[int | None, Form(ge=1990, le=2100)] = None
) -> Response:
    """Every footprint of the year in the person's scope; years with months not verified are named gaps."""
    use.require(who, "footprint.compute")
    if year is None:
        return redirect("/footprints")
    outcome = use.compute(session, who, year)
    session.commit()
    flash(
        request,
        _(
            "Computed: %(new)s new version(s), %(same)s unchanged; %(gaps)s facility-year(s) wait for verified months.",
            new=len(outcome.written),
            same=len(outcome.unchanged),
            gaps=len(outcome.gaps),
        ),
    )
    return redirect(f"/footprints?year={year}")


@router.post("/footprints/{facility}/compute")
def compute(
    request: Request,
    session: DbSession,
    who: Who,
    facility: str,
    year: Annotated[int | None, Form(ge=1990, le=2100)] = None,
) -> Response:
    use.require(who, "footprint.compute")
    access.get_facility(session, who, facility, "submission.view")
    if year is None:
        return redirect(f"/footprints/{facility}")
    try:
        outcome = use.compute(session, who, year, facility_codes=[facility])
    except (InputError, Conflict) as exc:
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "error")
        return redirect(f"/footprints/{facility}")
    session.commit()
    flash(
        request,
        _(
            "Computed: %(new)s new version(s), %(same)s unchanged.",
            new=len(outcome.written),
            same=len(outcome.unchanged),
        ),
    )
    return redirect(f"/footprints/{facility}?year={year}")


@router.post("/footprints/{facility}/{action}")
def step(
    request: Request,
    session: DbSession,
    who: Who,
    facility: str,
    action: str,
    year: Annotated[int | None, Form(ge=1990, le=2100)] = None,
    product: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    use.require(who, "footprint.review")
    access.get_facility(session, who, facility, "submission.view")
    if action not in ("review", "publish") or year is None or product is None:
        return redirect(f"/footprints/{facility}")
    try:
        (use.review if action == "review" else use.publish)(session, who, facility, product, year)
    except (InputError, Conflict, NotFound) as exc:
        session.rollback()
        flash(request, exc.text(i18n.current_lang()), "error")
        return redirect(f"/footprints/{facility}?year={year}")
    session.commit()
    flash(request, _("Footprint reviewed.") if action == "review" else _("Footprint published."))
    return redirect(f"/footprints/{facility}?year={year}")


@router.get("/footprints/{facility}/declaration.xlsx")
def declaration(
    request: Request, session: DbSession, who: Who, facility: str, year: Year = None, lang: str = "zh"
) -> Response:
    found, footprint = _chosen(session, who, facility, year)
    if footprint is None:
        return Response(status_code=404)
    content = exports.declaration_xlsx(footprint, footprint.versions[-1], "en" if lang == "en" else "zh")
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="pcf_{found.code}_{footprint.year}_{lang}.xlsx"'},
    )


@router.get("/footprints/{facility}/pact.json")
def pact(request: Request, session: DbSession, who: Who, facility: str, year: Year = None) -> Response:
    found, footprint = _chosen(session, who, facility, year)
    if footprint is None:
        return Response(status_code=404)
    body = exports.pact(footprint, footprint.versions[-1], found.enterprise.name_en or found.enterprise.code)
    return Response(json.dumps(body, ensure_ascii=False, indent=2), media_type="application/json")
