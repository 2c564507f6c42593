"""The footprint engine: many footprints at once equal each computed alone; a month without a figure or
an upstream stage without a factor is missing (NaN), never zero; grouping handles unsorted and empty groups."""

from __future__ import annotations

import numpy as np

from carbonpeak.engine.footprint import SECONDARY, STAGES, SiteMonths, Upstream, footprints
from carbonpeak.engine.footprint.compute import CUTOFF_UNKNOWN, group_sums

S = STAGES.index


def _batch(rng: np.random.Generator, n: int, per: int) -> tuple[SiteMonths, Upstream, np.ndarray]:
    k = np.repeat(np.arange(n), per)
    rng.shuffle(k)
    m = k.size

    def r(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, m)

    months = SiteMonths(k, r(1000, 2000), r(0, 50), r(100, 200), r(0, 30), r(0, 5), r(10000, 20000), r(0.4, 0.9))
    upstream = Upstream(
        footprint=np.arange(n, dtype=np.intp),
        stage=np.full(n, S("alumina"), dtype=np.intp),
        quantity_t_per_t=np.full(n, 2.0),
        factor_tco2e_per_t=rng.uniform(0.5, 1.5, n),
        kind=np.full(n, SECONDARY),
        cutoff_estimate=np.full(n, np.nan),
    )
    applies = np.zeros((n, len(STAGES)), dtype=bool)
    applies[:, [S(s) for s in ("alumina", "fuel", "process", "pfc", "electricity", "heat")]] = True
    return months, upstream, applies


def _one(months: SiteMonths, upstream: Upstream, applies: np.ndarray, i: int) -> float:
    rows = months.footprint == i
    alone = SiteMonths(
        np.zeros(int(rows.sum()), dtype=np.intp),
        *(np.asarray(getattr(months, f))[rows] for f in ("output_t", "fuel_tco2", "process_tco2", "pfc_tco2e",
                                                          "heat_tco2", "electricity_mwh", "electricity_factor")),
    )  # fmt: skip
    up = Upstream(
        np.zeros(1, dtype=np.intp),
        upstream.stage[i : i + 1],
        upstream.quantity_t_per_t[i : i + 1],
        upstream.factor_tco2e_per_t[i : i + 1],
        upstream.kind[i : i + 1],
        upstream.cutoff_estimate[i : i + 1],
    )
    return float(footprints(1, alone, up, applies[i : i + 1], stage_cutoff_pct=1, total_cutoff_pct=5).value[0])


def test_many_at_once_equal_each_alone() -> None:
    rng = np.random.default_rng(7)
    months, upstream, applies = _batch(rng, 50, 12)
    batch = footprints(50, months, upstream, applies, stage_cutoff_pct=1, total_cutoff_pct=5)
    alone = [_one(months, upstream, applies, i) for i in range(50)]
    np.testing.assert_allclose(batch.value, alone, rtol=1e-12)
    assert batch.complete.all() and (batch.months == 12).all()


def test_missing_figures_are_missing_not_zero() -> None:
    rng = np.random.default_rng(8)
    months, upstream, applies = _batch(rng, 3, 12)
    months.pfc_tco2e[np.flatnonzero(months.footprint == 1)[0]] = np.nan  # one month of footprint 1
    upstream.factor_tco2e_per_t[2] = np.nan  # footprint 2: the alumina factor not found
    r = footprints(3, months, upstream, applies, stage_cutoff_pct=1, total_cutoff_pct=5)
    assert np.isnan(r.stages[1, S("pfc")]) and not r.complete[1]
    assert np.isnan(r.stages[2, S("alumina")]) and not r.complete[2]
    assert r.complete[0] and r.cutoff[1] == CUTOFF_UNKNOWN
    # the value is the quantified part: the missing stage adds nothing, and it is said to be missing
    assert r.value[2] == np.nansum(r.stages[2])


def test_group_sums_unsorted_and_empty_groups() -> None:
    k = np.array([3, 0, 3, 0, 1], dtype=np.intp)
    values = np.array([[1.0, np.nan], [2.0, 1.0], [3.0, 1.0], [4.0, 1.0], [5.0, 1.0]])
    sums, nans = group_sums(k, 5, values)
    np.testing.assert_array_equal(sums[:, 0], [6.0, 5.0, 0.0, 4.0, 0.0])
    np.testing.assert_array_equal(nans[:, 1], [0.0, 0.0, 0.0, 1.0, 0.0])
