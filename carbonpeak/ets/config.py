"""The monthly deposit's configuration (``carbonpeak/ets/deposit.yaml``): its items, the enterprise's and
the city's deadlines, the tolerance against the month's report and the evidence limits. The file says its
source and what was not found (the aluminium-specific list of CETS—AG—04.01—V01—2024); it is read strictly:
a missing or mistyped entry is an error naming it, never a silent default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from carbonpeak.errors import ParameterFileError


@dataclass(frozen=True)
class Item:
    key: str
    zh: str
    en: str
    unit: str
    field: str  # the monthly report's field it is prefilled from ('' none; 'fuels' one value per fuel line)
    basis: str  # generic (the sourced generic regime) or platform (carbonpeak's own choice)
    evidence: bool  # a supporting file is required to deposit
    unit_zh: str = ""  # the unit in Chinese where it differs ('' the same)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Config:
    edition: str
    valid_from: dt.date
    last_reviewed: dt.date
    source: dict[str, str]
    enterprise_days: int
    district_review_days: int
    city_review_days: int
    report_tolerance_pct: float
    max_bytes: int
    max_files_per_item: int
    suffixes: tuple[str, ...]
    items: tuple[Item, ...]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)


def _need(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data or not isinstance(data[key], kind) or (isinstance(data[key], bool) and kind is not bool):
        raise ParameterFileError(f"{where}: '{key}' missing or not {kind}")
    return data[key]


def parse(data: dict[str, Any], where: str = "deposit.yaml") -> Config:
    """The configuration from the file's content; every entry checked."""
    deadlines = _need(data, "deadlines", dict, where)
    evidence = _need(data, "evidence", dict, where)
    source = _need(data, "source", dict, where)
    for key in ("document", "found_in", "note"):
        _need(source, key, str, f"{where} source")
    items = []
    for n, raw in enumerate(_need(data, "items", list, where), start=1):
        at = f"{where} items[{n}]"
        basis = _need(raw, "basis", str, at)
        if basis not in ("generic", "platform"):
            raise ParameterFileError(f"{at}: basis must be generic or platform")
        items.append(
            Item(
                key=_need(raw, "key", str, at),
                zh=_need(raw, "zh", str, at),
                en=_need(raw, "en", str, at),
                unit=_need(raw, "unit", str, at),
                field=_need(raw, "field", str, at),
                basis=basis,
                evidence=_need(raw, "evidence", bool, at),
                unit_zh=str(raw.get("unit_zh") or ""),
            )
        )
    if len({i.key for i in items}) != len(items):
        raise ParameterFileError(f"{where}: an item key is given twice")
    return Config(
        edition=str(_need(data, "edition", str, where)),
        valid_from=_need(data, "valid_from", dt.date, where),
        last_reviewed=_need(data, "last_reviewed", dt.date, where),
        source={k: str(v) for k, v in source.items()},
        enterprise_days=int(_need(deadlines, "enterprise_days_after_month_end", int, where)),
        district_review_days=int(_need(deadlines, "district_review_days", int, where)),
        city_review_days=int(_need(deadlines, "city_review_days_after_month_end", int, where)),
        report_tolerance_pct=float(_need(data, "report_tolerance_pct", (int, float), where)),
        max_bytes=int(_need(evidence, "max_bytes", int, where)),
        max_files_per_item=int(_need(evidence, "max_files_per_item", int, where)),
        suffixes=tuple(str(s).lower() for s in _need(evidence, "suffixes", list, where)),
        items=tuple(items),
    )


def load(path: Path | None = None) -> Config:
    """The shipped configuration (or the file given)."""
    if path is not None:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    return _shipped()


@cache
def _shipped() -> Config:
    text = (resources.files("carbonpeak.ets") / "deposit.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))
