"""The recycled aluminium and copper pages (再生铝、再生铜): thin adapters over :mod:`carbonpeak.services.recycling`
(intake), ``recycling_steps`` (the verifier's steps), ``recycling_reads`` (ledger, balances, content, flows) and
``recycling_share`` (the regional share on both bases).

* ``/recycling``: the casthouse-months of the year with their metal balance; the reporter's template, upload and
  form; the verifier's verify/return/lock; recycled content per product with its method; the Sankey from scrap
  source categories to products; for regulators, the region's share on both bases against the plan's target.
* ``/recycling/form``: one casthouse-month entered by hand (the same checks as a file).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.io import scrap_file
from carbonpeak.io.scrap_fields import fields, words
from carbonpeak.recycling.ledger import SECTOR_METAL
from carbonpeak.services import access
from carbonpeak.services import recycling as intake
from carbonpeak.services import recycling_reads as reads
from carbonpeak.services import recycling_share as share
from carbonpeak.services import recycling_steps as steps
from carbonpeak.services.access import Principal
from carbonpeak.store.models import Facility
from carbonpeak.web import i18n
from carbonpeak.web.deps import DbSession, Who, render
from carbonpeak.web.i18n import gettext as _
from carbonpeak.web.pages.common import context, flash, redirect
from carbonpeak.web.pages.reporting import read_limited

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Annotated[int | None, Query(ge=2000, le=2100)]
LOT_ROWS, OUTPUT_ROWS = 8, 2  # blank rows of the form


def wan(value: float | None, digits: int = 4) -> str:
    """Tonnes shown in 万吨."""
    return "—" if value is None else i18n.num(value / 1e4, digits)


def _say(code: str, **params: Any) -> str:
    return messages.render(code, i18n.current_lang(), params)


def _word(kind: str, code: str) -> str:
    found = words(kind).get(code)
    return found.label(i18n.current_lang()) if found else code


def _name(facility: Facility) -> str:
    return facility.name_zh if i18n.current_lang() == "zh" else (facility.name_en or facility.name_zh)


def _default_year(found: list[reads.LedgerMonth]) -> int:
    years = sorted({int(m.period[:4]) for m in found})
    return years[-1] if years else dt.date.today().year


def page_values(session: Session, who: Principal, year: int | None) -> dict[str, Any]:
    everything = reads.months(session, who)
    year = year or _default_year(everything)
    chosen = [m for m in everything if m.period.startswith(f"{year:04d}")]
    lang = i18n.current_lang()
    rows = [
        {
            "facility": m.facility.code,
            "name": _name(m.facility),
            "period": m.period,
            "version": m.version.version,
            "status": m.version.status,
            "status_text": _say(f"submission.status.{m.version.status}"),
            "lots": m.lots,
            "scrap": wan(m.scrap_t),
            "output": wan(m.output_t),
            "metal_in": wan(m.balance.metal_in_t),
            "accounted": wan(m.balance.accounted_t),
            "residual": "—" if m.balance.residual_pct is None else i18n.num(m.balance.residual_pct, 2),
            "tolerance": i18n.num(m.balance.tolerance_pct, 1),
            "closes": m.balance.closes,
        }
        for m in chosen
    ]
    contents = [
        {
            "name": _name(c.facility),
            "facility": c.facility.code,
            "product": _word("products", c.product),
            "months": c.months,
            "output": wan(c.output_t),
            "recycled": wan(c.content.recycled_t),
            "pre": wan(c.content.pre_consumer_t),
            "post": wan(c.content.post_consumer_t),
            "rework": wan(c.content.rework_t),
            "charged": wan(c.content.charged_t),
            "content": c.content.content_pct,
        }
        for c in reads.contents(session, who, year)
    ]
    flows = reads.flows(session, who, year, lang)
    chart = {
        "kind": "sankey",
        "title": _("Metal flows from scrap sources to products, %(year)s (verified months)", year=year),
        "unit": "万吨" if lang == "zh" else "10⁴ t",
        "nodes": flows["nodes"],
        "links": [{**link, "value": round(link["value"] / 1e4, 4)} for link in flows["links"]],
        "file": f"recycling-flows-{year}",
    }
    figures = []
    if access.allowed(who, "overview.view"):
        regions = access.regions_in_scope(session, who)
        if regions:
            for figure in share.shares(session, who, regions[0].code, year):
                figures.append(
                    {
                        "region": regions[0].name_zh if lang == "zh" else regions[0].name_en,
                        "basis": figure.label.text(lang),
                        "numerator": wan(figure.numerator_t, 2),
                        "denominator": wan(figure.denominator_t, 2),
                        "share": figure.share_pct,
                        "numerator_months": figure.numerator_source.get("months"),
                        "denominator_source": _denominator_text(figure.denominator_source),
                        "targets": figure.targets,
                        "gaps": [g.text(lang) for g in figure.gaps],
                    }
                )
    years = sorted({int(m.period[:4]) for m in everything}, reverse=True)
    return {
        "year": year,
        "years": years or [year],
        "rows": rows,
        "contents": contents,
        "chart": chart if flows["links"] else None,
        "figures": figures,
        "may_report": access.allowed(who, "submission.report"),
        "may_verify": access.allowed(who, "submission.verify"),
        "content_method": _(
            "ISO 14021 recycled content: pre-consumer plus post-consumer metal over the metal charged; "
            "in-process rework is left out of both; the value is always shown with this method."
        ),
    }


def _denominator_text(source: dict[str, Any]) -> str:
    if source.get("kind") == "statistic":
        if not source.get("found"):
            return _("not entered")
        return _(
            "statistic, version %(version)s: %(source)s (published %(day)s)",
            version=source["version"],
            source=source["source"],
            day=source["published_on"],
        )
    return _("%(months)s verified facility-months", months=source.get("months", 0))


def recycling_page(
    request: Request, session: Session, who: Principal, year: int | None, status: int = 200, **extra: Any
) -> Response:
    values = page_values(session, who, year)
    values.update({"upload": None, "step_errors": []})
    values.update(extra)
    return render(request, "recycling.html", status, **context(request, **values))


@router.get("/recycling")
def recycling(request: Request, session: DbSession, who: Who, year: Year = None) -> Response:
    access.require(who, "submission.view")
    return recycling_page(request, session, who, year)


@router.get("/recycling/template.xlsx")
def template(who: Who, lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    access.require(who, "submission.report")
    name = "再生金属废料进料台账模板.xlsx" if lang == "zh" else "scrap-intake-template.xlsx"
    return Response(
        scrap_file.write_template(lang),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


@router.get("/recycling/template.csv")
def template_csv(
    who: Who,
    table: Annotated[str, Query(pattern="^(lots|outputs)$")] = "lots",
    lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh",
) -> Response:
    access.require(who, "submission.report")
    return Response(
        scrap_file.write_csv_template(table, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=scrap-{table}-{lang}.csv"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@router.post("/recycling/upload")
def upload(
    request: Request,
    session: DbSession,
    who: Who,
    file: Annotated[UploadFile | None, File()] = None,
    submit: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Import a scrap intake file: all rows, or none with every problem listed."""
    access.require(who, "submission.report")
    if file is None or not file.filename:
        problem = {"field_label": _("file"), "message": _("Choose a file to upload.")}
        return recycling_page(request, session, who, None, 422, upload={"ok": False, "errors": [problem]})
    content = read_limited(request, file)
    name = file.filename.replace("/", "_").replace("\\", "_")[-200:]
    try:
        done = intake.import_file(session, who, content, name, submit=bool(submit), reason=(reason or None))
    except ValidationFailed as exc:
        session.rollback()
        outcome = {"ok": False, "file": name, "errors": [i18n.input_error(e) for e in exc.errors]}
        return recycling_page(request, session, who, None, 422, upload=outcome)
    except InputError as exc:
        session.rollback()
        return recycling_page(
            request, session, who, None, 422, upload={"ok": False, "file": name, "errors": [i18n.input_error(exc)]}
        )
    session.commit()
    outcome = {
        "ok": True,
        "file": name,
        "lots": done.lots,
        "versions": done.versions,
        "unchanged": done.unchanged,
        "submitted": done.submitted,
        "open": [i18n.input_error(e) for e in done.open_balances],
    }
    return recycling_page(request, session, who, None, 201, upload=outcome)


@router.post("/recycling/steps")
async def take_step(request: Request, session: DbSession, who: Who) -> Response:
    """Submit, verify, return or lock the chosen casthouse-months (one opinion or reason for all)."""
    if not any(access.allowed(who, action) for action in ("submission.report", "submission.verify")):
        access.require(who, "submission.verify")  # refused: the role takes no step (403)
    form = await request.form()
    target = str(form.get("target") or "")
    chosen = [str(v).split("@", 1) for v in form.getlist("month") if "@" in str(v)]
    note = str(form.get("note") or "") or None
    try:
        done = steps.step(session, who, [(c[0], c[1]) for c in chosen], target, note=note)
    except ValidationFailed as exc:
        session.rollback()
        return recycling_page(request, session, who, None, 422, step_errors=[i18n.input_error(e) for e in exc.errors])
    except InputError as exc:
        session.rollback()
        return recycling_page(request, session, who, None, 422, step_errors=[i18n.input_error(exc)])
    session.commit()
    flash(request, _("%(count)s months: %(status)s", count=len(done), status=_say(f"submission.status.{target}")))
    return redirect("/recycling")


def form_values(session: Session, who: Principal) -> dict[str, Any]:
    facilities = [
        f
        for f in session.query(Facility).filter(access.facility_filter(who)).order_by(Facility.code)
        if f.sector in SECTOR_METAL
    ]
    lang = i18n.current_lang()
    choices = {
        kind: [(w.code, w.label(lang)) for w in words(kind).values()]
        for kind in ("source_categories", "consumer_statuses", "origins", "grade_schemes", "products")
    }
    return {
        "facilities": [(f.code, _name(f)) for f in facilities],
        "choices": choices,
        "lot_fields": list(fields("lots").values())[2:],
        "output_fields": list(fields("outputs").values())[2:],
        "lot_rows": LOT_ROWS,
        "output_rows": OUTPUT_ROWS,
        "choice_of": {
            "source_category": "source_categories",
            "consumer_status": "consumer_statuses",
            "origin": "origins",
            "grade_scheme": "grade_schemes",
            "product": "products",
        },
    }


@router.get("/recycling/form")
def form_page(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "submission.report")
    return render(request, "recycling_form.html", **context(request, **form_values(session, who), values={}, errors=[]))


@router.post("/recycling/form")
async def save_form(request: Request, session: DbSession, who: Who) -> Response:
    access.require(who, "submission.report")
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    lots = [
        {
            spec.name: values.get(f"lot{i}_{spec.name}", "")
            for spec in fields("lots").values()
            if spec.name not in ("facility_id", "period")
        }
        for i in range(LOT_ROWS)
    ]
    outputs = [
        {
            spec.name: values.get(f"out{i}_{spec.name}", "")
            for spec in fields("outputs").values()
            if spec.name not in ("facility_id", "period")
        }
        for i in range(OUTPUT_ROWS)
    ]
    try:
        done = intake.save_form(
            session,
            who,
            values.get("facility_id", ""),
            values.get("period", ""),
            lots,
            outputs,
            submit=bool(values.get("submit")),
            reason=values.get("reason") or None,
        )
    except CarbonpeakError as exc:
        session.rollback()
        problems = exc.errors if isinstance(exc, ValidationFailed) else [exc]
        errors = [i18n.input_error(e) for e in problems if isinstance(e, InputError)]
        if not errors:
            raise
        return render(
            request,
            "recycling_form.html",
            422,
            **context(request, **form_values(session, who), values=values, errors=errors),
        )
    session.commit()
    flash(
        request,
        _("Saved: %(months)s months, %(lots)s lots.", months=len(done.versions) + len(done.unchanged), lots=done.lots),
    )
    return redirect("/recycling")
