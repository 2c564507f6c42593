"""Energy-efficiency class against the NDRC benchmark (标杆水平) and baseline (基准水平) levels.

References
----------
.. [1] NDRC, 高耗能行业重点领域能效标杆水平和基准水平（2021年版）, 发改产业〔2021〕1609号.
.. [2] NDRC, 工业重点领域能效标杆水平和基准水平（2023年版）, 发改产业〔2023〕723号.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from carbonpeak.engine._arrays import ArrayLike, FloatArray, as_float

# Class codes as small integers so that a country's facilities classify in one vector operation.
AT_OR_ABOVE_BENCHMARK = 0
BETWEEN = 1
BELOW_BASELINE = 2
NOT_CLASSIFIED = -1  # no output, hence no unit consumption


def classify(
    unit_consumption: ArrayLike, benchmark_level: ArrayLike, baseline_level: ArrayLike
) -> npt.NDArray[np.int8]:
    """Class of each facility. Lower unit consumption is better for every indicator in the list.

    class = 0 (at or above benchmark) if u ≤ benchmark; 2 (below baseline) if u > baseline; else 1.

    Parameters
    ----------
    unit_consumption : array_like
        The indicator the benchmark uses (e.g. 铝液交流电耗 [kWh/t], 单位产品综合能耗 [kgce/t]).
    benchmark_level, baseline_level : array_like
        Levels in the same unit.

    Returns
    -------
    numpy.ndarray of int8
        0, 1, 2, or -1 where the unit consumption is NaN.

    References
    ----------
    .. [1] 发改产业〔2021〕1609号: capacity better than the benchmark level; capacity below the baseline
       level must be upgraded or exit.
    """
    u = as_float(unit_consumption)
    result = np.where(
        u <= as_float(benchmark_level),
        AT_OR_ABOVE_BENCHMARK,
        np.where(u > as_float(baseline_level), BELOW_BASELINE, BETWEEN),
    ).astype(np.int8)
    result[np.isnan(u)] = NOT_CLASSIFIED
    return result


def capacity_shares(classes: ArrayLike, capacity_t_per_a: ArrayLike) -> dict[int, float]:
    """Share of classified capacity in each class.

    share_k = Σ capacity[class = k] / Σ capacity[classified]

    Parameters
    ----------
    classes : array_like of int
        Output of :func:`classify`.
    capacity_t_per_a : array_like
        Capacity of each facility. [t/a]

    Returns
    -------
    dict
        {class code: share [fraction]} for the three classes; NaN shares when nothing is classified.
    """
    codes = np.asarray(classes)
    capacity = as_float(capacity_t_per_a)
    classified = codes >= 0
    total = capacity[classified].sum()
    return {
        code: (float(capacity[codes == code].sum() / total) if total > 0 else float("nan"))
        for code in (AT_OR_ABOVE_BENCHMARK, BETWEEN, BELOW_BASELINE)
    }


def gap_to_level(unit_consumption: ArrayLike, level: ArrayLike) -> FloatArray:
    """How far above a level a facility is (positive = worse than the level). [unit of the indicator]"""
    return as_float(unit_consumption) - as_float(level)
