"""企业绿码 grades of national green factories: A+ / A / B by rank on a score.

MIIT's notice 工信厅节函〔2023〕384号 (as reposted: szslczx.com, wbcyn.cn; see
``carbonpeak/green/data/dynamic_management.yaml``) grades national green factories A+ / A / B in the shares
5 % / 35 % / 60 %, renewed within a month of each year's dynamic-management filing; a unit that does not file
gets no code. MIIT's own scoring basis was **not found**: the score ranked here is configuration.

The rule that turns shares into grades is ours and stated: units are ranked by score, best first; a unit's grade
is the band its position falls in, its position being the share of units ranked strictly above it (so the best
unit is always A+, and with 20 units the grades are exactly 1 / 7 / 12). Equal scores share the better grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_SHARES: tuple[tuple[str, float], ...] = (("A+", 5.0), ("A", 35.0), ("B", 60.0))


def grades(
    scores: Mapping[str, float | None], shares: Sequence[tuple[str, float]] = DEFAULT_SHARES
) -> dict[str, str | None]:
    """Grade per unit from its score (higher is better); ``None`` score (did not file) gets ``None`` (no code).

    Parameters
    ----------
    scores : unit code → score [-], None for a unit without a filing
    shares : (grade, share [%]) best first; the shares should sum to 100
    """
    ranked = sorted(((s, code) for code, s in scores.items() if s is not None), key=lambda p: (-p[0], p[1]))
    n = len(ranked)
    out: dict[str, str | None] = {code: None for code, s in scores.items() if s is None}
    bounds: list[tuple[str, float]] = []
    total = 0.0
    for grade, share in shares:
        total += share
        bounds.append((grade, total))
    for score, code in ranked:
        above = sum(1 for other, _ in ranked if other > score)
        position = 100.0 * above / n
        out[code] = next((g for g, upper in bounds if position < upper), bounds[-1][0])
    return out


def relative_scores(
    values: Mapping[str, Mapping[str, float | None]], weights: Mapping[str, float], lower_is_better: set[str]
) -> dict[str, float | None]:
    """A unit's score from its indicator values relative to the median of all units' values of that indicator:
    median / value for a lower-is-better indicator, value / median otherwise, weighted; None when the unit has
    none of the weighted indicators. Medians over the units given (the filers of the year, one sector)."""
    import statistics

    medians: dict[str, float] = {}
    for name in weights:
        seen = [float(x) for v in values.values() if (x := v.get(name)) is not None and x > 0]
        if seen:
            medians[name] = float(statistics.median(seen))
    out: dict[str, float | None] = {}
    for code, own in values.items():
        total = weight = 0.0
        for name, w in weights.items():
            value = own.get(name)
            if value is None or value <= 0 or name not in medians:
                continue
            ratio = medians[name] / value if name in lower_is_better else value / medians[name]
            total += w * ratio
            weight += w
        out[code] = total / weight if weight else None
    return out
