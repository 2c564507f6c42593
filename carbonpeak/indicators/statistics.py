"""Regional statistics the regulator enters (industrial value added, counts from other registers): the rules.

Enterprises do not report these, so the regulator enters them for a region and year, with the
publication they come from and its date, like any parameter (issue #4). A correction is a new
version with its reason; nothing is overwritten. The kinds of statistic, their canonical units and
scopes are data (``statistics.yaml``).

This module is pure: it validates a statistic (:func:`validate`), a table of them (:func:`read_table`,
:func:`validate_table`) and decides whether an entry is new, a correction or unchanged against the
latest stored version (:func:`change`). Every problem is a coded :class:`InputError` (texts in
``carbonpeak/messages/indicators.yaml``). The store keeps the versions
(:mod:`carbonpeak.store.statistics`, whose ``current_statistics`` the indicators read); entering one
or a table is a use case (:mod:`carbonpeak.services.statistics`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.units import conversion_factor

COLUMNS = ["region", "name", "scope", "year", "value", "unit", "price_basis", "source", "published_on", "reason"]
REQUIRED = ["region", "name", "scope", "year", "value", "unit", "source", "published_on"]
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class StatisticKind:
    id: str
    name_zh: str
    name_en: str
    unit: str
    count: bool
    scopes: tuple[str, ...]
    price_basis_required: bool


@cache
def kinds() -> dict[str, StatisticKind]:
    text = resources.files("carbonpeak.indicators").joinpath("statistics.yaml").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return {
        key: StatisticKind(
            id=key,
            name_zh=entry["name_zh"],
            name_en=entry["name_en"],
            unit=entry["unit"],
            count=bool(entry["count"]),
            scopes=tuple(entry["scopes"]),
            price_basis_required=entry.get("price_basis") == "required",
        )
        for key, entry in data.items()
    }


@dataclass(frozen=True)
class Entry:
    """One statistic as entered, validated and converted to the canonical unit."""

    region: str
    name: str
    scope: str
    year: int
    value: float
    unit: str
    entered_value: float
    entered_unit: str
    price_basis: str | None
    source: str
    published_on: dt.date
    reason: str | None


def validate(data: dict[str, Any], *, file: str | None = None, record: str | int | None = None) -> Entry:
    """Check one statistic; every problem is a coded :class:`InputError` naming the field and what was expected."""
    errors: list[InputError] = []

    def problem(code: str, field: str, value: Any = None, expected: Message | None = None) -> None:
        errors.append(InputError(code=code, file=file, record=record, field=field, value=value, expected=expected))

    def text(field: str) -> str:
        value = data.get(field)
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()

    for field in REQUIRED:
        if not text(field):
            problem("statistics.missing", field, expected=Message("statistics.expected.value"))
    name, scope = text("name"), text("scope")
    kind = kinds().get(name)
    if name and kind is None:
        problem("statistics.unknown", "name", name, Message("statistics.expected.one_of", allowed=list(kinds())))
    if kind is not None and scope and scope not in kind.scopes:
        problem(
            "statistics.scope_not_allowed",
            "scope",
            scope,
            Message("statistics.expected.one_of", allowed=list(kind.scopes)),
        )
    year = 0
    if text("year"):
        try:
            year = int(float(text("year")))
            if not FIRST_YEAR <= year <= LAST_YEAR or float(text("year")) != year:
                raise ValueError
        except ValueError:
            problem(
                "statistics.not_a_year",
                "year",
                data.get("year"),
                Message("statistics.expected.year", first=FIRST_YEAR, last=LAST_YEAR),
            )
            year = 0
    entered = math.nan
    if text("value"):
        try:
            entered = float(text("value"))
        except ValueError:
            problem("statistics.not_a_number", "value", data.get("value"), Message("statistics.expected.number"))
        if not math.isnan(entered) and (math.isinf(entered) or entered < 0):
            problem(
                "statistics.impossible_value", "value", data.get("value"), Message("statistics.expected.not_negative")
            )
            entered = math.nan
        if kind is not None and kind.count and not math.isnan(entered) and entered != int(entered):
            problem("statistics.count_not_whole", "value", data.get("value"), Message("statistics.expected.whole"))
    value = math.nan
    if kind is not None and text("unit"):
        try:
            value = entered * conversion_factor(text("unit"), kind.unit, field="unit")
        except CarbonpeakError:
            problem(
                "statistics.unit_not_convertible",
                "unit",
                text("unit"),
                Message("statistics.expected.unit", unit=kind.unit),
            )
    if kind is not None and kind.price_basis_required and not text("price_basis"):
        problem("statistics.price_basis_missing", "price_basis", expected=Message("statistics.expected.price_basis"))
    published: dt.date | None = None
    if text("published_on"):
        raw = data.get("published_on")
        try:
            published = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(text("published_on")[:10])
            if isinstance(published, dt.datetime):
                published = published.date()
        except ValueError:
            problem("statistics.not_a_date", "published_on", raw, Message("statistics.expected.date"))
        if published is not None and year and published.year < year:
            problem(
                "statistics.published_before_year",
                "published_on",
                str(published),
                Message("statistics.expected.published_from", year=year),
            )
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors, file=file)
    assert kind is not None and published is not None
    return Entry(
        region=text("region"),
        name=name,
        scope=scope,
        year=year,
        value=float(value),
        unit=kind.unit,
        entered_value=entered,
        entered_unit=text("unit"),
        price_basis=text("price_basis") or None,
        source=text("source"),
        published_on=published,
        reason=text("reason") or None,
    )


@dataclass(frozen=True)
class StatisticVersion:
    """One stored version of a statistic (as the store gives it back), in the canonical unit."""

    region: str
    name: str
    scope: str
    year: int
    version: int
    value: float
    unit: str
    entered_value: float
    entered_unit: str
    price_basis: str | None
    source: str
    published_on: dt.date
    reason: str | None
    entered_by: str
    entered_at: dt.datetime | None = None


def key(entry: Entry | StatisticVersion) -> str:
    """How the audit log names a statistic: region/name/scope/year."""
    return f"{entry.region}/{entry.name}/{entry.scope}/{entry.year}"


def as_record(row: Entry | StatisticVersion) -> dict[str, Any]:
    """The figures of an entry or a stored version as plain values (for the audit log and listings)."""
    return {
        "name": row.name,
        "scope": row.scope,
        "year": row.year,
        "value": row.value,
        "unit": row.unit,
        "entered_value": row.entered_value,
        "entered_unit": row.entered_unit,
        "price_basis": row.price_basis,
        "source": row.source,
        "published_on": row.published_on.isoformat(),
        "reason": row.reason,
    }


def change(latest: StatisticVersion | None, entry: Entry, *, record: str | int | None = None) -> str | None:
    """What entering ``entry`` does, given the latest stored version of the same statistic: ``create`` (a
    first version), ``correct`` (a new version; it needs a reason), or None (the same value and source
    again: nothing changes). A correction without a reason is refused, naming the version it would replace."""
    if latest is None:
        return "create"
    same = (
        latest.value == entry.value
        and latest.source == entry.source
        and latest.published_on == entry.published_on
        and latest.price_basis == entry.price_basis
    )
    if same:
        return None
    if not entry.reason:
        raise InputError(
            code="statistics.already_entered",
            record=record,
            field="reason",
            expected=Message("statistics.expected.correction_reason"),
            version=latest.version,
            stored=latest.value,
            unit=latest.unit,
            source=latest.source,
        )
    return "correct"


def read_table(path: str | Path) -> pd.DataFrame:
    """A statistics table from a CSV or Excel file, every cell as given (validated by :func:`validate_table`)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(code="statistics.file_not_found", file=name)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        from carbonpeak.io.activity import read_csv_table

        return read_csv_table(path)
    if suffix in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise InputError(code="statistics.unreadable_workbook", file=name) from None
    raise InputError(
        code="statistics.unsupported_file",
        file=name,
        value=path.suffix,
        expected=Message("statistics.expected.file_type"),
    )


def validate_table(frame: pd.DataFrame, *, file: str | None = None) -> list[tuple[str, Entry]]:
    """Every row of a statistics table validated, as (its row, its entry); raises every problem at once
    (rows counted as in the file: row 1 is the header)."""
    unknown = [str(c) for c in frame.columns if str(c) not in COLUMNS]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if unknown or missing:
        expected = (
            Message("statistics.expected.columns_missing", columns=COLUMNS, missing=missing)
            if missing
            else Message("statistics.expected.columns", columns=COLUMNS)
        )
        raise InputError(
            code="statistics.wrong_columns", file=file, value=", ".join(unknown) or None, expected=expected
        )
    errors: list[InputError] = []
    entries: list[tuple[str, Entry]] = []
    for index, data in enumerate(frame.to_dict("records")):
        record = f"row {index + 2}"  # row 1 is the header
        try:
            entries.append((record, validate(data, file=file, record=record)))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors, file=file)
    return entries
