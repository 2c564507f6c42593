"""The pathway engine: emissions of a plant stock by draw and year, pure NumPy.

Method (carbonpeak's own; docs/methods/pathways.md §2). For draw d, plant p and year t

    Q[d,p,t]   = q0[p] · min(g[d,G(p),t], h[p])                                  output [t]
    X[d,p,t,k] = Q[d,p,t] · (c[p,t,k] + Σ_s 1[t ≥ y_s(d)] · Δ_s[p,t,k])          flows (column k)
    E_loc[d,t] = Σ_p X_proc + X_fuel + X_captive − X_captured + X_other_loc + EF_loc[d,t] · X_grid_loc_eq
    E_mkt[d,t] = Σ_p X_proc + X_fuel + X_captive − X_captured + X_other_mkt + EF_res[d,t] · X_nongreen_res_eq

with q0 the base-year output, h = capacity ÷ q0 the headroom, g the output index of the plant's
group (sector and province) drawn from the production drivers, c the per-tonne figures of the plant
after the levers whose year is certain, and Δ_s the change a lever with an uncertain year makes from
its drawn year y_s(d). Every column is linear in Q, so a group's total is, for each draw, a
piecewise-linear function of the scalar g::

    Σ_p q0[p] · min(g, h[p]) · a[p] = Σ_{h[p] ≤ g} q0[p] h[p] a[p] + g · Σ_{h[p] > g} q0[p] a[p]

:func:`simulate` evaluates it exactly with plants sorted by h, prefix sums and one ``searchsorted``
per group and year: the work grows with draws + plants, not draws × plants. :func:`simulate_loop`
is the straightforward per-draw loop over the same model (the reference the benchmark and the tests
compare with). Both return the same :class:`Outcome` to rounding.

This module reads no file, database or parameter: everything arrives as arrays in :class:`Model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from carbonpeak.pathways.distributions import Distribution, draw

__all__ = [
    "COLUMNS",
    "Contract",
    "Driver",
    "GridPath",
    "K",
    "Model",
    "Outcome",
    "Prepared",
    "RecycledRule",
    "Step",
    "draw_samples",
    "prepare",
    "simulate",
    "simulate_loop",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

# Columns of the per-tonne figures c[p, t, k] (all per tonne of the plant's product).
COLUMNS = (
    "output_t",  # 1
    "process_tco2e",  # process CO2 and PFC (anode, carbonates, reductants)
    "fuel_tco2",  # fuel combustion other than the captive power units
    "captive_tco2",  # fuel combustion of the captive power units
    "captured_tco2",  # captured by CCUS (subtracted)
    "other_location_tco2e",  # purchased heat and what else the accounted location total holds
    "other_market_tco2e",  # the same for the market-based total
    "grid_mwh",  # electricity bought from the grid
    "grid_location_eq_mwh",  # grid_mwh × κ_loc (κ: accounted ÷ official factor in the base year)
    "nongreen_mwh",  # grid electricity not covered by green power
    "nongreen_residual_eq_mwh",  # nongreen_mwh × κ_mkt
    "captive_mwh",
    "onsite_renewable_mwh",
    "green_mwh",  # green certificates and direct renewable purchases
    "exported_mwh",
    "energy_tce",
    "direct_alloying_t",
    "scrap_t",
)
K = len(COLUMNS)
C = {name: index for index, name in enumerate(COLUMNS)}
DIRECT = (C["process_tco2e"], C["fuel_tco2"], C["captive_tco2"])


@dataclass(frozen=True)
class Driver:
    """Output index of one group: growth by period (a named input per period) or a fixed path."""

    periods: tuple[tuple[int, str], ...] = ()  # (first year, input name of the growth rate in %/a)
    path: F64 | None = None  # index by projection year (fixed), when an output path is given


@dataclass(frozen=True)
class RecycledRule:
    """A recycled-aluminium group: share path of aluminium supply and the scrap bound."""

    group: int
    primary_groups: tuple[int, ...]  # electrolytic-aluminium groups of the same province
    share: F64 | None  # target recycled share [0-1) by projection year, or None
    r0: float  # base output of the group [t]
    scrap_input: str | None  # input name of scrap-availability growth in %/a, or None


@dataclass(frozen=True)
class Contract:
    """A green-power contract of fixed volume at one plant [MWh by projection year]."""

    plant: int
    volume_mwh: F64
    kappa_market: float


@dataclass(frozen=True)
class GridPath:
    """Official factors by projection year (NaN where none is published) and what follows them."""

    location: F64
    residual: F64
    decline_input: str | None  # input name of the decline in %/a after the last official or supplied year


@dataclass
class Step:
    """A lever whose year is uncertain: its change applies from the drawn year on."""

    name: str
    plants: I64
    delta: F64  # (n, Y, K) change of the per-tonne figures if in force in year t
    delta_capacity: F64  # (Y, NC) change of capacity by (product, class) if in force in year t
    year: int | None  # a fixed year, or None when drawn
    year_input: str | None = None  # input name of the year
    delay_input: str | None = None  # input name of a delay in years, added


@dataclass
class Model:
    """A compiled scenario: the stock, its per-tonne figures by year and everything uncertain, named."""

    years: I64  # projection years, base year first
    group_of: I64  # (P,)
    groups: list[tuple[str, str]]  # (sector, province) of each group
    q0: F64  # (P,) base-year output [t]
    headroom: F64  # (P,) capacity ÷ q0 (≥ 1)
    coef: F64  # (P, Y, K)
    capacity: F64  # (Y, NC) capacity by (product, class) with the certain levers
    capacity_labels: list[tuple[str, str]]
    drivers: list[Driver]  # one per group
    grid: GridPath
    inputs: dict[str, Distribution]  # every uncertain input, by name
    steps: list[Step] = field(default_factory=list)
    recycled: list[RecycledRule] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    @property
    def n_plants(self) -> int:
        return int(self.q0.shape[0])


@dataclass
class Prepared:
    """What a draw set fixes before the plants are summed: indices, grid factors, gates."""

    index: F64  # (D, G, Y) output index before the recycled rule
    ef_location: F64  # (D, Y)
    ef_residual: F64  # (D, Y)
    gates: list[npt.NDArray[np.bool_]]  # per step, (D, Y)
    scrap_bound: dict[int, F64]  # group → (D, Y)


@dataclass
class Outcome:
    """Totals by draw, sector and projection year (the provinces of a sector summed)."""

    years: I64
    sectors: list[str]
    emissions_location: F64  # (D, S, Y) tCO2e
    emissions_market: F64  # (D, S, Y)
    output: F64  # (D, S, Y) t
    energy: F64  # (D, S, Y) tce
    renewable: F64  # (D, S, Y) MWh: green + on-site renewable
    used: F64  # (D, S, Y) MWh: grid + captive + on-site − exported
    alloyed: F64  # (D, S, Y) t directly alloyed
    ef_location: F64  # (D, Y)
    ef_residual: F64  # (D, Y)
    capacity_base: F64  # (Y, NC) capacity by (product, class) with the certain levers
    capacity_steps: list[tuple[npt.NDArray[np.bool_], F64]]  # (gate (D, Y), change (Y, NC)) of drawn levers

    def capacity(self, columns: list[int]) -> F64:
        """Capacity of the given (product, class) columns by draw and year: (D or 1, Y, len(columns))."""
        base = self.capacity_base[None, :, columns]
        moving = [(gate, delta[:, columns]) for gate, delta in self.capacity_steps if np.any(delta[:, columns])]
        if not moving:
            return base.copy()
        cap = np.broadcast_to(base, (moving[0][0].shape[0], *base.shape[1:])).copy()
        for gate, delta in moving:
            cap += gate[:, :, None] * delta[None, :, :]
        return cap


# ------------------------------------------------------------------------------------- inputs


def draw_samples(model: Model, seed: int, n: int) -> dict[str, F64]:
    """Every uncertain input of the model drawn ``n`` times under ``seed`` (one stream per name)."""
    return {name: draw(dist, name, seed, n) for name, dist in sorted(model.inputs.items())}


def _n_draws(samples: dict[str, F64], default: int) -> int:
    sizes = {len(v) for v in samples.values()}
    if len(sizes) > 1:
        raise ValueError(f"samples of different sizes: {sorted(sizes)}")
    return sizes.pop() if sizes else default


def prepare(model: Model, samples: dict[str, F64], n: int | None = None) -> Prepared:
    """Output indices (D, G, Y), grid factors (D, Y) and step gates (D, Y) for the given draws."""
    d = _n_draws(samples, n or 1)
    years = model.years
    y = len(years)
    index = np.ones((d, len(model.groups), y))
    for g, driver in enumerate(model.drivers):
        if driver.path is not None:
            index[:, g, :] = driver.path[None, :]
            continue
        rate = np.zeros((d, y))
        for first, name in sorted(driver.periods):
            rate[:, years >= first] = samples[name][:, None]
        if driver.periods:
            first_year, first_name = min(driver.periods)
            rate[:, years < first_year] = samples[first_name][:, None]
        growth = 1.0 + rate / 100.0
        growth[:, 0] = 1.0  # the base year is the accounted year
        index[:, g, :] = np.cumprod(growth, axis=1)
    ef_location = _grid_path(model.grid.location, model.grid.decline_input, samples, d)
    ef_residual = _grid_path(model.grid.residual, model.grid.decline_input, samples, d)
    gates = [_gate(step, years, samples, d) for step in model.steps]
    scrap: dict[int, F64] = {}
    for rule in model.recycled:
        if rule.scrap_input is not None:
            rate_s = samples[rule.scrap_input]
            scrap[rule.group] = (1.0 + rate_s[:, None] / 100.0) ** (years - years[0])[None, :]
    return Prepared(index, ef_location, ef_residual, gates, scrap)


def _grid_path(official: F64, decline_input: str | None, samples: dict[str, F64], d: int) -> F64:
    known = ~np.isnan(official)
    if not known[0]:
        raise ValueError("the grid factor of the base year is not known")
    last = int(np.flatnonzero(known)[-1])
    path = np.tile(np.where(known, official, official[last]), (d, 1))
    after = np.arange(len(official)) > last
    if decline_input is not None and after.any():
        rate = samples[decline_input][:, None] / 100.0
        steps = (np.arange(len(official)) - last)[None, after]
        path[:, after] = official[last] * (1.0 - rate) ** steps
    # years inside the known span that have no value (a gap in a supplied trajectory) hold the previous one
    for j in range(1, last + 1):
        if not known[j]:
            path[:, j] = path[:, j - 1]
    return path


def _gate(step: Step, years: I64, samples: dict[str, F64], d: int) -> npt.NDArray[np.bool_]:
    if step.year is not None:
        year = np.full(d, float(step.year))
    else:
        assert step.year_input is not None
        year = np.rint(samples[step.year_input])
    if step.delay_input is not None:
        year = year + np.rint(samples[step.delay_input])
    gate = np.asarray(years[None, :] >= year[:, None])
    gate[:, 0] = False  # the base year is the accounted year: no lever acts in it
    return gate


# ------------------------------------------------------------------------------------- fast engine


@dataclass
class _Block:
    plants: I64  # sorted by headroom
    h: F64  # sorted headroom
    step: int  # −1: the base figures; else the step index


# Reduced columns the fast engine sums: every output is one of them, or one times a grid factor.
REDUCED = (
    "output",
    "fixed_location",
    "fixed_market",
    "grid_eq",
    "nongreen_eq",
    "energy",
    "renewable",
    "used",
    "alloyed",
)
METRICS = ("emissions_location", "emissions_market", "output", "energy", "renewable", "used", "alloyed")
CHUNK = 2048  # draws per chunk: the temporaries of a block stay in cache


def reduction() -> F64:
    """(K, 9) map from the per-tonne columns to the reduced ones."""
    r = np.zeros((K, len(REDUCED)))
    r[C["output_t"], 0] = 1.0
    for name in ("process_tco2e", "fuel_tco2", "captive_tco2"):
        r[C[name], 1] = r[C[name], 2] = 1.0
    r[C["captured_tco2"], 1] = r[C["captured_tco2"], 2] = -1.0
    r[C["other_location_tco2e"], 1] = 1.0
    r[C["other_market_tco2e"], 2] = 1.0
    r[C["grid_location_eq_mwh"], 3] = 1.0
    r[C["nongreen_residual_eq_mwh"], 4] = 1.0
    r[C["energy_tce"], 5] = 1.0
    r[C["green_mwh"], 6] = r[C["onsite_renewable_mwh"], 6] = 1.0
    for name, sign in (("grid_mwh", 1.0), ("captive_mwh", 1.0), ("onsite_renewable_mwh", 1.0), ("exported_mwh", -1.0)):
        r[C[name], 7] = sign
    r[C["direct_alloying_t"], 8] = 1.0
    return r


def _piecewise(g: F64, h: F64, m: F64) -> F64:
    """Σ_p min(g, h_p) m_p for every draw and year.

    ``g`` (D, Y) output indices, ``h`` (n,) headroom sorted ascending, ``m`` (Y, n, K) per-plant flows at
    index 1. With prefix sums S1 = Σ_{first i} h m and S2 = Σ_{first i} m, and i = #{h_p ≤ g}:
    result = S1[i] + g · (S2[n] − S2[i]). Returns (D, Y, K).
    """
    return _evaluate(_prefix(h, m), h, g)


def _prefix(h: F64, m: F64) -> F64:
    """(Y·(n+1), 2K) prefix sums of h·m and m per year, flattened for one ``take``."""
    y, n, k = m.shape
    prefix = np.zeros((y, n + 1, 2 * k))
    np.cumsum(h[None, :, None] * m, axis=1, out=prefix[:, 1:, :k])
    np.cumsum(m, axis=1, out=prefix[:, 1:, k:])
    return prefix.reshape(y * (n + 1), 2 * k)


def _evaluate(prefix: F64, h: F64, g: F64) -> F64:
    d, y = g.shape
    n1 = len(h) + 1
    k = prefix.shape[1] // 2
    i = np.searchsorted(h, g.ravel(), side="right").reshape(d, y)
    i += (np.arange(y) * n1)[None, :]
    gathered = np.take(prefix, i.ravel(), axis=0).reshape(d, y, 2 * k)
    total = prefix[n1 - 1 :: n1, k:]  # (Y, K): the last row of each year
    out: F64 = gathered[..., :k] + g[..., None] * (total[None, :, :] - gathered[..., k:])
    return out


def _blocks(model: Model) -> list[list[_Block]]:
    per_group: list[list[_Block]] = [[] for _ in model.groups]
    for g in range(len(model.groups)):
        plants = np.flatnonzero(model.group_of == g)
        order = plants[np.argsort(model.headroom[plants], kind="stable")]
        per_group[g].append(_Block(order, model.headroom[order], -1))
    for s, step in enumerate(model.steps):
        for g in np.unique(model.group_of[step.plants]):
            rows = np.flatnonzero(model.group_of[step.plants] == g)
            order = rows[np.argsort(model.headroom[step.plants[rows]], kind="stable")]
            per_group[int(g)].append(_Block(order, model.headroom[step.plants[order]], s))
    return per_group


def _group_order(model: Model) -> list[int]:
    dependent = {rule.group for rule in model.recycled}
    return [g for g in range(len(model.groups)) if g not in dependent] + [rule.group for rule in model.recycled]


def sectors_of(model: Model) -> list[str]:
    return sorted({sector for sector, _ in model.groups})


def _recycled_index(rule: RecycledRule, index: F64, primary_output: F64, prep: Prepared, rows: slice) -> F64:
    """(D, Y) index of a recycled-aluminium group: at least the share path needs, at most what scrap allows."""
    g = index.copy()
    if rule.share is not None and rule.r0 > 0:
        share = rule.share[None, :]
        g = np.maximum(g, share / (1.0 - share) * primary_output / rule.r0)
    bound = prep.scrap_bound.get(rule.group)
    if bound is not None:
        g = np.minimum(g, bound[rows])
    return g


@dataclass
class _Prepared:
    """Per block: the reduced per-plant flows' prefix sums (independent of the draws)."""

    group: int
    h: F64
    prefix: F64
    step: int
    columns: npt.NDArray[np.int64]  # which reduced columns the block has (the others are zero)


def _compile_blocks(model: Model) -> list[list[_Prepared]]:
    r = reduction()
    out: list[list[_Prepared]] = []
    for g, blocks in enumerate(_blocks(model)):
        prepared = []
        for block in blocks:
            if block.step < 0:
                m = model.q0[block.plants, None, None] * model.coef[block.plants]
            else:
                step = model.steps[block.step]
                m = model.q0[step.plants[block.plants], None, None] * step.delta[block.plants]
            reduced = (m @ r).transpose(1, 0, 2)  # (Y, n, 9)
            columns = np.flatnonzero(np.any(reduced != 0.0, axis=(0, 1)))
            if columns.size == 0:
                continue
            prefix = _prefix(block.h, np.ascontiguousarray(reduced[:, :, columns]))
            prepared.append(_Prepared(g, block.h, prefix, block.step, columns))
        out.append(prepared)
    return out


def simulate(model: Model, samples: dict[str, F64], n: int | None = None, prepared: Prepared | None = None) -> Outcome:
    """All draws and years at once, block by block (a group's plants, or a step's plants of a group),
    draws in chunks; exact for the model above, float64 throughout."""
    prep = prepared or prepare(model, samples, n)
    d = prep.index.shape[0]
    blocks = _compile_blocks(model)
    rules = {rule.group: rule for rule in model.recycled}
    primaries = {g for rule in model.recycled for g in rule.primary_groups}
    sectors = sectors_of(model)
    sector_of = [sectors.index(sector) for sector, _ in model.groups]
    out = _empty_outcome(model, d)
    out.ef_location[:] = prep.ef_location
    out.ef_residual[:] = prep.ef_residual
    contract_steps = _contract_steps(model)
    order = _group_order(model)
    for start in range(0, d, CHUNK):
        rows = slice(start, min(start + CHUNK, d))
        ef_l, ef_r = prep.ef_location[rows], prep.ef_residual[rows]
        group_output: dict[int, F64] = {}
        for g in order:
            gvec = prep.index[rows, g, :]
            rule = rules.get(g)
            if rule is not None:
                primary = sum((group_output[p] for p in rule.primary_groups), np.zeros_like(gvec))
                gvec = _recycled_index(rule, gvec, primary, prep, rows)
            acc = np.zeros((*gvec.shape, len(REDUCED)))
            for block in blocks[g]:
                flows = _evaluate(block.prefix, block.h, gvec)
                if block.step >= 0:
                    flows *= prep.gates[block.step][rows, :, None]
                if block.columns.size == len(REDUCED):
                    acc += flows
                else:
                    acc[..., block.columns] += flows
            totals = {
                "emissions_location": acc[..., 1] + ef_l * acc[..., 3],
                "emissions_market": acc[..., 2] + ef_r * acc[..., 4],
                "output": acc[..., 0],
                "energy": acc[..., 5],
                "renewable": acc[..., 6],
                "used": acc[..., 7],
                "alloyed": acc[..., 8],
            }
            for contract, touching in contract_steps:
                if model.group_of[contract.plant] == g:
                    green = _contract_green(model, contract, touching, prep, gvec, rows)
                    totals["emissions_market"] -= green * contract.kappa_market * ef_r
                    totals["renewable"] += green
            if g in primaries:
                group_output[g] = totals["output"]
            sector = sector_of[g]
            for name, value in totals.items():
                getattr(out, name)[rows, sector, :] += value
    _capacity(model, prep, out)
    return out


def _contract_steps(model: Model) -> list[tuple[Contract, list[tuple[int, int]]]]:
    """Each contract with the (step, row) pairs whose change touches its plant."""
    result = []
    for contract in model.contracts:
        touching = [
            (s, int(np.flatnonzero(step.plants == contract.plant)[0]))
            for s, step in enumerate(model.steps)
            if (step.plants == contract.plant).any()
        ]
        result.append((contract, touching))
    return result


def _contract_green(
    model: Model,
    contract: Contract,
    touching: list[tuple[int, int]],
    prep: Prepared,
    gvec: F64,
    rows: slice,
) -> F64:
    """A fixed-volume contract covers at most the plant's grid electricity not yet green: MWh (D, Y)."""
    p = contract.plant
    per_t = np.broadcast_to(model.coef[p, :, C["nongreen_mwh"]], gvec.shape).copy()
    for s, row in touching:
        per_t += prep.gates[s][rows] * model.steps[s].delta[row, :, C["nongreen_mwh"]][None, :]
    nongreen = model.q0[p] * np.minimum(gvec, model.headroom[p]) * per_t
    green: F64 = np.minimum(contract.volume_mwh[None, :], np.maximum(nongreen, 0.0))
    return green


def _empty_outcome(model: Model, d: int) -> Outcome:
    sectors = sectors_of(model)
    shape = (len(sectors), d, len(model.years))  # sector-major in memory (contiguous writes), (D, S, Y) views

    def zeros() -> F64:
        view: F64 = np.zeros(shape).transpose(1, 0, 2)
        return view

    return Outcome(
        years=model.years,
        sectors=sectors,
        emissions_location=zeros(),
        emissions_market=zeros(),
        output=zeros(),
        energy=zeros(),
        renewable=zeros(),
        used=zeros(),
        alloyed=zeros(),
        ef_location=np.zeros((d, len(model.years))),
        ef_residual=np.zeros((d, len(model.years))),
        capacity_base=model.capacity,
        capacity_steps=[],
    )


def _totals(agg: F64, ef_location: F64, ef_residual: F64) -> dict[str, F64]:
    """Emissions and indicator flows from column sums ``agg`` (..., K); factors broadcast against (...)."""
    direct = agg[..., DIRECT[0]] + agg[..., DIRECT[1]] + agg[..., DIRECT[2]] - agg[..., C["captured_tco2"]]
    return {
        "emissions_location": direct
        + agg[..., C["other_location_tco2e"]]
        + ef_location * agg[..., C["grid_location_eq_mwh"]],
        "emissions_market": direct
        + agg[..., C["other_market_tco2e"]]
        + ef_residual * agg[..., C["nongreen_residual_eq_mwh"]],
        "output": agg[..., C["output_t"]],
        "energy": agg[..., C["energy_tce"]],
        "renewable": agg[..., C["green_mwh"]] + agg[..., C["onsite_renewable_mwh"]],
        "used": agg[..., C["grid_mwh"]]
        + agg[..., C["captive_mwh"]]
        + agg[..., C["onsite_renewable_mwh"]]
        - agg[..., C["exported_mwh"]],
        "alloyed": agg[..., C["direct_alloying_t"]],
    }


def _capacity(model: Model, prep: Prepared, out: Outcome) -> None:
    out.capacity_base = model.capacity
    out.capacity_steps = [
        (prep.gates[s], step.delta_capacity) for s, step in enumerate(model.steps) if np.any(step.delta_capacity)
    ]


# ------------------------------------------------------------------------------------- reference loop


def simulate_loop(model: Model, samples: dict[str, F64], n: int | None = None) -> Outcome:
    """The same model, one draw at a time with plants × years arrays (the straightforward way)."""
    prep = prepare(model, samples, n)
    d = prep.index.shape[0]
    n_groups, y = len(model.groups), len(model.years)
    out = _empty_outcome(model, d)
    rules = {rule.group: rule for rule in model.recycled}
    order = _group_order(model)
    sectors = sectors_of(model)
    to_sector = np.zeros((len(sectors), n_groups))
    for g, (sector, _province) in enumerate(model.groups):
        to_sector[sectors.index(sector), g] = 1.0
    for i in range(d):
        coef = model.coef.copy()
        for s, step in enumerate(model.steps):
            gate = prep.gates[s][i]
            coef[step.plants] += gate[None, :, None] * step.delta
        index = prep.index[i].copy()  # (G, Y)
        agg = np.zeros((n_groups, y, K))
        for g in order:
            rule = rules.get(g)
            if rule is not None:
                primary = agg[list(rule.primary_groups), :, C["output_t"]].sum(axis=0)
                for t in range(y):
                    index[g, t] = _recycled_scalar(rule, index[g, t], primary[t], prep, i, t)
            members = model.group_of == g
            q = model.q0[members, None] * np.minimum(index[g][None, :], model.headroom[members, None])  # (P_g, Y)
            agg[g] = np.einsum("py,pyk->yk", q, coef[members])
        for contract in model.contracts:
            p, g = contract.plant, int(model.group_of[contract.plant])
            nongreen = model.q0[p] * np.minimum(index[g], model.headroom[p]) * coef[p, :, C["nongreen_mwh"]]
            green = np.minimum(contract.volume_mwh, np.maximum(nongreen, 0.0))
            agg[g, :, C["nongreen_mwh"]] -= green
            agg[g, :, C["nongreen_residual_eq_mwh"]] -= green * contract.kappa_market
            agg[g, :, C["green_mwh"]] += green
        totals = _totals(agg, prep.ef_location[i][None, :], prep.ef_residual[i][None, :])
        for name, value in totals.items():
            getattr(out, name)[i] = to_sector @ value  # (G, Y) summed to sectors
        out.ef_location[i] = prep.ef_location[i]
        out.ef_residual[i] = prep.ef_residual[i]
    _capacity(model, prep, out)
    return out


def _recycled_scalar(rule: RecycledRule, g: float, primary: float, prep: Prepared, i: int, t: int) -> float:
    if rule.share is not None and rule.r0 > 0:
        share = rule.share[t]
        g = max(g, share / (1.0 - share) * primary / rule.r0)
    bound = prep.scrap_bound.get(rule.group)
    if bound is not None:
        g = min(g, float(bound[i, t]))
    return g
