"""Unit-consumption indicators defined as data (``io/fields/unit_consumption.csv``): each is a signed sum of
record fields divided by another field, times a scale (铝液交流电耗 = electrolysis_ac_mwh × 1000 / output_t).

The accounting computes them from this one definition, and the month form receives the same definition
(:func:`Ratio.as_data`) to show them live as a person types, so the two cannot drift apart. The first
term of a numerator is required (missing: no figure); later terms count as 0 where missing, as the
accounting has always done for auxiliary and desulphurisation power.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from carbonpeak.engine import energy as en
from carbonpeak.engine._arrays import FloatArray, as_float


@dataclass(frozen=True)
class Ratio:
    indicator: str
    sectors: tuple[str, ...]
    terms: tuple[tuple[int, str], ...]  # (sign, field) of the numerator, the first one required
    denominator: str
    scale: float
    unit: str
    digits: int
    label_zh: str
    label_en: str
    reference: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def as_data(self, lang: str) -> dict[str, Any]:
        """The definition as plain data (the month form's script computes with it)."""
        return {
            "indicator": self.indicator,
            "terms": [{"sign": sign, "field": name} for sign, name in self.terms],
            "denominator": self.denominator,
            "scale": self.scale,
            "unit": self.unit,
            "digits": self.digits,
            "label": self.label(lang),
        }


def _terms(text: str) -> tuple[tuple[int, str], ...]:
    """``a + b - c`` as ((1, a), (1, b), (-1, c))."""
    out: list[tuple[int, str]] = []
    sign = 1
    for token in text.split():
        if token in ("+", "-"):
            sign = 1 if token == "+" else -1
            continue
        out.append((sign, token))
        sign = 1
    return tuple(out)


@cache
def ratios() -> dict[str, Ratio]:
    """Every defined indicator, by name, in file order."""
    text = resources.files("carbonpeak.io.fields").joinpath("unit_consumption.csv").read_text(encoding="utf-8")
    return {
        row["indicator"]: Ratio(
            indicator=row["indicator"],
            sectors=tuple(s for s in row["sectors"].split() if s),
            terms=_terms(row["numerator"]),
            denominator=row["denominator"],
            scale=float(row["scale"]),
            unit=row["unit"],
            digits=int(row["digits"]),
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            reference=row["reference"],
        )
        for row in csv.DictReader(text.splitlines())
    }


def of_sector(sector: str) -> list[Ratio]:
    return [r for r in ratios().values() if sector in r.sectors]


def evaluate(indicator: str, columns: Mapping[str, Any]) -> FloatArray:
    """The indicator over arrays of the fields (a record, a month's records, facility-years); NaN where the
    first term is missing or the denominator is zero.

    u = (Σ sign × field) × scale / denominator     [unit of the indicator]
    """
    ratio = ratios()[indicator]
    sign, first = ratio.terms[0]
    total = sign * as_float(columns[first])
    for sign, name in ratio.terms[1:]:
        total = total + sign * np.nan_to_num(as_float(columns[name]))
    return en.unit_consumption(total, columns[ratio.denominator], ratio.scale)
