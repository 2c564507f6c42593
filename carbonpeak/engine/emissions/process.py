"""Process emissions other than aluminium electrolysis: carbonates, magnesium, lead, zinc, silicon.

References
----------
.. [1] MEE, 企业温室气体排放核算与报告指南 铝冶炼行业, CETS-AG-04.01-V01-2024, §7 (carbonates).
.. [2] NDRC, 中国镁冶炼企业温室气体排放核算方法与报告指南（试行）, 2013.
.. [3] NDRC, 其他有色金属冶炼和压延加工业企业温室气体排放核算方法与报告指南（试行）, 2015.
.. [4] IPCC, 2006 Guidelines, Vol. 3, Ch. 4, §4.3 (silicon), §4.5 (magnesium), §4.6 (lead), §4.7 (zinc).
"""

from __future__ import annotations

from carbonpeak.engine._arrays import CO2_PER_C, ArrayLike, FloatArray, as_float


def carbonate_decomposition_tco2(carbonate_t: ArrayLike, purity_pct: ArrayLike, ef_tco2_per_t: ArrayLike) -> FloatArray:
    """CO2 from carbonate decomposition.

    E = M × purity/100 × EF

    Parameters
    ----------
    carbonate_t : array_like
        Carbonate consumed. [t]
    purity_pct : array_like
        Mass share of the carbonate species in the material. [%]
    ef_tco2_per_t : array_like
        Stoichiometric factor of the species (CaCO3 0.4400 ...). [t CO2/t]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] MEE 2024 aluminium-smelting guideline §7 and Appendix A; NDRC 2015 other non-ferrous guideline
       (工业生产过程 碳酸盐分解).
    """
    return as_float(carbonate_t) * as_float(purity_pct) / 100.0 * as_float(ef_tco2_per_t)


def limestone_calcination_tco2(limestone_t: ArrayLike, ef_tco2_per_t: ArrayLike) -> FloatArray:
    """CO2 from limestone calcination in an electrolytic-aluminium plant: E = AD × EF. [t CO2]

    References
    ----------
    .. [1] NDRC 2013 electrolytic-aluminium guideline, 煅烧石灰石: EF 0.405 t CO2/t limestone.
    """
    return as_float(limestone_t) * as_float(ef_tco2_per_t)


def dolomite_calcination_tco2(dolomite_t: ArrayLike, coefficient: ArrayLike, ef_tco2_per_t: ArrayLike) -> FloatArray:
    """CO2 from dolomite calcination in Pidgeon magnesium smelting.

    E = dolomite × k × EF

    Parameters
    ----------
    dolomite_t : array_like
        Dolomite calcined. [t]
    coefficient : array_like
        Coefficient applied with the factor (0.98 in the implementation found; meaning unstated). [-]
    ef_tco2_per_t : array_like
        [t CO2/t dolomite]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] NDRC 2013 magnesium guideline, 工业生产过程（煅烧白云石）, as implemented in code
       (shared/reference/china-missing-values.md §3.1).
    """
    return as_float(dolomite_t) * as_float(coefficient) * as_float(ef_tco2_per_t)


def product_factor_tco2(output_t: ArrayLike, ef_tco2_per_t: ArrayLike) -> FloatArray:
    """Emissions as output × factor, the form of every Tier 1 and product-based default.

    E = P × EF

    Parameters
    ----------
    output_t : array_like
        Product or intermediate output (primary Mg, Pb, Zn, Si metal, self-produced ferrosilicon). [t]
    ef_tco2_per_t : array_like
        [t CO2/t]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.15 (silicon), 4.28 (magnesium), 4.32 (lead), 4.33 (zinc).
    .. [2] NDRC 2013 magnesium guideline, 能源作为原材料用途 (self-produced ferrosilicon × 2.79).
    """
    return as_float(output_t) * as_float(ef_tco2_per_t)


def reductant_carbon_tco2(reductant_t: ArrayLike, carbon_content_pct: ArrayLike) -> FloatArray:
    """CO2 from carbon in reducing agents used as raw material (mass balance on measured carbon).

    E = M × C/100 × 44/12

    Parameters
    ----------
    reductant_t : array_like
        Reducing agent consumed (coke, coal, electrodes ...). [t]
    carbon_content_pct : array_like
        Measured carbon content. [%]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] NDRC 2015 other non-ferrous guideline, 能源作为原材料用途.
    .. [2] IPCC 2006, Vol. 3, Eq. 4.17 (Tier 3, carbon content of the reducing agent).
    """
    return as_float(reductant_t) * as_float(carbon_content_pct) / 100.0 * CO2_PER_C


def gas_emitted_t(output_t: ArrayLike, ef_kg_per_t: ArrayLike) -> FloatArray:
    """Mass of a non-CO2 gas from output × factor: E = P × EF / 1000. [t gas]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.18 (CH4 from silicon metal), Eq. 4.30 (SF6 cover gas, magnesium).
    """
    return as_float(output_t) * as_float(ef_kg_per_t) / 1000.0
