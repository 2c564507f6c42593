"""Section 1 of the 碳达峰监测报告: emissions and energy with 同比 and 环比, the monthly trend (the cockpit's
chart), month by month, and by sector; the same sums as the cockpit (:mod:`carbonpeak.indicators.breakdown`,
:mod:`carbonpeak.indicators.trends`) over the same counted facility-months."""

from __future__ import annotations

from typing import Any

import pandas as pd

from carbonpeak.indicators import breakdown as bd
from carbonpeak.indicators import trends
from carbonpeak.io.display_units import factor_of
from carbonpeak.reports.document import Cell, Chart, Provenance, Section, Table
from carbonpeak.services.reports_parts import (
    FIGURES,
    Parts,
    link,
    pct,
    q_cell,
    results_provenance,
    sector_word,
    t,
    unit_word,
    with_unit,
)


def emissions_and_energy(parts: Parts, parameters: dict[str, str]) -> tuple[Section, list[Provenance]]:
    lang, year, month, rows = parts.lang, parts.year, parts.month, parts.rows
    code = parts.region.code
    blocks: list[Any] = []
    provenance = []
    # F: the main figures of the period, with 同比 (and 环比, year to date for a month)
    now = bd.select(rows, year=year, month=month)
    before = bd.select(rows, year=year - 1, month=month)
    counted_to = int(str(now["period"].max())[5:7]) if not now.empty else 12
    partial = month is None and counted_to < 12
    if partial:  # a year counted to September is compared with January to September of the year before
        before = trends.through_month_rows(before, counted_to)
    head = [t("col.figure", lang), t("col.unit", lang)]
    if month:
        previous_year, previous_month = (year, month - 1) if month > 1 else (year - 1, 12)
        last_month = bd.select(rows, year=previous_year, month=previous_month)
        to_date = trends.through_month_rows(bd.select(rows, year=year), month)
        to_date_before = trends.through_month_rows(bd.select(rows, year=year - 1), month)
        head += [
            t("col.this_month", lang),
            t("col.same_month_last_year", lang),
            t("col.yoy", lang),
            t("col.last_month", lang),
            t("col.mom", lang),
            t("col.year_to_date", lang, month=month),
            t("col.same_period_last_year", lang),
            t("col.yoy", lang),
        ]
    else:
        head += (
            [t("col.year_to_date", lang, month=counted_to), t("col.same_period_last_year", lang), t("col.yoy", lang)]
            if partial
            else [t("col.this_year", lang), t("col.last_year", lang), t("col.yoy", lang)]
        )
    table_rows = []
    for figure in FIGURES:
        unit = bd.figure(figure).unit
        a, b = bd.total(now, figure), bd.total(before, figure)
        cells = [
            Cell(t(f"figure.{figure}", lang)),
            Cell(unit_word(unit, lang)),
            q_cell(a, unit, lang),
            q_cell(b, unit, lang),
        ]
        cells.append(Cell(pct(trends.change_pct(a, b))))
        if month:
            c = bd.total(last_month, figure)
            d, e = bd.total(to_date, figure), bd.total(to_date_before, figure)
            cells += [
                q_cell(c, unit, lang),
                Cell(pct(trends.change_pct(a, c))),
                q_cell(d, unit, lang),
                q_cell(e, unit, lang),
            ]
            cells.append(Cell(pct(trends.change_pct(d, e))))
        table_rows.append(cells)
    figure_id = parts.next_figure()
    caption = t("f.main", lang)
    note = t("f.main_note", lang) + (t("f.partial_note", lang, month=counted_to) if partial else "")
    blocks.append(Table(figure_id, caption, head, table_rows, note))
    window = rows[(rows["year"] >= year - 1)]
    provenance.append(
        results_provenance(
            parts,
            figure_id,
            caption,
            window,
            link("/overview/breakdown", figure="emissions_location_tco2e", region=code, year=year, month=month),
            parameters,
        )
    )
    # F: the monthly trend, the year and the year before (the cockpit's chart)
    series = trends.monthly(rows, "emissions_location_tco2e")
    factor = factor_of("tCO2e", "total", lang)
    lines = []
    for shown_year in (year - 1, year):
        values = []
        for m in range(1, 13):
            value = series.get(f"{shown_year:04d}-{m:02d}")
            values.append(None if value is None or pd.isna(value) else float(value) * factor)
        lines.append((str(shown_year), values))
    shown_unit = unit_word("tCO2e", lang)
    figure_id = parts.next_figure()
    caption = t("f.trend", lang, unit=shown_unit)
    months_x = [t("month_short", lang, month=m) for m in range(1, 13)]
    blocks.append(Chart(figure_id, caption, "lines", months_x, lines, shown_unit))
    provenance.append(
        results_provenance(
            parts,
            figure_id,
            caption,
            window,
            link("/overview/breakdown", figure="emissions_location_tco2e", region=code, year=year, by="month"),
            parameters,
        )
    )
    # F: month by month, 同比 and 环比 (trends.changes, as the cockpit's table)
    head = [
        t("col.month", lang),
        with_unit(t("figure.emissions_location_tco2e", lang), "tCO2e", lang),
        t("col.yoy", lang),
        t("col.mom", lang),
        with_unit(t("figure.energy_tce", lang), "tce", lang),
        t("col.yoy", lang),
        t("col.mom", lang),
        t("col.facility_months", lang),
    ]
    emissions = {c.period: c for c in trends.changes(rows, "emissions_location_tco2e", year)}
    energy = {c.period: c for c in trends.changes(rows, "energy_tce", year)}
    monthly_rows = []
    for period in sorted(emissions):
        em, en = emissions[period], energy.get(period)
        monthly_rows.append(
            [
                Cell(period),
                q_cell(em.value, "tCO2e", lang),
                Cell(pct(em.yoy_pct)),
                Cell(pct(em.mom_pct)),
                q_cell(en.value if en else None, "tce", lang),
                Cell(pct(en.yoy_pct if en else None)),
                Cell(pct(en.mom_pct if en else None)),
                Cell(str(em.facility_months), float(em.facility_months)),
            ]
        )
    figure_id = parts.next_figure()
    caption = t("f.monthly", lang, year=year)
    blocks.append(Table(figure_id, caption, head, monthly_rows))
    provenance.append(
        results_provenance(
            parts,
            figure_id,
            caption,
            window,
            link("/overview/breakdown", figure="energy_tce", region=code, year=year, by="month"),
            parameters,
        )
    )
    # F: by sector
    by_sector = []
    for sector in sorted(set(now["sector"].dropna()) | set(before["sector"].dropna())):
        a = bd.total(bd.select(rows, year=year, month=month, sector=sector), "emissions_location_tco2e")
        b = bd.total(before[before["sector"] == sector], "emissions_location_tco2e")
        g = bd.total(bd.select(rows, year=year, month=month, sector=sector), "energy_tce")
        by_sector.append(
            [
                Cell(sector_word(sector, lang)),
                q_cell(a, "tCO2e", lang),
                q_cell(b, "tCO2e", lang),
                Cell(pct(trends.change_pct(a, b))),
                q_cell(g, "tce", lang),
            ]
        )
    figure_id = parts.next_figure()
    caption = t("f.sectors", lang)
    head = [
        t("col.sector", lang),
        with_unit(t("col.this_period", lang), "tCO2e", lang),
        with_unit(t("col.same_period_last_year", lang), "tCO2e", lang),
        t("col.yoy", lang),
        with_unit(t("figure.energy_tce", lang), "tce", lang),
    ]
    blocks.append(Table(figure_id, caption, head, by_sector))
    provenance.append(
        results_provenance(
            parts,
            figure_id,
            caption,
            pd.concat([now, before]),
            link(
                "/overview/breakdown",
                figure="emissions_location_tco2e",
                region=code,
                year=year,
                month=month,
                by="sector",
            ),
            parameters,
        )
    )
    return Section(t("s.emissions", lang), blocks), provenance
