"""The benchmark board for a person: each classified facility with its enterprise and city, the exit
deadline only where it applies (below the baseline level, 基准水平) counted against the platform's day
(已逾期N天 / 剩余N天), the filters a regulator asks with (below the baseline, city, sector, class), the
cited parameters in the reader's language, and the board as Excel tables with headers in that language.

The classification itself is the accounting's (:func:`carbonpeak.accounting.classify_facilities`); the
rows given here are already within the person's scope. Texts are the catalog's ``benchmark_board.*``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from carbonpeak import messages
from carbonpeak.io.choices import PRODUCTS
from carbonpeak.parameters import Cited
from carbonpeak.store.models import Facility, Region
from carbonpeak.vocabulary import BenchmarkClass, Sector

BELOW = BenchmarkClass.BELOW_BASELINE.value
CLASSES = tuple(c.value for c in BenchmarkClass)


def say(code: str, lang: str, **params: Any) -> str:
    return messages.render(f"benchmark_board.{code}", lang, params)


# ---------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    """An exit deadline judged on a day: ``days`` left (negative: overdue)."""

    date: dt.date
    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days)

    def text(self, lang: str) -> str:
        """已逾期340天 / 剩余25天 / 今日到期."""
        if self.days < 0:
            return say("deadline.overdue", lang, days=-self.days)
        if self.days == 0:
            return say("deadline.today", lang)
        return say("deadline.remaining", lang, days=self.days)


def deadline_of(must_act_by: Any, today: dt.date) -> Deadline | None:
    """The deadline of a row below the baseline level (``must_act_by``, an ISO date), None where none applies."""
    if not must_act_by or (isinstance(must_act_by, float) and pd.isna(must_act_by)):
        return None
    day = must_act_by if isinstance(must_act_by, dt.date) else dt.date.fromisoformat(str(must_act_by)[:10])
    return Deadline(day, (day - today).days)


# ---------------------------------------------------------------- rows and filters


@dataclass(frozen=True)
class Filters:
    below_baseline: bool = False
    city: str | None = None  # a region code
    sector: str | None = None
    klass: str | None = None  # a BenchmarkClass value

    @property
    def any(self) -> bool:
        return bool(self.below_baseline or self.city or self.sector or self.klass)


def _city(region: Region | None, regions: dict[int, Region]) -> Region | None:
    """The city a region lies in (itself when it is one); None above the city level."""
    while region is not None and region.level not in ("city", "province"):
        region = regions.get(region.parent_id) if region.parent_id is not None else None
    return region if region is not None and region.level == "city" else None


def rows(session: Session, classes: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """The classified rows with their facility, enterprise, city, sector and deadline; worst unit consumption
    relative to the baseline level first (below the baseline on top)."""
    codes = sorted({str(r["facility_id"]) for r in classes})
    facilities = {
        f.code: f
        for f in session.scalars(
            select(Facility).options(joinedload(Facility.enterprise)).where(Facility.code.in_(codes))
        ).unique()
    }
    regions = {r.id: r for r in session.scalars(select(Region))}
    out = []
    for row in classes:
        facility = facilities.get(str(row["facility_id"]))
        region = regions.get(facility.region_id) if facility is not None else None
        out.append(
            {
                **row,
                "facility": facility,
                "enterprise": facility.enterprise if facility is not None else None,
                "city": _city(region, regions),
                "sector": facility.sector if facility is not None else row.get("sector", ""),
                "deadline_state": deadline_of(row.get("must_act_by"), today) if row.get("class") == BELOW else None,
            }
        )
    out.sort(key=_order)
    return out


def _order(row: dict[str, Any]) -> tuple[int, float, str]:
    rank = {BELOW: 0, BenchmarkClass.BETWEEN.value: 1, BenchmarkClass.AT_OR_ABOVE_BENCHMARK.value: 2}
    baseline, value = row.get("baseline_level"), row.get("unit_consumption")
    ratio = -(value / baseline) if value == value and baseline and value is not None else 0.0  # NaN-safe
    return rank.get(row.get("class", ""), 3), ratio, str(row["facility_id"])


def chosen(found: list[dict[str, Any]], filters: Filters) -> list[dict[str, Any]]:
    """The rows the filters keep."""
    out = found
    if filters.below_baseline:
        out = [r for r in out if r.get("class") == BELOW]
    if filters.klass:
        out = [r for r in out if r.get("class") == filters.klass]
    if filters.sector:
        out = [r for r in out if r.get("sector") == filters.sector]
    if filters.city:
        out = [r for r in out if r["city"] is not None and r["city"].code == filters.city]
    return out


def options(found: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """What the filters may choose among: the cities and sectors of the rows, the classes."""
    cities = {r["city"].code: r["city"] for r in found if r["city"] is not None}
    sectors = sorted({str(r["sector"]) for r in found if r.get("sector")}, key=_sector_order)
    return {"cities": [cities[c] for c in sorted(cities)], "sectors": sectors, "classes": list(CLASSES)}


def _sector_order(code: str) -> int:
    order = [s.value for s in Sector]
    return order.index(code) if code in order else len(order)


def summary(found: list[dict[str, Any]]) -> dict[str, int]:
    """How many facilities are below the baseline level, and how many of those are overdue."""
    below = [r for r in found if r.get("class") == BELOW]
    return {
        "below": len(below),
        "overdue": sum(1 for r in below if r["deadline_state"] is not None and r["deadline_state"].overdue),
    }


# ---------------------------------------------------------------- names of products, sources


def product_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    zh, en = PRODUCTS.get(str(code), (str(code), str(code)))
    return zh if lang == "zh" else en


def unclassified_text(products: list[str], lang: str) -> str:
    return " ".join(say("unclassified", lang, product=product_name(p, lang)) for p in products)


def _key_text(key: str, value: Any, lang: str) -> str:
    if key == "product":
        return product_name(str(value), lang)
    if key == "level" and messages.known(f"benchmark_board.level.{value}"):
        return say(f"level.{value}", lang)
    if key == "item" and messages.known(f"benchmark_board.item.{value}"):
        return say(f"item.{value}", lang)
    return str(value)


def _clause(clause: str | None, lang: str) -> str:
    if not clause:
        return ""
    prefix = "as quoted in "
    if clause.startswith(prefix):
        return say("clause.as_quoted_in", lang, document=clause[len(prefix) :])
    if clause == "notice text":
        return say("clause.notice_text", lang)
    return clause


@dataclass(frozen=True)
class SourceLine:
    """A cited parameter as a person reads it: what it is, its value (a number with its unit, a date or a
    named code) and where it is written."""

    name: str
    number: float | None
    unit: str
    words: str  # the value when not a number (a date, an indicator's name)
    citation: str
    confidence: str
    verified: bool


def source_line(cited: Cited, lang: str) -> SourceLine:
    title = cited.title.get(lang) or cited.title.get("zh") or cited.parameter
    keys = [_key_text(k, v, lang) for k, v in cited.key.items()]
    sep = "，" if lang == "zh" else ", "
    name = title
    if keys:
        name += ("（" + sep.join(keys) + "）") if lang == "zh" else (" (" + sep.join(keys) + ")")
    if cited.edition and len(str(cited.edition)) == 4 and str(cited.edition).startswith(("19", "20")):
        name += " · " + say("edition", lang, edition=cited.edition)  # a year's edition (2021年版)
    number: float | None = None
    words = ""
    if cited.unit == "code":
        code = f"benchmark_board.code.{cited.value}"
        words = messages.render(code, lang) if messages.known(code) else str(cited.value)
    elif cited.unit == "date":
        words = str(cited.value)
    else:
        try:
            number = float(cited.value)
        except (TypeError, ValueError):
            words = str(cited.value)
    source = cited.source
    document = f"《{source.document}》" if lang == "zh" and not source.document.startswith("《") else source.document
    parts = [document]
    if source.number and source.number not in source.document:
        parts.append(source.number)
    clause = _clause(source.clause, lang)
    if clause:
        parts.append(clause)
    return SourceLine(
        name=name,
        number=number,
        unit={"code": "", "date": "", "percent": "%"}.get(cited.unit, cited.unit),
        words=words,
        citation=sep.join(parts),
        confidence=cited.confidence.value,
        verified=cited.verified,
    )


# ---------------------------------------------------------------- Excel


def _columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: say(f"column.{c}", lang) for c in frame.columns})


def class_frame(found: list[dict[str, Any]], lang: str, class_name: Any, sector_name: Any) -> pd.DataFrame:
    """The facilities by class with the page's columns, named in ``lang``."""

    def named(row: Any) -> str:
        return _named(row, lang)

    records = []
    for r in found:
        state: Deadline | None = r["deadline_state"]
        records.append(
            {
                "enterprise": named(r["enterprise"]),
                "enterprise_code": r["enterprise"].code if r["enterprise"] is not None else "",
                "facility_code": r["facility_id"],
                "facility": named(r["facility"]),
                "city": named(r["city"]),
                "sector": sector_name(r["sector"]),
                "product": product_name(r.get("product"), lang),
                "year": int(r["year"]),
                "unit_consumption": r.get("unit_consumption"),
                "benchmark_level": r.get("benchmark_level"),
                "baseline_level": r.get("baseline_level"),
                "unit": r.get("unit", ""),
                "class": class_name(r.get("class")),
                "deadline": pd.Timestamp(state.date) if state is not None else None,
                "deadline_state": state.text(lang) if state is not None else "",
                "days_overdue": state.days_overdue if state is not None else None,
                "capacity": r.get("capacity_t_per_a"),
            }
        )
    frame = pd.DataFrame(records, columns=list(_CLASS_COLUMNS))
    return _columns(frame, lang)


_CLASS_COLUMNS = (
    "enterprise",
    "enterprise_code",
    "facility_code",
    "facility",
    "city",
    "sector",
    "product",
    "year",
    "unit_consumption",
    "benchmark_level",
    "baseline_level",
    "unit",
    "class",
    "deadline",
    "deadline_state",
    "days_overdue",
    "capacity",
)


def shares_frame(shares: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    keys = ("share_at_or_above_benchmark", "share_between_benchmark_and_baseline", "share_below_baseline")
    frame = pd.DataFrame(
        [
            {
                "product": product_name(s.get("product"), lang),
                "year": s.get("year"),
                "facilities": s.get("facilities"),
                "capacity": s.get("capacity_t_per_a"),
                **{k: s.get(k) for k in keys},
            }
            for s in shares
        ],
        columns=["product", "year", "facilities", "capacity", *keys],
    )
    return _columns(frame, lang)


_SURCHARGE_COLUMNS = (
    "facility_code",
    "facility",
    "rule",
    "grading_indicator",
    "threshold",
    "surcharge_per_kwh",
    "electricity",
    "surcharge",
)


def _named(row: Any, lang: str) -> str:
    """A registry row's name in ``lang`` (the Chinese where there is no English)."""
    if row is None:
        return ""
    return str((row.name_zh if lang == "zh" else row.name_en) or row.name_zh)


def surcharge_frame(surcharge: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "facility_code": r.get("facility_id"),
                "facility": (
                    (r["facility"].name_zh if lang == "zh" else r["facility"].name_en) if r.get("facility") else ""
                ),
                "rule": r.get("indicator"),
                "grading_indicator": r.get("indicator_kwh_per_t"),
                "threshold": r.get("threshold_kwh_per_t"),
                "surcharge_per_kwh": r.get("surcharge_yuan_per_kwh"),
                "electricity": r.get("electricity_mwh"),
                "surcharge": r.get("surcharge_yuan"),
            }
            for r in surcharge
        ],
        columns=[
            "facility_code",
            "facility",
            "rule",
            "grading_indicator",
            "threshold",
            "surcharge_per_kwh",
            "electricity",
            "surcharge",
        ],
    )
    return _columns(frame, lang)


def sources_frame(cited: list[Cited], lang: str, confidence_name: Any) -> pd.DataFrame:
    lines = [source_line(c, lang) for c in cited]
    frame = pd.DataFrame(
        [
            {
                "parameter": line.name,
                "value": line.number if line.number is not None else line.words,
                "unit": line.unit,
                "source": line.citation,
                "confidence": confidence_name(line.confidence),
            }
            for line in lines
        ],
        columns=["parameter", "value", "unit", "source", "confidence"],
    )
    return _columns(frame, lang)


def sheet_name(key: str, lang: str) -> str:
    return say(f"sheet.{key}", lang)
