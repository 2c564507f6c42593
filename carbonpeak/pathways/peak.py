"""When do emissions peak: the definition of issue #5, vectorised over draws.

For one pathway E(y) over the horizon y = y0 … yN:

- the **peak year** is the year of maximum emissions (the earliest, if the maximum is reached twice);
  a peak on the last year of the horizon is reported as **no peak within the horizon**;
- the **test at Y** holds when every later year stays at or below E(Y) × (1 + tolerance) (the issue's
  wording); it needs a later year, so it never holds at Y = yN;
- a pathway **has peaked by Y** when the test holds at Y or at some earlier year. Taken alone the test
  at Y is not monotone (a pathway that peaks in 2025 and wiggles up after 2030, staying below its 2025
  maximum, passes it at 2025 but not at 2030); "peaked by 2025" must imply "peaked by 2030", so the
  earliest year the test holds is what counts. With tolerance 0 this is exactly "the year of maximum
  is Y or earlier (and not the last year)";
- the **plateau** is the set of years whose emissions lie within ``plateau`` (2 % in the issue) of the
  maximum: E(y) ≥ max × (1 − plateau).

Every function takes emissions as (draws, years) and returns one value per draw.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["holds_at", "peak_index", "peaked_by", "peaked_matrix", "plateau", "year_peaked"]

F64 = npt.NDArray[np.float64]


def peak_index(emissions: F64) -> npt.NDArray[np.int64]:
    """Index of the peak year of each draw (first maximum)."""
    return np.asarray(np.argmax(emissions, axis=1), dtype=np.int64)


def _later_max(emissions: F64) -> F64:
    """max over the years after each year (−inf after the last)."""
    flipped = np.maximum.accumulate(emissions[:, ::-1], axis=1)[:, ::-1]
    later = np.full_like(emissions, -np.inf)
    later[:, :-1] = flipped[:, 1:]
    return later


def peaked_matrix(emissions: F64, tolerance: float) -> npt.NDArray[np.bool_]:
    """(draws, years): has the pathway peaked by each year? False on the last year (nothing after it)."""
    out = _later_max(emissions) <= emissions * (1.0 + tolerance)
    out[:, -1] = False
    return np.asarray(out)


def _position(years: npt.NDArray[np.int64], year: int) -> int:
    j = int(np.searchsorted(years, year))
    if j >= len(years) or years[j] != year:
        raise ValueError(f"{year} is not in the horizon {years[0]}-{years[-1]}")
    return j


def holds_at(emissions: F64, years: npt.NDArray[np.int64], year: int, tolerance: float) -> npt.NDArray[np.bool_]:
    """True where every year after ``year`` stays at or below E(year) × (1 + tolerance)."""
    return peaked_matrix(emissions, tolerance)[:, _position(years, year)]


def peaked_by(emissions: F64, years: npt.NDArray[np.int64], year: int, tolerance: float) -> npt.NDArray[np.bool_]:
    """True where the test holds at ``year`` or at an earlier year of the horizon."""
    return np.asarray(peaked_matrix(emissions, tolerance)[:, : _position(years, year) + 1].any(axis=1))


def year_peaked(emissions: F64, years: npt.NDArray[np.int64], tolerance: float) -> F64:
    """The first year by which each draw has peaked (NaN: not within the horizon)."""
    matrix = peaked_matrix(emissions, tolerance)
    first = np.argmax(matrix, axis=1)
    return np.where(matrix.any(axis=1), years[first].astype(float), np.nan)


def plateau(emissions: F64, band: float) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """(draws, years) mask of the plateau years and the number of them per draw."""
    top = emissions.max(axis=1, keepdims=True)
    mask = emissions >= top * (1.0 - band)
    return np.asarray(mask), np.asarray(mask.sum(axis=1), dtype=np.int64)
