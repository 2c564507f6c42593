"""The sections of the 碳达峰监测报告, each with its figures' provenance and the digest of its inputs.

One function per section; each returns its :class:`~carbonpeak.reports.document.Section`, the
provenance rows of its figures (methods and parameter families behind them, the months, the address of
the platform's page that explains the figure) and, for the inputs that are not facility-months, a
digest for the data state.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting import classify_facilities
from carbonpeak.capacity.exits import below_baseline
from carbonpeak.errors import CarbonpeakError
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.io.display_units import number
from carbonpeak.parameters import ParameterSet
from carbonpeak.reports.document import Cell, Paragraph, Provenance, Section, Table
from carbonpeak.reports.state import sha256
from carbonpeak.services import access, reporting_status
from carbonpeak.services.reports_emissions import emissions_and_energy
from carbonpeak.services.reports_kept import RUNS, STOCKS
from carbonpeak.services.reports_parts import (
    Parts,
    link,
    months_text,
    product_word,
    q_cell,
    qty,
    rule_provenance,
    t,
    with_unit,
)
from carbonpeak.store.models import Region, Warning
from carbonpeak.vocabulary import BenchmarkClass

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
        rule_provenance(
            parts,
            figure_id,
            caption,
            title,
            ("indicators", "targets"),
            months_text(parts.rows, lang),
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
    months = months_text(parts.rows[parts.rows["year"] == year], lang)
    provenance = [
        rule_provenance(parts, figure_id, caption, t("m.classes", lang), ("benchmarks",), months, url, parameters)
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
        rule_provenance(
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
                q_cell(capacity, "t/a", lang),
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


def pathways(
    parts: Parts, scenario_path: Path, draws: int, parameters: dict[str, str]
) -> tuple[Section, list[Provenance], str]:
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
        stock, fingerprint = service.stock_of(parts.session, STOCKS, scenario, parts.params)
        scenario = for_stock(scenario, stock).scenario
        # the same stock, scenario (with its seed) and parameters draw the same run: kept, not drawn again
        key = (fingerprint, scenario.content_hash(), draws, sha256(parameters))
        result = RUNS.get(key, lambda: pr.run(scenario, stock, ParamSource(live=parts.params)))
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


# ---------------------------------------------------------------- all of them


def all_sections(parts: Parts, scenario: Path, draws: int) -> tuple[list[Section], list[Provenance], dict[str, str]]:
    from carbonpeak.services.reports_state import frame_digest, parameters_part
    from carbonpeak.services.reports_synergy import section as synergy_section

    parameters = parameters_part(parts.params)
    sections: list[Section] = []
    provenance: list[Provenance] = []
    digests: dict[str, str] = {}
    section, found = emissions_and_energy(parts, parameters)
    sections.append(section)
    provenance += found
    # in the report's order; a new section is one more entry (its name is its digest's key in the data state)
    makers: tuple[tuple[str, Callable[[], tuple[Section, list[Provenance], str]]], ...] = (
        ("targets", lambda: targets(parts, parameters)),
        ("benchmark", lambda: benchmark(parts, parameters)),
        ("reporting", lambda: reporting(parts)),
        ("warnings", lambda: warnings(parts)),
        ("projects", lambda: projects(parts)),
        ("scenario", lambda: pathways(parts, scenario, draws, parameters)),
        ("synergy", lambda: synergy_section(parts)),  # 减污降碳协同 and the pollutant ledger's digest
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
