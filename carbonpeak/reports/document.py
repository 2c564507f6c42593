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


# ---------------------------------------------------------------- stored as JSON, read back the same


def to_dict(doc: Document) -> dict[str, Any]:
    """The document as plain JSON values (a block carries its ``type``)."""

    def block(b: Block) -> dict[str, Any]:
        if isinstance(b, Table):
            return {
                "type": "table",
                "figure": b.figure,
                "caption": b.caption,
                "columns": list(b.columns),
                "rows": [[[c.text, c.value] for c in row] for row in b.rows],
                "note": b.note,
            }
        if isinstance(b, Chart):
            return {
                "type": "chart",
                "figure": b.figure,
                "caption": b.caption,
                "kind": b.kind,
                "x": list(b.x),
                "series": [[name, list(values)] for name, values in b.series],
                "unit": b.unit,
                "note": b.note,
            }
        return {"type": "paragraph", "text": b.text, "emphasis": b.emphasis}

    return {
        "kind": doc.kind,
        "lang": doc.lang,
        "title": doc.title,
        "subtitle": doc.subtitle,
        "made_on": doc.made_on.isoformat(),
        "labels": dict(doc.labels),
        "facts": [list(p) for p in doc.facts],
        "sections": [{"title": s.title, "blocks": [block(b) for b in s.blocks]} for s in doc.sections],
        "provenance": [
            {
                "figure": p.figure,
                "caption": p.caption,
                "methods": list(p.methods),
                "parameters": list(p.parameters),
                "months": p.months,
                "url": p.url,
            }
            for p in doc.provenance
        ],
        "data_state": [list(p) for p in doc.data_state],
        "provisional": doc.provisional,
        "provisional_reasons": list(doc.provisional_reasons),
        "fingerprint": doc.fingerprint,
        "base_url": doc.base_url,
    }


def from_dict(data: dict[str, Any]) -> Document:
    def block(b: dict[str, Any]) -> Block:
        if b["type"] == "table":
            rows = [[Cell(text, value) for text, value in row] for row in b["rows"]]
            return Table(b["figure"], b["caption"], list(b["columns"]), rows, b.get("note", ""))
        if b["type"] == "chart":
            series = [(name, list(values)) for name, values in b["series"]]
            return Chart(b["figure"], b["caption"], b["kind"], list(b["x"]), series, b["unit"], b.get("note", ""))
        return Paragraph(b["text"], bool(b.get("emphasis")))

    return Document(
        kind=data["kind"],
        lang=data["lang"],
        title=data["title"],
        subtitle=data["subtitle"],
        made_on=dt.date.fromisoformat(data["made_on"]),
        labels=dict(data["labels"]),
        facts=[(a, b) for a, b in data["facts"]],
        sections=[Section(s["title"], [block(b) for b in s["blocks"]]) for s in data["sections"]],
        provenance=[Provenance(**p) for p in data["provenance"]],
        data_state=[(a, b) for a, b in data["data_state"]],
        provisional=bool(data["provisional"]),
        provisional_reasons=list(data["provisional_reasons"]),
        fingerprint=data["fingerprint"],
        base_url=data.get("base_url", ""),
    )
