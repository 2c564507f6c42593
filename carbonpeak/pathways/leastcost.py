"""The cheapest combination of levers that meets peak-by-Y and the plan targets with a chosen probability.

Candidates are the scenario's levers that carry a ``cost`` (cited, or entered by the user: its ``basis``
says which); levers without a cost stay as they are. Method (carbonpeak's own):

1. run the scenario without the candidates (the reference), and with each candidate alone, on the same
   draws (common random numbers): each candidate's effect per draw and year on emissions and on every
   target indicator;
2. take the effects as additive (the linear, marginal-abatement approximation: levers acting on the same
   plants interact, which this step ignores) and solve the chance-constrained problem

       min Σ_i c_i x_i   over x_i ∈ {0, 1}, z_jd ∈ {0, 1}
       subject to, for every condition j and draw d:  condition_j(d, x) holds or z_jd = 0   (big-M rows)
                  Σ_d z_jd ≥ ⌈p · D⌉ for every j

   where the conditions are "peaked by Y" (the test of issue #5 holds at Y or an earlier year Y': a
   disjunction, one 0-1 variable per draw and candidate Y') and each evaluated target of the plans with its
   target year in ``target_years``, each to be met with probability at least p; solved by HiGHS (highspy),
   a mixed-integer solver, not a hand-written one. A condition no choice can meet is set aside and reported;
3. run the chosen combination through the full model and report the probabilities it really reaches
   (the check on the approximation of step 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from carbonpeak.errors import InputError
from carbonpeak.parameters.schema import Plan
from carbonpeak.pathways import peak as pk
from carbonpeak.pathways import run as pr
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.pathways.stock import Stock

__all__ = ["Choice", "cheapest"]

F64 = npt.NDArray[np.float64]
METHOD = (
    "candidate levers' effects per draw taken as additive (each against the scenario without the candidates, on "
    "the same draws); chance-constrained 0-1 programme solved with HiGHS (highspy); the choice then re-run "
    "through the full model"
)


@dataclass
class _Condition:
    """Met in a draw when, for one of its alternatives, every row lhs0 + Σ_i x_i lhs_i ≤ 0."""

    name: str
    alternatives: list[tuple[F64, F64]]  # (lhs0 (D, R), lhs (n, D, R)) per alternative

    def holds(self, x: F64) -> npt.NDArray[np.bool_]:
        met = np.zeros(self.alternatives[0][0].shape[0], dtype=bool)
        for lhs0, lhs in self.alternatives:
            met |= np.all(lhs0 + np.tensordot(x, lhs, axes=1) <= 1e-9, axis=1)
        return met

    def best(self) -> npt.NDArray[np.bool_]:
        """Draws where some choice could meet it (each row taking every candidate that lowers it)."""
        met = np.zeros(self.alternatives[0][0].shape[0], dtype=bool)
        for lhs0, lhs in self.alternatives:
            met |= np.all(lhs0 + np.clip(lhs, None, 0.0).sum(axis=0) <= 1e-9, axis=1)
        return met


@dataclass
class Choice:
    chosen: list[str]
    cost_cny: float
    status: str
    conditions: list[dict[str, Any]]
    method: str = METHOD


def _target_rows(
    r: pr.Run, plans: dict[str, Plan], target_map: dict[str, dict[str, Any]], years: tuple[int, ...]
) -> list[tuple[str, str, int, str, float]]:
    """(id, indicator, target year, comparator, value) of the numeric targets the pathway evaluates."""
    rows = []
    for row in pr.evaluate_targets(r, plans, target_map):
        if row["status"] != "evaluated" or row["comparator"] not in (">=", ">", "<=", "<"):
            continue
        if row["target_year"] not in years:
            continue
        rows.append((row["id"], row["indicator"], int(row["target_year"]), row["comparator"], float(row["target"])))
    return rows


def _indicator(r: pr.Run, indicator: str, sectors: tuple[str, ...] | None, year: int) -> F64:
    series = r.indicator(indicator, sectors)
    assert series is not None
    values: F64 = np.broadcast_to(series[:, year - int(r.years[0])], (r.draws,)).astype(float)
    return values


def cheapest(
    scenario: ResolvedScenario,
    stock: Stock,
    params: ParamSource,
    *,
    probability: float,
    plans: dict[str, Plan],
    target_map: dict[str, dict[str, Any]],
    draws: int = 500,
    seed: int | None = None,
    peak_year: int = 2030,
    target_years: tuple[int, ...] = (2025, 2030),
) -> Choice:
    """The cheapest set of costed levers meeting peak-by-``peak_year`` and the targets with ``probability``."""
    import highspy

    if not 0.0 < probability <= 1.0:
        raise InputError(code="pathways.probability", field="probability", value=probability)
    candidates = [lever for lever in scenario.levers if lever.cost is not None]
    if not candidates:
        raise InputError(code="pathways.no_costs", field="levers")
    seed = scenario.uncertainty.seed if seed is None else seed
    ids = {lever.id for lever in candidates}
    reference = scenario.model_copy(update={"levers": [lever for lever in scenario.levers if lever.id not in ids]})
    base = pr.run(reference, stock, params, draws=draws, seed=seed)
    alone = [
        pr.run(
            scenario.model_copy(update={"levers": [x for x in scenario.levers if x.id not in ids or x.id == lever.id]}),
            stock,
            params,
            draws=draws,
            seed=seed,
        )
        for lever in candidates
    ]
    years = base.years
    if not years[0] <= peak_year < years[-1]:
        raise InputError(code="pathways.peak_year_outside", field="peak_year", value=peak_year)
    tol = scenario.peak.tolerance_pct / 100.0
    j = peak_year - int(years[0])

    def peak_rows(run: pr.Run, y: int) -> F64:
        e = run.emissions()
        rows: F64 = e[:, y + 1 :] - (1.0 + tol) * e[:, [y]]
        return rows

    alternatives = []
    for y in range(0, j + 1):
        reference_rows = peak_rows(base, y)
        alternatives.append((reference_rows, np.stack([peak_rows(a, y) - reference_rows for a in alone])))
    conditions = [_Condition(f"peaked by {peak_year}", alternatives)]
    for ident, indicator, year, comparator, goal in _target_rows(base, plans, target_map, target_years):
        entry = target_map.get(ident, {})
        sectors = tuple(entry.get("sectors", [])) or None
        sign = -1.0 if comparator in (">=", ">") else 1.0  # row = sign × (value − goal) ≤ 0
        v0 = _indicator(base, indicator, sectors, year)
        if np.isnan(v0).any():
            continue  # not defined in some draw (nothing produced): not a condition the choice can be held to
        lhs0 = (sign * (v0 - goal))[:, None]
        deltas = np.stack(
            [(sign * (np.nan_to_num(_indicator(a, indicator, sectors, year), nan=0.0) - v0))[:, None] for a in alone]
        )
        conditions.append(_Condition(f"{ident} {indicator} {comparator} {goal:g} in {year}", [(lhs0, deltas)]))
    n, d = len(candidates), draws
    need = math.ceil(probability * d - 1e-9)
    # A condition no choice can meet (even taking every candidate's helpful effect) is set aside and reported.
    unreachable: list[dict[str, Any]] = []
    kept = []
    for condition in conditions:
        reachable = float(condition.best().mean())
        if reachable * d < need:
            unreachable.append(
                {
                    "condition": condition.name,
                    "linear_probability": None,
                    "model_probability": None,
                    "note": f"unreachable with these levers: at most {reachable:.1%} of draws even with every lever",
                }
            )
        else:
            kept.append(condition)
    conditions = kept
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    costs = np.array([float(lever.cost.cny) if lever.cost else 0.0 for lever in candidates])
    columns = [0]

    def new_vars(count: int, cost: F64 | None = None) -> int:
        first = columns[0]
        h.addVars(count, np.zeros(count), np.ones(count))
        h.changeColsIntegrality(
            count, np.arange(first, first + count, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * count)
        )
        if cost is not None:
            h.changeColsCost(count, np.arange(first, first + count, dtype=np.int32), cost)
        columns[0] += count
        return first

    new_vars(n, costs)  # x_i: columns 0 .. n-1
    for condition in conditions:
        z0 = new_vars(d)  # z_d: the condition holds in draw d
        h.addRow(float(need), inf, d, np.arange(z0, z0 + d, dtype=np.int32), np.ones(d))
        for draw in range(d):
            usable = []
            free = False
            for lhs0, lhs in condition.alternatives:
                row0, rows = lhs0[draw], lhs[:, draw, :]  # (R,), (n, R)
                if np.any(row0 + np.clip(rows, None, 0.0).sum(axis=0) > 1e-9):
                    continue  # this alternative cannot hold in this draw, whatever is chosen
                if np.all(row0 + np.clip(rows, 0.0, None).sum(axis=0) <= 1e-9):
                    free = True  # holds whatever is chosen
                    break
                usable.append((row0, rows))
            if free:
                continue
            if not usable:
                h.changeColBounds(z0 + draw, 0.0, 0.0)
                continue
            w0 = new_vars(len(usable)) if len(usable) > 1 else z0 + draw
            if len(usable) > 1:  # z_d ≤ Σ_a w_a
                indices = np.array([z0 + draw, *range(w0, w0 + len(usable))], dtype=np.int32)
                h.addRow(-inf, 0.0, len(indices), indices, np.array([1.0, *([-1.0] * len(usable))]))
            for a, (row0, rows) in enumerate(usable):
                switch = w0 + a if len(usable) > 1 else z0 + draw
                big_m = np.maximum(row0 + np.clip(rows, 0.0, None).sum(axis=0), 0.0) + 1.0
                for r in range(len(row0)):
                    indices = np.array([*range(n), switch], dtype=np.int32)
                    values = np.array([*rows[:, r], big_m[r]])
                    h.addRow(-inf, float(big_m[r] - row0[r]), len(indices), indices, values)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Choice([], math.nan, status, [{"condition": c.name} for c in conditions] + unreachable)
    x = np.rint(np.array(h.getSolution().col_value[:n]))
    chosen = [lever.id for lever, on in zip(candidates, x, strict=True) if on > 0.5]
    check = pr.run(
        scenario.model_copy(update={"levers": [x_ for x_ in scenario.levers if x_.id not in ids or x_.id in chosen]}),
        stock,
        params,
        draws=draws,
        seed=seed,
    )
    report = []
    linear = [float(condition.holds(x).mean()) for condition in conditions]
    actual_peak = float(pk.peaked_by(check.emissions(), check.years, peak_year, tol).mean())
    evaluated = {row["id"]: row for row in pr.evaluate_targets(check, plans, target_map)}
    for c, condition in enumerate(conditions):
        if condition.name.startswith("peaked by"):
            report.append(
                {"condition": condition.name, "linear_probability": linear[c], "model_probability": actual_peak}
            )
            continue
        ident = condition.name.split(" ")[0]
        report.append(
            {
                "condition": condition.name,
                "linear_probability": linear[c],
                "model_probability": evaluated[ident]["probability"] if ident in evaluated else None,
            }
        )
    return Choice(chosen, float(costs @ x), status, report + unreachable)
