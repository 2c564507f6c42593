"""Which uncertain inputs drive the spread of an output (the peak year): first-order variance shares.

Method: the first-order sensitivity index S_i = Var(E[Y | X_i]) / Var(Y) estimated from the Monte
Carlo sample itself ("given data") with the correlation ratio η²: the draws are cut into equal-count
bins of X_i (or grouped by value where X_i takes few values), and S_i ≈ Σ_b n_b (ȳ_b − ȳ)² / Σ (y − ȳ)².

References: E. Plischke, E. Borgonovo, C. L. Smith (2013), "Global sensitivity measures from given
data", European Journal of Operational Research 226(3), 536-550; M. D. McKay (1995), "Evaluating
prediction uncertainty", NUREG/CR-6311 (the correlation ratio as a variance-based importance measure).

With B bins and N draws an input that does nothing still scores about (B − 1)/(N − 1): reported as the
noise floor. The direction of the effect is Spearman's rank correlation. Shares need not sum to one:
the rest is interaction between inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Attribution", "first_order"]

F64 = npt.NDArray[np.float64]
METHOD = (
    "first-order variance share by the correlation ratio over equal-count bins of each input "
    "(Plischke, Borgonovo & Smith 2013, EJOR 226:536-550; McKay 1995, NUREG/CR-6311); "
    "direction by Spearman's rank correlation"
)


@dataclass(frozen=True)
class Attribution:
    input: str
    share: float  # first-order share of the output's variance, 0-1
    spearman: float
    bins: int


def _ranks(x: F64) -> F64:
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    # average ties
    values, inverse = np.unique(x, return_inverse=True)
    if len(values) < len(x):
        sums = np.bincount(inverse, weights=ranks)
        counts = np.bincount(inverse)
        ranks = (sums / counts)[inverse]
    return ranks


def first_order(samples: dict[str, F64], output: F64, bins: int = 20) -> tuple[list[Attribution], float]:
    """First-order shares of ``output``'s variance for each input that varies; and the noise floor."""
    keep = np.isfinite(output)
    y = output[keep]
    n = len(y)
    total = float(((y - y.mean()) ** 2).sum())
    results: list[Attribution] = []
    floor = (bins - 1) / (n - 1) if n > 1 else 1.0
    if n < 2 or total == 0.0:
        return [], floor
    ry = _ranks(y)
    for name, values in sorted(samples.items()):
        x = values[keep]
        if np.ptp(x) == 0:
            continue
        unique, inverse = np.unique(x, return_inverse=True)
        by_rank = np.minimum((_ranks(x) * bins / n).astype(np.int64), bins - 1)
        labels = inverse if len(unique) <= bins else by_rank
        counts = np.bincount(labels)
        means = np.bincount(labels, weights=y) / np.where(counts > 0, counts, 1)
        between = float((counts * (means - y.mean()) ** 2).sum())
        rx = _ranks(x)
        rho = float(np.corrcoef(rx, ry)[0, 1]) if np.ptp(ry) > 0 else 0.0
        results.append(Attribution(name, between / total, rho, int((counts > 0).sum())))
    results.sort(key=lambda a: -a.share)
    return results, floor
