"""An enterprise's measured values beside GB/T 36132-2025's baseline (基准值) and leading (引领值) values.

The values come from configuration (:func:`carbonpeak.green.config.standard`); where one is not published it is
None and the row says so (``baseline_unpublished``), with the measured value still shown. No threshold is made
up: without a baseline there is no verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Gap:
    group: str
    group_zh: str
    indicator: str
    indicator_zh: str
    unit: str
    better: str  # lower, higher
    measured: float | None
    baseline: float | None
    leading: float | None
    status: str  # baseline_unpublished, not_measured, below_baseline, baseline_met, leading_met
    to_baseline: float | None  # how far from the baseline (positive: short of it), in the unit
    to_leading: float | None
    source: str


def gaps(standard: Mapping[str, Any], measured: Mapping[str, float | None]) -> list[Gap]:
    """One row per configured indicator: the measured value, the published values and the gap."""
    out: list[Gap] = []
    for group in standard["groups"]:
        for ind in group["indicators"]:
            value = measured.get(ind["id"])
            base, lead = ind.get("baseline"), ind.get("leading")
            lower = ind["better"] == "lower"

            def short(threshold: float | None, value: float | None = value, lower: bool = lower) -> float | None:
                if threshold is None or value is None:
                    return None
                return (value - threshold) if lower else (threshold - value)

            if base is None:
                status = "baseline_unpublished"
            elif value is None:
                status = "not_measured"
            elif lead is not None and short(float(lead)) is not None and short(float(lead)) <= 0:  # type: ignore[operator]
                status = "leading_met"
            elif short(float(base)) <= 0:  # type: ignore[operator]
                status = "baseline_met"
            else:
                status = "below_baseline"
            out.append(
                Gap(
                    group["id"],
                    group["zh"],
                    ind["id"],
                    ind["zh"],
                    ind["unit"],
                    ind["better"],
                    value,
                    None if base is None else float(base),
                    None if lead is None else float(lead),
                    status,
                    short(None if base is None else float(base)),
                    short(None if lead is None else float(lead)),
                    str(ind.get("source", "")),
                )
            )
    return out
