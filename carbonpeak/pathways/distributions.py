"""Named distributions of uncertain inputs, and how every run draws them.

A scenario writes an uncertain input as ``{dist: normal, mean: 1.0, sd: 0.5}`` (or lognormal,
triangular, uniform); a plain number is a fixed value. Each named input is drawn from its own
stream, ``numpy.random.default_rng(SeedSequence([seed, crc32(name)]))``: the draws of one input do
not depend on which other inputs a scenario has, so a scenario and its parent share their common
inputs draw by draw (common random numbers, which is what makes wedges and comparisons paired).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Distribution", "draw", "stream"]

Kind = Literal["fixed", "normal", "lognormal", "triangular", "uniform"]


@dataclass(frozen=True)
class Distribution:
    """One named distribution (parameters in the unit of the input it describes).

    ``fixed``: ``value``. ``normal``: ``mean``, ``sd``. ``lognormal``: ``median``, ``sigma`` (the sd of
    the logarithm). ``triangular``: ``low``, ``mode``, ``high``. ``uniform``: ``low``, ``high``. Draws may
    be clipped to [``min``, ``max``].
    """

    kind: Kind
    value: float = 0.0
    mean: float = 0.0
    sd: float = 0.0
    median: float = 1.0
    sigma: float = 0.0
    low: float = 0.0
    mode: float = 0.0
    high: float = 0.0
    min: float = -math.inf
    max: float = math.inf

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        return cls("fixed", value=float(value))

    @property
    def is_fixed(self) -> bool:
        return (
            self.kind == "fixed"
            or (self.kind == "normal" and self.sd == 0)
            or (self.kind == "lognormal" and self.sigma == 0)
        )

    def central(self) -> float:
        """The median of the distribution (what a lever's scheduled year is computed from)."""
        if self.kind == "fixed":
            value = self.value
        elif self.kind == "normal":
            value = self.mean
        elif self.kind == "lognormal":
            value = self.median
        elif self.kind == "uniform":
            value = (self.low + self.high) / 2
        else:  # triangular: the median of a triangular distribution
            a, c, b = self.low, self.mode, self.high
            if b == a:
                value = a
            elif c >= (a + b) / 2:
                value = a + math.sqrt((b - a) * (c - a) / 2)
            else:
                value = b - math.sqrt((b - a) * (b - c) / 2)
        return float(min(max(value, self.min), self.max))

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
        if self.kind == "fixed":
            out = np.full(n, self.value, dtype=float)
        elif self.kind == "normal":
            out = rng.normal(self.mean, self.sd, n)
        elif self.kind == "lognormal":
            out = self.median * np.exp(rng.normal(0.0, self.sigma, n))
        elif self.kind == "triangular":
            out = (
                np.full(n, self.low, dtype=float)
                if self.high == self.low
                else rng.triangular(self.low, self.mode, self.high, n)
            )
        else:
            out = rng.uniform(self.low, self.high, n)
        if math.isfinite(self.min) or math.isfinite(self.max):
            np.clip(out, self.min, self.max, out=out)
        return out

    def describe(self) -> str:
        if self.kind == "fixed":
            return f"{self.value:g}"
        if self.kind == "normal":
            text = f"normal(mean {self.mean:g}, sd {self.sd:g})"
        elif self.kind == "lognormal":
            text = f"lognormal(median {self.median:g}, sigma {self.sigma:g})"
        elif self.kind == "triangular":
            text = f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"
        else:
            text = f"uniform({self.low:g}, {self.high:g})"
        if math.isfinite(self.min) or math.isfinite(self.max):
            text += f" clipped to [{self.min:g}, {self.max:g}]"
        return text


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of one named input: independent of every other name, fixed by (seed, name)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode("utf-8"))]))


def draw(distribution: Distribution, name: str, seed: int, n: int) -> npt.NDArray[np.float64]:
    """``n`` draws of the input ``name`` under ``seed``."""
    return distribution.sample(stream(seed, name), n)
