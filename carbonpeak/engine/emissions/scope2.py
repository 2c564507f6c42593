"""Indirect emissions of electricity, location-based and market-based side by side, with green power.

The GHG Protocol Scope 2 Guidance (2015) asks for both figures ("dual reporting", ch. 4):

* **location-based**: all grid electricity bought, net of what is exported, times the grid's average
  factor, whatever contracts the buyer holds. Green power bought through the grid keeps the grid's
  factor here.
* **market-based** (ch. 6): grid electricity covered by a contractual instrument carries the
  instrument's emission rate (zero for renewable generation: ``electricity.green_power_factor``);
  the rest carries the residual factor, which excludes the market-traded non-fossil power (MEE/NBS
  电力二氧化碳排放因子, 表4, the national residual factor; China reference §4.2).

Renewable electricity generated and used on site is not purchased electricity: it adds to the
electricity used, never to either indirect figure.

Instruments are applied in a fixed order so that nothing is counted twice: direct green-power
contracts (绿电交易, delivered power) first, then unbundled certificates (绿证), each capped at what is
still uncovered of the month's grid purchase. What is refused at entry (a volume above the month's
electricity) cannot arrive here; the caps only keep the arithmetic honest for reported form fields.
"""

from __future__ import annotations

import numpy as np

from carbonpeak.engine._arrays import ArrayLike, FloatArray, as_float

METHOD = (
    "GHG Protocol Scope 2 Guidance (2015) ch. 4 dual reporting, ch. 6 market-based; "
    "MEE/NBS 电力二氧化碳排放因子 表1-表4"
)


def dual_scope2(
    grid_mwh: ArrayLike,
    exported_mwh: ArrayLike,
    captive_mwh: ArrayLike,
    contract_mwh: ArrayLike,
    certificate_mwh: ArrayLike,
    onsite_mwh: ArrayLike,
    location_factor: ArrayLike,
    residual_factor: ArrayLike,
    contract_factor: ArrayLike,
    certificate_factor: ArrayLike,
) -> dict[str, FloatArray]:
    """Electricity by source and the two indirect figures of each facility-month.

    covered_contract = min(contract, grid)
    covered_certificate = min(certificate, grid − covered_contract)
    uncovered = grid − covered_contract − covered_certificate
    E_location = (grid − exported) × EF_location
    E_market = covered_contract × EF_contract + covered_certificate × EF_certificate
               + (uncovered − exported) × EF_residual
    used = grid + captive + onsite − exported
    renewable = covered_contract + covered_certificate + onsite

    Parameters
    ----------
    grid_mwh : array_like
        Electricity purchased from the grid. [MWh]
    exported_mwh : array_like
        Electricity supplied outside the boundary. [MWh]
    captive_mwh : array_like
        Electricity of the enterprise's own (fossil) plant; its emissions are direct, not counted here. [MWh]
    contract_mwh, certificate_mwh : array_like
        Green-power contract deliveries and certificates claimed for the month. [MWh]
    onsite_mwh : array_like
        Renewable electricity generated and used on site. [MWh]
    location_factor : array_like
        Grid average factor of the rule in force. [t CO2/MWh]
    residual_factor : array_like
        Factor for grid power not covered by an instrument (residual, or the location factor where no
        residual factor exists). [t CO2/MWh]
    contract_factor, certificate_factor : array_like
        Emission rate each instrument conveys. [t CO2/MWh]

    Returns
    -------
    dict of numpy.ndarray
        ``covered_contract_mwh``, ``covered_certificate_mwh``, ``uncovered_grid_mwh`` [MWh];
        ``location_tco2``, ``market_tco2`` [t CO2]; ``electricity_used_mwh``, ``renewable_mwh`` [MWh].

    References
    ----------
    .. [1] WRI/WBCSD, GHG Protocol Scope 2 Guidance, 2015, ch. 4 (dual reporting), ch. 6 (market-based
       method, residual mix).
    .. [2] MEE/NBS 公告2024年第12号, 2024年第33号, 2025年第47号: 全国电力平均二氧化碳排放因子 (表1) and
       全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量） (表4).
    .. [3] NDRC 2013 electrolytic-aluminium guideline, 净购入电力: E = (purchased − exported) × EF.
    """
    grid = as_float(grid_mwh)
    exported = as_float(exported_mwh)
    contract = np.minimum(as_float(contract_mwh), grid)
    certificate = np.minimum(as_float(certificate_mwh), grid - contract)
    uncovered = grid - contract - certificate
    onsite = as_float(onsite_mwh)
    location = (grid - exported) * as_float(location_factor)
    market = (
        contract * as_float(contract_factor)
        + certificate * as_float(certificate_factor)
        + (uncovered - exported) * as_float(residual_factor)
    )
    return {
        "covered_contract_mwh": contract,
        "covered_certificate_mwh": certificate,
        "uncovered_grid_mwh": uncovered,
        "location_tco2": location,
        "market_tco2": market,
        "electricity_used_mwh": grid + as_float(captive_mwh) + onsite - exported,
        "renewable_mwh": contract + certificate + onsite,
    }


def renewable_share_pct(renewable_mwh: ArrayLike, electricity_used_mwh: ArrayLike) -> FloatArray:
    """Renewable share of the electricity used, NaN where nothing was used.

    share = Σ renewable / Σ used × 100 (sum first, then divide: a share of shares would weigh a small
    month like a large one).

    Parameters
    ----------
    renewable_mwh, electricity_used_mwh : array_like
        Sums over the facilities and months of the share. [MWh]

    Returns
    -------
    numpy.ndarray
        [%]

    References
    ----------
    .. [1] 减污降碳协同增效实施方案 (MEE and six departments): 电解铝使用可再生能源比例 (plan target CN-03).
    """
    num = as_float(renewable_mwh)
    den = as_float(electricity_used_mwh)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * 100.0, np.nan)
