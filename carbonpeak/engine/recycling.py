"""Recycled aluminium and copper: a casthouse's metal mass balance, the recycled content of its product, and a
recycled-metal share with its basis. Pure functions over plain numbers (NumPy arrays for the lots).

Methods and sources (shared/research/anchors-next.md §4, §8.4):

* **Mass balance** per casthouse and period (ASI Chain of Custody mass balance at remelters; anchors-next §4.3):
  metal in = Σ scrap mass × metal yield + other metal charged (primary metal, alloying additions) [t]; metal
  accounted = product output + increase of metal in process + other reported losses [t]; residual = in −
  accounted; it closes when |residual| / metal in × 100 ≤ the tolerance [%] (a dated parameter,
  ``recycling.balance_tolerance``).
* **Recycled content** by ISO 14021 (7.8, recycled content: the proportion by mass of pre-consumer and
  post-consumer material in a product), over the period's charge: Σ (pre- and post-consumer scrap mass × yield) /
  (that + other metal charged) × 100 [%]. In-process rework (rework, regrind and scrap reclaimed in the same
  process, excluded by ISO 14021) is left out of both sides: it is metal already counted when first charged, so
  it neither adds nor dilutes. The value travels with its method (ASI CoC criterion 9.3).
* **Recycled-metal share**: numerator / denominator × 100 [%], the basis named with it (the plan's ten-metal
  output, or the industry's ratio to primary output; see :mod:`carbonpeak.services.recycling_share`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CONTENT_METHOD = "iso14021_mass_share"
CONTENT_CLAUSE = "ISO 14021 §7.8 (recycled content, pre-consumer + post-consumer); ASI CoC 9.3 (value with its method)"
BALANCE_METHOD = "casthouse_metal_balance"
BALANCE_CLAUSE = "ASI Chain of Custody mass balance at remelters (anchors-next §4.3, §8.4)"
RECYCLED_STATUSES = ("pre_consumer", "post_consumer")


@dataclass(frozen=True)
class Balance:
    """A facility-period's metal balance [t] and whether it closes within ``tolerance_pct``."""

    metal_from_scrap_t: float
    other_metal_t: float
    metal_in_t: float
    output_t: float
    stock_change_t: float
    losses_t: float
    accounted_t: float
    residual_t: float
    residual_pct: float | None  # None when nothing went in but something came out
    tolerance_pct: float
    closes: bool
    method: str = BALANCE_METHOD
    clause: str = BALANCE_CLAUSE


def metal_from_scrap(mass_t: ArrayLike, metal_yield: ArrayLike) -> np.ndarray:
    """Metal recovered from each lot [t] = scrap mass [t] × metal yield [t/t]."""
    out: np.ndarray = np.asarray(mass_t, dtype=float) * np.asarray(metal_yield, dtype=float)
    return out


def mass_balance(
    mass_t: ArrayLike,
    metal_yield: ArrayLike,
    *,
    other_metal_t: float,
    output_t: float,
    stock_change_t: float,
    losses_t: float,
    tolerance_pct: float,
) -> Balance:
    """The metal balance of one casthouse and period (see the module's method). All masses in t."""
    scrap = float(metal_from_scrap(mass_t, metal_yield).sum())
    metal_in = scrap + float(other_metal_t)
    accounted = float(output_t) + float(stock_change_t) + float(losses_t)
    residual = metal_in - accounted
    pct: float | None
    if metal_in > 0:
        pct = residual / metal_in * 100.0
        closes = abs(pct) <= tolerance_pct + 1e-9
    else:
        pct = 0.0 if accounted == 0 else None
        closes = accounted == 0
    return Balance(
        metal_from_scrap_t=scrap,
        other_metal_t=float(other_metal_t),
        metal_in_t=metal_in,
        output_t=float(output_t),
        stock_change_t=float(stock_change_t),
        losses_t=float(losses_t),
        accounted_t=accounted,
        residual_t=residual,
        residual_pct=pct,
        tolerance_pct=float(tolerance_pct),
        closes=closes,
    )


@dataclass(frozen=True)
class Content:
    """Recycled content of a product over a period, with its method."""

    recycled_t: float  # pre- + post-consumer metal charged
    pre_consumer_t: float
    post_consumer_t: float
    rework_t: float  # in-process rework: recorded, left out of both sides
    other_metal_t: float
    charged_t: float  # the denominator: recycled + other metal charged
    content_pct: float | None  # None when nothing was charged
    method: str = CONTENT_METHOD
    clause: str = CONTENT_CLAUSE


def recycled_content(
    mass_t: ArrayLike, metal_yield: ArrayLike, consumer_status: ArrayLike, *, other_metal_t: float
) -> Content:
    """ISO 14021 recycled content [%] of the metal charged into one product (see the module's method)."""
    metal = metal_from_scrap(mass_t, metal_yield)
    status = np.asarray(consumer_status, dtype=object)
    pre = float(metal[status == "pre_consumer"].sum())
    post = float(metal[status == "post_consumer"].sum())
    rework = float(metal[status == "in_process_rework"].sum())
    recycled = pre + post
    charged = recycled + float(other_metal_t)
    return Content(
        recycled_t=recycled,
        pre_consumer_t=pre,
        post_consumer_t=post,
        rework_t=rework,
        other_metal_t=float(other_metal_t),
        charged_t=charged,
        content_pct=recycled / charged * 100.0 if charged > 0 else None,
    )


def share_pct(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator × 100 [%]; None when either is missing or the denominator is not positive."""
    if numerator is None or denominator is None or not denominator > 0:
        return None
    return float(numerator) / float(denominator) * 100.0
