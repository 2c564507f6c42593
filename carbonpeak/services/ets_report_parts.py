"""What the ETS annual report and the deposit receipt share: their texts (``ets.r.*`` in
``messages/ets_report.yaml``), number cells, the title page's enterprise facts and the frame's labels."""

from __future__ import annotations

from typing import Any

from carbonpeak import messages
from carbonpeak.reports.document import Cell
from carbonpeak.store.models import Enterprise, Region

FRAME_LABELS = (
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


def t(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"ets.r.{code}", lang, params)


def labels(lang: str, **extra: str) -> dict[str, str]:
    out = {k: messages.render(f"reports.label.{k}", lang) for k in FRAME_LABELS}
    out.update(extra)
    return out


def num(value: float | None, digits: int = 2) -> Cell:
    """A number as shown (thousands separated) with the value behind it; '—' where there is none."""
    if value is None:
        return Cell("—")
    return Cell(f"{value:,.{digits}f}", float(value))


def text(value: str) -> Cell:
    return Cell(value)


def name_of(enterprise: Enterprise, lang: str) -> str:
    return enterprise.name_zh if lang == "zh" else (enterprise.name_en or enterprise.name_zh)


def region_name(region: Region | None, lang: str) -> str:
    if region is None:
        return "—"
    return region.name_zh if lang == "zh" else (region.name_en or region.name_zh)


def enterprise_facts(enterprise: Enterprise, region: Region | None, lang: str) -> list[tuple[str, str]]:
    return [
        (t("fact.enterprise", lang), name_of(enterprise, lang)),
        (t("fact.uscc", lang), enterprise.uscc or "—"),
        (t("fact.region", lang), region_name(region, lang)),
    ]
