"""The 碳达峰监测报告's section 减污降碳协同: SO2, NOx and particulates beside CO2 for the report's period, by
product, per tonne of product and 同比 (:mod:`carbonpeak.synergy.indicators`), with the coverage of the months
that have pollutant figures; and the digest of the pollutant ledger's rows it read (the report's data state).

Its inputs are the report's own counted facility-months (:class:`carbonpeak.services.reports_parts.Parts`
``rows``: the region's, in the person's scope, up to the period's end) and the latest version of each month of
the pollutant ledger for those facilities from the year before the period on.
"""

from __future__ import annotations

from typing import Any

from carbonpeak import messages
from carbonpeak.reports.document import Cell, Paragraph, Provenance, Section, Table
from carbonpeak.services import pollutants
from carbonpeak.services.reports_parts import Parts, link, sector_word, t
from carbonpeak.services.reports_state import frame_digest
from carbonpeak.synergy import indicators as ind
from carbonpeak.synergy.ledger import POLLUTANTS

DIGEST_COLUMNS = ["facility_code", "period", "version", "so2_t", "nox_t", "pm_t", "source"]
_SHORT = {"so2_t": "so2", "nox_t": "nox", "pm_t": "pm", "co2e_t": "co2"}


def s(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"synergy.report.{code}", lang, params)


def _n(value: float | None, digits: int = 1) -> Cell:
    return Cell("—") if value is None else Cell(f"{value:,.{digits}f}", float(value))


def _pct(value: float | None) -> Cell:
    return Cell("—") if value is None else Cell(f"{value:+.1f}%", float(value))


def section(parts: Parts) -> tuple[Section, list[Provenance], str]:
    """The section, its figures' provenance and the digest of the pollutant rows read."""
    lang = parts.lang
    rows = parts.rows.assign(co2e_t=parts.rows["total_location_tco2e"])
    codes = sorted(set(rows["facility_code"].astype(str)))
    first = f"{parts.year - 1:04d}-01"
    figures = pollutants.latest(parts.session, parts.who, codes)
    figures = figures[figures["period"] >= first] if not figures.empty else figures
    last = max(rows["period"].astype(str), default=first)
    figures = figures[figures["period"] <= last] if not figures.empty else figures
    digest = frame_digest(figures, DIGEST_COLUMNS if not figures.empty else None)
    table = ind.joined(rows, figures)
    periods = ind.months_of(parts.year, parts.month)
    if parts.month is None:  # a year counted to September is compared month by month anyway
        periods = [p for p in periods if p <= last]
    title = s("title", lang)
    blocks: list[Any] = [Paragraph(s("intro", lang))]
    whole = (ind.synergy(table, periods, product="sector") or [None])[0]
    if whole is None or whole.current.with_pollutants == 0:
        blocks.append(Paragraph(s("none", lang, months=whole.current.months if whole else 0), emphasis=True))
        return Section(title, blocks), [], digest
    by_product = ind.synergy(table, periods, by=["sector"], product="sector")
    period_words = (
        t("period_month", lang, year=parts.year, month=parts.month)
        if parts.month
        else t("period_year", lang, year=parts.year)
    )
    totals_id, intensity_id = parts.next_figure(), parts.next_figure()
    totals_caption = s("totals", lang, period=period_words)
    intensity_caption = s("intensity", lang, period=period_words)
    head = [s("product", lang), s("coverage", lang), s("so2", lang), s("nox", lang), s("pm", lang), s("co2", lang)]
    body = []
    for item in [*by_product, whole]:
        name = sector_word(item.key[0], lang) if item.key else s("all", lang)
        now = item.current
        co2 = now.totals["co2e_t"]
        body.append(
            [
                Cell(name),
                Cell(f"{now.with_pollutants} / {now.months}"),
                *(_n(now.totals[p], 1) for p in POLLUTANTS),
                _n(None if co2 is None else co2 / 1e4, 2),
            ]
        )
    intensity_head = [s("product", lang)]
    for name in ind.FIGURES:
        intensity_head.append(s(f"{_SHORT[name]}_per_t", lang))
    for name in ind.FIGURES:
        intensity_head.append(s("change", lang, what=s(_SHORT[name], lang).split("（")[0].split(" (")[0]))
    intensity_head.append(s("matched", lang))
    intensity_rows = []
    for item in by_product:
        now = item.current
        intensity_rows.append(
            [Cell(sector_word(item.key[0], lang))]
            + [_n(now.per_t[n], 3) for n in ind.FIGURES]
            + [_pct(item.per_t_change_pct[n]) for n in ind.FIGURES]
            + [Cell(str(item.matched), float(item.matched))]
        )
    blocks += [
        Table(totals_id, totals_caption, head, body, note=s("note", lang)),
        Table(intensity_id, intensity_caption, intensity_head, intensity_rows),
    ]
    chosen = figures[figures["period"].isin(periods)]
    if (chosen["source"] == "demo").any():
        blocks.append(Paragraph(s("demo", lang), emphasis=True))
    months = s(
        "months",
        lang,
        first=periods[0],
        last=periods[-1],
        n=whole.current.with_pollutants,
        lacking=whole.current.lacking,
    )
    url = link("/pollutants", region=parts.region.code, year=parts.year)
    provenance = [
        Provenance(figure, caption, [s("method", lang)], [], months, url)
        for figure, caption in ((totals_id, totals_caption), (intensity_id, intensity_caption))
    ]
    return Section(title, blocks), provenance, digest
