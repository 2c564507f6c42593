"""What the ETS annual report and the deposit receipt share: their texts (``ets.r.*`` in
``messages/ets_report.yaml``), number cells, the title page's enterprise facts and the frame's labels."""

from __future__ import annotations

from typing import Any

from carbonpeak import messages
from carbonpeak.ets.config import Config, Item
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


def fuel_name(code: str, lang: str) -> str:
    from carbonpeak.vocabulary import FUELS

    fuel = FUELS.get(code)
    return (fuel.zh if lang == "zh" else fuel.en) if fuel else code


def unit_of(item: Item, fuel: str, lang: str) -> str:
    """An item's unit as shown: a fuel's own unit (t or 10^4 Nm3) for its amount and NCV, else the item's."""
    from carbonpeak.vocabulary import FUELS

    if item.unit == "per fuel":
        found = FUELS.get(fuel)
        amount = {"wan_Nm3": "万Nm3" if lang == "zh" else "10^4 Nm3"}.get(found.unit, found.unit) if found else "—"
        return amount if item.key == "fuel_consumption" else f"GJ/{amount}"
    return item.unit_zh if lang == "zh" and item.unit_zh else item.unit


def key_label(key: str, cfg: Config, lang: str) -> str:
    """``AL03:fuel_consumption:natural_gas`` as a person reads it: 'AL03 · 化石燃料消耗量（天然气）'."""
    parts = key.split(":")
    facility, name = parts[0], parts[1] if len(parts) > 1 else ""
    item = cfg.item(name)
    text = item.label(lang) if item else t(f"figure.{name}", lang) if messages.known(f"ets.r.figure.{name}") else name
    if len(parts) > 2:
        text += f"（{fuel_name(parts[2], lang)}）" if lang == "zh" else f" ({fuel_name(parts[2], lang)})"
    return f"{facility} · {text}"


def sep(lang: str) -> str:
    """The separator of a list in running text."""
    return "；" if lang == "zh" else "; "
