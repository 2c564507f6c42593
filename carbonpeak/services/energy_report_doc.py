"""The energy-utilisation status report of a year as a report document (kind ``energy_utilisation``):
the configured tables, the platform's figures in 表1–表4, the enterprise's latest entries in 表5–表10, each
table saying where its columns come from; provisional when months are unverified or waiting.

Made, stored, signed (filed), downloaded and regenerated through :mod:`carbonpeak.services.reports` like
every kind (registered in :mod:`carbonpeak.services.reports_kinds`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.energy_report.nbs205 import UNIT_ZH, carrier_label, product_label
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Cell, Document, Paragraph, Section, Table
from carbonpeak.services import energy_report as use
from carbonpeak.services.access import Principal
from carbonpeak.services.energy_report_words import deadline_words, provenance, state_words, t
from carbonpeak.services.reports_monitoring import _LABELS, Asked, Made

KIND = "energy_utilisation"
UNIT_EN = {"t": "t", "wan_Nm3": "10^4 Nm3", "MWh": "MWh", "GJ": "GJ"}


def _n(value: float | None, digits: int = 1) -> Cell:
    if value is None:
        return Cell("—")
    return Cell(f"{value:,.{digits}f}", float(value))


def gather(session: Session, who: Principal, asked: Asked) -> Made:
    """The report's document and data state (access: :func:`carbonpeak.services.energy_report.open_report`)."""
    lang = asked.lang if asked.lang in messages.LANGS else messages.DEFAULT_LANG
    opened = use.open_report(session, who, asked.enterprise, asked.period, today=asked.as_of)
    current = opened.current
    made_on = asked.as_of or dt.date(opened.year + 1, 1, 1)
    state = {
        "as_of": made_on.isoformat(),
        "kind": KIND,
        "enterprise": opened.basic.code,
        "period": str(opened.year),
        "lang": lang,
        "form_set": opened.forms.edition,
        "figures": opened.figures_sha256,
        # the months read and the coefficients used, in the shapes the reports' difference lists one by one
        "months": [list(m) for m in opened.figures.read],
        "parameters": {
            k.parameter: f"{k.tce_per_unit:.10g} ({k.citation})"
            for r in opened.figures.carriers
            for k in r.coefficients
        },
        "entries_version": current.version if current else 0,
        "entries_status": current.status if current else "none",
        "entries": report_state.sha256(opened.entries),
    }
    fingerprint = report_state.fingerprint(state)
    reasons = [t(f"not_final.{s}", lang, period=p, n=n) for p, s, n in opened.figures.not_final]
    name = opened.basic.name_zh if lang == "zh" else (opened.basic.name_en or opened.basic.name_zh)
    document = Document(
        kind=KIND,
        lang=lang,
        title=t("title", lang),
        subtitle=t("subtitle", lang, enterprise=name, year=opened.year),
        made_on=made_on,
        labels={k: messages.render(f"reports.label.{k}", lang) for k in _LABELS},
        facts=[
            (
                t("fact.enterprise", lang),
                f"{name}（{opened.basic.code}）" if lang == "zh" else f"{name} ({opened.basic.code})",
            ),
            (t("fact.year", lang), str(opened.year)),
            (t("fact.key_unit", lang), t(f"key_unit.{opened.figures.key_unit.status}", lang)),
            (
                t("fact.version", lang),
                t("version_words", lang, version=current.version, status=t(f"status.{current.status}", lang))
                if current
                else t("status.none", lang),
            ),
            (t("fact.form_set", lang), t("form_set_words", lang, edition=opened.forms.edition)),
            (t("fact.state", lang), fingerprint),
        ],
        sections=_sections(opened, lang),
        provenance=provenance(opened, lang),
        data_state=state_words(state, lang, fingerprint),
        provisional=bool(reasons),
        provisional_reasons=reasons,
        fingerprint=fingerprint,
        base_url=asked.base_url,
    )
    return Made(document, state)


def _sections(o: use.Opened, lang: str) -> list[Section]:
    forms, f = o.forms, o.figures
    out = [
        Section(
            t("intro_title", lang), [Paragraph(t("intro", lang, source=forms.source["document"])), _key_unit(o, lang)]
        )
    ]
    platform = Paragraph(t("columns_platform", lang))
    basic = Table(
        "T1",
        forms.table("t1").heading(lang),
        [t("col.item", lang), t("col.value", lang)],
        [
            [
                Cell(t("basic.name", lang)),
                Cell(o.basic.name_zh if lang == "zh" else o.basic.name_en or o.basic.name_zh),
            ],
            [Cell(t("basic.code", lang)), Cell(o.basic.code)],
            [Cell(t("basic.uscc", lang)), Cell(o.basic.uscc)],
            [Cell(t("basic.region", lang)), Cell(o.basic.region)],
            [Cell(t("basic.registry_key", lang)), Cell(t("yes" if o.basic.key_energy_user else "no", lang))],
            [Cell(t("basic.contact", lang)), Cell(o.basic.contact or "—")],
        ],
    )
    facilities = Table(
        "T1a",
        t("facilities", lang),
        [t("col.facility", lang), t("col.product", lang), t("col.capacity", lang), t("col.status", lang)],
        [
            [Cell(f"{c} {n}"), Cell(product_label(s, lang)), _n(cap, 0), Cell(t(f"facility.{st}", lang))]
            for c, n, s, cap, st in o.basic.facilities
        ],
    )
    out.append(Section(forms.table("t1").heading(lang), [platform, basic, facilities]))
    unit = UNIT_ZH if lang == "zh" else UNIT_EN
    carriers = Table(
        "T2",
        forms.table("t2").heading(lang),
        [t("col.carrier", lang), t("col.unit", lang), t("col.amount", lang), t("col.tce", lang), t("col.share", lang)],
        [
            [
                Cell(carrier_label(r.carrier, lang)),
                Cell(unit.get(r.unit, r.unit)),
                _n(r.amount, 3),
                _n(r.tce, 3),
                _n(r.share * 100, 1),
            ]
            for r in f.carriers
        ]
        + [
            [Cell(t("sum_carriers", lang)), Cell(""), Cell(""), _n(f.carriers_tce, 3), Cell("100.0")],
            [Cell(t("sum_results", lang)), Cell(""), Cell(""), _n(f.total_tce, 3), Cell("")],
            [Cell(t("net_electricity", lang)), Cell(unit["MWh"]), _n(f.net_electricity_mwh, 3), Cell(""), Cell("")],
        ],
        note=t("note_t2", lang, months=f.months.get("counted", 0)),
    )
    coefficients = Table(
        "T2-1",
        forms.table("t2_1").heading(lang),
        [t("col.carrier", lang), t("col.coefficient", lang), t("col.parameter", lang), t("col.source", lang)],
        [
            [
                Cell(carrier_label(r.carrier, lang)),
                Cell(f"{k.tce_per_unit:.6g} tce/{unit.get(k.unit, k.unit)}"),
                Cell(k.parameter),
                Cell(k.citation),
            ]
            for r in f.carriers
            for k in r.coefficients
        ]
        + [
            [
                Cell(carrier_label(r.carrier, lang)),
                Cell(t("measured_ncv", lang, n=r.measured_ncv_lines)),
                Cell(""),
                Cell("GB/T 2589-2020 §3"),
            ]
            for r in f.carriers
            if r.measured_ncv_lines
        ],
    )
    out.append(
        Section(forms.table("t2").heading(lang), [platform, carriers, Paragraph(t("annex_is", lang)), coefficients])
    )
    codes = sorted({fac for by in f.balance.values() for fac in by})
    balance = Table(
        "T3",
        forms.table("t3").heading(lang),
        [t("col.carrier", lang), t("col.unit", lang), *codes],
        [
            [Cell(carrier_label(c, lang)), Cell(unit.get(_unit(c, f), "")), *[_n(by.get(x), 3) for x in codes]]
            for c, by in sorted(f.balance.items())
        ],
        note=t("note_t3", lang),
    )
    out.append(Section(forms.table("t3").heading(lang), [platform, balance]))
    products = Table(
        "T4",
        forms.table("t4").heading(lang),
        [
            t("col.product", lang),
            t("col.output", lang),
            t("col.tce", lang),
            t("col.kgce", lang),
            t("col.prev_kgce", lang),
            t("col.change", lang),
        ],
        [
            [
                Cell(product_label(p.product, lang)),
                _n(p.output_t, 1),
                _n(p.energy_tce, 1),
                _n(p.kgce_per_t, 1),
                _n(p.previous_kgce_per_t, 1),
                _n(p.change_pct, 2),
            ]
            for p in f.products
        ],
        note=t("note_t4", lang),
    )
    previous = (
        t("previous_total", lang, total=f"{f.previous_total_tce:,.1f}", n=f.previous_months)
        if f.previous_total_tce is not None
        else t("previous_none", lang)
    )
    out.append(Section(forms.table("t4").heading(lang), [platform, products, Paragraph(previous)]))
    for spec in forms.enterprise_tables():
        blocks: list[Any] = [Paragraph(t("columns_carbonpeak", lang))]
        if spec.id == "t6":
            blocks.append(Paragraph(t("no_platform_target", lang)))
        rows = o.entries.get(spec.id) or []
        if rows:
            blocks.append(
                Table(
                    spec.number.replace("表", "T"),
                    spec.heading(lang),
                    [fl.label.get(lang) or fl.label["zh"] for fl in spec.fields],
                    [[_entry(row.get(fl.name)) for fl in spec.fields] for row in rows],
                )
            )
        else:
            blocks.append(Paragraph(t("not_filled", lang), emphasis=True))
        out.append(Section(spec.heading(lang), blocks))
    return out


def _entry(value: Any) -> Cell:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Cell(f"{value:,}", float(value))
    return Cell("" if value is None else str(value))


def _unit(carrier: str, f: Any) -> str:
    return next((r.unit for r in f.carriers if r.carrier == carrier), "")


def _key_unit(o: use.Opened, lang: str) -> Paragraph:
    k = o.figures.key_unit
    return Paragraph(
        t(
            "key_unit_text",
            lang,
            total=f"{k.total_tce:,.1f}",
            mandatory=f"{k.mandatory_tce:,.0f}",
            designated=f"{k.designated_tce:,.0f}",
            status=t(f"key_unit.{k.status}", lang),
            source=k.citation,
        )
    )


__all__ = ["KIND", "deadline_words", "gather"]
