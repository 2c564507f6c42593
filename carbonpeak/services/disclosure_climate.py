"""The climate section of an exchange sustainability report (SSE Self-Regulatory Guideline No. 14, SZSE
No. 17, the BSE's 《可持续发展报告(试行)》, issued 2024-04-12, in force 2024-05-01; guide 二号 "应对气候变化",
January 2025): greenhouse-gas scope 1 and scope 2 (location- and market-based electricity, as the stored
results hold them), broken down by facility and by source type (combustion, process, electricity, heat:
the SZSE draft's list, medium confidence), and the reduction by scope in t CO2e year on year.

The guidelines' verbatim scope 1/2 article was not seen (../shared/research/anchors-next.md §9): the
section's rows follow the draft's breakdown, not an official form."""

from __future__ import annotations

from sqlalchemy.orm import Session

from carbonpeak.disclosure import figures
from carbonpeak.reports.document import Cell, Paragraph, Provenance, Section, Table
from carbonpeak.services import reports_parts
from carbonpeak.services.access import Principal
from carbonpeak.services.disclosure_inputs import (
    change_pct,
    data_state,
    document,
    facility_name,
    provenance,
    read,
    t,
    tonnes,
)
from carbonpeak.services.reports_monitoring import Asked, Made

CLIMATE = "disclosure_climate"
SCOPES = ("scope1", "scope2_location", "scope2_market", "total_location", "total_market")


def gather(session: Session, who: Principal, asked: Asked) -> Made:
    inputs = read(session, who, asked)
    lang, year, rows = inputs.lang, inputs.year, inputs.rows
    url = reports_parts.link("/disclosure", enterprise=inputs.enterprise.code, year=year)
    this_year, last_year = figures.of_year(rows, year), figures.of_year(rows, year - 1)
    now, before = figures.totals(this_year), figures.totals(last_year)
    prov: list[Provenance] = []
    # F1: scope 1 and scope 2, this year and last, the reduction by scope
    head = [
        t("col.scope", lang),
        t("col.year", lang, year=year),
        t("col.year", lang, year=year - 1),
        t("col.reduction", lang),
        t("col.reduction_pct", lang),
    ]
    body = []
    for item in SCOPES:
        change = figures.Change(getattr(now, item), getattr(before, item))
        body.append(
            [
                Cell(t(f"item.{item}", lang)),
                tonnes(change.this_year),
                tonnes(change.last_year),
                tonnes(change.reduction),
                Cell("—")
                if change.reduction_pct is None
                else Cell(f"{change.reduction_pct:.1f}%", change.reduction_pct),
            ]
        )
    caption = t("climate.f_scopes", lang)
    scopes = Table("F1", caption, head, body, t("climate.f_scopes_note", lang))
    prov.append(provenance(inputs, "F1", caption, rows, url))
    # F2: by facility (the business unit the platform knows), this year
    head = [t("col.facility", lang), t("item.scope1", lang), t("item.scope2_location", lang)]
    head += [t("item.scope2_market", lang), t("col.months", lang)]
    per_facility = figures.by_facility(this_year)
    body = []
    for code, facility in inputs.facilities.items():
        totals = per_facility.get(code)
        if totals is None:
            continue
        body.append(
            [
                Cell(facility_name(facility, lang)),
                tonnes(totals.scope1),
                tonnes(totals.scope2_location),
                tonnes(totals.scope2_market),
                Cell(str(totals.facility_months), float(totals.facility_months)),
            ]
        )
    caption = t("climate.f_facilities", lang, year=year)
    by_facility = Table("F2", caption, head, body)
    prov.append(provenance(inputs, "F2", caption, this_year, url))
    # F3: by source type, this year and last
    head = [t("col.source", lang), t("col.scope", lang), t("col.year", lang, year=year)]
    head += [t("col.year", lang, year=year - 1), t("col.yoy", lang)]
    before_by = {name: value for name, _scope, value in figures.by_source(last_year)}
    body = [
        [
            Cell(t(f"source.{name}", lang)),
            Cell(str(scope), float(scope)),
            tonnes(value),
            tonnes(before_by.get(name)),
            change_pct(value, before_by.get(name)),
        ]
        for name, scope, value in figures.by_source(this_year)
    ]
    caption = t("climate.f_sources", lang)
    by_source = Table("F3", caption, head, body, t("climate.f_sources_note", lang))
    prov.append(provenance(inputs, "F3", caption, rows, url))
    sections = [
        Section(t("climate.s_scopes", lang), [scopes]),
        Section(t("climate.s_breakdown", lang), [by_facility, by_source]),
        Section(t("s.sources", lang), [Paragraph(t("climate.sources", lang)), Paragraph(t("climate.gap", lang), True)]),
    ]
    state = data_state(inputs, CLIMATE, {})
    return Made(document(inputs, CLIMATE, t("climate.title", lang), sections, prov, state, asked.base_url), state)
