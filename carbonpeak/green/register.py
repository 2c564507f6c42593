"""Which designations are in force in a year: the rule every count of green factories, parks and supply chains
uses (the indicators, the register page, the report).

A designation counts in year Y when it was designated in Y or before and not removed by the end of Y: a factory
designated in 2024 is not counted in 2023, one removed in 2025 is counted in 2024 and not in 2025 (a plan's
count is of the list at the year's end). A designation whose year is not known (a registry flag before the
register held years) counts in every year, as the flag did; the register marks it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

KINDS = ("factory", "park", "supply_chain")
LEVELS = ("national", "provincial", "city")
STATUSES = ("listed", "warned", "removed")
SUBJECTS = ("enterprise", "park")
SUBJECT_OF_KIND = {"factory": "enterprise", "supply_chain": "enterprise", "park": "park"}
FACTORY_COUNTED_LEVELS = ("provincial", "national")  # 省级及以上: what the plans count


def in_force(year_designated: int | None, removed_on: dt.date | None, year: int) -> bool:
    """True when the designation is on the list at the end of ``year``."""
    if year_designated is not None and year_designated > year:
        return False
    return removed_on is None or removed_on.year > year


def in_force_mask(frame: pd.DataFrame, year: int, kind: str, levels: tuple[str, ...] | None = None) -> pd.Series:
    """Rows of a designation frame (columns ``kind``, ``level``, ``year_designated``, ``removed_year``) on the
    list of ``kind`` at the end of ``year``, at one of ``levels`` (all when None)."""
    chosen = frame["kind"] == kind
    if levels is not None:
        chosen &= frame["level"].isin(levels)
    designated = pd.to_numeric(frame["year_designated"], errors="coerce")
    removed = pd.to_numeric(frame["removed_year"], errors="coerce")
    return chosen & (designated.isna() | (designated <= year)) & (removed.isna() | (removed > year))


def count_in_force(frame: pd.DataFrame, year: int, kind: str, levels: tuple[str, ...] | None = None) -> int:
    """How many subjects (enterprises or parks) hold a designation of ``kind`` in force at the end of ``year``."""
    if frame.empty:
        return 0
    rows = frame[in_force_mask(frame, year, kind, levels)]
    return int(rows["subject_code"].nunique())
