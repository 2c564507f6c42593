"""Strict schema of a parameter file (pydantic, ``extra="forbid"``).

A file holds one parameter family. Each entry is one value: its key (e.g. ``{fuel: coke,
quantity: ncv}``), the period it is in force (``valid_from`` .. ``valid_to``, both inclusive), the
publication it comes from (``edition``), its unit, confidence and source. An entry may have no
value (``value: null``): the parameter exists, its official value has not been found, and any
calculation that needs it stops with an error naming it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Text = Annotated[str, StringConstraints(min_length=1)]
KeyValue = str | int
ParamValue = float | str | dict[str, Any] | None


class Confidence(StrEnum):
    """How sure we are of a value (shared/reference/README.md). Below medium-high is 'unverified'."""

    HIGH = "high"
    MEDIUM_HIGH = "medium-high"
    MEDIUM = "medium"
    MEDIUM_LOW = "medium-low"
    LOW = "low"

    @property
    def verified(self) -> bool:
        """True at medium-high or above; results resting on anything lower say so."""
        return self in (Confidence.HIGH, Confidence.MEDIUM_HIGH)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a value comes from: the document, its clause, and where we read a copy of it."""

    document: Text
    issuer: str | None = None
    number: str | None = None
    clause: str | None = None
    published: str | None = None
    found_in: str | None = None
    read_on: dt.date
    url: str | None = None
    quote: str | None = None


class Entry(Strict):
    key: dict[str, KeyValue] = Field(default_factory=dict)
    value: ParamValue
    unit: Text
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    date_basis: str | None = None
    edition: str | None = None
    confidence: Confidence | None = None
    source: Text
    note: str | None = None
    quote: str | None = None
    status: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Entry:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.value is None and not self.status:
            raise ValueError("an entry without a value must say why in 'status' (e.g. 'not found')")
        if self.value is not None and self.confidence is None:
            raise ValueError("an entry with a value must carry its confidence")
        return self


class ParameterFile(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
    title: dict[str, str]
    description: Text
    keys: list[str]
    # Who publishes the family's next values and when they are expected (zh and en), as the sources say;
    # a month waiting for a value shows them. Absent where the sources do not say: the page says unknown.
    publisher: dict[str, str] | None = None
    expected: dict[str, str] | None = None
    last_reviewed: dt.date
    sources: dict[str, Source]
    entries: list[Entry]

    @field_validator("title", "publisher", "expected")
    @classmethod
    def _titles(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and set(value) != {"zh", "en"}:
            raise ValueError("needs exactly 'zh' and 'en'")
        return value

    @model_validator(mode="after")
    def _check_entries(self) -> ParameterFile:
        seen: dict[tuple[Any, ...], list[Entry]] = {}
        for index, entry in enumerate(self.entries):
            if set(entry.key) != set(self.keys):
                raise ValueError(f"entry {index}: key fields {sorted(entry.key)} differ from {self.keys}")
            if entry.source not in self.sources:
                raise ValueError(f"entry {index}: source '{entry.source}' is not defined under 'sources'")
            ident = (tuple(sorted(entry.key.items())), entry.edition)
            for other in seen.get(ident, []):
                if _overlap(entry, other):
                    raise ValueError(
                        f"entry {index} ({dict(entry.key)}, edition {entry.edition}) overlaps "
                        f"another entry's validity period"
                    )
            seen.setdefault(ident, []).append(entry)
        return self


def _overlap(a: Entry, b: Entry) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (a.valid_from or lo) <= (b.valid_to or hi) and (b.valid_from or lo) <= (a.valid_to or hi)


class Target(Strict):
    """One quantitative target of a plan, as quoted (shared/reference/plan-targets.csv)."""

    id: Text
    indicator: Text
    scope: Text
    comparator: Text
    value: float | None
    value_text: str | None = None
    unit: Text
    target_year: int
    base_year: int | None = None
    quote: Text


class Plan(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    region: Text
    title: dict[str, str]
    # official: the Chinese title as published (a Chinese seed or reference names it); translated: our
    # rendering of an English-only seed's title, shown with 译名 (the official title is not in our sources).
    # Unstated, a title counts as ours: only a title read in a Chinese source is called official.
    title_zh_status: Literal["official", "translated"] = "translated"
    # original: the targets' Chinese wording (target_indicators.yaml quote_zh) is quoted from the Chinese
    # text; translated: our rendering of the English seed, shown with 译文
    quote_zh_status: Literal["original", "translated"] = "translated"
    seed: list[str]
    read_on: dt.date
    targets: list[Target]

    def shown_title(self, lang: str) -> str:
        """The title a page shows in ``lang``: the official Chinese title, or ours marked （译名）."""
        shown = self.title.get(lang) or self.title.get("en") or self.id
        return f"{shown}（译名）" if lang == "zh" and self.title_zh_status != "official" else shown
