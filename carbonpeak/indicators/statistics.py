"""Regional statistics the regulator enters (industrial value added, counts from other registers).

Enterprises do not report these, so the regulator enters them for a region and year, with the
publication they come from and its date, like any parameter (issue #4). A correction is a new
version with its reason; nothing is overwritten. The kinds of statistic, their canonical units and
scopes are data (``statistics.yaml``). Indicators read the current values through
:func:`current_statistics`, a plain frame.
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
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError, InputError, ValidationFailed
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Region, RegionStatistic
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
    """Check one statistic; every problem is an :class:`InputError` naming the field and what was expected."""
    errors: list[InputError] = []

    def problem(message: str, field: str, value: Any = None, expected: str | None = None) -> None:
        errors.append(InputError(message, file=file, record=record, field=field, value=value, expected=expected))

    def text(field: str) -> str:
        value = data.get(field)
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()

    for field in REQUIRED:
        if not text(field):
            problem("missing value", field, expected="a value (every statistic is dated and cited)")
    name, scope = text("name"), text("scope")
    kind = kinds().get(name)
    if name and kind is None:
        problem("unknown statistic", "name", name, "one of " + ", ".join(kinds()))
    if kind is not None and scope and scope not in kind.scopes:
        problem("scope not allowed for this statistic", "scope", scope, "one of " + ", ".join(kind.scopes))
    year = 0
    if text("year"):
        try:
            year = int(float(text("year")))
            if not FIRST_YEAR <= year <= LAST_YEAR or float(text("year")) != year:
                raise ValueError
        except ValueError:
            problem("not a year", "year", data.get("year"), f"a whole year {FIRST_YEAR}–{LAST_YEAR}")
            year = 0
    entered = math.nan
    if text("value"):
        try:
            entered = float(text("value"))
        except ValueError:
            problem("not a number", "value", data.get("value"), "a number")
        if not math.isnan(entered) and (math.isinf(entered) or entered < 0):
            problem("impossible value", "value", data.get("value"), "a finite number ≥ 0")
            entered = math.nan
        if kind is not None and kind.count and not math.isnan(entered) and entered != int(entered):
            problem("a count must be a whole number", "value", data.get("value"), "a whole number of units")
    value = math.nan
    if kind is not None and text("unit"):
        try:
            value = entered * conversion_factor(text("unit"), kind.unit, field="unit")
        except CarbonpeakError:
            problem("unit not convertible", "unit", text("unit"), f"a unit convertible to {kind.unit}")
    if kind is not None and kind.price_basis_required and not text("price_basis"):
        problem(
            "price basis missing",
            "price_basis",
            expected="the prices the value is in, e.g. 'constant 2020 prices' (value added compares across years "
            "only at constant prices)",
        )
    published: dt.date | None = None
    if text("published_on"):
        raw = data.get("published_on")
        try:
            published = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(text("published_on")[:10])
            if isinstance(published, dt.datetime):
                published = published.date()
        except ValueError:
            problem("not a date", "published_on", raw, "a date YYYY-MM-DD")
        if published is not None and year and published.year < year:
            problem(
                "published before the year it describes", "published_on", str(published), f"a date in {year} or later"
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


def _latest(session: Session, region_id: int, entry: Entry) -> RegionStatistic | None:
    return session.scalar(
        select(RegionStatistic)
        .where(
            RegionStatistic.region_id == region_id,
            RegionStatistic.name == entry.name,
            RegionStatistic.scope == entry.scope,
            RegionStatistic.year == entry.year,
        )
        .order_by(RegionStatistic.version.desc())
        .limit(1)
    )


def _as_dict(row: RegionStatistic | Entry) -> dict[str, Any]:
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


def enter(session: Session, entry: Entry, actor: str, *, record: str | int | None = None) -> RegionStatistic | None:
    """Store a statistic: a first version, or a correction (a new version; a reason is required).

    Entering the same value with the same source again changes nothing and returns None.
    """
    region = session.scalar(select(Region).where(Region.code == entry.region))
    if region is None:
        raise InputError("unknown region", record=record, field="region", value=entry.region, expected="a region code")
    latest = _latest(session, region.id, entry)
    if latest is not None:
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
                f"already entered (version {latest.version}, {latest.value:g} {latest.unit}, {latest.source})",
                record=record,
                field="reason",
                expected="a reason for the correction: a correction makes a new version",
            )
    row = RegionStatistic(
        region_id=region.id,
        version=1 if latest is None else latest.version + 1,
        entered_by=actor,
        **{k: v for k, v in entry.__dict__.items() if k != "region"},
    )
    session.add(row)
    session.flush()
    key = f"{entry.region}/{entry.name}/{entry.scope}/{entry.year}"
    repo.audit(
        session,
        actor,
        "correct" if latest is not None else "create",
        "statistic",
        key,
        before=_as_dict(latest) if latest is not None else None,
        after={**_as_dict(row), "version": row.version},
    )
    return row


def import_table(session: Session, path: str | Path, actor: str) -> list[RegionStatistic]:
    """Enter every row of a CSV or Excel table; errors name the file, row and field.

    Raises on any error, so that the caller's transaction stores all rows or none.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name)
    if path.suffix.lower() == ".csv":
        from carbonpeak.io.activity import read_csv_table

        frame = read_csv_table(path)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"cannot read the workbook: {exc}", file=name) from None
    else:
        raise InputError("unsupported file type", file=name, value=path.suffix, expected=".csv or .xlsx")
    unknown = [c for c in frame.columns if str(c) not in COLUMNS]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if unknown or missing:
        raise InputError(
            "wrong columns",
            file=name,
            value=", ".join(map(str, unknown)) or None,
            expected=f"columns {', '.join(COLUMNS)}" + (f"; missing {', '.join(missing)}" if missing else ""),
        )
    errors: list[InputError] = []
    entries: list[tuple[int, Entry]] = []
    for index, data in enumerate(frame.to_dict("records")):
        row_number = index + 2  # row 1 is the header
        try:
            entries.append((row_number, validate(data, file=name, record=f"row {row_number}")))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    stored: list[RegionStatistic] = []
    if not errors:
        # The caller's transaction is rolled back when this raises: all rows or none.
        for row_number, entry in entries:
            try:
                row = enter(session, entry, actor, record=f"row {row_number}")
            except InputError as exc:
                errors.append(exc.located(file=name))
                continue
            if row is not None:
                stored.append(row)
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors, file=name)
    return stored


def current_statistics(session: Session) -> pd.DataFrame:
    """The latest version of every statistic, with its region code: one row per region, name, scope, year."""
    latest = (
        select(
            RegionStatistic.region_id,
            RegionStatistic.name,
            RegionStatistic.scope,
            RegionStatistic.year,
            func.max(RegionStatistic.version).label("version"),
        )
        .group_by(RegionStatistic.region_id, RegionStatistic.name, RegionStatistic.scope, RegionStatistic.year)
        .subquery()
    )
    query = (
        select(RegionStatistic, Region.code)
        .join(
            latest,
            (latest.c.region_id == RegionStatistic.region_id)
            & (latest.c.name == RegionStatistic.name)
            & (latest.c.scope == RegionStatistic.scope)
            & (latest.c.year == RegionStatistic.year)
            & (latest.c.version == RegionStatistic.version),
        )
        .join(Region, Region.id == RegionStatistic.region_id)
    )
    rows = [
        {"region": code, **_as_dict(row), "version": row.version, "entered_by": row.entered_by}
        for row, code in session.execute(query)
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "region",
            "name",
            "scope",
            "year",
            "value",
            "unit",
            "entered_value",
            "entered_unit",
            "price_basis",
            "source",
            "published_on",
            "reason",
            "version",
            "entered_by",
        ],
    )


def history(session: Session, region: str, name: str, scope: str, year: int) -> list[dict[str, Any]]:
    """Every version of one statistic, oldest first, with who entered it and why."""
    query = (
        select(RegionStatistic)
        .join(Region, Region.id == RegionStatistic.region_id)
        .where(
            Region.code == region,
            RegionStatistic.name == name,
            RegionStatistic.scope == scope,
            RegionStatistic.year == year,
        )
        .order_by(RegionStatistic.version)
    )
    return [
        {**_as_dict(row), "version": row.version, "entered_by": row.entered_by, "entered_at": row.entered_at}
        for row in session.scalars(query)
    ]
