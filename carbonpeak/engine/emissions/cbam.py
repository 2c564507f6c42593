"""EU CBAM: specific embedded emissions of aluminium goods and emissions subject to certificates.

References
----------
.. [1] Commission Implementing Regulation (EU) 2025/2547, Annex III B, Eq. 59-63.
.. [2] Commission Implementing Regulation (EU) 2025/2621, Annex I (default values) and mark-up schedule.
"""

from __future__ import annotations

from carbonpeak.engine._arrays import ArrayLike, FloatArray, as_float, safe_divide


def specific_embedded_emissions(attributed_direct_tco2e: ArrayLike, activity_level_t: ArrayLike) -> FloatArray:
    """Specific embedded emissions of a simple good: SEE = AttrEm / AL. [t CO2e/t]

    Aluminium goods are direct-emissions-only in the definitive period: pass direct emissions only.

    References
    ----------
    .. [1] (EU) 2025/2547, Annex III B, Eq. 59 (with no precursor) and Eq. 63.
    """
    return safe_divide(attributed_direct_tco2e, activity_level_t)


def complex_good_see(
    attributed_direct_per_t: ArrayLike, precursor_mass_t_per_t: ArrayLike, precursor_see_tco2e_per_t: ArrayLike
) -> FloatArray:
    """Specific embedded emissions of a complex good with one precursor.

    SEE_g = ae_g + m_i × SEE_i

    Parameters
    ----------
    attributed_direct_per_t : array_like
        ae_g, attributed direct emissions per tonne of good. [t CO2e/t]
    precursor_mass_t_per_t : array_like
        m_i, precursor per tonne of good, scrap cut-offs included (Eq. 60). [t/t]
    precursor_see_tco2e_per_t : array_like
        SEE_i of the precursor (0 for a precursor from the EU). [t CO2e/t]

    Returns
    -------
    numpy.ndarray
        [t CO2e/t]

    References
    ----------
    .. [1] (EU) 2025/2547, Annex III B, Eq. 62.
    """
    return as_float(attributed_direct_per_t) + as_float(precursor_mass_t_per_t) * as_float(precursor_see_tco2e_per_t)


def default_value_with_markup(default_see_tco2e_per_t: ArrayLike, markup_pct: ArrayLike) -> FloatArray:
    """Default SEE raised by the year's mark-up: SEE × (1 + markup/100). [t CO2e/t]

    References
    ----------
    .. [1] (EU) 2025/2621 default values; mark-up 10 % (2026), 20 % (2027), 30 % (from 2028).
    """
    return as_float(default_see_tco2e_per_t) * (1.0 + as_float(markup_pct) / 100.0)


def emissions_subject_to_certificates(
    embedded_tco2e_per_t: ArrayLike, benchmark_tco2e_per_t: ArrayLike, cbam_factor_pct: ArrayLike
) -> FloatArray:
    """Embedded emissions left after the free-allocation adjustment.

    payable = embedded − benchmark × CBAM factor

    Parameters
    ----------
    embedded_tco2e_per_t, benchmark_tco2e_per_t : array_like
        [t CO2e/t]
    cbam_factor_pct : array_like
        Share of benchmark free allocation still granted in the year (97.5 in 2026). [%]

    Returns
    -------
    numpy.ndarray
        [t CO2e/t]

    References
    ----------
    .. [1] Regulation (EU) 2023/956 Art. 31 as explained by cbamreports.com (worked example A1).
    """
    return as_float(embedded_tco2e_per_t) - as_float(benchmark_tco2e_per_t) * as_float(cbam_factor_pct) / 100.0


def complex_good_see_many(
    attributed_direct_tco2e: float, activity_level_t: float, precursors: list[tuple[float, float]]
) -> float:
    """Specific embedded direct emissions of a good with any number of precursors. [t CO2e/t]

    SEE_g = (AttrEm_g + EEInpMat) / AL_g, with EEInpMat = Σ_i M_i × SEE_i

    Parameters
    ----------
    attributed_direct_tco2e : float
        AttrEm_g, direct emissions attributed to the production process over the reporting period. [t CO2e]
    activity_level_t : float
        AL_g, the good produced over the period (scrap and off-spec excluded, Annex II point F); > 0. [t]
    precursors : list of (M_i [t], SEE_i [t CO2e/t])
        Each precursor's mass consumed over the period (cut-offs and spilt mass included, Eq. 60) and its
        specific embedded direct emissions (0 for a precursor from the EU, Annex III B).

    References
    ----------
    .. [1] (EU) 2025/2547, Annex III B, Eq. 59 and Eq. 60 (equivalently Eq. 61-63).
    """
    if not activity_level_t > 0:
        raise ValueError("the activity level of a good must be positive to divide by it (Eq. 59)")
    embedded_in_materials = sum(mass * see for mass, see in precursors)
    return (attributed_direct_tco2e + embedded_in_materials) / activity_level_t


def certificate_cost_eur_per_t(see_tco2e_per_t: ArrayLike, price_eur_per_tco2e: ArrayLike) -> FloatArray:
    """Certificate cost of one tonne of good before any deduction: SEE × price. [EUR/t]

    An upper bound of the importer's exposure: the free-allocation adjustment (benchmark × CBAM factor,
    Art. 31) and a carbon price paid in the country of origin (Art. 9) are not deducted, because the
    CBAM benchmarks (IR 2025/2620) are not held.

    References
    ----------
    .. [1] Regulation (EU) 2023/956: one certificate per tonne of CO2e embedded in the goods imported;
       the price as published for the period (parameter ``cbam.certificate_price``).
    """
    return as_float(see_tco2e_per_t) * as_float(price_eur_per_tco2e)
