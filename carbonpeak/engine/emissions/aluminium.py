"""Primary aluminium: anode carbon, PFC from anode effects, carbonates (national methods and IPCC 2006).

References
----------
.. [1] NDRC, 中国电解铝生产企业温室气体排放核算方法与报告指南（试行）, 2013.
.. [2] MEE, 企业温室气体排放核算与报告指南 铝冶炼行业, CETS-AG-04.01-V01-2024, §6.
.. [3] IPCC, 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 3, Ch. 4, §4.4.
.. [4] Commission Implementing Regulation (EU) 2025/2547, Annex II B.7 (PFC), Eq. 21-26.
"""

from __future__ import annotations

from carbonpeak.engine._arrays import CO2_PER_C, ArrayLike, FloatArray, as_float


def anode_consumption_tco2(
    aluminium_output_t: ArrayLike,
    net_anode_consumption_t_per_t: ArrayLike,
    anode_sulfur_pct: ArrayLike,
    anode_ash_pct: ArrayLike,
) -> FloatArray:
    """CO2 from carbon anodes consumed in electrolysis (national guidelines; IPCC Eq. 4.21).

    E = P × NC × (100 − S − A)/100 × 44/12

    Parameters
    ----------
    aluminium_output_t : array_like
        Liquid aluminium output. [t]
    net_anode_consumption_t_per_t : array_like
        Net anode consumption NC (吨铝炭阳极净耗), the anode mass per tonne of aluminium; the formula
        removes sulphur and ash, so do not enter a pure-carbon figure. [t/t]
    anode_sulfur_pct, anode_ash_pct : array_like
        Sulphur and ash content of the baked anode. [%]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] NDRC 2013 electrolytic-aluminium guideline, 能源作为原材料用途: E = P × NC × (1 − S − A) × 44/12.
    .. [2] IPCC 2006, Vol. 3, Eq. 4.21 (prebake anode consumption), same form with NAC in t C/t Al.
    """
    carbon_fraction = (100.0 - as_float(anode_sulfur_pct) - as_float(anode_ash_pct)) / 100.0
    return as_float(aluminium_output_t) * as_float(net_anode_consumption_t_per_t) * carbon_fraction * CO2_PER_C


def pfc_emissions_tco2e(
    aluminium_output_t: ArrayLike,
    cf4_kg_per_t: ArrayLike,
    c2f6_kg_per_t: ArrayLike,
    gwp_cf4: float,
    gwp_c2f6: float,
) -> FloatArray:
    """PFC (CF4 + C2F6) emissions from anode effects, in CO2 equivalent.

    E = P × (EF_CF4 × GWP_CF4 + EF_C2F6 × GWP_C2F6) / 1000

    Parameters
    ----------
    aluminium_output_t : array_like
        [t]
    cf4_kg_per_t, c2f6_kg_per_t : array_like
        Emission factors per tonne of aluminium. [kg/t]
    gwp_cf4, gwp_c2f6 : float
        GWP100 of the edition the method prescribes. [t CO2e/t]

    Returns
    -------
    numpy.ndarray
        [t CO2e]

    References
    ----------
    .. [1] NDRC 2013 electrolytic-aluminium guideline, 阳极效应 PFCs.
    .. [2] IPCC 2006, Vol. 3, Eq. 4.25 (Tier 1) with Table 4.15.
    """
    per_t_kg = as_float(cf4_kg_per_t) * gwp_cf4 + as_float(c2f6_kg_per_t) * gwp_c2f6
    return as_float(aluminium_output_t) * per_t_kg / 1000.0  # factors in kg per t; result in t


def pfc_slope_cf4_kg_per_t(
    anode_effect_minutes_per_cell_day: ArrayLike, slope_kg_per_t_per_ae_minute: ArrayLike
) -> FloatArray:
    """CF4 emission factor by the slope method.

    EF_CF4 = S_CF4 × AEM

    Parameters
    ----------
    anode_effect_minutes_per_cell_day : array_like
        AEM, anode-effect minutes per cell-day (frequency × mean duration). [min/cell-day]
    slope_kg_per_t_per_ae_minute : array_like
        Slope coefficient S_CF4. [(kg CF4/t Al)/(AE-min/cell-day)]

    Returns
    -------
    numpy.ndarray
        [kg CF4/t Al]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.26 with Table 4.16.
    .. [2] (EU) 2025/2547, Annex II B.7.1, Eq. 21 and 23; Table 2.
    .. [3] MEE 2024 aluminium-smelting guideline §6: EF_CF4 = 0.143 × AEM.
    """
    return as_float(slope_kg_per_t_per_ae_minute) * as_float(anode_effect_minutes_per_cell_day)


def pfc_overvoltage_cf4_kg_per_t(
    overvoltage_coefficient: ArrayLike, anode_effect_overvoltage_mv: ArrayLike, current_efficiency_pct: ArrayLike
) -> FloatArray:
    """CF4 emission factor by the overvoltage method.

    EF_CF4 = OVC × AEO / CE

    Parameters
    ----------
    overvoltage_coefficient : array_like
        OVC. [(kg CF4/t Al)/mV]
    anode_effect_overvoltage_mv : array_like
        AEO, anode-effect overvoltage per cell-day. [mV]
    current_efficiency_pct : array_like
        CE, current efficiency in percent as the regulation says ("[%]"): 94, not 0.94. [%]

    Returns
    -------
    numpy.ndarray
        [kg CF4/t Al]

    Raises
    ------
    ValueError
        If a current efficiency is at or below 1, i.e. entered as a fraction (it would inflate CF4 100×).

    References
    ----------
    .. [1] (EU) 2025/2547, Annex II B.7.1, Eq. 24; Regulation (EU) 601/2012 Annex IV §8.
    .. [2] IPCC 2006, Vol. 3, overvoltage method, Table 4.16.
    """
    efficiency = as_float(current_efficiency_pct)
    if (efficiency <= 1.0).any():
        raise ValueError("current efficiency must be in percent (e.g. 94), not a fraction (0.94)")
    return as_float(overvoltage_coefficient) * as_float(anode_effect_overvoltage_mv) / efficiency


def tier1_process_tco2(aluminium_output_t: ArrayLike, ef_tco2_per_t: ArrayLike) -> FloatArray:
    """Tier 1 CO2 from anode or paste consumption.

    E = MP × EF

    Parameters
    ----------
    aluminium_output_t : array_like
        [t]
    ef_tco2_per_t : array_like
        1.6 for prebake, 1.7 for Søderberg (IPCC 2006 Table 4.10). [t CO2/t Al]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.20, Table 4.10; 40 CFR 98 Subpart F Eq. F-9.
    """
    return as_float(aluminium_output_t) * as_float(ef_tco2_per_t)


def pitch_volatiles_tco2(
    green_anodes_t: ArrayLike, hydrogen_t: ArrayLike, baked_anodes_t: ArrayLike, waste_tar_t: ArrayLike
) -> FloatArray:
    """CO2 from pitch volatiles burnt in the anode bake furnace.

    E = (GA − H_w − BA − WT) × 44/12

    Parameters
    ----------
    green_anodes_t, hydrogen_t, baked_anodes_t, waste_tar_t : array_like
        Green anodes, hydrogen in green anodes (0.005 × GA), baked anodes produced, waste tar collected. [t]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.22.
    """
    lost_t = as_float(green_anodes_t) - as_float(hydrogen_t) - as_float(baked_anodes_t) - as_float(waste_tar_t)
    return lost_t * CO2_PER_C


def packing_coke_tco2(
    packing_coke_t_per_t: ArrayLike, baked_anodes_t: ArrayLike, sulfur_pct: ArrayLike, ash_pct: ArrayLike
) -> FloatArray:
    """CO2 from packing coke burnt in the bake furnace.

    E = PCC × BA × (100 − S_pc − Ash_pc)/100 × 44/12

    Parameters
    ----------
    packing_coke_t_per_t : array_like
        Packing coke per tonne of baked anode. [t/t]
    baked_anodes_t : array_like
        [t]
    sulfur_pct, ash_pct : array_like
        [%]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.23.
    """
    carbon_fraction = (100.0 - as_float(sulfur_pct) - as_float(ash_pct)) / 100.0
    return as_float(packing_coke_t_per_t) * as_float(baked_anodes_t) * carbon_fraction * CO2_PER_C


def soderberg_paste_tco2(
    paste_t_per_t: ArrayLike,
    aluminium_output_t: ArrayLike,
    csm_kg_per_t: ArrayLike,
    binder_pct: ArrayLike,
    pitch_sulfur_pct: ArrayLike,
    pitch_ash_pct: ArrayLike,
    pitch_hydrogen_pct: ArrayLike,
    coke_sulfur_pct: ArrayLike,
    coke_ash_pct: ArrayLike,
    skimmed_dust_carbon_t_per_t: ArrayLike,
) -> FloatArray:
    """CO2 from Søderberg paste consumption.

    E = (PC·MP − CSM·MP/1000 − BC/100·PC·MP·(S_p + Ash_p + H_p)/100
         − (100 − BC)/100·PC·MP·(S_c + Ash_c)/100 − MP·CD) × 44/12

    Parameters
    ----------
    paste_t_per_t : array_like
        Paste consumption PC. [t/t Al]
    aluminium_output_t : array_like
        MP. [t]
    csm_kg_per_t : array_like
        Cyclohexane-soluble matter emitted. [kg/t Al]
    binder_pct : array_like
        Binder content of the paste BC. [%]
    pitch_sulfur_pct, pitch_ash_pct, pitch_hydrogen_pct, coke_sulfur_pct, coke_ash_pct : array_like
        [%]
    skimmed_dust_carbon_t_per_t : array_like
        Carbon in skimmed dust CD. [t C/t Al]

    Returns
    -------
    numpy.ndarray
        [t CO2]

    References
    ----------
    .. [1] IPCC 2006, Vol. 3, Eq. 4.24; 40 CFR 98 Subpart F Table F-2 (defaults).
    """
    mp = as_float(aluminium_output_t)
    paste = as_float(paste_t_per_t) * mp
    bc = as_float(binder_pct)
    carbon_t = (
        paste
        - as_float(csm_kg_per_t) * mp / 1000.0  # CSM is in kg per t
        - bc
        / 100.0
        * paste
        * (as_float(pitch_sulfur_pct) + as_float(pitch_ash_pct) + as_float(pitch_hydrogen_pct))
        / 100.0
        - (100.0 - bc) / 100.0 * paste * (as_float(coke_sulfur_pct) + as_float(coke_ash_pct)) / 100.0
        - mp * as_float(skimmed_dust_carbon_t_per_t)
    )
    return carbon_t * CO2_PER_C


def gas_mass_t(aluminium_output_t: ArrayLike, ef_kg_per_t: ArrayLike) -> FloatArray:
    """Mass of a PFC gas emitted: E = MP × EF / 1000. [t] (IPCC 2006 Eq. 4.25; (EU) 2025/2547 Eq. 21)."""
    return as_float(aluminium_output_t) * as_float(ef_kg_per_t) / 1000.0
