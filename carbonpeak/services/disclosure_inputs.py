"""What both disclosure sections read: the enterprise (access first), its counted facility-months of the
year and the year before with their results' parts, the month states (provisional or final), the data
state, and the provenance rows of the figures (the stored results' methods and parameter snapshots).

The figures are the same stored results the other reports sum (:func:`carbonpeak.store.facts.facility_months`
restricted to the enterprise's facilities); :mod:`carbonpeak.disclosure.figures` does the arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.engine.methods import METHODS
from carbonpeak.errors import AccessDenied, InputError, NotFound
from carbonpeak.parameters import ParameterSet
from carbonpeak.reports import state as report_state
from carbonpeak.reports.document import Cell, Document, Provenance, Section
from carbonpeak.services import access, reports_parts, reports_state
from carbonpeak.services.access import Principal
from carbonpeak.services.reports_monitoring import NOT_FINAL, Asked
from carbonpeak.store import result_methods
from carbonpeak.store.coverage import month_states
from carbonpeak.store.disclosure.reads import PARTS, result_parts
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Enterprise, Facility, Region
from carbonpeak.store.parameters import parameter_set


def t(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"disclosure.r.{code}", lang, params)


@dataclass
class Inputs:
    session: Session
    enterprise: Enterprise
    region: Region | None
    year: int
    lang: str
    as_of: dt.date
    params: ParameterSet
    rows: pd.DataFrame  # counted facility-months of the year and the year before, with the result parts
    states: pd.DataFrame  # their month states
    facilities: dict[str, Facility]  # code -> facility (the enterprise's, in code order)
    parameters: dict[str, str]  # family -> fingerprint
    provisional: list[str]  # why the report is provisional (empty: final)


def enterprise_in_scope(session: Session, who: Principal, code: str) -> Enterprise:
    """The enterprise, if in the person's scope; else *not found* (nothing of it is revealed)."""
    try:
        return access.get_enterprise(session, who, code)
    except (NotFound, AccessDenied):
        raise NotFound(code="reports.not_found") from None


def read(session: Session, who: Principal, asked: Asked) -> Inputs:
    access.require(who, "report.enterprise.view")
    enterprise = enterprise_in_scope(session, who, asked.enterprise)
    if not asked.period.isdigit() or len(asked.period) != 4:
        raise InputError(code="reports.bad_period", field="period", value=asked.period, period=asked.period)
    year = int(asked.period)
    as_of = asked.as_of or dt.date.today()
    if as_of <= dt.date(year, 12, 31):
        raise InputError(code="reports.period_not_due", field="period", period=asked.period, as_of=as_of.isoformat())
    facilities = {
        f.code: f
        for f in session.scalars(
            select(Facility).where(Facility.enterprise_id == enterprise.id).order_by(Facility.code)
        )
    }
    codes = sorted(facilities)
    first, last = f"{year - 1:04d}-01", f"{year:04d}-12"
    facts = facility_months(session, facility_codes=codes) if codes else pd.DataFrame()
    states = month_states(session, as_of=as_of, facility_codes=codes) if codes else pd.DataFrame()
    if facts.empty or facts[facts["year"] == year].empty:
        raise InputError(code="disclosure.no_data", field="period", enterprise=enterprise.code, year=year)
    facts = facts[(facts["period"] >= first) & (facts["period"] <= last)].reset_index(drop=True)
    states = states[(states["period"] >= first) & (states["period"] <= last)].reset_index(drop=True)
    parts = result_parts(session, facts["version_id"].tolist())
    rows = facts.merge(parts, on="version_id", how="left")
    for name in PARTS:
        rows[name] = pd.to_numeric(rows[name], errors="coerce")
    lang = asked.lang if asked.lang in messages.LANGS else messages.DEFAULT_LANG
    params = parameter_set(session)
    region = session.get(Region, enterprise.region_id) if enterprise.region_id else None
    return Inputs(
        session=session,
        enterprise=enterprise,
        region=region,
        year=year,
        lang=lang,
        as_of=as_of,
        params=params,
        rows=rows,
        states=states,
        facilities=facilities,
        parameters=reports_state.parameters_part(params),
        provisional=_not_final(states, year, lang),
    )


def _not_final(states: pd.DataFrame, year: int, lang: str) -> list[str]:
    if states.empty:
        return []
    chosen = states[(states["year"] == year) & states["state"].isin(NOT_FINAL)]
    return [
        reports_parts.t(f"not_final.{state}", lang, period=str(period), n=len(group))
        for (period, state), group in chosen.groupby(["period", "state"], sort=True)
    ]


def data_state(inputs: Inputs, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The months of both years (facility, month, version, state), the parameter fingerprints, the day
    judged on and the section's other inputs (``extra``: e.g. the allowance statement's version)."""
    facts = inputs.rows.drop(columns=[*list(PARTS), "method"], errors="ignore")
    months = reports_state.months_part(facts, inputs.states, f"{inputs.year - 1:04d}-01", f"{inputs.year:04d}-12")
    return reports_state.made_state(
        kind=kind,
        region=inputs.region.code if inputs.region is not None else "",
        period=str(inputs.year),
        lang=inputs.lang,
        as_of=inputs.as_of,
        edition=None,
        months=months,
        parameters=inputs.parameters,
        digests={"enterprise": inputs.enterprise.code, **extra},
    )


def provenance(inputs: Inputs, figure: str, caption: str, rows: pd.DataFrame, url: str) -> Provenance:
    """The methods and parameter families of the stored results behind ``rows`` (their own snapshots)."""
    lang = inputs.lang
    found = result_methods.behind(inputs.session, rows["version_id"].astype(int).tolist())
    methods = []
    for method, count in found.methods:
        known = METHODS.get(method)
        name = (known.name_zh if lang == "zh" else known.name_en) if known else method
        methods.append(f"{name} ({count})")
    families = [
        f"{reports_parts.family_title(inputs.params, use.family, lang)}"
        f"{' ' + '/'.join(use.editions) if use.editions else ''} "
        f"[{use.family} {inputs.parameters.get(use.family, '')[:12]}]"
        for use in found.parameters
    ]
    return Provenance(figure, caption, methods, families, reports_parts.months_text(rows, lang), url)


def tonnes(value: float | None) -> Cell:
    """t CO2e as the disclosure guidelines state them (whole tonnes)."""
    return Cell("—") if value is None else Cell(f"{value:,.0f}", float(value))


def pct(value: float | None) -> Cell:
    return Cell("—") if value is None else Cell(f"{value:+.1f}%", float(value))


def words_of_state(state: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The data state in words (the appendix): months per state, corrected versions, parameters, the day."""
    counts: dict[str, int] = {}
    for _f, _p, _v, month_state in state["months"]:
        counts[month_state] = counts.get(month_state, 0) + 1
    sep = "；" if lang == "zh" else "; "
    rt = reports_parts.t
    months = state["months"]
    corrected = sep.join(f"{f}@{p} v{v}" for f, p, v, s in months if s in ("counted", "waiting") and v > 1)
    return [
        (rt("ds.window", lang), f"{int(state['period']) - 1}-01 — {state['period']}-12"),
        (rt("ds.months", lang), sep.join(f"{rt(f'state.{s}', lang)} {n}" for s, n in sorted(counts.items()))),
        (rt("ds.corrected", lang), corrected or rt("ds.none", lang)),
        (rt("ds.parameters", lang), sep.join(f"{k} {v[:12]}" for k, v in state["parameters"].items())),
        (
            t("ds.inputs", lang),
            sep.join(f"{k} {str(state[k])[:16]}" for k in ("enterprise", "allowance") if k in state),
        ),
        (rt("ds.as_of", lang), str(state["as_of"])),
        (rt("ds.fingerprint", lang), report_state.fingerprint(state)),
    ]


def title_facts(inputs: Inputs, fingerprint: str) -> list[tuple[str, str]]:
    lang = inputs.lang
    name = inputs.enterprise.name_zh if lang == "zh" else (inputs.enterprise.name_en or inputs.enterprise.name_zh)
    status = "status.provisional" if inputs.provisional else "status.final"
    code = inputs.enterprise.code
    return [
        (t("fact.enterprise", lang), f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"),
        (reports_parts.t("fact.period", lang), reports_parts.t("period_year", lang, year=inputs.year)),
        (reports_parts.t("fact.as_of", lang), inputs.as_of.isoformat()),
        (reports_parts.t("fact.status", lang), reports_parts.t(status, lang)),
        (reports_parts.t("fact.state", lang), fingerprint),
    ]


def change_pct(this_year: float | None, last_year: float | None) -> Cell:
    """Year on year in per cent (an increase positive), as the other reports show 同比."""
    if this_year is None or not last_year:
        return Cell("—")
    return pct((this_year - last_year) / last_year * 100.0)


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


def document(
    inputs: Inputs,
    kind: str,
    title: str,
    sections: list[Section],
    prov: list[Provenance],
    state: dict[str, Any],
    base_url: str,
) -> Document:
    """The report's document: the engine's frame (title page, provisional notice, appendices)."""
    fingerprint = report_state.fingerprint(state)
    lang = inputs.lang
    name = inputs.enterprise.name_zh if lang == "zh" else (inputs.enterprise.name_en or inputs.enterprise.name_zh)
    return Document(
        kind=kind,
        lang=lang,
        title=title,
        subtitle=t("subtitle", lang, enterprise=name, year=inputs.year),
        made_on=inputs.as_of,
        labels={k: messages.render(f"reports.label.{k}", lang) for k in _LABELS},
        facts=title_facts(inputs, fingerprint),
        sections=sections,
        provenance=prov,
        data_state=words_of_state(state, lang),
        provisional=bool(inputs.provisional),
        provisional_reasons=inputs.provisional,
        fingerprint=fingerprint,
        base_url=base_url,
    )


def facility_name(facility: Facility, lang: str) -> str:
    name = facility.name_zh if lang == "zh" else (facility.name_en or facility.name_zh)
    return f"{name}（{facility.code}）" if lang == "zh" else f"{name} ({facility.code})"
