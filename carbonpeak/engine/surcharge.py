"""Tiered electricity price for electrolytic aluminium (阶梯电价).

References
----------
.. [1] NDRC, 关于完善电解铝行业阶梯电价政策的通知, 发改价格〔2021〕1239号 (from 2022-01-01).
.. [2] NDRC and MIIT, 2013 notice on tiered electricity prices for electrolytic aluminium (2014-2021).
"""

from __future__ import annotations

import numpy as np

from carbonpeak.engine._arrays import ArrayLike, FloatArray, as_float


def surcharge_steps_1239(
    indicator_kwh_per_t: ArrayLike, threshold_kwh_per_t: ArrayLike, step_kwh_per_t: float
) -> FloatArray:
    """Number of started steps above the threshold: ceil(max(0, u − threshold) / step).

    A part of a step counts as a whole step ("不足20千瓦时的按20千瓦时计算").

    References
    ----------
    .. [1] 发改价格〔2021〕1239号, 一.
    """
    excess = np.maximum(as_float(indicator_kwh_per_t) - as_float(threshold_kwh_per_t), 0.0)
    # Round first so that floating noise in an exact multiple (e.g. 40.000000001) is not an extra step.
    return np.ceil(np.round(excess / step_kwh_per_t, 9))


def renewable_relief_factor_1239(
    nonhydro_share_pct: ArrayLike,
    incentive_weight_pct: ArrayLike,
    relief_min_share_pct: float,
    relief_rate_pct_per_point: float,
) -> FloatArray:
    """Multiplier on the surcharge standard for non-hydro renewable use.

    f = 1 − rate/100 × (share − 15)   if share > 15 % and share ≥ the province's incentive weight, else 1;
    floored at 0 (no cap was seen in the notice).

    Parameters
    ----------
    nonhydro_share_pct : array_like
        Non-hydro renewable electricity in total electricity use. [%]
    incentive_weight_pct : array_like
        Province's previous-year non-hydro consumption-responsibility weight, incentive value. [%]
    relief_min_share_pct, relief_rate_pct_per_point : float
        15 and 1 under 1239. [%], [% per percentage point]

    Returns
    -------
    numpy.ndarray
        [-]

    References
    ----------
    .. [1] 发改价格〔2021〕1239号, （三）基于清洁能源利用水平动态调整加价标准. Counting from 15 % is the
       natural reading of the text (medium confidence).
    """
    share = as_float(nonhydro_share_pct)
    eligible = (share > relief_min_share_pct) & (share >= as_float(incentive_weight_pct))
    reduced = np.maximum(1.0 - relief_rate_pct_per_point / 100.0 * (share - relief_min_share_pct), 0.0)
    return np.where(eligible, reduced, 1.0)


def surcharge_yuan_per_kwh_1239(
    indicator_kwh_per_t: ArrayLike,
    threshold_kwh_per_t: ArrayLike,
    step_kwh_per_t: float,
    increment_yuan_per_kwh: float,
    relief_factor: ArrayLike,
) -> FloatArray:
    """Surcharge on liquid-aluminium electricity under 1239.

    s = increment × ceil(max(0, u − threshold)/step) × f_relief

    Parameters
    ----------
    indicator_kwh_per_t : array_like
        铝液综合交流电耗 excluding desulphurisation. [kWh/t]
    threshold_kwh_per_t : array_like
        分档标准 in force (13650 in 2022, 13450 from 2023, 13300 from 2025). [kWh/t]
    step_kwh_per_t, increment_yuan_per_kwh : float
        20 kWh/t and 0.01 yuan/kWh.
    relief_factor : array_like
        From :func:`renewable_relief_factor_1239`. [-]

    Returns
    -------
    numpy.ndarray
        [yuan/kWh]

    References
    ----------
    .. [1] 发改价格〔2021〕1239号.
    """
    steps = surcharge_steps_1239(indicator_kwh_per_t, threshold_kwh_per_t, step_kwh_per_t)
    return steps * increment_yuan_per_kwh * as_float(relief_factor)


def surcharge_yuan_per_kwh_2013(
    indicator_kwh_per_t: ArrayLike,
    tier1_upper_kwh_per_t: float,
    tier2_upper_kwh_per_t: float,
    tier2_surcharge_yuan_per_kwh: float,
    tier3_surcharge_yuan_per_kwh: float,
) -> FloatArray:
    """Surcharge under the 2013 notice: 0 up to 13700, 0.02 to 13800, 0.08 above (铝液电解交流电耗).

    References
    ----------
    .. [1] NDRC and MIIT 2013 notice on tiered electricity prices for electrolytic aluminium.
    """
    u = as_float(indicator_kwh_per_t)
    return np.where(
        u <= tier1_upper_kwh_per_t,
        0.0,
        np.where(u <= tier2_upper_kwh_per_t, tier2_surcharge_yuan_per_kwh, tier3_surcharge_yuan_per_kwh),
    )


def surcharge_yuan(
    surcharge_yuan_per_kwh: ArrayLike, electricity_mwh: ArrayLike, multiplier: float = 1.0
) -> FloatArray:
    """Surcharge for the period: s × electricity × 1000 (MWh → kWh) × multiplier (1.5 when paid late). [yuan]"""
    return as_float(surcharge_yuan_per_kwh) * as_float(electricity_mwh) * 1000.0 * multiplier
