"""The sections of the 碳达峰监测报告, each with its figures' provenance and the digest of its inputs.

One function per section; each returns its :class:`~carbonpeak.reports.document.Section`, the
provenance rows of its figures (methods and parameter families behind them, the months, the address of
the platform's page that explains the figure) and, for the inputs that are not facility-months, a
digest for the data state.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.accounting import classify_facilities
from carbonpeak.capacity.exits import below_baseline
from carbonpeak.engine.methods import METHODS
from carbonpeak.errors import CarbonpeakError
from carbonpeak.indicators import breakdown as bd
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators import trends
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.io.display_units import factor_of, number, quantity
from carbonpeak.parameters import ParameterSet
from carbonpeak.reports.document import Cell, Chart, Paragraph, Provenance, Section, Table
from carbonpeak.reports.state import sha256
from carbonpeak.services import access, reporting_status
from carbonpeak.services.access import Principal
from carbonpeak.store import result_methods
from carbonpeak.store.models import Region, Warning
from carbonpeak.vocabulary import SECTOR_LABELS, BenchmarkClass, Sector

DIGESTS = ("statistics", "registry", "targets", "benchmark", "reporting", "warnings", "projects", "scenario")
FIGURES = ("emissions_location_tco2e", "emissions_market_tco2e", "energy_tce", "electricity_used_mwh")


@dataclass
class Parts:
    session: Session
    who: Principal
    region: Region
    year: int
    month: int | None
    lang: str
    as_of: dt.date
    params: ParameterSet
    edition: str | None
    rows: pd.DataFrame  # the region's counted facility-months with a result, up to the period's end
    states: pd.DataFrame  # the region's month states
    prepared: ind.Prepared | None
    facts: pd.DataFrame
    options: ind.Options
    _figures: int = field(default=0)
    behind: dict[tuple[int, ...], result_methods.Provenance] = field(default_factory=dict)

    def next_figure(self) -> str:
        self._figures += 1
        return f"F{self._figures}"


def t(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"reports.cp.{code}", lang, params)


def link(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def qty(value: Any, unit: str, lang: str, scale: str = "total") -> str:
    shown, word = quantity(value, unit, scale, lang)
    if value is None:
        return "—"
    return f"{shown}{word or unit}" if lang == "zh" else f"{shown} {word or unit}"


def unit_word(unit: str, lang: str) -> str:
    """The unit a column of ``unit`` values is shown in (the cockpit's table of units)."""
    return quantity(1.0, unit, "total", lang)[1] or unit


def with_unit(text: str, unit: str, lang: str) -> str:
    """A column header with its unit: 本月（万吨CO2e）."""
    word = unit_word(unit, lang)
    return f"{text}（{word}）" if lang == "zh" else f"{text} ({word})"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def sector_word(sector: str, lang: str) -> str:
    try:
        zh, en = SECTOR_LABELS[Sector(sector)]
    except ValueError:
        return sector
    return zh if lang == "zh" else en


def family_title(params: ParameterSet, name: str, lang: str) -> str:
    """A parameter family's title in ``lang`` (its id where it has none)."""
    file = params.files.get(name)
    return (file.title.get(lang) or file.title.get("en") or name) if file is not None else name


def product_word(product: str, lang: str) -> str:
    """A benchmark product by its name (the activity record's code list, carbonpeak.io.choices)."""
    from carbonpeak.io.choices import choices

    found = choices("product").get(product)
    return (found[0] if lang == "zh" else found[1]) if found else product


def _months_text(rows: pd.DataFrame, lang: str) -> str:
    if rows.empty:
        return t("prov.no_months", lang)
    return t(
        "prov.months",
        lang,
        first=str(rows["period"].min()),
        last=str(rows["period"].max()),
        n=len(rows),
        facilities=rows["facility_code"].nunique(),
    )


def _results_provenance(
    parts: Parts, figure: str, caption: str, rows: pd.DataFrame, url: str, parameters: dict[str, str]
) -> Provenance:
    """The methods and parameter families of the stored results behind ``rows`` (their own snapshots)."""
    ids = tuple(sorted(set(rows["version_id"].astype(int).tolist())))
    if ids not in parts.behind:  # several figures rest on the same months: read their methods once
        parts.behind[ids] = result_methods.behind(parts.session, ids)
    found = parts.behind[ids]
    methods = []
    for method, count in found.methods:
        known = METHODS.get(method)
        name = (known.name_zh if parts.lang == "zh" else known.name_en) if known else method
        methods.append(f"{name} ({count})")
    families = []
    for use in found.parameters:
        title = family_title(parts.params, use.family, parts.lang)
        editions = f" {'/'.join(use.editions)}" if use.editions else ""
        families.append(f"{title}{editions} [{use.family} {parameters.get(use.family, '')[:12]}]")
    return Provenance(figure, caption, methods, families, _months_text(rows, parts.lang), url)


def _rule_provenance(
    parts: Parts,
    figure: str,
    caption: str,
    method: str,
    prefixes: tuple[str, ...],
    months: str,
    url: str,
    parameters: dict[str, str],
) -> Provenance:
    families = [
        f"{family_title(parts.params, name, parts.lang)} [{name} {digest[:12]}]"
        for name, digest in parameters.items()
        if name.startswith(prefixes)
    ]
    return Provenance(figure, caption, [method], families, months, url)


# ---------------------------------------------------------------- 一、排放与能源


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
        cells = [Cell(t(f"figure.{figure}", lang)), Cell(unit_word(unit, lang)), _q(a, unit, lang), _q(b, unit, lang)]
        cells.append(Cell(pct(trends.change_pct(a, b))))
        if month:
            c = bd.total(last_month, figure)
            d, e = bd.total(to_date, figure), bd.total(to_date_before, figure)
            cells += [_q(c, unit, lang), Cell(pct(trends.change_pct(a, c))), _q(d, unit, lang), _q(e, unit, lang)]
            cells.append(Cell(pct(trends.change_pct(d, e))))
        table_rows.append(cells)
    figure_id = parts.next_figure()
    caption = t("f.main", lang)
    note = t("f.main_note", lang) + (t("f.partial_note", lang, month=counted_to) if partial else "")
    blocks.append(Table(figure_id, caption, head, table_rows, note))
    window = rows[(rows["year"] >= year - 1)]
    provenance.append(
        _results_provenance(
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
        _results_provenance(
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
                _q(em.value, "tCO2e", lang),
                Cell(pct(em.yoy_pct)),
                Cell(pct(em.mom_pct)),
                _q(en.value if en else None, "tce", lang),
                Cell(pct(en.yoy_pct if en else None)),
                Cell(pct(en.mom_pct if en else None)),
                Cell(str(em.facility_months), float(em.facility_months)),
            ]
        )
    figure_id = parts.next_figure()
    caption = t("f.monthly", lang, year=year)
    blocks.append(Table(figure_id, caption, head, monthly_rows))
    provenance.append(
        _results_provenance(
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
                _q(a, "tCO2e", lang),
                _q(b, "tCO2e", lang),
                Cell(pct(trends.change_pct(a, b))),
                _q(g, "tce", lang),
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
        _results_provenance(
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


def _q(value: float | None, unit: str, lang: str) -> Cell:
    """A number in the shown unit (the unit is in the column's header or the row's unit cell)."""
    if value is None:
        return Cell("—")
    return Cell(quantity(value, unit, "total", lang)[0], float(value) * factor_of(unit, "total", lang))


# ---------------------------------------------------------------- 二、目标


def plan_for(session: Session, params: ParameterSet, region: Region) -> str | None:
    """The region's province's plan with the most targets (the overview's first choice); a city takes its
    province's (the nearest region above it that names its province)."""
    found: Region | None = region
    while found is not None and not found.grid_province:
        found = session.get(Region, found.parent_id) if found.parent_id is not None else None
    grid = ((found.grid_province if found is not None else "") or "").lower()
    plans = [p for p in params.plans.values() if p.region.lower() == grid]
    plans.sort(key=lambda p: (-len(p.targets), p.id))
    return plans[0].id if plans else None


def targets(parts: Parts, parameters: dict[str, str]) -> tuple[Section, list[Provenance], str]:
    lang = parts.lang
    plan = plan_for(parts.session, parts.params, parts.region)
    figure_id = parts.next_figure()
    caption = t("f.targets", lang)
    if plan is None or parts.prepared is None:
        section = Section(t("s.targets", lang), [Paragraph(t("no_plan", lang), emphasis=True)])
        return section, [], sha256(None)
    title = parts.params.plans[plan].shown_title(lang)
    try:
        evaluations = [
            e.as_dict()
            for e in evaluate_plan(
                plan,
                parts.facts,
                region=parts.region.code,
                year=parts.year,
                params=parts.params,
                benchmark_edition=parts.edition,
                options=parts.options,
                prepared=parts.prepared,
            )
        ]
    except CarbonpeakError as exc:
        section = Section(t("s.targets", lang), [Paragraph(exc.text(lang), emphasis=True)])
        return section, [], sha256(str(exc))
    head = [t("col.target", lang), t("col.goal", lang), t("col.value", lang), t("col.status", lang)]
    out = []
    for e in evaluations:
        text = (e.get("indicator_text_zh") or e["indicator_text"]) if lang == "zh" else e["indicator_text"]
        goal = f"{e['comparator']} {e['target']}{e['unit'] or ''} ({e['target_year']})"
        value = "—" if e["value"] is None else f"{number(e['value'], None, lang)}{e['unit'] or ''} ({e['year']})"
        out.append([Cell(str(text)), Cell(goal), Cell(value, e["value"]), Cell(t(f"target.{e['status']}", lang))])
    blocks: list[Any] = [Paragraph(t("plan", lang, plan=title)), Table(figure_id, caption, head, out)]
    provenance = [
        _rule_provenance(
            parts,
            figure_id,
            caption,
            title,
            ("indicators", "targets"),
            _months_text(parts.rows, lang),
            link("/overview", region=parts.region.code, year=parts.year, plan=plan),
            parameters,
        )
    ]
    digest = sha256([[e["id"], e["status"], e["value"], e["year"]] for e in evaluations])
    return Section(t("s.targets", lang), blocks), provenance, digest


# ---------------------------------------------------------------- 三、能效标杆与退出


def benchmark(parts: Parts, parameters: dict[str, str]) -> tuple[Section, list[Provenance], str]:
    lang, year = parts.lang, parts.year
    years = ind.facility_year_frame(parts.rows) if not parts.rows.empty else pd.DataFrame()
    chosen = years[(years["year"] == year) & (years["product"].fillna("") != "")] if not years.empty else years
    counts = []
    problems = []
    for product, group in chosen.groupby("product", sort=True) if not chosen.empty else []:
        try:
            table, _shares, _cited = classify_facilities(group, parts.params, edition=parts.edition)
        except CarbonpeakError as exc:
            problems.append(f"{product_word(str(product), lang)}: {exc.text(lang)}")
            continue
        found = table["class"].value_counts()
        counts.append(
            [Cell(product_word(str(product), lang))]
            + [Cell(str(int(found.get(c.value, 0))), float(found.get(c.value, 0))) for c in BenchmarkClass]
        )
    head = [t("col.product", lang)] + [c.label_zh if lang == "zh" else c.label_en for c in BenchmarkClass]
    figure_id = parts.next_figure()
    caption = t("f.classes", lang, year=year)
    blocks: list[Any] = [
        Table(figure_id, caption, head, counts, "；".join(problems) if lang == "zh" else "; ".join(problems))
    ]
    url = link("/benchmark", year=year)
    months = _months_text(parts.rows[parts.rows["year"] == year], lang)
    provenance = [
        _rule_provenance(parts, figure_id, caption, t("m.classes", lang), ("benchmarks",), months, url, parameters)
    ]
    exits = below_baseline(chosen, parts.params, parts.edition) if not chosen.empty else pd.DataFrame()
    listing = [
        [
            Cell(str(r["facility_code"])),
            Cell(product_word(str(r["product"]), lang)),
            Cell(number(r["unit_consumption"], 1, lang), float(r["unit_consumption"])),
            Cell(number(r["baseline_level"], 1, lang)),
            Cell(str(r["unit"])),
            Cell(str(r["must_act_by"])),
        ]
        for r in (exits.to_dict("records") if not exits.empty else [])
    ]
    figure_id = parts.next_figure()
    caption = t("f.exits", lang, year=year)
    head = [
        t("col.facility", lang),
        t("col.product", lang),
        t("col.unit_consumption", lang),
        t("col.baseline", lang),
        t("col.unit", lang),
        t("col.must_act_by", lang),
    ]
    blocks.append(Table(figure_id, caption, head, listing, "" if listing else t("no_exits", lang)))
    provenance.append(
        _rule_provenance(
            parts,
            figure_id,
            caption,
            t("m.exits", lang),
            ("benchmarks", "capacity"),
            months,
            link("/benchmark", year=year, below_baseline=1),
            parameters,
        )
    )
    digest = sha256([[r[0].text for r in counts], [[c.text for c in r] for r in listing], problems])
    return Section(t("s.benchmark", lang), blocks), provenance, digest


# ---------------------------------------------------------------- 四、报送


def reporting(parts: Parts) -> tuple[Section, list[Provenance], str]:
    lang, year, month = parts.lang, parts.year, parts.month
    first = f"{year:04d}-{(month or 1):02d}"
    last = f"{year:04d}-{(month or 12):02d}"
    found = reporting_status.matrix(
        parts.session, parts.who, today=parts.as_of, region=parts.region.code, first=first, last=last
    )
    states = sorted({s for counts in found.counts.values() for s in counts})
    head = [t("col.month", lang)] + [reporting_status.state_text(s, lang) for s in states]
    rows = [
        [Cell(period)]
        + [Cell(str(found.counts[period].get(s, 0)), float(found.counts[period].get(s, 0))) for s in states]
        for period in found.periods
    ]
    figure_id = parts.next_figure()
    caption = t("f.reporting", lang)
    table = Table(figure_id, caption, head, rows, t("reporting_note", lang, as_of=parts.as_of.isoformat()))
    provenance = [
        Provenance(
            figure_id,
            caption,
            [t("m.reporting", lang)],
            [],
            f"{first} — {last}",
            link("/reporting-status", region=parts.region.code),
        )
    ]
    digest = sha256({p: found.counts[p] for p in found.periods})
    return Section(t("s.reporting", lang), [table]), provenance, digest


# ---------------------------------------------------------------- 五、预警


def warnings(parts: Parts) -> tuple[Section, list[Provenance], str]:
    lang = parts.lang
    codes = set(parts.states["facility_code"]) if not parts.states.empty else set()
    query = select(Warning).where(access.warning_filter(parts.who), Warning.status != "closed")
    found = [
        w
        for w in parts.session.scalars(query.order_by(Warning.id))
        if w.facility_code in codes or (w.facility_code is None and w.region == parts.region.code)
    ]
    by = pd.Series([w.severity for w in found], dtype=object).value_counts()
    figure_id = parts.next_figure()
    caption = t("f.warnings", lang)
    head = [t("col.severity", lang), t("col.count", lang)]
    counts = [
        [Cell(t(f"severity.{s}", lang)), Cell(str(int(by.get(s, 0))), float(by.get(s, 0)))]
        for s in ("high", "medium", "low")
    ]
    blocks: list[Any] = [Table(figure_id, caption, head, counts)]
    order = {"high": 0, "medium": 1, "low": 2}
    top = sorted(found, key=lambda w: (order.get(w.severity, 3), w.id))[:15]
    figure_id_2 = parts.next_figure()
    caption_2 = t("f.warning_list", lang)
    head = [
        t("col.severity", lang),
        t("col.facility", lang),
        t("col.month", lang),
        t("col.warning", lang),
        t("col.deadline", lang),
    ]
    listing = [
        [
            Cell(t(f"severity.{w.severity}", lang)),
            Cell(w.facility_code or "—"),
            Cell(w.period or "—"),
            Cell(w.message_zh if lang == "zh" else w.message_en),
            Cell(w.deadline.isoformat() if w.deadline else "—"),
        ]
        for w in top
    ]
    blocks.append(Table(figure_id_2, caption_2, head, listing, t("warnings_note", lang, n=len(found), shown=len(top))))
    url = link("/warnings")
    provenance = [
        Provenance(figure_id, caption, [t("m.warnings", lang)], [], t("prov.open_warnings", lang, n=len(found)), url),
        Provenance(
            figure_id_2, caption_2, [t("m.warnings", lang)], [], t("prov.open_warnings", lang, n=len(found)), url
        ),
    ]
    digest = sha256([[w.id, w.status, w.severity, w.deadline] for w in found])
    return Section(t("s.warnings", lang), blocks), provenance, digest


# ---------------------------------------------------------------- 六、两高项目


def projects(parts: Parts) -> tuple[Section, list[Provenance], str]:
    from carbonpeak.services.projects import list_projects

    lang = parts.lang
    province = (parts.region.grid_province or "") if parts.region.level == "province" else None
    try:
        found = list_projects(parts.session, parts.who, province=province) if province is not None else []
    except CarbonpeakError:
        found = []
    if parts.region.level != "province":
        codes = set(parts.states["facility_code"]) if not parts.states.empty else set()
        found = [p for p in list_projects(parts.session, parts.who) if p.facility_code in codes]
    table: dict[tuple[str, str], int] = {}
    for p in found:
        key = (p.status, p.classification or "none")
        table[key] = table.get(key, 0) + 1
    figure_id = parts.next_figure()
    caption = t("f.projects", lang)
    head = [
        t("col.project_status", lang),
        t("col.review", lang),
        t("col.count", lang),
        with_unit(t("col.capacity", lang), "t/a", lang),
    ]
    rows = []
    for (status, review), n in sorted(table.items()):
        capacity = sum(
            p.net_new_capacity_t_per_a for p in found if (p.status, p.classification or "none") == (status, review)
        )
        rows.append(
            [
                Cell(t(f"project.{status}", lang)),
                Cell(t(f"review.{review}", lang)),
                Cell(str(n), float(n)),
                _q(capacity, "t/a", lang),
            ]
        )
    blocks: list[Any] = [Table(figure_id, caption, head, rows, "" if rows else t("no_projects", lang))]
    provenance = [
        Provenance(
            figure_id, caption, [t("m.projects", lang)], [], t("prov.projects", lang, n=len(found)), link("/projects")
        )
    ]
    digest = sha256([[p.code, p.version, p.status, p.classification, p.reviewed_version] for p in found])
    return Section(t("s.projects", lang), blocks), provenance, digest


# ---------------------------------------------------------------- 七、达峰路径


def pathways(parts: Parts, scenario_path: Path, draws: int) -> tuple[Section, list[Provenance], str]:
    """The probability of peaking: the pathways page's run of the scenario on the region's plant stock
    (:func:`carbonpeak.services.pathways.stock_of`, :func:`carbonpeak.pathways.run.run`) and its
    :func:`~carbonpeak.pathways.run.peak_summary`, without the wedges the page adds."""
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource
    from carbonpeak.pathways.regional import for_stock
    from carbonpeak.pathways.scenario import Uncertainty, load_scenario
    from carbonpeak.services import pathways as service

    lang = parts.lang
    figure_id = parts.next_figure()
    caption = t("f.peak", lang)
    try:
        access.require(parts.who, "pathways.view")
        scenario = load_scenario(scenario_path)
        scenario = scenario.model_copy(
            update={
                "region": parts.region.code,
                "uncertainty": Uncertainty(draws=draws, seed=scenario.uncertainty.seed),
            }
        )
        stock, fingerprint = service.stock_of(parts.session, _STOCKS, scenario, parts.params)
        scenario = for_stock(scenario, stock).scenario
        result = pr.run(scenario, stock, ParamSource(live=parts.params))
    except (CarbonpeakError, OSError) as exc:
        text = exc.text(lang) if isinstance(exc, CarbonpeakError) else str(exc)
        return (
            Section(t("s.pathways", lang), [Paragraph(t("no_pathways", lang, reason=text), emphasis=True)]),
            [],
            sha256(text),
        )
    peak = pr.peak_summary(result)
    rows = [
        [Cell(t("peak.by", lang, year=y)), Cell(f"{p * 100:.1f}%", p)] for y, p in sorted(peak["p_peaked_by"].items())
    ]
    median = peak["peak_year"].get("p50")
    rows.append([Cell(t("peak.year", lang)), Cell(number(median, 0, lang) if median is not None else "—", median)])
    rows.append(
        [
            Cell(t("peak.no_peak", lang)),
            Cell(f"{peak['no_peak_within_horizon'] * 100:.1f}%", peak["no_peak_within_horizon"]),
        ]
    )
    level = peak["peak_level_tco2e"].get("p50")
    rows.append([Cell(t("peak.level", lang)), Cell(qty(level, "tCO2e", lang), level)])
    head = [t("col.item", lang), t("col.value", lang)]
    note = t("peak_note", lang, scenario=scenario.id, draws=draws, seed=scenario.uncertainty.seed)
    provenance = [
        Provenance(
            figure_id,
            caption,
            [t("m.pathways", lang, scenario=scenario.id)],
            [],
            t("prov.stock", lang, fingerprint=fingerprint[:12]),
            link("/pathways", region=parts.region.code),
        )
    ]
    digest = sha256([scenario.content_hash(), draws, fingerprint, result.digest()])
    return Section(t("s.pathways", lang), [Table(figure_id, caption, head, rows, note)]), provenance, digest


class _Kept:
    """The plant stocks last read, by the store's data state (the key says it): a report made again on
    unchanged data does not read the stock again, as the pathways page keeps it in the app's cache."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.items: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.items:
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.pop(next(iter(self.items)))
        return value


_STOCKS = _Kept()


# ---------------------------------------------------------------- all of them


def all_sections(parts: Parts, scenario: Path, draws: int) -> tuple[list[Section], list[Provenance], dict[str, str]]:
    from carbonpeak.services.reports_state import frame_digest, parameters_part

    parameters = parameters_part(parts.params)
    sections: list[Section] = []
    provenance: list[Provenance] = []
    digests: dict[str, str] = {}
    section, found = emissions_and_energy(parts, parameters)
    sections.append(section)
    provenance += found
    makers: tuple[tuple[str, Callable[[], tuple[Section, list[Provenance], str]]], ...] = (
        ("targets", lambda: targets(parts, parameters)),
        ("benchmark", lambda: benchmark(parts, parameters)),
        ("reporting", lambda: reporting(parts)),
        ("warnings", lambda: warnings(parts)),
        ("projects", lambda: projects(parts)),
        ("scenario", lambda: pathways(parts, scenario, draws)),
    )
    for name, make in makers:
        section, found, digest = make()
        sections.append(section)
        provenance += found
        digests[name] = digest
    statistics = parts.prepared.statistics if parts.prepared is not None else None
    digests["statistics"] = frame_digest(statistics)
    registry_columns = [
        c
        for c in ("facility_code", "enterprise_code", "sector", "product", "capacity_t_per_a", "city_code")
        if c in parts.rows.columns
    ]
    digests["registry"] = frame_digest(parts.rows.drop_duplicates(["facility_code", "period"]), registry_columns)
    return sections, provenance, digests
