"""The green-manufacturing configuration files (``carbonpeak/green/data``): GB/T 36132-2025's groups with their
baseline and leading values (empty where unpublished) and the dynamic-management settings (filing deadlines per
province, the 企业绿码 shares and the configured ranking score), each with its source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _read(name: str) -> dict[str, Any]:
    text = (resources.files("carbonpeak.green") / "data" / name).read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict), name
    return loaded


def standard() -> dict[str, Any]:
    """GB/T 36132-2025 as configured: ``groups`` of ``indicators`` with ``baseline``/``leading`` (None: unpublished)."""
    return _read("gbt36132_2025.yaml")


def dynamic() -> dict[str, Any]:
    return _read("dynamic_management.yaml")


@dataclass(frozen=True)
class Deadline:
    on: dt.date
    source: str
    confidence: str


def deadline(year: int, province_keys: tuple[str, ...]) -> Deadline | None:
    """The filing deadline for year ``year``'s dynamic-management form (a day of year+1) of the first configured
    key among ``province_keys`` (the province's code, its grid province); None when none is configured."""
    table = dynamic()["filing"]["deadlines"]
    for key in province_keys:
        entry = table.get(str(key)) if key else None
        if entry:
            on = dt.date(year + 1, int(entry["month"]), int(entry["day"]))
            return Deadline(on, str(entry["source"]), str(entry.get("confidence", "")))
    return None


def code_shares() -> tuple[tuple[str, float], ...]:
    return tuple((str(g), float(s)) for g, s in dynamic()["green_code"]["grades"])


def score_config() -> tuple[dict[str, float], set[str]]:
    score = dynamic()["green_code"]["score"]
    return {str(k): float(v) for k, v in score["weights"].items()}, {str(x) for x in score["lower_is_better"]}
