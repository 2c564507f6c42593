"""Small helpers shared by the engine modules."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]

CO2_PER_C = 44.0 / 12.0  # molar-mass ratio CO2/C used by the NDRC, MEE and IPCC methods


def as_float(values: Any) -> FloatArray:
    """One conversion to a float array, so a scalar and a country's worth of records share code."""
    return np.asarray(values, dtype=np.float64)


def safe_divide(numerator: ArrayLike, denominator: ArrayLike) -> FloatArray:
    """numerator / denominator, NaN where the denominator is zero (an undefined intensity, not 0)."""
    num, den = as_float(numerator), as_float(denominator)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out
