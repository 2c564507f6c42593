"""The plausibility rules in force on a day, read from the parameter families ``plausibility.*``.

Each entry is one rule at one severity for one sector (or ``all``): its threshold (a number, or
``{low, high}``), unit and source. A sector's own entry wins over ``all``; the value ``off`` switches a
rule off for a sector, ``on`` enables a rule that has no threshold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from carbonpeak.parameters import ParameterSet

FAMILIES = ("plausibility.unit_consumption", "plausibility.balance", "plausibility.jump", "plausibility.capacity")
ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)
ALL = "all"
OFF, ON = "off", "on"


@dataclass(frozen=True)
class Threshold:
    """One rule at one severity as it applies to a sector: the value with its unit and where it comes from."""

    rule: str
    severity: str
    value: Any
    unit: str
    family: str
    source: str  # the source's document (for docs and pages; the family file holds the full citation)

    @property
    def low(self) -> float | None:
        return _bound(self.value, "low")

    @property
    def high(self) -> float | None:
        return _bound(self.value, "high")

    @property
    def number(self) -> float:
        return float(self.value)


def _bound(value: Any, name: str) -> float | None:
    if isinstance(value, dict) and value.get(name) is not None:
        return float(value[name])
    return None


class Rules:
    """The plausibility entries in force on ``day``, by (rule, sector, severity)."""

    def __init__(self, params: ParameterSet, day: dt.date) -> None:
        self._entries: dict[tuple[str, str, str], Threshold] = {}
        for family in FAMILIES:
            if family not in params:
                continue
            sources = params.files[family].sources
            for entry in params.entries(family):
                if (entry.valid_from and entry.valid_from > day) or (entry.valid_to and entry.valid_to < day):
                    continue
                key = (str(entry.key["rule"]), str(entry.key["sector"]), str(entry.key["severity"]))
                self._entries[key] = Threshold(
                    key[0], key[2], entry.value, entry.unit, family, sources[entry.source].document
                )

    def get(self, rule: str, sector: str, severity: str) -> Threshold | None:
        """The threshold of ``rule`` at ``severity`` for ``sector`` (its own entry, else ``all``), or None when
        the rule does not apply (no entry, or ``off``)."""
        found = self._entries.get((rule, sector, severity)) or self._entries.get((rule, ALL, severity))
        if found is None or found.value == OFF:
            return None
        return found

    def rules(self) -> list[tuple[str, str, str]]:
        return sorted(self._entries)
