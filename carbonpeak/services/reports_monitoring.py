"""The 碳达峰监测报告 (monthly and yearly, province or city): its figures, read as the overview cockpit
reads them, arranged as a report document with its data state.

The figures come from the same functions the cockpit's (:mod:`carbonpeak.web.cockpit`,
:mod:`carbonpeak.web.queries`) call: the counted facility-months of the store
(:func:`carbonpeak.store.facts.facility_months`, through the person's scope), summed by
:mod:`carbonpeak.indicators.breakdown` and :mod:`carbonpeak.indicators.trends` (同比, 环比), the plan's
targets by :func:`carbonpeak.indicators.targets.evaluate_plan`, the benchmark classes by
:func:`carbonpeak.accounting.classify_facilities`, the reporting status by
:mod:`carbonpeak.services.reporting_status`, the warnings and projects of the person's scope, and the
peak probability by :func:`carbonpeak.services.pathways.run_on_region`. Nothing is computed here but
arrangement; the sections themselves are :mod:`carbonpeak.services.reports_sections`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.indicators import definitions as ind
from carbonpeak.reports import collection
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Document, Provenance, Section
from carbonpeak.services import access, reports_kept, reports_parts, reports_sections, reports_state
from carbonpeak.services.access import Principal
from carbonpeak.store.facts import facility_months_cached, green_registry
from carbonpeak.store.models import Region
from carbonpeak.store.parameters import parameter_set
from carbonpeak.store.statistics import current_statistics

MONTHLY, YEARLY = "carbon_peak_monthly", "carbon_peak_yearly"
NOT_FINAL = ("waiting", "unverified", "held_out")  # months whose figures may still change


@dataclass(frozen=True)
class Asked:
    """What a report is asked for."""

    kind: str
    region: str  # an enterprise report: its enterprise's region (set when it is made)
    period: str
    lang: str = messages.DEFAULT_LANG
    as_of: dt.date | None = None  # the day the period is judged on; default today
    edition: str | None = "2021"  # the benchmark edition (the board's default)
    scenario: Path | None = None  # the pathways scenario (default: scenarios/plan.yaml of the checkout)
    draws: int = 1000  # the pathways' Monte Carlo draws for the peak probability
    base_url: str = ""
    enterprise: str = ""  # the enterprise an enterprise report is of (services.reports_kinds)


@dataclass
class Made:
    document: Document
    state: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        return report_state.fingerprint(self.state)


def t(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"reports.cp.{code}", lang, params)


def parse_period(kind: str, period: str) -> tuple[int, int | None]:
    """(year, month) of a monthly report's 2025-12, (year, None) of a yearly report's 2025."""
    if kind == MONTHLY and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        return int(period[:4]), int(period[5:7])
    if kind == YEARLY and re.fullmatch(r"\d{4}", period):
        return int(period), None
    raise InputError(code="reports.bad_period", field="period", value=period, period=period)


def period_end(year: int, month: int | None) -> str:
    return f"{year:04d}-{(month or 12):02d}"


def default_scenario() -> Path:
    """scenarios/plan.yaml: ``CARBONPEAK_SCENARIOS_DIR``, else the checkout's, else the working directory's
    (as the pathways page finds it)."""
    import os

    configured = os.environ.get("CARBONPEAK_SCENARIOS_DIR")
    if configured:
        return Path(configured) / "plan.yaml"
    beside = Path(__file__).resolve().parents[2] / "scenarios"
    return (beside if beside.is_dir() else Path.cwd() / "scenarios") / "plan.yaml"


def gather(session: Session, who: Principal, asked: Asked) -> Made:
    """The report's document and data state (access first: the region must be in the person's scope)."""
    with collection.paused():  # no full garbage collections while the figures are made (reports.collection)
        return _gather(session, who, asked)


def _gather(session: Session, who: Principal, asked: Asked) -> Made:
    region = access.get_region(session, who, asked.region)
    year, month = parse_period(asked.kind, asked.period)
    as_of = asked.as_of or dt.date.today()
    end = period_end(year, month)
    if end >= f"{as_of.year:04d}-{as_of.month:02d}":
        raise InputError(code="reports.period_not_due", field="period", period=asked.period, as_of=as_of.isoformat())
    params = parameter_set(session)
    # the whole store's facility-months and month states, kept until the data change (reports_kept): a
    # second report in the web platform's process does not read them again; each is cut to the person's
    # scope and the period here (copies: the kept frames are not changed)
    facts = access.restrict_facts(session, who, facility_months_cached(session))
    states = access.restrict_facts(session, who, reports_kept.kept_month_states(session, params, as_of))
    facts = _until(facts, end)
    states = _until(states, end)
    options = ind.Options(
        params,
        asked.edition,
        statistics=current_statistics(session),
        registry=green_registry(session),
        months=states,
        as_of=as_of,
    )
    try:
        prepared = ind.prepare(facts, region=region.code, options=options)
    except CarbonpeakError:
        prepared = None
    rows = prepared.rows if prepared is not None else facts.iloc[0:0]
    region_states = prepared.states if prepared is not None else states.iloc[0:0]
    if rows.empty or rows[rows["year"] == year].empty:
        raise InputError(code="reports.no_data", field="period", region=region.code, period=asked.period)
    lang = asked.lang if asked.lang in messages.LANGS else messages.DEFAULT_LANG
    parts = reports_parts.Parts(
        session=session,
        who=who,
        region=region,
        year=year,
        month=month,
        lang=lang,
        as_of=as_of,
        params=params,
        edition=asked.edition,
        rows=rows,
        states=region_states,
        prepared=prepared,
        facts=facts,
        options=options,
    )
    sections, provenance, digests = reports_sections.all_sections(
        parts, asked.scenario or default_scenario(), asked.draws
    )
    first = reports_state.window_start(year)
    state = reports_state.made_state(
        kind=asked.kind,
        region=region.code,
        period=asked.period,
        lang=lang,
        as_of=as_of,
        edition=asked.edition,
        months=reports_state.months_part(rows_with_waiting(facts, region_states), region_states, first, end),
        parameters=reports_state.parameters_part(params),
        digests={**digests, "draws": asked.draws},
    )
    fingerprint = report_state.fingerprint(state)
    provisional = _not_final(region_states, year, month, lang)
    document = Document(
        kind=asked.kind,
        lang=lang,
        title=t("title_monthly" if month else "title_yearly", lang),
        subtitle=_subtitle(region, year, month, lang),
        made_on=as_of,
        labels={k: messages.render(f"reports.label.{k}", lang) for k in _LABELS},
        facts=_facts(region, year, month, as_of, lang, fingerprint, provisional),
        sections=sections,
        provenance=provenance,
        data_state=_state_words(state, lang, params),
        provisional=bool(provisional),
        provisional_reasons=provisional,
        fingerprint=fingerprint,
        base_url=asked.base_url,
    )
    return Made(document, state)


_LABELS = (
    "state_short",
    "provisional_mark",
    "provisional_notice",
    "data_state",
    "provenance",
    "figure",
    "methods",
    "parameters",
    "months",
    "how_made",
    "cover_sheet",
)


def _until(frame: pd.DataFrame, end: str) -> pd.DataFrame:
    """The months up to the report period's end (a later month is not the period's)."""
    out = frame[frame["period"].astype(str) <= end]
    out.attrs = dict(frame.attrs)
    return out


def rows_with_waiting(facts: pd.DataFrame, states: pd.DataFrame) -> pd.DataFrame:
    """The region's counted versions, waiting ones too (the data state lists both)."""
    codes = set(states["facility_code"]) if not states.empty else set()
    return facts[facts["facility_code"].isin(codes)]


def _not_final(states: pd.DataFrame, year: int, month: int | None, lang: str) -> list[str]:
    """Why the report is provisional: per month of the period, the facility-months not final."""
    if states.empty:
        return []
    inside = states[states["period"] == period_end(year, month)] if month else states[states["year"] == year]
    chosen = inside[inside["state"].isin(NOT_FINAL)]
    out = []
    for (period, state), group in chosen.groupby(["period", "state"], sort=True):
        out.append(t(f"not_final.{state}", lang, period=str(period), n=len(group)))
    return out


def _subtitle(region: Region, year: int, month: int | None, lang: str) -> str:
    name = region.name_zh if lang == "zh" else (region.name_en or region.name_zh)
    return t("subtitle_monthly" if month else "subtitle_yearly", lang, region=name, year=year, month=month or "")


def _facts(
    region: Region, year: int, month: int | None, as_of: dt.date, lang: str, fingerprint: str, provisional: list[str]
) -> list[tuple[str, str]]:
    name = region.name_zh if lang == "zh" else (region.name_en or region.name_zh)
    period = t("period_month", lang, year=year, month=month) if month else t("period_year", lang, year=year)
    return [
        (t("fact.region", lang), name),
        (t("fact.period", lang), period),
        (t("fact.as_of", lang), as_of.isoformat()),
        (t("fact.status", lang), t("status.provisional" if provisional else "status.final", lang)),
        (t("fact.state", lang), fingerprint),
    ]


def _state_words(state: dict[str, Any], lang: str, params: Any) -> list[tuple[str, str]]:
    months = state["months"]
    counts: dict[str, int] = {}
    periods: dict[str, set[str]] = {}
    for _facility, period, _version, month_state in months:
        counts[month_state] = counts.get(month_state, 0) + 1
        periods.setdefault(period, set()).add(month_state)
    sep = "；" if lang == "zh" else "; "
    by_state = sep.join(f"{t(f'state.{s}', lang)} {n}" for s, n in sorted(counts.items()))
    versions = sep.join(f"{f}@{p} v{v}" for f, p, v, s in months if s in ("counted", "waiting") and v > 1)
    families = sep.join(
        f"{reports_parts.family_title(params, name, lang)} [{name}] {digest[:12]}"
        for name, digest in state["parameters"].items()
    )
    first = months[0][1] if months else "—"
    last = max((m[1] for m in months), default="—")
    return [
        (t("ds.window", lang), f"{min((m[1] for m in months), default=first)} — {last}"),
        (t("ds.months", lang), by_state),
        (t("ds.corrected", lang), versions or t("ds.none", lang)),
        (
            t("ds.earlier", lang),
            t(
                "ds.earlier_text",
                lang,
                n=state["earlier_months"]["count"],
                digest=state["earlier_months"]["sha256"][:12],
            ),
        ),
        (t("ds.parameters", lang), families),
        (
            t("ds.other", lang),
            sep.join(f"{t('part.' + k, lang)} {str(state[k])[:12]}" for k in reports_parts.DIGESTS if k in state),
        ),
        (t("ds.as_of", lang), f"{state['as_of']} · {t('ds.edition', lang)} {state['edition'] or '—'}"),
        (t("ds.fingerprint", lang), report_state.fingerprint(state)),
    ]


__all__ = ["MONTHLY", "YEARLY", "Asked", "Made", "Provenance", "Section", "gather", "parse_period"]
