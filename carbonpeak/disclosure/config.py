"""The disclosure parameters (``disclosure.yaml`` beside this module): the annual report's due day, the
temporary report's working days and who is obliged, each with its source."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from carbonpeak.disclosure.deadlines import Rule


@dataclass(frozen=True)
class Config:
    rule: Rule
    sectors: tuple[str, ...]
    from_year: int
    sources: dict[str, dict[str, Any]]  # annual_report, temporary_report, obliged -> their source
    notes: dict[str, str]


@cache
def config() -> Config:
    text = (resources.files("carbonpeak.disclosure") / "disclosure.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    annual, temporary, obliged = data["annual_report"], data["temporary_report"], data["obliged"]
    return Config(
        rule=Rule(int(annual["month"]), int(annual["day"]), int(temporary["working_days"])),
        sectors=tuple(str(s) for s in obliged["sectors"]),
        from_year=int(obliged["from_year"]),
        sources={k: dict(data[k]["source"]) for k in ("annual_report", "temporary_report", "obliged")},
        notes={k: str(data[k].get("note", "")).strip() for k in ("annual_report", "temporary_report", "obliged")},
    )
