"""A report's data state: what its figures were made from, so that it can be made again exactly.

The state lists the months behind the report (facility, month, the version counted and its state), the
parameter families in force with a fingerprint of each, the regulator's statistics, the registry, the
pathways scenario, and the day the figures were judged on. Its SHA-256 (:func:`fingerprint`) is printed
on the report; :func:`difference` says what changed between two states (a signed report whose data have
moved on shows it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


def canonical(value: Any) -> bytes:
    """JSON with sorted keys and no spaces: the same value gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def fingerprint(state: dict[str, Any]) -> str:
    return sha256(state)


@dataclass(frozen=True)
class Change:
    part: str  # months, parameters, statistics, registry, scenario, as_of
    key: str  # e.g. "AL03 2025-03" or a parameter family
    before: str | None
    after: str | None


def difference(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed from ``before`` to ``after``: per month (version or state), per parameter family,
    and the other parts as a whole."""
    changes: list[Change] = []
    old_months = {f"{m[0]} {m[1]}": f"v{m[2]} {m[3]}" for m in before.get("months", [])}
    new_months = {f"{m[0]} {m[1]}": f"v{m[2]} {m[3]}" for m in after.get("months", [])}
    for key in sorted(old_months.keys() | new_months.keys()):
        if old_months.get(key) != new_months.get(key):
            changes.append(Change("months", key, old_months.get(key), new_months.get(key)))
    old_params, new_params = before.get("parameters", {}), after.get("parameters", {})
    for key in sorted(old_params.keys() | new_params.keys()):
        if old_params.get(key) != new_params.get(key):
            changes.append(Change("parameters", key, _short(old_params.get(key)), _short(new_params.get(key))))
    for part in sorted((before.keys() | after.keys()) - {"months", "parameters"}):
        if before.get(part) != after.get(part):
            changes.append(Change(part, part, _short(before.get(part)), _short(after.get(part))))
    return changes


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else sha256(value)
    return text[:12] if len(text) == 64 else text
