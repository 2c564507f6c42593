"""The carbon section of the MEE annual environmental-information disclosure (《企业环境信息依法披露管理办法》,
MEE Order No. 24, Art. 12 (4): carbon emission information "including emissions and emission facilities";
the 《企业环境信息依法披露格式准则》 of 2021-12-31 for carbon-market emitters: the actual emissions of the year
and of the year before, the allowance surrender, the emission facilities and their accounting methods).

Emissions are the enterprise's counted (verified) stored results; the surrender is what the enterprise
stated (:func:`carbonpeak.services.disclosure.record_allowance`): the platform holds no allowance ledger."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from carbonpeak.disclosure import figures
from carbonpeak.engine.methods import METHODS, Method
from carbonpeak.reports.document import Block, Cell, Paragraph, Provenance, Section, Table
from carbonpeak.services import reports_parts
from carbonpeak.services.access import Principal
from carbonpeak.services.disclosure_inputs import (
    Inputs,
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
from carbonpeak.store.disclosure.models import AllowanceStatement
from carbonpeak.store.disclosure.reads import latest_statement

MEE = "disclosure_mee"
ITEMS = ("scope1", "scope2_location", "total_location", "scope2_market", "total_market")


def gather(session: Session, who: Principal, asked: Asked) -> Made:
    inputs = read(session, who, asked)
    lang, year, rows = inputs.lang, inputs.year, inputs.rows
    url = reports_parts.link("/disclosure", enterprise=inputs.enterprise.code, year=year)
    sections: list[Section] = []
    prov: list[Provenance] = []
    # F1: the actual emissions of the year and of the year before
    now, before = figures.totals(figures.of_year(rows, year)), figures.totals(figures.of_year(rows, year - 1))
    head = [t("col.item", lang), t("col.year", lang, year=year), t("col.year", lang, year=year - 1), t("col.yoy", lang)]
    body = [
        [
            Cell(t(f"item.{item}", lang)),
            tonnes(getattr(now, item)),
            tonnes(getattr(before, item)),
            change_pct(getattr(now, item), getattr(before, item)),
        ]
        for item in ITEMS
    ]
    body.append(
        [
            Cell(t("item.facility_months", lang)),
            Cell(str(now.facility_months), float(now.facility_months)),
            Cell(str(before.facility_months), float(before.facility_months)),
            Cell("—"),
        ]
    )
    caption = t("mee.f_emissions", lang)
    blocks: list[Block] = [Table("F1", caption, head, body, t("mee.f_emissions_note", lang))]
    sections.append(Section(t("mee.s_emissions", lang), blocks))
    prov.append(provenance(inputs, "F1", caption, rows, url))
    # F2: the emission facilities and their accounting methods, with the method's clause
    this_year = figures.of_year(rows, year)
    per_facility = figures.by_facility(this_year)
    head = [
        t("col.facility", lang),
        t("col.sector", lang),
        t("col.method", lang),
        t("col.clause", lang),
        t("col.months", lang),
        t("col.scope1", lang),
        t("col.total_location", lang),
    ]
    body = []
    for code, facility in inputs.facilities.items():
        mine = this_year[this_year["facility_code"] == code]
        used = Counter(str(m) for m in mine["method"].dropna())
        methods = [m for m in (METHODS.get(name) for name, _n in used.most_common()) if m is not None]
        totals = per_facility.get(code)
        months = totals.facility_months if totals else 0
        body.append(
            [
                Cell(facility_name(facility, lang)),
                Cell(reports_parts.sector_word(facility.sector, lang)),
                Cell(_join([m.name_zh if lang == "zh" else m.name_en for m in methods], lang)),
                Cell(_join([_clause(m, lang) for m in methods], lang)),
                Cell(str(months), float(months)),
                tonnes(totals.scope1 if totals else None),
                tonnes(totals.total_location if totals else None),
            ]
        )
    caption = t("mee.f_facilities", lang, year=year)
    sections.append(Section(t("mee.s_facilities", lang), [Table("F2", caption, head, body)]))
    prov.append(provenance(inputs, "F2", caption, this_year, url))
    # F3: the allowance surrender, as the enterprise stated it (no allowance ledger in the platform)
    statement = latest_statement(session, inputs.enterprise.code, year)
    sections.append(Section(t("mee.s_allowance", lang), _allowance(inputs, statement)))
    if statement is not None:
        prov.append(Provenance("F3", t("mee.f_allowance", lang, year=year), [t("mee.stated", lang)], [], "—", url))
    sections.append(Section(t("s.sources", lang), [Paragraph(t("mee.sources", lang))]))
    allowance = f"v{statement.version}:{statement.status}:{statement.surrendered_tco2e}" if statement else "none"
    state = data_state(inputs, MEE, {"allowance": allowance})
    return Made(document(inputs, MEE, t("mee.title", lang), sections, prov, state, asked.base_url), state)


def _join(texts: list[str], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(texts) or "—"


def _clause(method: Method, lang: str) -> str:
    return method.reference_zh if lang == "zh" else method.reference


def _allowance(inputs: Inputs, statement: AllowanceStatement | None) -> list[Block]:
    lang = inputs.lang
    if statement is None:
        return [Paragraph(t("mee.allowance_none", lang, year=inputs.year), emphasis=True)]
    head = [t("col.item", lang), t("col.value", lang)]
    body = [
        [Cell(t("allowance.status", lang)), Cell(t(f"allowance.{statement.status}", lang))],
        [Cell(t("allowance.surrendered", lang)), tonnes(statement.surrendered_tco2e)],
        [Cell(t("allowance.note", lang)), Cell(statement.note or "—")],
        [
            Cell(t("allowance.entered", lang)),
            Cell(f"v{statement.version} · {statement.entered_at:%Y-%m-%d}"),
        ],
    ]
    return [Table("F3", t("mee.f_allowance", lang, year=inputs.year), head, body, t("mee.allowance_note", lang))]
