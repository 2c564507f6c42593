"""How a figure was made: the term, its formula and method clause, its inputs and cited parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from carbonpeak.engine._arrays import FloatArray

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Used:
    """A cited parameter (``carbonpeak.parameters.Cited``) and the batch records it was used for."""

    cited: Any
    records: IntArray


@dataclass(frozen=True)
class Own:
    """A factor the records carried themselves, with its citation, in place of the cited parameter
    ``replaces`` (e.g. a supplier's grid factor for the market-based figure).

    ``values[k]`` and ``sources[k]`` belong to batch record ``records[k]``.
    """

    field: str
    replaces: str
    unit: str
    records: IntArray
    values: FloatArray
    sources: npt.NDArray[Any]


@dataclass
class Term:
    """One addend of a result (e.g. anode CO2) for the records ``index`` of a batch.

    ``values[k]`` belongs to record ``index[k]``; ``inputs`` are aligned the same way.
    """

    name: str
    label_zh: str
    label_en: str
    unit: str
    index: IntArray
    values: FloatArray
    method: str
    reference: str
    formula: str
    inputs: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    input_units: dict[str, str] = field(default_factory=dict)
    parameters: list[Used] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    own: list[Own] = field(default_factory=list)
    # Line items behind a record's value (each fuel's CO2, each gas's mass): columns of equal length,
    # "record" giving the batch record of each row.
    breakdown: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    breakdown_units: dict[str, str] = field(default_factory=dict)

    def for_record(self, record: int) -> dict[str, Any] | None:
        """This term's value, inputs and parameters for one record, or None if it does not apply."""
        hits = np.flatnonzero(self.index == record)
        if hits.size == 0:
            return None
        k = int(hits[0])
        return {
            "name": self.name,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "value": float(self.values[k]),
            "unit": self.unit,
            "method": self.method,
            "reference": self.reference,
            "formula": self.formula,
            "inputs": {name: _scalar(values[k]) for name, values in self.inputs.items()},
            "input_units": dict(self.input_units),
            "parameters": [u.cited for u in self.parameters if (u.records == record).any()],
            "notes": list(self.notes),
            "own_factors": [
                {
                    "field": o.field,
                    "value": float(o.values[i]),
                    "unit": o.unit,
                    "source": str(o.sources[i]),
                    "replaces": o.replaces,
                }
                for o in self.own
                for i in np.flatnonzero(o.records == record)
            ],
            "breakdown": self._breakdown_of(record),
            "breakdown_units": dict(self.breakdown_units),
        }

    def _breakdown_of(self, record: int) -> list[dict[str, Any]]:
        if not self.breakdown:
            return []
        rows = np.flatnonzero(self.breakdown["record"] == record)
        columns = [name for name in self.breakdown if name != "record"]
        return [{name: _plain(self.breakdown[name][k]) for name in columns} for k in rows]


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _plain(value: Any) -> Any:
    """A scalar for JSON: NumPy scalars as Python ones, NaN (not reported) as None."""
    value = _scalar(value)
    return None if isinstance(value, float) and value != value else value
