"""The enterprise's annual GHG emission report of the national carbon market (aluminium smelting, kind
``ets_annual``): its figures are the accounting of its aluminium facility-months of the year by the method
in force (CETS—AG—04.01—V01—2024 for 2024 on), laid out by the guideline's chapters 5–11, because the
official report format (Annex C) was not available (said on the first page).

The months counted are each facility-month's latest version that left the enterprise; the report is
provisional while any of them is not verified or waits for its result. Access first: the person must read
the enterprise's reports (:mod:`carbonpeak.services.reports_kinds`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.accounting import account
from carbonpeak.errors import InputError
from carbonpeak.ets import annual as figures_of
from carbonpeak.io.activity import parse_records
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Document, Paragraph, Provenance, Section, Table
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_report_parts as p
from carbonpeak.services import reports_state
from carbonpeak.services.reports_monitoring import Asked, Made
from carbonpeak.store.ets.models import EtsDeposit
from carbonpeak.store.models import Facility, Region, SubmissionVersion
from carbonpeak.store.parameters import parameter_set

KIND = "ets_annual"


def month_state(version: SubmissionVersion | None) -> str:
    if version is None:
        return "missing"
    if version.status in ("verified", "locked"):
        return "waiting" if version.waiting else "counted"
    return "unverified"


def gather(session: Session, who: Any, asked: Asked) -> Made:
    enterprise = reads.enterprise_for(session, who, asked.enterprise, "report.enterprise.view")
    if not re.fullmatch(r"\d{4}", asked.period):
        raise InputError(code="reports.bad_period", field="period", value=asked.period, period=asked.period)
    year = int(asked.period)
    as_of = asked.as_of or dt.date.today()
    if year >= as_of.year:
        raise InputError(code="reports.period_not_due", field="period", period=asked.period, as_of=as_of.isoformat())
    lang = asked.lang if asked.lang in ("zh", "en") else "zh"
    facilities = reads.aluminium_facilities(session, enterprise)
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    versions = {m: reads.report_records(session, facilities, m) for m in months}
    listed = [
        [f.code, m, versions[m][f.code].version if f.code in versions[m] else 0, month_state(versions[m].get(f.code))]
        for f in facilities
        for m in months
    ]
    records = [dict(versions[m][f.code].record) for f in facilities for m in months if f.code in versions[m]]
    if not records:
        raise InputError(code="reports.no_data", field="period", region=enterprise.code, period=asked.period)
    params = parameter_set(session)
    result = account(parse_records(records, source="ets_annual"), params)
    figures = figures_of.figures(result)
    deposits = {d.month: d for d in reads.deposits_of(session, enterprise, str(year))}
    region = session.get(Region, enterprise.region_id) if enterprise.region_id else None
    state: dict[str, Any] = {
        "kind": KIND,
        "enterprise": enterprise.code,
        "region": region.code if region else "",
        "period": asked.period,
        "lang": lang,
        "as_of": as_of.isoformat(),
        "edition": None,
        "months": listed,
        "parameters": reports_state.parameters_part(params),
        "deposits": sorted([d.month, d.status, d.version] for d in deposits.values()),
    }
    fingerprint = report_state.fingerprint(state)
    reasons = [
        p.t("not_final", lang, period=m, facility=f, state=p.t(f"state.{s}", lang))
        for f, m, _v, s in listed
        if s in ("unverified", "waiting")
    ]
    table = result.table
    output = float(table["output_t"].fillna(0).sum())
    sections = _sections(lang, facilities, figures, table, output, listed, deposits, months, as_of)
    where = f"/ets/{enterprise.code}?year={year}"
    families = sorted(state["parameters"])
    provenance = [
        Provenance(
            figure=fig,
            caption=caption,
            methods=[f"{m} — {ref}" for _n, m, ref in figures.methods],
            parameters=[
                f"{name} ({state['parameters'][name][:12]})"
                for name in families
                if name.startswith(("emissions", "energy"))
            ],
            months=f"{months[0]} … {months[-1]}, {len(records)}",
            url=where,
        )
        for fig, caption in (
            ("F2", p.t("t.electrolysis", lang)),
            ("F3", p.t("t.sources", lang)),
            ("F4", p.t("t.production", lang)),
        )
    ]
    document = Document(
        kind=KIND,
        lang=lang,
        title=p.t("title_annual", lang),
        subtitle=p.t("subtitle_annual", lang, enterprise=p.name_of(enterprise, lang), year=year),
        made_on=as_of,
        labels=p.labels(lang),
        facts=[
            *p.enterprise_facts(enterprise, region, lang),
            (p.t("fact.format", lang), p.t("format_notice", lang)),  # in every format: the official one was not found
            (p.t("fact.year", lang), str(year)),
            (p.t("fact.guideline", lang), p.t("guideline", lang)),
            (p.t("fact.gases", lang), p.t("gases", lang)),
            (p.t("fact.status", lang), p.t("status.provisional" if reasons else "status.final", lang)),
            (p.t("fact.as_of", lang), as_of.isoformat()),
            (p.t("fact.state", lang), fingerprint),
        ],
        sections=sections,
        provenance=provenance,
        data_state=[
            (p.t("ds.months", lang), p.sep(lang).join(f"{f} {m} v{v} {s}" for f, m, v, s in listed if v)),
            (
                p.t("ds.parameters", lang),
                p.sep(lang).join(f"{k} {v[:12]}" for k, v in sorted(state["parameters"].items())),
            ),
            (
                p.t("ds.deposit", lang),
                p.sep(lang).join(f"{m} {s} v{v}" for m, s, v in state["deposits"]) or p.t("none", lang),
            ),
            (p.t("ds.as_of", lang), as_of.isoformat()),
            (p.t("ds.fingerprint", lang), fingerprint),
        ],
        provisional=bool(reasons),
        provisional_reasons=reasons,
        fingerprint=fingerprint,
        base_url=asked.base_url,
    )
    return Made(document, state)


def _sections(
    lang: str,
    facilities: list[Facility],
    figures: figures_of.Figures,
    table: Any,
    output: float,
    listed: list[list[Any]],
    deposits: dict[str, EtsDeposit],
    months: list[str],
    as_of: dt.date,
) -> list[Section]:
    t, num, text = p.t, p.num, p.text
    codes = [f.code for f in facilities]
    boundary = Table(
        "F1",
        t("t.facilities", lang),
        [t("c.facility", lang), t("c.technology", lang), t("c.capacity", lang)],
        [
            [
                text(f"{f.code} {f.name_zh if lang == 'zh' else f.name_en}"),
                text(f.technology or "—"),
                num(f.capacity_t_per_a, 0),
            ]
            for f in facilities
        ],
    )
    gas_rows = []
    for code in [*codes, None]:
        gases = figures.gases.get(code, {}) if code else {}
        if code is None:
            gases = {
                g: tuple(sum(figures.gases.get(c, {}).get(g, (0.0, 0.0))[i] for c in codes) for i in (0, 1))
                for g in ("CF4", "C2F6")
            }  # type: ignore[misc]
        anode = figures.total(("anode",), code) if code else figures.total(("anode",))
        cf4, c2f6 = gases.get("CF4", (0.0, 0.0)), gases.get("C2F6", (0.0, 0.0))
        gas_rows.append(
            [
                text(code or t("c.total", lang)),
                num(anode),
                num(cf4[0], 4),
                num(cf4[1]),
                num(c2f6[0], 4),
                num(c2f6[1]),
                num(cf4[1] + c2f6[1]),
            ]
        )
    electrolysis = Table(
        "F2",
        t("t.electrolysis", lang),
        [
            t("c.facility", lang),
            t("c.anode", lang),
            t("c.cf4_mass", lang),
            t("c.cf4", lang),
            t("c.c2f6_mass", lang),
            t("c.c2f6", lang),
            t("c.pfc", lang),
        ],
        gas_rows,
    )
    by_source = []
    for key, sources in (
        ("fuel", ("fuel",)),
        ("anode", ("anode",)),
        ("pfc", ("pfc",)),
        ("process_other", ("process_other",)),
        ("direct", figures_of.DIRECT),
        ("electricity", ("electricity",)),
        ("heat", ("heat",)),
        ("total", figures_of.ORDER),
    ):
        by_source.append(
            [text(t(f"src.{key}", lang)), *[num(figures.total(sources, c)) for c in codes], num(figures.total(sources))]
        )
    enterprise_level = Table("F3", t("t.sources", lang), [t("c.source", lang), *codes, t("c.total", lang)], by_source)
    production = []
    for code in [*codes, None]:
        rows = table[table["facility_id"] == code] if code else table
        out = float(rows["output_t"].fillna(0).sum())
        ratio = rows["ac_power_liquid_aluminium_kwh_per_t"].astype(float)
        weights = rows["output_t"].astype(float)
        ok = ratio.notna() & weights.notna()
        ac_ratio = float((ratio[ok] * weights[ok]).sum() / weights[ok].sum()) if weights[ok].sum() else None
        ac_mwh = ac_ratio * out / 1000.0 if ac_ratio is not None else None
        total = figures.total(figures_of.ORDER, code) if code else figures.total(figures_of.ORDER)
        production.append(
            [
                text(code or t("c.total", lang)),
                num(out),
                num(ac_mwh / 10.0 if ac_mwh is not None and lang == "zh" else ac_mwh),
                num(ac_ratio, 0),
                num(total / out if out else None, 3),
            ]
        )
    production_table = Table(
        "F4",
        t("t.production", lang),
        [t("c.facility", lang), t("c.output", lang), t("c.ac", lang), t("c.ac_ratio", lang), t("c.intensity", lang)],
        production,
    )
    deposit_rows = []
    for m in months:
        d = deposits.get(m)
        deposit_rows.append(
            [text(m), text(t(f"st.{d.status if d else 'none'}", lang)), text(f"v{d.version}" if d else "—")]
        )
    dq = Table(
        "F5", t("t.deposits", lang), [t("c.month", lang), t("c.state", lang), t("c.version", lang)], deposit_rows
    )
    month_rows = [[text(f), text(m), text(f"v{v}" if v else "—"), text(t(f"state.{s}", lang))] for f, m, v, s in listed]
    periodic = Table(
        "F6",
        t("t.months", lang),
        [t("c.facility", lang), t("c.month", lang), t("c.version", lang), t("c.state", lang)],
        month_rows,
    )
    methods = Table(
        "F7",
        t("t.methods", lang),
        [t("c.term", lang), t("c.method", lang), t("c.reference", lang)],
        [[text(n), text(m), text(ref)] for n, m, ref in figures.methods],
    )
    parameters = Table(
        "F8",
        t("t.parameters", lang),
        [t("c.parameter", lang), t("c.value", lang), t("c.citation", lang), t("c.confidence", lang)],
        [[text(a), text(b), text(c), text(d)] for a, b, c, d in figures.parameters],
    )
    return [
        Section(t("s.boundary", lang), [boundary]),
        Section(t("s.electrolysis", lang), [electrolysis]),
        Section(t("s.enterprise", lang), [enterprise_level]),
        Section(t("s.production", lang), [production_table]),
        Section(t("s.dq", lang), [Paragraph(t("dq_text", lang)), dq]),
        Section(t("s.periodic", lang), [periodic]),
        Section(t("s.methods", lang), [methods, parameters]),
        Section(t("s.disclosure", lang), [Paragraph(t("disclosure_text", lang), emphasis=True)]),
    ]
