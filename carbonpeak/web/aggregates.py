"""How pages say what an aggregate rests on: its coverage (facility-months counted, held out, waiting,
unverified, missing), the months a year's figures span (1–9月累计) and the comparison with the same months
of the year before; texts from the message catalog (carbonpeak/messages/aggregates.yaml) in the
reader's language."""

from __future__ import annotations

from typing import Any

from carbonpeak import messages
from carbonpeak.indicators.coverage import STATES, Coverage, YearPeriod
from carbonpeak.web import display, i18n


def _text(code: str, **params: Any) -> str:
    return messages.render(code, i18n.current_lang(), params)


def title() -> str:
    return _text("aggregates.coverage.title")


def by_title() -> str:
    return _text("aggregates.coverage.by")


def state_names() -> list[str]:
    """The column heads of a coverage table, in the order of ``Coverage.as_dict``."""
    return [_text(f"aggregates.state.{state}") for state in STATES]


def coverage_text(coverage: Coverage | None) -> str:
    """计入 705 个设施月；剔除 0 个 …"""
    return coverage.text(i18n.current_lang()) if coverage is not None else ""


def period_label(period: YearPeriod) -> str:
    """2025年1–9月累计 / 2025 Jan–Sep cumulative; 2024年 for a whole year."""
    return period.label().text(i18n.current_lang())


def short_period(period: YearPeriod) -> str:
    """A chart's axis label: the year, with its months when partial (2025（1–9月）)."""
    if not period.partial:
        return str(period.year)
    return _text("aggregates.period.short", year=period.year, months=period.months_words())


def comparison_text(comparison: dict[str, Any], indicator: str, unit: str = "") -> str:
    """The year before, for a KPI: 上年 … for a whole year; 上年同期（1–9月）… for a partial one; with 同比 %.
    Given the indicator's canonical unit, the value is shown as the page's totals are (2,023.48万吨CO2e)."""
    before = comparison["values"].get(indicator)
    if before is None:
        return ""
    value = display.qty_text(before, unit, "total") if unit else i18n.num(before, 0)
    if comparison["months"] is not None:
        text = _text("aggregates.same_months", months=comparison["months"], value=value)
    else:
        text = _text("aggregates.previous_year", value=value)
    change = comparison["change_pct"].get(indicator)
    if change is not None:
        text += " · " + _text("aggregates.change", change=f"{change:+.1f}%")
    return text


def default_note(asked: bool, period: YearPeriod) -> str:
    """Why this year is shown when none was asked for."""
    if asked:
        return ""
    return _text("aggregates.period.default_complete" if period.complete else "aggregates.period.no_complete_year")


def rule_text(due_day: int) -> str:
    return _text("aggregates.period.rule", due_day=due_day)
