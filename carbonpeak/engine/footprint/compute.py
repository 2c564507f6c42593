"""Cradle-to-gate product footprints over many product-facility-years at once.

For footprint *k* with declared-unit output P_k (t of product, the sum of its months' output):

    site stage s:        C_s,k = Σ_months E_s / P_k                          [t CO2e/t]
    electricity:         C_el,k = Σ_months (MWh × EF_el) / P_k                [t CO2e/t]
    upstream stage u:    C_u,k = q_u,k × EF_u,k                               [t CO2e/t]
    footprint:           PCF_k = Σ_stages C_k                                  [t CO2e/t]

with q the quantity of the upstream material per tonne of product [t/t] and EF its cradle-to-gate
footprint [t CO2e/t material] (for bauxite, q = 1 and EF per tonne of product). A stage whose factor
or quantity is missing is NaN: the footprint is then incomplete and says which stage is missing; it
is never counted as zero. The electricity factor is an input per month with its basis label
(location-based grid factor today; a market-based factor when one is supplied).

GB/T 44905-2024 (secondary copies, anchors-next.md §2.1): cradle to gate, calendar-year data, cut-off
1 % per stage and 5 % in total (:func:`cutoff_check`). GB/T 24067-2024 follows ISO 14067.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from carbonpeak.engine._arrays import FloatArray, as_float
from carbonpeak.engine.footprint.methods import STAGES
from carbonpeak.engine.provenance import IntArray

# Kinds of data behind an upstream stage (GB/T 44905: site data is primary; background data primary or
# secondary). SITE: the supplier facility's own verified months on this platform; SUPPLIER: a footprint
# declared by the supplier with its evidence; SECONDARY: a cited parameter; INCLUDED: counted inside
# another stage (bauxite inside a cradle-to-gate alumina footprint), so 0 by construction, not by default.
SECONDARY, SUPPLIER, SITE, INCLUDED = 0, 1, 2, 3

CUTOFF_PASS, CUTOFF_FAIL, CUTOFF_UNKNOWN = "pass", "fail", "unknown"


@dataclass
class SiteMonths:
    """One row per facility-month; ``footprint`` is the row's footprint (0 .. n−1).

    Emissions in t CO2e (t CO2 for fuel, process, heat), output in t of declared product, electricity
    in MWh (net of exports) and its factor in t CO2/MWh (NaN: not known)."""

    footprint: IntArray
    output_t: FloatArray
    fuel_tco2: FloatArray
    process_tco2: FloatArray
    pfc_tco2e: FloatArray
    heat_tco2: FloatArray
    electricity_mwh: FloatArray
    electricity_factor: FloatArray


@dataclass
class Upstream:
    """One row per footprint and upstream stage: quantity [t/t product], factor [t CO2e/t], kind, and an
    estimate [t CO2e/t product] used only to test whether a missing stage may be cut off (NaN: none)."""

    footprint: IntArray
    stage: IntArray  # index into STAGES
    quantity_t_per_t: FloatArray
    factor_tco2e_per_t: FloatArray
    kind: IntArray
    cutoff_estimate: FloatArray = field(default_factory=lambda: np.zeros(0))


@dataclass
class FootprintResult:
    """Per footprint: the value, each stage (n × len(STAGES), NaN where missing, 0 where not part of
    the method), which stages the method has, data shares and the cut-off check."""

    value: FloatArray  # t CO2e per declared unit, the sum of the stages quantified
    stages: FloatArray
    applies: np.ndarray  # bool n × S
    missing: np.ndarray  # bool n × S: part of the method, not quantified
    output_t: FloatArray
    months: IntArray
    site_share: FloatArray  # share of the value from the facility's own verified months
    supplier_share: FloatArray  # from supplier-declared footprints and supplier facilities' months
    secondary_share: FloatArray  # from cited parameters
    complete: np.ndarray  # bool: every stage of the method quantified
    cutoff: np.ndarray  # CUTOFF_PASS / FAIL / UNKNOWN
    exempted_pct: FloatArray  # share of the (value + estimates) left out, where the check passes

    @property
    def primary_share(self) -> FloatArray:
        """Primary data: site data and supplier-specific data (GB/T 44905 as summarised)."""
        return self.site_share + self.supplier_share


def footprints(
    n: int,
    months: SiteMonths,
    upstream: Upstream,
    applies: np.ndarray,
    *,
    stage_cutoff_pct: float,
    total_cutoff_pct: float,
) -> FootprintResult:
    """Footprints of ``n`` product-facility-years.

    Parameters
    ----------
    n : int
        Number of footprints.
    months : SiteMonths
        The facility-months behind each footprint (verified months of one calendar year).
    upstream : Upstream
        The upstream stages of each footprint.
    applies : numpy.ndarray
        bool n × len(STAGES): the stages each footprint's method has.
    stage_cutoff_pct, total_cutoff_pct : float
        Cut-off rule: a stage may be left out below ``stage_cutoff_pct`` of the PCF, all left out
        together at most ``total_cutoff_pct``. [%] (GB/T 44905-2024: 1 and 5.)

    Returns
    -------
    FootprintResult
        [t CO2e per t of declared product]
    """
    k = np.asarray(months.footprint, dtype=np.intp)
    electricity = as_float(months.electricity_mwh) * as_float(months.electricity_factor)
    site_columns = ("fuel", "process", "pfc", "heat", "electricity")
    matrix = np.column_stack(
        [as_float(months.output_t), *(as_float(getattr(months, f)) for f in _SITE_FIELDS), electricity]
    )
    sums, nans = group_sums(k, n, matrix)
    output, count = sums[:, 0], np.bincount(k, minlength=n).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_t = np.where(output > 0, 1.0 / np.where(output > 0, output, 1.0), np.nan)
    stages = np.zeros((n, len(STAGES)))
    # a month without the figure makes the stage unknown (a NaN is summed on purpose)
    site_values = np.where(nans[:, 1:] > 0, np.nan, sums[:, 1:] * per_t[:, None])
    stages[:, [STAGES.index(name) for name in site_columns]] = site_values
    site = np.nansum(site_values, axis=1)
    supplier = np.zeros(n)
    secondary = np.zeros(n)
    estimate = np.full((n, len(STAGES)), np.nan)  # no estimate of a missing stage unless given
    u_k = np.asarray(upstream.footprint, dtype=np.intp)
    u_s = np.asarray(upstream.stage, dtype=np.intp)
    kind = np.asarray(upstream.kind, dtype=np.int64)
    contribution = np.where(
        kind == INCLUDED, 0.0, as_float(upstream.quantity_t_per_t) * as_float(upstream.factor_tco2e_per_t)
    )
    stages[u_k, u_s] = contribution
    known = np.nan_to_num(contribution)
    site += np.bincount(u_k, weights=np.where(kind == SITE, known, 0.0), minlength=n)
    supplier += np.bincount(u_k, weights=np.where(kind == SUPPLIER, known, 0.0), minlength=n)
    secondary += np.bincount(u_k, weights=np.where(kind == SECONDARY, known, 0.0), minlength=n)
    if upstream.cutoff_estimate.size:
        estimate[u_k, u_s] = as_float(upstream.cutoff_estimate)
    else:
        estimate[u_k, u_s] = np.nan
    applies = np.asarray(applies, dtype=bool)
    # a stage of the method with no upstream row at all is missing as well
    given = np.zeros_like(applies)
    given[u_k, u_s] = True
    site_cols = [STAGES.index(s) for s in ("fuel", "process", "pfc", "electricity", "heat")]
    given[:, site_cols] = True
    stages = np.where(applies & ~given, np.nan, stages)
    stages = np.where(applies, stages, 0.0)
    missing = applies & np.isnan(stages)
    value = np.nansum(stages, axis=1)
    value = np.where(count > 0, value, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = [np.where(value > 0, part / value, np.nan) for part in (site, supplier, secondary)]
    cutoff, exempted = cutoff_check(
        value, stages, missing, np.where(missing, estimate, 0.0), stage_cutoff_pct, total_cutoff_pct
    )
    return FootprintResult(
        value=value,
        stages=stages,
        applies=applies,
        missing=missing,
        output_t=output,
        months=count,
        site_share=shares[0],
        supplier_share=shares[1],
        secondary_share=shares[2],
        complete=np.asarray(~missing.any(axis=1), dtype=bool),
        cutoff=cutoff,
        exempted_pct=exempted,
    )


_SITE_FIELDS = ("fuel_tco2", "process_tco2", "pfc_tco2e", "heat_tco2")


def group_sums(k: IntArray, n: int, matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per group 0 .. n−1 of the rows (``k``), the column sums with NaN left out and the number of
    NaNs per column: one sort and one ``reduceat`` for every column at once."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if k.size and np.any(k[1:] < k[:-1]):
        order = np.argsort(k, kind="stable")
        k, matrix = k[order], matrix[order]
    nan = np.isnan(matrix)
    bounds = np.searchsorted(k, np.arange(n + 1))
    filled = np.flatnonzero(np.diff(bounds) > 0)
    both = np.concatenate([np.where(nan, 0.0, matrix), nan], axis=1)
    out = np.zeros((n, both.shape[1]))
    if filled.size == n:
        out = np.add.reduceat(both, bounds[:-1], axis=0)
    elif filled.size:
        out[filled] = np.add.reduceat(both, bounds[filled], axis=0)
    width = matrix.shape[1]
    return out[:, :width], out[:, width:]


def cutoff_check(
    value: FloatArray,
    stages: FloatArray,
    missing: np.ndarray,
    estimates: FloatArray,
    stage_cutoff_pct: float,
    total_cutoff_pct: float,
) -> tuple[np.ndarray, FloatArray]:
    """The cut-off rule (GB/T 44905-2024 as summarised: a stage < 1 % of the PCF may be left out, all
    stages left out ≤ 5 %), checked for every footprint.

    A left-out stage is a missing one. It passes only with an estimate of its size (t CO2e/t product),
    compared with the PCF including the estimates. Without an estimate the check cannot pass: UNKNOWN.

    Returns (status per footprint, share left out in % where known).
    """
    missing = np.asarray(missing, dtype=bool)
    estimates = np.where(missing, as_float(estimates), 0.0)
    no_estimate = (missing & np.isnan(estimates)).any(axis=1)
    left_out = np.nansum(estimates, axis=1)
    denominator = value + left_out
    with np.errstate(divide="ignore", invalid="ignore"):
        stage_pct = np.where(denominator[:, None] > 0, 100.0 * np.nan_to_num(estimates) / denominator[:, None], np.nan)
        total_pct = np.where(denominator > 0, 100.0 * left_out / denominator, np.nan)
    too_big = (missing & (stage_pct >= stage_cutoff_pct)).any(axis=1) | (total_pct > total_cutoff_pct)
    status = np.where(no_estimate, CUTOFF_UNKNOWN, np.where(too_big, CUTOFF_FAIL, CUTOFF_PASS)).astype(object)
    status = np.where(np.isnan(value), CUTOFF_UNKNOWN, status)
    return status, np.where(no_estimate, np.nan, total_pct)
