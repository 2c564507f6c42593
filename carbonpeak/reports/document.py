"""What a report is made of, before it is a file: plain blocks that every format renders the same.

A report is a :class:`Document`: a title page (title, region, period, the data state's summary, the
provisional notice when some months are not final), sections of blocks (a paragraph, a table of
figures, a chart) and the provenance appendix. Every table and chart is a *figure* with an id; the
appendix lists, per figure, the methods, parameter families with their versions, the months behind it
and the address of the platform's "这个数是怎么来的" page. The HTML/PDF, Word and Excel renderers walk
the same blocks, so the three files of one report hold the same figures.

Texts are final strings here (the context function chose the language); numbers are pre-formatted in
the sector's units (:mod:`carbonpeak.io.display_units`), except the series of a chart, which are plain
floats in the shown unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cell:
    """A table cell: its text as shown, and the plain value behind it (for Excel) where it is a number."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class Table:
    figure: str  # the figure id (F1, F2, ...): the appendix's key
    caption: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    figure: str
    caption: str
    kind: str  # "lines" (x by series) or "bars"
    x: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False  # a notice (provisional, a gap)


Block = Table | Chart | Paragraph


@dataclass(frozen=True)
class Section:
    title: str
    blocks: list[Block]


@dataclass(frozen=True)
class Provenance:
    """How one figure was made: where the cockpit explains it and what it rests on."""

    figure: str
    caption: str
    methods: list[str]
    parameters: list[str]  # "family title (fingerprint)"
    months: str  # e.g. "2025-01 … 2025-12, 142 facility-months"
    url: str  # the "这个数是怎么来的" page of the platform


@dataclass(frozen=True)
class Document:
    kind: str  # the report kind's id (carbon_peak_monthly, ...)
    lang: str
    title: str
    subtitle: str  # region and period in words
    made_on: dt.date  # the day the figures were judged on: fixed from the data state, never "now"
    labels: dict[str, str]  # the frame's words in the report's language (appendix headings, ...)
    facts: list[tuple[str, str]]  # the title page's short table: (label, text)
    sections: list[Section]
    provenance: list[Provenance]
    data_state: list[tuple[str, str]]  # the data state in words: (label, text)
    provisional: bool = False
    provisional_reasons: list[str] = field(default_factory=list)
    fingerprint: str = ""  # the data state's SHA-256, printed on every page's footer
    base_url: str = ""  # the platform's address the provenance links start from

    def figures(self) -> list[Table | Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table | Chart)]

    def link(self, url: str) -> str:
        return f"{self.base_url.rstrip('/')}{url}" if self.base_url else url


def number_cells(texts: list[str], values: list[Any]) -> list[Cell]:
    """A row of cells from the shown texts and the values behind them."""
    out = []
    for text, value in zip(texts, values, strict=True):
        plain = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        out.append(Cell(text, plain))
    return out
