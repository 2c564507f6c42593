"""A pathway run: compile, draw, simulate, and what the run says (bands, peak, attribution, targets, wedges).

:func:`run` is pure given its inputs (a resolved scenario, a stock, a parameter source, draws and a
seed); the store and files are read by the CLI. A run saved with :func:`save` (scenario content and
hash, seed, draws, stock, parameter snapshot, results digest) is reproduced exactly by
:func:`reproduce`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

import carbonpeak
from carbonpeak.errors import InputError
from carbonpeak.messages import Bilingual, CodedText, Message
from carbonpeak.parameters import ParameterSet
from carbonpeak.parameters.schema import Plan, Target
from carbonpeak.pathways import attribution as attr
from carbonpeak.pathways import peak as pk
from carbonpeak.pathways.compile import Compiled, compile_scenario
from carbonpeak.pathways.engine import Outcome, draw_samples, simulate
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.scenario import ResolvedScenario
from carbonpeak.pathways.stock import Stock

__all__ = ["Run", "reproduce", "run", "save", "summary", "wedges"]

F64 = npt.NDArray[np.float64]
PRIMARY_METALS = ("electrolytic_aluminium", "copper", "lead", "zinc", "magnesium", "titanium", "industrial_silicon")
RECYCLED_METALS = ("recycled_aluminium", "recycled_copper")
SECTOR_PRODUCT = {
    "electrolytic_aluminium": "electrolytic_aluminium",
    "copper": "copper_smelting",
    "lead": "lead_smelting_crude",
    "zinc": "zinc_smelting_hydro",
    "industrial_silicon": "industrial_silicon",
}
_HISTORY = {
    "emissions_location": "total_location_tco2e",
    "emissions_market": "total_market_tco2e",
    "output": "output_t",
    "energy": "energy_tce",
}
FORMAT = "carbonpeak.pathways.run/1"


@dataclass
class Run:
    scenario: ResolvedScenario
    stock: Stock
    compiled: Compiled
    params: ParamSource
    draws: int
    seed: int
    samples: dict[str, F64]
    outcome: Outcome
    years: npt.NDArray[np.int64]  # the whole horizon
    wedge_table: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ series over the horizon

    @property
    def n_history(self) -> int:
        return int(self.scenario.base_year - self.scenario.horizon.start)

    def _history(self, column: str, sectors: tuple[str, ...] | None) -> F64:
        h = self.stock.history
        years = self.years[: self.n_history]
        if h.empty or not len(years):
            return np.full(len(years), np.nan)
        rows = h if sectors is None else h[h["sector"].isin(sectors)]
        by_year = rows.groupby("year")[column].sum()
        return np.array([float(by_year.get(int(y), np.nan)) for y in years])

    def _projection(self, name: str, sectors: tuple[str, ...] | None) -> F64:
        data: F64 = getattr(self.outcome, name)
        if sectors is None:
            total: F64 = data.sum(axis=1)
            return total
        mask = np.array([s in sectors for s in self.outcome.sectors])
        part: F64 = data[:, mask, :].sum(axis=1)
        return part

    def series(self, name: str, sectors: tuple[str, ...] | None = None) -> F64:
        """(draws, horizon years): accounted years before the base year, then the projection."""
        projection = self._projection(name, sectors)
        if name in _HISTORY:
            history = self._history(_HISTORY[name], sectors)
        elif name == "renewable":
            history = self._history("green_mwh", sectors) + self._history("onsite_renewable_mwh", sectors)
        elif name == "used":
            history = (
                self._history("grid_mwh", sectors)
                + self._history("captive_mwh", sectors)
                + self._history("onsite_renewable_mwh", sectors)
                - self._history("exported_mwh", sectors)
            )
        elif name == "alloyed":
            history = self._history("direct_alloying_t", sectors)
        else:
            raise KeyError(name)
        return np.concatenate([np.broadcast_to(history, (projection.shape[0], len(history))), projection], axis=1)

    def emissions(self, basis: str | None = None) -> F64:
        basis = basis or self.scenario.peak.basis
        return self.series("emissions_location" if basis == "location" else "emissions_market")

    def indicator(self, indicator: str, sectors: tuple[str, ...] | None) -> F64 | None:
        """A plan indicator by draw and year, or None where the pathway does not project it."""
        with np.errstate(divide="ignore", invalid="ignore"):
            if indicator == "emissions_location_tco2e":
                return self.series("emissions_location", sectors)
            if indicator == "emissions_market_tco2e":
                return self.series("emissions_market", sectors)
            if indicator == "output_t":
                return self.series("output", sectors)
            if indicator == "energy_tce":
                return self.series("energy", sectors)
            if indicator == "energy_intensity_kgce_per_t":
                return 1000.0 * self.series("energy", sectors) / self.series("output", sectors)
            if indicator == "emission_intensity_tco2e_per_t":
                return self.series("emissions_location", sectors) / self.series("output", sectors)
            if indicator == "renewable_share_electricity":
                scope = sectors or ("electrolytic_aluminium",)
                return 100.0 * self.series("renewable", scope) / self.series("used", scope)
            if indicator == "recycled_metal_share":
                recycled = self.series("output", RECYCLED_METALS)
                return 100.0 * recycled / (recycled + self.series("output", PRIMARY_METALS))
            if indicator == "direct_alloying_share":
                scope = ("electrolytic_aluminium",)
                return 100.0 * self.series("alloyed", scope) / self.series("output", scope)
            if indicator.startswith("capacity_share_"):
                return self._capacity_share(indicator.removeprefix("capacity_share_"), sectors)
        return None

    def _capacity_share(self, kind: str, sectors: tuple[str, ...] | None) -> F64:
        model = self.compiled.model
        products = {SECTOR_PRODUCT[s] for s in (sectors or tuple(SECTOR_PRODUCT)) if s in SECTOR_PRODUCT}
        classified = [
            i
            for i, (product, cls) in enumerate(model.capacity_labels)
            if product in products and cls != "not_classified"
        ]
        wanted = [j for j, i in enumerate(classified) if model.capacity_labels[i][1] == kind]
        cap = self.outcome.capacity(classified)  # (1 or D, Yp, len(classified))
        total = cap.sum(axis=2)
        part = cap[:, :, wanted].sum(axis=2)
        share = np.where(total > 0, 100.0 * part / np.where(total > 0, total, 1.0), np.nan)
        share = np.broadcast_to(share, (self.draws, share.shape[1]))
        history = np.full((self.draws, self.n_history), np.nan)
        return np.concatenate([history, share], axis=1)

    def digest(self) -> str:
        """sha256 of the run's results (emissions by draw, group and year, and capacity)."""
        h = hashlib.sha256()
        every = list(range(len(self.compiled.model.capacity_labels)))
        for array in (self.outcome.emissions_location, self.outcome.emissions_market, self.outcome.capacity(every)):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()


# ---------------------------------------------------------------------------------------- running


def run(
    scenario: ResolvedScenario,
    stock: Stock,
    params: ParamSource | ParameterSet,
    *,
    draws: int | None = None,
    seed: int | None = None,
    samples: dict[str, F64] | None = None,
) -> Run:
    """Compile the scenario on the stock, draw every uncertain input and simulate all draws."""
    source = params if isinstance(params, ParamSource) else ParamSource(live=params)
    n = int(draws if draws is not None else scenario.uncertainty.draws)
    s = int(seed if seed is not None else scenario.uncertainty.seed)
    if n < 1:
        raise InputError(code="pathways.no_draws", field="draws", value=n)
    compiled = compile_scenario(scenario, stock, source)
    if samples:
        unknown = sorted(set(samples) - set(compiled.model.inputs))
        if unknown:
            raise InputError(code="pathways.samples_unknown", value=unknown)
        sizes = {len(v) for v in samples.values()}
        if len(sizes) != 1:
            raise InputError(code="pathways.samples_sizes", value=sorted(sizes))
        n = sizes.pop()
    drawn = draw_samples(compiled.model, s, n)
    if samples:
        drawn.update({k: np.asarray(v, dtype=float) for k, v in samples.items()})
    outcome = simulate(compiled.model, drawn, n)
    years = np.arange(scenario.horizon.start, scenario.horizon.end + 1, dtype=np.int64)
    return Run(scenario, stock, compiled, source, n, s, drawn, outcome, years)


def _quantiles(values: F64) -> dict[str, float]:
    q = np.nanquantile(values, [0.1, 0.5, 0.9]) if np.isfinite(values).any() else [math.nan] * 3
    finite = values[np.isfinite(values)]
    return {
        "p10": float(q[0]),
        "p50": float(q[1]),
        "p90": float(q[2]),
        "mean": float(finite.mean()) if finite.size else math.nan,
    }


def peak_summary(r: Run) -> dict[str, Any]:
    e = r.emissions()
    years = r.years
    definition = r.scenario.peak
    tol = definition.tolerance_pct / 100.0
    index = pk.peak_index(e)
    at_end = index == len(years) - 1
    distribution = []
    for j, year in enumerate(years[:-1]):
        share = float(np.mean(index == j))
        if share > 0:
            distribution.append({"year": int(year), "probability": share})
    by, test = {}, {}
    for year in (2025, 2030):
        if years[0] <= year <= years[-1]:
            by[str(year)] = float(np.mean(pk.peaked_by(e, years, year, tol)))
            test[str(year)] = float(np.mean(pk.holds_at(e, years, year, tol)))
    _mask, plateau_len = pk.plateau(e, definition.plateau_pct / 100.0)
    peak_years = np.where(at_end, np.nan, years[index].astype(float))
    peaked = pk.year_peaked(e, years, tol)
    return {
        "basis": definition.basis,
        "tolerance_pct": definition.tolerance_pct,
        "plateau_pct": definition.plateau_pct,
        "definition": (
            "peak year: the year of maximum emissions over the horizon; peaked by Y: in Y or an earlier year Y', "
            f"every year after Y' stays at or below E(Y') × (1 + {definition.tolerance_pct:g} %); plateau: years "
            f"within {definition.plateau_pct:g} % of the maximum; a maximum on the last year ({years[-1]}) is "
            "'no peak within the horizon'"
        ),
        "distribution": distribution,
        "no_peak_within_horizon": float(np.mean(at_end)),
        "peak_year": _quantiles(peak_years),
        "p_peaked_by": by,
        "p_test_holds_at": test,
        "year_peaked": _quantiles(peaked),
        "peak_level_tco2e": _quantiles(e.max(axis=1)),
        "plateau_years": _quantiles(plateau_len.astype(float)),
    }


def attribution_summary(r: Run) -> dict[str, Any]:
    e = r.emissions()
    index = pk.peak_index(e).astype(float)
    index[index == len(r.years) - 1] = np.nan
    output = np.where(np.isnan(index), float(r.years[-1] + 1), r.years[0] + index)
    results, floor = attr.first_order(r.samples, output)
    return {
        "output": f"peak year (a draw without a peak within the horizon counts as {int(r.years[-1]) + 1})",
        "method": attr.METHOD,
        "noise_floor": floor,
        "variance": float(np.var(output)),
        "inputs": [{"input": a.input, "share": a.share, "spearman": a.spearman, "bins": a.bins} for a in results],
    }


def emission_bands(r: Run) -> list[dict[str, Any]]:
    rows = []
    loc, mkt = r.series("emissions_location"), r.series("emissions_market")
    for j, year in enumerate(r.years):
        rows.append(
            {
                "year": int(year),
                "kind": "accounted" if j < r.n_history else ("base year" if j == r.n_history else "projected"),
                "location": _quantiles(loc[:, j]),
                "market": _quantiles(mkt[:, j]),
            }
        )
    return rows


def sector_table(r: Run, years: tuple[int, ...] = (2025, 2030, 2035, 2040)) -> list[dict[str, Any]]:
    sectors = r.outcome.sectors
    rows = []
    for sector in sectors:
        series = r.series("emissions_location", (sector,))
        row: dict[str, Any] = {"sector": sector}
        for year in (r.scenario.base_year, *years):
            if r.years[0] <= year <= r.years[-1]:
                row[str(year)] = float(np.median(series[:, year - r.years[0]]))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------- targets

ROUNDING = 1e-9  # relative: a share set to exactly 90 % must not fail ">= 90" by float rounding


def _compare(comparator: str, values: F64, goal: float) -> npt.NDArray[np.bool_]:
    slack = ROUNDING * max(1.0, abs(goal))
    with np.errstate(invalid="ignore"):
        if comparator == ">=":
            return np.asarray(values >= goal - slack)
        if comparator == ">":
            return np.asarray(values > goal + slack)
        if comparator == "<=":
            return np.asarray(values <= goal + slack)
        if comparator == "<":
            return np.asarray(values < goal - slack)
        return np.asarray(np.abs(values - goal) <= slack)


COMPARE = (">=", ">", "<=", "<", "=")


def evaluate_targets(r: Run, plans: dict[str, Plan], target_map: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every target of the scenario's plans, checked on each draw (not imposed)."""
    rows: list[dict[str, Any]] = []
    for plan_id in r.scenario.plans:
        plan = plans.get(plan_id)
        if plan is None:
            raise InputError(
                code="pathways.unknown_plan", field="plans", value=plan_id, allowed=", ".join(sorted(plans))
            )
        for target in plan.targets:
            rows.append(_target(r, plan, target, target_map.get(target.id, {})))
    return rows


def _target_row(plan: Plan, target: Target, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan.id,
        "id": target.id,
        "indicator_text": target.indicator,
        "comparator": target.comparator,
        "target": target.value if target.value is not None else target.value_text,
        "unit": target.unit,
        "target_year": target.target_year,
        "indicator": None,
        "sectors": [],
        "status": "evaluated",
        "probability": None,
        "value": None,
        "margin": None,
        "year_achieved": None,
        "p_achieved_within_horizon": None,
        "rule": "",
        "reason": "",
        **extra,
    }


def _reason(code: str, **params: Any) -> CodedText:
    """A reason kept as a string (the English) that a page shows in the reader's language."""
    return CodedText(Message(code, **params))


def _bilingual(zh: str | None, en: str) -> CodedText:
    return CodedText(Bilingual(zh or en, en))


def _indicator(code: str, entry: dict[str, Any]) -> Bilingual:
    from carbonpeak.indicators.definitions import INDICATORS

    found = INDICATORS.get(code)
    if found is not None:
        return Bilingual(found.name_zh, found.name_en)
    return Bilingual(str(entry.get("zh") or code), code)


def _target(r: Run, plan: Plan, target: Target, entry: dict[str, Any]) -> dict[str, Any]:
    years = r.years
    if target.comparator == "peak before":
        year = int(target.value if target.value is not None else target.target_year)
        if not years[0] <= year <= years[-1]:
            return _target_row(
                plan, target, status="not_evaluated", reason=_reason("pathways.target.outside_horizon", year=year)
            )
        tol = r.scenario.peak.tolerance_pct / 100.0
        e = r.emissions()
        peaked = pk.year_peaked(e, years, tol)
        passed = pk.peaked_by(e, years, year, tol)
        return _target_row(
            plan,
            target,
            indicator=f"emissions_{r.scenario.peak.basis}_tco2e",
            status="evaluated",
            probability=float(passed.mean()),
            margin=_quantiles(year - peaked),
            year_achieved=_quantiles(peaked),
            p_achieved_within_horizon=float(np.isfinite(peaked).mean()),
            rule=f"met when the pathway has peaked by {year}: in {year} or an earlier year Y, every year after Y "
            f"stays at or below E(Y) × (1 + {r.scenario.peak.tolerance_pct:g} %); margin = {year} − the year peaked",
        )
    if "indicator" not in entry:
        why = entry.get("why", "no indicator is mapped to this target")
        return _target_row(plan, target, status="not_modelled", reason=_bilingual(entry.get("why_zh"), why))
    indicator = str(entry["indicator"])
    sectors = tuple(entry.get("sectors", [])) or None
    base = {"indicator": indicator, "sectors": list(sectors or [])}
    if entry.get("national"):
        series = r.indicator(indicator, sectors)
        value = None
        if series is not None and years[0] <= target.target_year <= years[-1]:
            value = _quantiles(series[:, target.target_year - years[0]])
        return _target_row(
            plan,
            target,
            **base,
            status="not_evaluated",
            value=value,
            reason=_reason("pathways.target.national"),
        )
    series = r.indicator(indicator, sectors)
    if series is None:
        return _target_row(
            plan,
            target,
            **base,
            status="not_modelled",
            reason=_reason("pathways.target.not_projected", indicator=_indicator(indicator, entry)),
        )
    if not years[0] <= target.target_year <= years[-1]:
        return _target_row(plan, target, **base, status="not_evaluated", reason=_reason("pathways.target.year_outside"))
    j = target.target_year - years[0]
    if target.base_year is not None and target.unit.startswith("% vs"):
        if not years[0] <= target.base_year <= years[-1]:
            return _target_row(
                plan, target, **base, status="not_evaluated", reason=_reason("pathways.target.base_outside")
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            series = 100.0 * (series / series[:, [target.base_year - years[0]]] - 1.0)
    values = series[:, j]
    if np.isnan(values).all():
        return _target_row(
            plan,
            target,
            **base,
            status="not_evaluated",
            reason=_reason("pathways.target.no_value", year=target.target_year),
        )
    if target.comparator == "increase":
        previous = series[:, j - 1] if j > 0 else np.full_like(values, np.nan)
        passed = values > previous
        margin = values - previous
        rule = f"met when the value in {target.target_year} is above the year before"
        achieved = _first_year(series[:, 1:] > series[:, :-1], years[1:], r.scenario.base_year)
    else:
        if target.comparator not in COMPARE or target.value is None:
            return _target_row(
                plan,
                target,
                **base,
                status="not_evaluated",
                reason=_reason("pathways.target.no_numeric_test", comparator=target.comparator),
            )
        goal = float(target.value)
        passed = _compare(target.comparator, values, goal)
        sign = 1.0 if target.comparator in (">=", ">") else -1.0
        margin = (values - goal) * sign
        rule = (
            f"met when {indicator} in {target.target_year} {target.comparator} {goal:g} (to rounding, relative "
            f"{ROUNDING:g}); margin signed so that + is better"
        )
        achieved = _first_year(_compare(target.comparator, series, goal), years, r.scenario.base_year)
    return _target_row(
        plan,
        target,
        **base,
        probability=float(np.nanmean(np.where(np.isnan(values), np.nan, passed))),
        value=_quantiles(values),
        margin=_quantiles(margin),
        year_achieved=_quantiles(achieved),
        p_achieved_within_horizon=float(np.isfinite(achieved).mean()),
        rule=rule,
        reason=_bilingual(entry.get("note_zh"), entry["note"]) if entry.get("note") else "",
    )


def _first_year(matrix: npt.NDArray[np.bool_], years: npt.NDArray[np.int64], base_year: int) -> F64:
    """First year from the base year on where the condition holds (NaN: never)."""
    keep = years >= base_year
    sub = matrix[:, keep]
    first = np.argmax(sub, axis=1)
    return np.where(sub.any(axis=1), years[keep][first].astype(float), np.nan)


# ---------------------------------------------------------------------------------------- wedges


def _changes(child: ResolvedScenario, parent: ResolvedScenario) -> list[tuple[str, ResolvedScenario]]:
    """The intermediate scenarios from parent to child, one change at a time, in a stated order."""
    current = parent.model_copy(
        update={"horizon": child.horizon, "peak": child.peak, "uncertainty": child.uncertainty, "plans": child.plans}
    )
    steps: list[tuple[str, ResolvedScenario]] = []
    for block in ("production", "grid", "scrap"):
        if getattr(child, block) != getattr(current, block):
            current = current.model_copy(update={block: getattr(child, block)})
            steps.append((block, current))
    parent_levers = {lever.id: lever for lever in parent.levers}
    child_ids = [lever.id for lever in child.levers]
    kept = [lever for lever in parent.levers if lever.id in child_ids]
    for lever in parent.levers:
        if lever.id not in child_ids:
            current = current.model_copy(update={"levers": [x for x in current.levers if x.id != lever.id]})
            steps.append((f"remove {lever.id}", current))
    applied: dict[str, Any] = {lever.id: lever for lever in kept}
    for lever in child.levers:
        if parent_levers.get(lever.id) == lever:
            continue
        applied[lever.id] = lever
        ordered = [applied[i] for i in child_ids if i in applied]
        current = current.model_copy(update={"levers": ordered})
        steps.append((lever.id, current))
    return steps


def wedges(
    child: ResolvedScenario,
    parent: ResolvedScenario | None,
    stock: Stock,
    params: ParamSource,
    *,
    draws: int,
    seed: int,
    basis: str | None = None,
) -> dict[str, Any]:
    """Emissions moved by each change from the parent, applied one at a time cumulatively.

    Order: production, grid, scrap (where changed), levers the child removes, then the child's new or
    changed levers in file order. Each wedge is the mean over draws of E(before) − E(after), paired draw
    by draw (common random numbers); the wedges add up to the parent's mean minus the child's.
    """
    reference = parent or child.model_copy(update={"levers": []})
    name = parent.id if parent is not None else f"{child.id} without levers"
    basis = basis or child.peak.basis
    steps = _changes(child, reference)
    previous = run(reference, stock, params, draws=draws, seed=seed).emissions(basis)
    years = np.arange(child.horizon.start, child.horizon.end + 1)
    rows = []
    for label, scenario in steps:
        current = run(scenario, stock, params, draws=draws, seed=seed).emissions(basis)
        diff = previous - current
        rows.append(
            {
                "change": label,
                "by_year": [
                    {"year": int(y), **_quantiles(diff[:, j])} for j, y in enumerate(years) if y >= child.base_year
                ],
            }
        )
        previous = current
    return {
        "against": name,
        "basis": basis,
        "order": [label for label, _ in steps],
        "order_rule": (
            "production, grid, scrap (where changed), levers removed, then new or changed levers in file order"
        ),
        "rows": rows,
    }


# ---------------------------------------------------------------------------------------- summary


def summary(r: Run, plans: dict[str, Plan], target_map: dict[str, dict[str, Any]]) -> dict[str, Any]:
    s = r.scenario
    return {
        "scenario": {
            "id": s.id,
            "title": s.title,
            "chain": s.chain,
            "region": s.region,
            "base_year": s.base_year,
            "horizon": [s.horizon.start, s.horizon.end],
            "content_hash": s.content_hash(),
            "draws": r.draws,
            "seed": r.seed,
            "stock_fingerprint": r.stock.fingerprint(),
            "results_digest": r.digest(),
            "plants": len(r.compiled.plants),
        },
        "emissions": emission_bands(r),
        "peak": peak_summary(r),
        "attribution": attribution_summary(r),
        "targets": evaluate_targets(r, plans, target_map),
        "wedges": r.wedge_table,
        "sectors": sector_table(r),
        "lever_order": r.compiled.lever_order,
        "transitions": [t.__dict__ for t in r.compiled.transitions],
        "assumptions": r.compiled.assumptions,
        "checks": r.compiled.checks,
        "notes": r.compiled.notes,
        "parameters": [
            {
                "parameter": u.parameter,
                "key": u.key,
                "period": u.period,
                "value": u.value,
                "unit": u.unit,
                "citation": u.citation,
                "verified": u.verified,
            }
            for u in r.params.used.values()
        ],
    }


# ---------------------------------------------------------------------------------------- saving


def save(r: Run, path: str | Path, parent: ResolvedScenario | None = None) -> Path:
    """Write what reproduces the run exactly: scenario content, seed, draws, stock, parameters, digest."""
    path = Path(path)
    data = {
        "format": FORMAT,
        "carbonpeak_version": carbonpeak.__version__ if hasattr(carbonpeak, "__version__") else "",
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": r.scenario.model_dump(mode="json", by_alias=True),
        "scenario_hash": r.scenario.content_hash(),
        "parent": parent.model_dump(mode="json", by_alias=True) if parent is not None else None,
        "seed": r.seed,
        "draws": r.draws,
        "stock": r.stock.to_dict(),
        "stock_fingerprint": r.stock.fingerprint(),
        "parameters": r.params.records(),
        "results_digest": r.digest(),
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def reproduce(path: str | Path) -> tuple[Run, dict[str, Any]]:
    """Re-run a saved run from its file alone; says whether the results are identical."""
    name = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(code="pathways.saved_unreadable", file=name, detail=str(exc)) from None
    if data.get("format") != FORMAT:
        raise InputError(
            code="pathways.not_a_saved_run", file=name, field="format", value=data.get("format"), format=FORMAT
        )
    scenario = ResolvedScenario.model_validate(data["scenario"])
    if scenario.content_hash() != data["scenario_hash"]:
        raise InputError(code="pathways.hash_mismatch", file=name, field="scenario_hash")
    stock = Stock.from_dict(data["stock"])
    if stock.fingerprint() != data["stock_fingerprint"]:
        raise InputError(code="pathways.fingerprint_mismatch", file=name, field="stock_fingerprint")
    params = ParamSource.from_snapshot(data["parameters"])
    again = run(scenario, stock, params, draws=int(data["draws"]), seed=int(data["seed"]))
    report = {
        "scenario": scenario.id,
        "scenario_hash": data["scenario_hash"],
        "seed": data["seed"],
        "draws": data["draws"],
        "saved_digest": data["results_digest"],
        "digest": again.digest(),
        "identical": again.digest() == data["results_digest"],
    }
    return again, report
