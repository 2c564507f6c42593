"""What every section of the 碳达峰监测报告 shares: the figures' inputs (:class:`Parts`), the words of the
report (``reports.cp.*`` in the message catalog), the cockpit's units, and the provenance rows of figures
made of stored results (their methods and parameter snapshots) or of rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak import messages
from carbonpeak.engine.methods import METHODS
from carbonpeak.indicators import definitions as ind
from carbonpeak.io.display_units import factor_of, quantity
from carbonpeak.parameters import ParameterSet
from carbonpeak.reports.document import Cell, Provenance
from carbonpeak.services.access import Principal
from carbonpeak.store import result_methods
from carbonpeak.store.models import Region
from carbonpeak.vocabulary import SECTOR_LABELS, Sector

DIGESTS = (
    "statistics",
    "registry",
    "targets",
    "benchmark",
    "reporting",
    "warnings",
    "projects",
    "scenario",
    "synergy",
)
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


def months_text(rows: pd.DataFrame, lang: str) -> str:
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


def results_provenance(
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
    return Provenance(figure, caption, methods, families, months_text(rows, parts.lang), url)


def rule_provenance(
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


def q_cell(value: float | None, unit: str, lang: str) -> Cell:
    """A number in the shown unit (the unit is in the column's header or the row's unit cell)."""
    if value is None:
        return Cell("—")
    return Cell(quantity(value, unit, "total", lang)[0], float(value) * factor_of(unit, "total", lang))
