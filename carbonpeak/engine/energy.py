"""Energy: conversion to standard coal equivalent and unit product energy consumption.

References
----------
.. [1] GB/T 2589-2020 综合能耗计算通则 (General principles for calculation of the comprehensive
   energy consumption), §3 (1 kgce = 29 307.6 kJ) and Annex A (reference coefficients).
.. [2] GB 21346-2022 电解铝和氧化铝单位产品能源消耗限额, definitions of 铝液交流电耗 and
   铝液综合交流电耗.
"""

from __future__ import annotations

from carbonpeak.engine._arrays import ArrayLike, FloatArray, as_float, safe_divide

GJ_PER_TCE = 29.3076  # GB/T 2589-2020 §3: 1 kgce = 29 307.6 kJ, so 1 tce = 29.3076 GJ


def energy_tce_from_coefficient(amount: ArrayLike, coefficient_tce_per_unit: ArrayLike) -> FloatArray:
    """Energy of a carrier in standard coal equivalent from a reference coefficient.

    E = amount × k

    Parameters
    ----------
    amount : array_like
        Quantity of the carrier in the unit the coefficient is stated per. [unit]
    coefficient_tce_per_unit : array_like
        GB/T 2589-2020 Annex A coefficient (or the equal-value coal consumption for electricity). [tce/unit]

    Returns
    -------
    numpy.ndarray
        Energy. [tce]

    References
    ----------
    .. [1] GB/T 2589-2020, Annex A.
    """
    return as_float(amount) * as_float(coefficient_tce_per_unit)


def energy_tce_from_heating_value(amount: ArrayLike, ncv_gj_per_unit: ArrayLike) -> FloatArray:
    """Energy in standard coal equivalent from a (measured or default) net calorific value.

    E = amount × NCV / 29.3076

    Parameters
    ----------
    amount : array_like
        Quantity of fuel. [t or 10^4 Nm3]
    ncv_gj_per_unit : array_like
        Net (low) calorific value. [GJ/unit]

    Returns
    -------
    numpy.ndarray
        Energy. [tce]

    References
    ----------
    .. [1] GB/T 2589-2020, §3: 1 kgce = 29 307.6 kJ; §4: use the measured low heating value where known.
    """
    return as_float(amount) * as_float(ncv_gj_per_unit) / GJ_PER_TCE


def unit_consumption(total: ArrayLike, output_t: ArrayLike, scale: float = 1.0) -> FloatArray:
    """Consumption per tonne of product, NaN where there is no output.

    u = total × scale / output

    Parameters
    ----------
    total : array_like
        Total consumption over the period. [MWh, tce ...]
    output_t : array_like
        Product output over the same period. [t]
    scale : float
        Unit change of the result, e.g. 1000 for MWh → kWh/t or tce → kgce/t. [-]

    Returns
    -------
    numpy.ndarray
        Unit consumption. [unit of total × scale per t]

    References
    ----------
    .. [1] GB 21346-2022 §3 (铝液交流电耗 = AC power to electrolysis / liquid aluminium output);
       GB/T 2589-2020 §3 (单位产品综合能耗).
    """
    return safe_divide(as_float(total) * scale, output_t)
