"""Fossil-fuel combustion and purchased energy (all NDRC 2013/2015 guidelines and the MEE 2024 guideline)."""

from __future__ import annotations

import numpy as np

from carbonpeak.engine._arrays import CO2_PER_C, ArrayLike, FloatArray, as_float


def fuel_combustion_tco2(
    fuel_amount: ArrayLike,
    ncv_gj_per_unit: ArrayLike,
    carbon_content_tc_per_tj: ArrayLike,
    oxidation_rate_pct: ArrayLike,
) -> FloatArray:
    """CO2 from burning fossil fuel.

    E = FC × NCV × CC × 10⁻³ × OF/100 × 44/12

    Parameters
    ----------
    fuel_amount : array_like
        Fuel consumed. [t, or 10^4 Nm3 for gases]
    ncv_gj_per_unit : array_like
        Net calorific value. [GJ/t or GJ/10^4 Nm3]
    carbon_content_tc_per_tj : array_like
        Carbon content per unit of heat. [t C/TJ]
    oxidation_rate_pct : array_like
        Carbon oxidation rate. [%]

    Returns
    -------
    numpy.ndarray
        Emissions. [t CO2]

    References
    ----------
    .. [1] NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013, 化石燃料燃烧排放
       (same equation in the 2013 magnesium and 2015 other non-ferrous guidelines).
    """
    heat_tj = as_float(fuel_amount) * as_float(ncv_gj_per_unit) / 1000.0  # GJ → TJ
    carbon_t = heat_tj * as_float(carbon_content_tc_per_tj) * as_float(oxidation_rate_pct) / 100.0
    return carbon_t * CO2_PER_C


def purchased_electricity_tco2(net_purchased_mwh: ArrayLike, grid_factor_tco2_per_mwh: ArrayLike) -> FloatArray:
    """CO2 of net purchased electricity (negative where the facility is a net exporter).

    E = (purchased − exported) × EF_grid

    Parameters
    ----------
    net_purchased_mwh : array_like
        Purchased minus exported electricity. [MWh]
    grid_factor_tco2_per_mwh : array_like
        Grid emission factor of the basis asked for (location average or residual). [t CO2/MWh]

    Returns
    -------
    numpy.ndarray
        Emissions. [t CO2]

    References
    ----------
    .. [1] NDRC 2013 electrolytic-aluminium guideline, 净购入电力隐含的排放: E = AD × EF.
    .. [2] MEE/NBS, 电力二氧化碳排放因子 notices 2024 No. 12, 2024 No. 33, 2025 No. 47.
    """
    return as_float(net_purchased_mwh) * as_float(grid_factor_tco2_per_mwh)


def market_based_net_mwh(
    grid_purchased_mwh: ArrayLike,
    exported_mwh: ArrayLike,
    green_certificate_mwh: ArrayLike,
    direct_renewable_mwh: ArrayLike,
) -> FloatArray:
    """Grid electricity left to carry the residual factor after market instruments.

    net = purchased − min(purchased, certificates + direct renewable purchase) − exported

    Green certificates and market-traded renewable power are zero-rated in the market-based
    figure; they never change the location-based figure, which uses ``purchased − exported``.
    They are capped at the purchased amount: a certificate covers electricity actually bought.

    Parameters
    ----------
    grid_purchased_mwh, exported_mwh, green_certificate_mwh, direct_renewable_mwh : array_like
        [MWh]

    Returns
    -------
    numpy.ndarray
        Electricity to multiply by the residual factor. [MWh]

    References
    ----------
    .. [1] MEE/NBS 公告2024年第12号: 全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）.
    """
    purchased = as_float(grid_purchased_mwh)
    covered = as_float(green_certificate_mwh) + as_float(direct_renewable_mwh)
    return purchased - np.minimum(covered, purchased) - as_float(exported_mwh)


def purchased_heat_tco2(net_purchased_heat_gj: ArrayLike, heat_factor_tco2_per_gj: ArrayLike) -> FloatArray:
    """CO2 of net purchased heat.

    E = (purchased − exported) heat × EF_heat

    Parameters
    ----------
    net_purchased_heat_gj : array_like
        [GJ]
    heat_factor_tco2_per_gj : array_like
        [t CO2/GJ]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] NDRC 2013 electrolytic-aluminium guideline, 净购入热力: E = AD × 0.11.
    """
    return as_float(net_purchased_heat_gj) * as_float(heat_factor_tco2_per_gj)
