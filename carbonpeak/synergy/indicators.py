"""Synergy indicators (减污降碳协同): SO2, NOx, particulates and CO2e beside each other, per tonne of product, and
their change on the same months of the year before (同比).

Inputs are plain tables, so a facility, an enterprise, a city or a province is one grouping away:

* ``months``: the counted facility-months (``facility_code``, ``period`` YYYY-MM, ``product``,
  ``output_t`` [t], ``co2e_t`` [t CO2e]: NaN where the month waits for a result) and any columns to group by;
* ``pollutants``: the latest version of each reported facility-month (``facility_code``, ``period``,
  ``so2_t``, ``nox_t``, ``pm_t`` [t]).

Rules, each stated where it is used:

* a month without pollutant figures is **not zero**: it is counted as a month lacking them (coverage) and
  left out of the pollutant totals and of their per-tonne figures;
* per tonne of product: a pollutant's tonnes × 1000 over the output of the months *that have its figures*
  [kg/t]; CO2e over the output of the months with a result [t CO2e/t]; output must be positive, and the
  output of different products is never added (a group holding several products has totals but no
  per-tonne figure);
* 同比 compares like with like: the facility-months (facility and calendar month) that have pollutant
  figures, a result and output in *both* years; the change is of the totals and the per-tonne figures over
  those months only, and the number of months matched is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbonpeak.synergy.ledger import POLLUTANTS

FIGURES = (*POLLUTANTS, "co2e_t")


@dataclass(frozen=True)
class Figures:
    """Totals and per-tonne figures of a set of facility-months."""

    months: int  # counted facility-months
    with_pollutants: int  # of those, with pollutant figures
    with_result: int  # of those, with a CO2e result
    output_t: float  # over all counted months [t]
    totals: dict[str, float | None]  # so2_t, nox_t, pm_t [t] and co2e_t [t CO2e]; None: no month has the figure
    per_t: dict[str, float | None]  # so2_t, nox_t, pm_t [kg/t] and co2e_t [t CO2e/t]; None: cannot be said

    @property
    def lacking(self) -> int:
        """Counted months without pollutant figures (shown as coverage, never as zero)."""
        return self.months - self.with_pollutants

    @property
    def coverage_pct(self) -> float | None:
        return None if self.months == 0 else 100.0 * self.with_pollutants / self.months


@dataclass(frozen=True)
class Synergy:
    """One group's synergy indicators for a period."""

    key: tuple[str, ...]
    products: tuple[str, ...]
    current: Figures
    matched: int  # facility-months compared with the year before (both years complete in the figures)
    change_pct: dict[str, float | None] = field(default_factory=dict)  # 同比 of the totals over matched months
    per_t_change_pct: dict[str, float | None] = field(default_factory=dict)  # 同比 of per-tonne figures


def joined(months: pd.DataFrame, pollutants: pd.DataFrame) -> pd.DataFrame:
    """The counted months with their pollutant figures beside them (NaN where none was reported).

    The monthly record's own optional ``so2_t``, ``nox_t``, ``particulate_t`` columns are dropped: the ledger's
    latest version is the one source of the pollutant figures (docs/synergy.md)."""
    months = months.drop(columns=[c for c in (*POLLUTANTS, "particulate_t") if c in months.columns])
    pol = pollutants[["facility_code", "period", *POLLUTANTS]] if not pollutants.empty else None
    if pol is None:
        out = months.copy()
        for name in POLLUTANTS:
            out[name] = np.nan
        return out
    return months.merge(pol, on=["facility_code", "period"], how="left")


def figures(frame: pd.DataFrame, product: str = "product") -> Figures:
    """Totals and per-tonne figures of the rows of a joined table (see the module's rules); ``product`` names
    the column whose distinct values must not be added up in a per-tonne figure."""
    has_pol = frame[list(POLLUTANTS)].notna().all(axis=1) if len(frame) else pd.Series(dtype=bool)
    has_co2 = frame["co2e_t"].notna() if len(frame) else pd.Series(dtype=bool)
    output = frame["output_t"].fillna(0.0) if len(frame) else pd.Series(dtype=float)
    one_product = frame[product].nunique() <= 1 if len(frame) else True
    totals: dict[str, float | None] = {}
    per_t: dict[str, float | None] = {}
    for name in FIGURES:
        chosen = has_co2 if name == "co2e_t" else has_pol
        if not bool(chosen.any()):
            totals[name], per_t[name] = None, None
            continue
        total = float(frame.loc[chosen, name].sum())
        totals[name] = total
        made = float(output[chosen].sum())
        scale = 1.0 if name == "co2e_t" else 1000.0  # t CO2e/t; kg/t
        per_t[name] = scale * total / made if one_product and made > 0 else None
    return Figures(
        months=len(frame),
        with_pollutants=int(has_pol.sum()),
        with_result=int(has_co2.sum()),
        output_t=float(output.sum()),
        totals=totals,
        per_t=per_t,
    )


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return 100.0 * (now - before) / before


def _complete(frame: pd.DataFrame) -> pd.Series:
    return frame[list(FIGURES)].notna().all(axis=1) & (frame["output_t"].fillna(0.0) > 0)


def synergy(
    table: pd.DataFrame, periods: Sequence[str], by: Sequence[str] = (), *, product: str = "product"
) -> list[Synergy]:
    """The synergy indicators of ``periods`` (YYYY-MM months) per group of ``by`` columns (none: one group),
    over a joined table (:func:`joined`) holding those months and the same months of the year before.
    ``product``: the column telling products apart (``product``, or ``sector`` where products are not coded)."""
    wanted = set(periods)
    earlier = {f"{int(p[:4]) - 1:04d}{p[4:]}" for p in wanted}
    now = table[table["period"].isin(wanted)]
    before = table[table["period"].isin(earlier)]
    keys = list(by)
    groups = now.groupby(keys, sort=True, dropna=False) if keys else [((), now)]
    out = []
    for key, rows in groups:
        key = key if isinstance(key, tuple) else (key,)
        current = figures(rows, product)
        mine = before
        for column, value in zip(keys, key, strict=True):
            mine = mine[mine[column] == value]
        a = rows[_complete(rows)].assign(month=lambda f: f["period"].str.slice(5, 7))
        b = mine[_complete(mine)].assign(month=lambda f: f["period"].str.slice(5, 7))
        pairs = a[["facility_code", "month"]].merge(b[["facility_code", "month"]], on=["facility_code", "month"])
        a = a.merge(pairs, on=["facility_code", "month"])
        b = b.merge(pairs, on=["facility_code", "month"])
        fa, fb = figures(a, product), figures(b, product)
        matched = len(pairs)
        out.append(
            Synergy(
                key=tuple(str(k) for k in key),
                products=tuple(sorted(str(p) for p in rows[product].dropna().unique())),
                current=current,
                matched=matched,
                change_pct={n: _change(fa.totals[n], fb.totals[n]) if matched else None for n in FIGURES},
                per_t_change_pct={n: _change(fa.per_t[n], fb.per_t[n]) if matched else None for n in FIGURES},
            )
        )
    return out


def months_of(year: int, month: int | None = None, *, through: int | None = None) -> list[str]:
    """The months of a period: one month, or a year (to ``through`` when given: a year to date)."""
    if month is not None:
        return [f"{year:04d}-{month:02d}"]
    return [f"{year:04d}-{m:02d}" for m in range(1, (through or 12) + 1)]
