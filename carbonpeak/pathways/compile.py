"""From a scenario and a stock to the engine's :class:`~carbonpeak.pathways.engine.Model`.

Levers are applied in the order of the scenario (parents' levers first). Each is a dated change to
named plants, logged as transitions. A lever's change per tonne is computed against the path of the
levers before it at their scheduled years (the median of a drawn year); a lever whose year is
certain is folded into the plants' figures, a lever whose year is drawn becomes a
:class:`~carbonpeak.pathways.engine.Step` that applies from the drawn year. The base year is the
accounted year: no lever acts in it.

Official values come from :class:`~carbonpeak.pathways.params.ParamSource` (grid factors and their
rule, the benchmark levels and deadlines held in the stock, the national capacity ceiling, the
electricity coefficient of GB/T 2589, natural-gas factors); every other number is the scenario's.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.pathways import scenario as sc
from carbonpeak.pathways.distributions import Distribution
from carbonpeak.pathways.engine import C, Contract, Driver, GridPath, K, Model, RecycledRule, Step
from carbonpeak.pathways.params import ParamSource
from carbonpeak.pathways.stock import Stock
from carbonpeak.units import conversion_factor

__all__ = ["CLASSES", "Compiled", "Transition", "compile_scenario", "first_full_year_after"]

F64 = npt.NDArray[np.float64]
CLASSES = ("at_or_above_benchmark", "between_benchmark_and_baseline", "below_baseline", "not_classified")
_ELECTRIC = ("grid_mwh", "grid_location_eq_mwh", "nongreen_mwh", "nongreen_residual_eq_mwh", "onsite_renewable_mwh")
_ENERGY_SCALED = (
    "fuel_tco2",
    "captive_tco2",
    "other_location_tco2e",
    "other_market_tco2e",
    "grid_mwh",
    "grid_location_eq_mwh",
    "nongreen_mwh",
    "nongreen_residual_eq_mwh",
    "captive_mwh",
    "onsite_renewable_mwh",
    "green_mwh",
    "energy_tce",
)


@dataclass(frozen=True)
class Transition:
    """One logged change: which lever did what to which plant, from when."""

    lever: str
    type: str
    plant: str
    year: str
    change: str


@dataclass
class Compiled:
    model: Model
    plants: list[str]
    transitions: list[Transition]
    lever_order: list[str]
    assumptions: list[dict[str, str]]
    checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def first_full_year_after(day: dt.date) -> int:
    """The first calendar year wholly after ``day`` (a deadline of 2025-12-31 gives 2026)."""
    return day.year if (day.month, day.day) == (1, 1) else day.year + 1


def _interp(path: dict[int, float], years: npt.NDArray[np.int64]) -> F64:
    """Straight lines between the years given, held after the last, NaN before the first."""
    xs = np.array(sorted(path), dtype=float)
    ys = np.array([path[int(x)] for x in xs], dtype=float)
    out: F64 = np.interp(years.astype(float), xs, ys)
    out[years < xs[0]] = np.nan
    return out


class _Builder:
    def __init__(self, scenario: sc.ResolvedScenario, stock: Stock, params: ParamSource) -> None:
        self.s = scenario
        self.stock = stock
        self.params = params
        self.years = np.arange(scenario.base_year, scenario.horizon.end + 1, dtype=np.int64)
        self.y = len(self.years)
        self.transitions: list[Transition] = []
        self.inputs: dict[str, Distribution] = {}
        self.assumptions: list[dict[str, str]] = []
        self.checks: list[dict[str, Any]] = []
        self.notes: list[str] = list(stock.notes)
        self.steps: list[Step] = []
        self.contracts: list[Contract] = []
        self.lever_index = {lever.id: i for i, lever in enumerate(scenario.levers)}
        self._buffer: dict[tuple[int, str | None, str | None, int | None], list[Any]] | None = None
        self.electricity_tce_per_mwh = self._electricity_coefficient()

    # ------------------------------------------------------------------ errors and names

    def _where(self, lever: Any, attribute: str) -> tuple[str, str]:
        file = self.s.lever_origin.get(lever.id, self.s.id)
        return file, f"levers[{self.lever_index[lever.id]}]({lever.id}).{attribute}"

    def error(self, lever: Any, attribute: str, code: str, value: Any = None, **params: Any) -> NoReturn:
        """Refuse the lever: an input error with its message code, naming the lever's file and field."""
        file, where = self._where(lever, attribute)
        raise InputError(code=code, file=file, field=where, value=value, **params)

    def add_input(self, name: str, dist: Distribution, basis: str) -> str:
        self.inputs[name] = dist
        self.assumptions.append({"input": name, "distribution": dist.describe(), "basis": basis})
        return name

    # ------------------------------------------------------------------ parameters

    def _electricity_coefficient(self) -> float:
        used = self.params.get("energy.coefficient", carrier="electricity_equivalent")
        return float(used.value) * conversion_factor(used.unit, "tce/MWh")

    # ------------------------------------------------------------------ stock

    def build_plants(self) -> None:
        plants = self.stock.plants.reset_index(drop=True)
        self.codes: list[str] = list(plants["facility_code"])
        p = len(plants)
        q = plants["output_t"].to_numpy(dtype=float)
        self.q0 = q.copy()
        capacity = pd.to_numeric(plants["capacity_t_per_a"], errors="coerce").to_numpy(dtype=float)
        for code, cap, out in zip(self.codes, capacity, q, strict=True):
            if not np.isfinite(cap) or cap < out:
                self.notes.append(
                    f"{code}: capacity {cap if np.isfinite(cap) else 'unknown'} t/a below its base-year output "
                    f"{out:,.0f} t; the base-year output is used as its capacity"
                )
        capacity = np.where(np.isfinite(capacity) & (capacity >= q), capacity, q)
        self.capacity0 = capacity
        self.headroom = capacity / q
        ef_loc, ef_res = self.grid_location[0], self.grid_residual[0]
        base = np.zeros((p, K))

        def col(name: str) -> F64:
            values: F64 = plants[name].fillna(0.0).to_numpy(dtype=float)
            return values

        grid, green = col("grid_mwh"), col("green_mwh")
        nongreen = np.maximum(grid - green, 0.0)
        elec_loc, elec_mkt = col("electricity_location_tco2"), col("electricity_market_tco2")
        self.kappa_loc = np.where(grid > 0, elec_loc / np.where(grid > 0, grid * ef_loc, 1.0), 1.0)
        self.kappa_mkt = np.where(nongreen > 0, elec_mkt / np.where(nongreen > 0, nongreen * ef_res, 1.0), 1.0)
        other_loc = col("other_location_tco2e") + np.where(grid > 0, 0.0, elec_loc)
        other_mkt = col("other_market_tco2e") + np.where(nongreen > 0, 0.0, elec_mkt)
        base[:, C["output_t"]] = 1.0
        base[:, C["process_tco2e"]] = col("process_tco2e") / q
        base[:, C["fuel_tco2"]] = col("fuel_tco2") / q
        base[:, C["captive_tco2"]] = col("captive_tco2") / q
        base[:, C["other_location_tco2e"]] = other_loc / q
        base[:, C["other_market_tco2e"]] = other_mkt / q
        base[:, C["grid_mwh"]] = grid / q
        base[:, C["grid_location_eq_mwh"]] = grid * self.kappa_loc / q
        base[:, C["nongreen_mwh"]] = nongreen / q
        base[:, C["nongreen_residual_eq_mwh"]] = nongreen * self.kappa_mkt / q
        base[:, C["captive_mwh"]] = col("captive_mwh") / q
        base[:, C["onsite_renewable_mwh"]] = col("onsite_renewable_mwh") / q
        base[:, C["green_mwh"]] = np.minimum(green, grid) / q
        base[:, C["exported_mwh"]] = col("exported_mwh") / q
        base[:, C["energy_tce"]] = col("energy_tce") / q
        base[:, C["direct_alloying_t"]] = col("direct_alloying_t") / q
        base[:, C["scrap_t"]] = col("scrap_t") / q
        self.base = base
        # aux (not engine columns): fuel and captive fuel in tce per tonne, following the levers
        self.aux_fuel_tce = np.repeat((col("fuel_tce") / q)[:, None], self.y, axis=1)
        self.aux_captive_tce = np.repeat((col("captive_tce") / q)[:, None], self.y, axis=1)
        alive = np.ones((p, self.y))
        for i, row in plants.iterrows():
            day = row["retired_on"] if row["status"] == "retired" else row["status_since"]
            if row["status"] in ("retired", "idle") and isinstance(day, str) and day:
                stop = max(first_full_year_after(dt.date.fromisoformat(day)), int(self.years[1]))
                alive[int(str(i)), self.years >= stop] = 0.0
                self.transitions.append(
                    Transition(
                        "registry", "status", row["facility_code"], str(stop), f"{row['status']} since {day}: no output"
                    )
                )
        self.fixed = base[:, None, :] * alive[:, :, None]
        self.cur = self.fixed.copy()
        self.cap_fixed = capacity[:, None] * alive
        self.cap_cur = self.cap_fixed.copy()
        cls = plants["benchmark_class"].fillna("not_classified").astype(str)
        codes = np.array([CLASSES.index(c) if c in CLASSES else 3 for c in cls], dtype=np.int64)
        self.cls_fixed = np.repeat(codes[:, None], self.y, axis=1)
        self.cls_cur = self.cls_fixed.copy()
        self.attrs = plants[
            [
                "facility_code",
                "sector",
                "product",
                "technology",
                "province_code",
                "benchmark_class",
                "indicator_value",
                "indicator_unit",
                "benchmark_level",
                "baseline_level",
                "deadline",
            ]
        ].copy()
        self.indicator0 = pd.to_numeric(self.attrs["indicator_value"], errors="coerce").to_numpy(dtype=float)
        self.used0 = (
            base[:, C["grid_mwh"]]
            + base[:, C["captive_mwh"]]
            + base[:, C["onsite_renewable_mwh"]]
            - base[:, C["exported_mwh"]]
        )
        self.energy0 = base[:, C["energy_tce"]].copy()

    def add_plant(
        self, code: str, sector: str, product: str, technology: str, province: str, vector: F64, q0: float, cap: float
    ) -> int:
        self.codes.append(code)
        self.q0 = np.append(self.q0, q0)
        self.headroom = np.append(self.headroom, cap / q0)
        self.capacity0 = np.append(self.capacity0, cap)
        zeros = np.zeros((1, self.y, K))
        self.fixed = np.concatenate([self.fixed, zeros])
        self.cur = np.concatenate([self.cur, zeros])
        self.cap_fixed = np.concatenate([self.cap_fixed, np.zeros((1, self.y))])
        self.cap_cur = np.concatenate([self.cap_cur, np.zeros((1, self.y))])
        self.cls_fixed = np.concatenate([self.cls_fixed, np.full((1, self.y), 3, dtype=np.int64)])
        self.cls_cur = np.concatenate([self.cls_cur, np.full((1, self.y), 3, dtype=np.int64)])
        self.aux_fuel_tce = np.concatenate([self.aux_fuel_tce, np.zeros((1, self.y))])
        self.aux_captive_tce = np.concatenate([self.aux_captive_tce, np.zeros((1, self.y))])
        self.kappa_loc = np.append(self.kappa_loc, 1.0)
        self.kappa_mkt = np.append(self.kappa_mkt, 1.0)
        row = {
            "facility_code": code,
            "sector": sector,
            "product": product,
            "technology": technology,
            "province_code": province,
            "benchmark_class": "not_classified",
            "indicator_value": np.nan,
            "indicator_unit": "",
            "benchmark_level": np.nan,
            "baseline_level": np.nan,
            "deadline": "",
        }
        self.attrs = pd.concat([self.attrs, pd.DataFrame([row])], ignore_index=True)
        self.indicator0 = np.append(self.indicator0, np.nan)
        self.base = np.concatenate([self.base, vector[None, :]])
        self.used0 = np.append(
            self.used0,
            vector[C["grid_mwh"]]
            + vector[C["captive_mwh"]]
            + vector[C["onsite_renewable_mwh"]]
            - vector[C["exported_mwh"]],
        )
        self.energy0 = np.append(self.energy0, vector[C["energy_tce"]])
        return len(self.codes) - 1

    # ------------------------------------------------------------------ grid

    def build_grid(self) -> None:
        grid = self.s.grid
        loc = np.full(self.y, np.nan)
        res = np.full(self.y, np.nan)
        for j, year in enumerate(self.years):
            rule = self.params.value("electricity.grid_factor_rule", period=int(year))
            if rule.get("series") == "ets":
                used = self.params.get("electricity.grid_factor_ets", period=int(year))
                loc[j] = res[j] = float(used.value) * conversion_factor(used.unit, "tCO2/MWh")
                continue
            data_year = int(year) - int(rule.get("lag_years", 0))
            region = rule.get("region", "china") if grid.region == "rule" else grid.region
            location = self.params.maybe(
                "electricity.grid_factor", data_year=data_year, region=region, basis="location"
            )
            if location is None:
                continue
            loc[j] = float(location.value) * conversion_factor(location.unit, "tCO2/MWh")
            residual = self.params.maybe(
                "electricity.grid_factor", data_year=data_year, region=region, basis="residual"
            )
            if residual is not None:
                res[j] = float(residual.value) * conversion_factor(residual.unit, "tCO2/MWh")
            elif rule.get("fallback_market") == "location":
                res[j] = loc[j]
        if np.isnan(loc[0]):
            raise InputError(
                code="pathways.no_grid_factor",
                file=self.s.lever_origin.get("", self.s.id),
                field="grid.region",
                value=grid.region,
            )
        last = int(np.flatnonzero(~np.isnan(loc))[-1])
        if grid.trajectory is not None:
            residual_path = grid.trajectory.residual or {}
            for supplied_year, value in grid.trajectory.location.items():
                position = int(supplied_year) - int(self.years[0])
                if position > last and 0 <= position < self.y:
                    loc[position] = value
                    res[position] = residual_path.get(supplied_year, value)
            self.assumptions.append(
                {"input": "grid.trajectory", "distribution": "supplied", "basis": grid.trajectory.source}
            )
        self.grid_location, self.grid_residual = loc, res
        decline = None
        if grid.decline_pct_per_year is not None:
            decline = self.add_input("grid.decline_pct_per_year", sc.uncertain(grid.decline_pct_per_year), grid.basis)
        self.grid_path = GridPath(loc, res, decline)
        official_last = int(self.years[last])
        self.notes.append(
            f"grid factor: official values (electricity.grid_factor under electricity.grid_factor_rule) to "
            f"accounting year {official_last}, then "
            + ("the supplied trajectory, " if grid.trajectory is not None else "")
            + ("the assumed decline" if decline else "held constant")
        )

    # ------------------------------------------------------------------ groups and drivers

    def group_key(self, sector: str, province: str) -> tuple[str, str]:
        """Plants share a group when they share a production driver: (sector, province) where a production
        entry names the province, else (sector, '*') for all provinces of the region."""
        entries = {(e.sector, e.province) for e in self.s.production}
        if (sector, province) in entries or ((sector, None) not in entries and ("default", province) in entries):
            return (sector, province)
        return (sector, "*")

    def build_groups(self) -> None:
        keys = [
            self.group_key(sector, province)
            for sector, province in zip(
                self.attrs["sector"].astype(str), self.attrs["province_code"].astype(str), strict=True
            )
        ]
        self.groups: list[tuple[str, str]] = sorted(set(keys))
        lookup = {key: i for i, key in enumerate(self.groups)}
        self.group_of = np.array([lookup[k] for k in keys], dtype=np.int64)

    def group_index(self, sector: str, province: str) -> int:
        key = self.group_key(sector, province)
        if key not in self.groups:
            self.groups.append(key)
        return self.groups.index(key)

    def build_drivers(self) -> list[Driver]:
        entries = {(e.sector, e.province): e for e in self.s.production}
        drivers = []
        for sector, province in self.groups:
            if province == "*":
                entry = entries.get((sector, None)) or entries[("default", None)]
            else:
                entry = entries.get((sector, province)) or entries[("default", province)]
            name = f"production.{entry.sector}" + (f"/{entry.province}" if entry.province else "")
            if entry.output_path_t is not None:
                members = self.group_of == self.groups.index((sector, province))
                q0_group = float(self.q0[members[: len(self.q0)]].sum())
                path = _interp({int(self.years[0]): q0_group, **entry.output_path_t}, self.years) / q0_group
                drivers.append(Driver(path=path))
                self.assumptions.append(
                    {"input": f"{name}.output_path_t", "distribution": "path", "basis": entry.basis}
                )
                continue
            growth = entry.growth_pct_per_year
            assert growth is not None
            if isinstance(growth, list):
                periods = []
                for period in growth:
                    input_name = f"{name}.growth_pct_per_year@{period.from_year}"
                    if input_name not in self.inputs:
                        self.add_input(input_name, sc.uncertain(period.pct_per_year), entry.basis)
                    periods.append((period.from_year, input_name))
                drivers.append(Driver(periods=tuple(periods)))
            else:
                input_name = f"{name}.growth_pct_per_year"
                if input_name not in self.inputs:
                    self.add_input(input_name, sc.uncertain(growth), entry.basis)
                drivers.append(Driver(periods=((int(self.years[0]), input_name),)))
        return drivers

    # ------------------------------------------------------------------ levers: helpers

    def select(self, lever: Any, plants: sc.Plants | None, attribute: str = "plants") -> list[int]:
        if plants is None:
            return []
        if isinstance(plants, list):
            out = []
            for code in plants:
                if code not in self.codes:
                    self.error(
                        lever,
                        attribute,
                        "pathways.unknown_plant",
                        code,
                        region=self.s.region,
                        year=self.s.base_year,
                        examples=", ".join(self.codes[:5]),
                    )
                if self.codes.index(code) not in out:
                    out.append(self.codes.index(code))
            return out
        attrs = self.attrs
        mask = np.ones(len(attrs), dtype=bool)
        if plants.codes is not None:
            mask &= attrs["facility_code"].isin(plants.codes).to_numpy()
        for column, value in (
            ("sector", plants.sector),
            ("technology", plants.technology),
            ("product", plants.product),
            ("province_code", plants.province),
            ("benchmark_class", plants.benchmark_class),
        ):
            if value is not None:
                mask &= (attrs[column].astype(str) == value).to_numpy()
        return [int(i) for i in np.flatnonzero(mask)]

    def year_of(self, lever: Any, spec: sc.YearSpec, attribute: str = "year") -> tuple[int, str | None, str]:
        """(scheduled year, input name or None, text) of a year that may be drawn."""
        if isinstance(spec, sc.DistSpec):
            dist = spec.to_distribution()
            name = self.add_input(f"levers.{lever.id}.{attribute}", dist, lever.basis or "analyst's assumption")
            return round(dist.central()), name, dist.describe()
        return int(spec), None, str(int(spec))

    def check_year(self, lever: Any, year: int, attribute: str = "year") -> None:
        if year <= self.s.base_year:
            self.error(lever, attribute, "pathways.lever_not_after_base_year", year, year=self.s.base_year)

    def path_of(self, lever: Any, path: dict[int, float], attribute: str) -> F64:
        if min(path) <= self.s.base_year:
            self.error(lever, attribute, "pathways.path_not_after_base_year", min(path), year=self.s.base_year)
        return _interp(path, self.years)

    def apply(
        self,
        lever: Any,
        plants: list[int],
        delta: F64,
        year: int,
        year_input: str | None = None,
        delay_input: str | None = None,
        cap_after: F64 | None = None,
        cls_after: npt.NDArray[np.int64] | None = None,
        aux_after: tuple[F64, F64] | None = None,
        step_year: int | None = None,
    ) -> None:
        """Apply a change (n, Y, K) to plants from ``year`` (scheduled); a drawn year makes a Step.

        Within one lever the changes are gathered and applied together at its end (:meth:`flush`), so
        that a lever with a drawn year is one step for all its plants (they share the drawn year).
        """
        if not plants:
            return
        idx = np.array(plants, dtype=np.int64)
        if cap_after is None:
            cap_after = self.cap_cur[idx].copy()
        if cls_after is None:
            cls_after = self.cls_cur[idx].copy()
        if aux_after is None:
            aux_after = (self.aux_fuel_tce[idx].copy(), self.aux_captive_tce[idx].copy())
        if self._buffer is not None:
            key = (year, year_input, delay_input, step_year)
            self._buffer.setdefault(key, []).append((lever, idx, delta, cap_after, cls_after, aux_after))
            return
        self._apply_now(lever, idx, delta, year, year_input, delay_input, cap_after, cls_after, aux_after, step_year)

    def flush(self) -> None:
        buffer, self._buffer = self._buffer or {}, None
        for (year, year_input, delay_input, step_year), parts in buffer.items():
            self._apply_now(
                parts[0][0],
                np.concatenate([part[1] for part in parts]),
                np.concatenate([part[2] for part in parts]),
                year,
                year_input,
                delay_input,
                np.concatenate([part[3] for part in parts]),
                np.concatenate([part[4] for part in parts]),
                (np.concatenate([part[5][0] for part in parts]), np.concatenate([part[5][1] for part in parts])),
                step_year,
            )

    def _apply_now(
        self,
        lever: Any,
        idx: npt.NDArray[np.int64],
        delta: F64,
        year: int,
        year_input: str | None,
        delay_input: str | None,
        cap_after: F64,
        cls_after: npt.NDArray[np.int64],
        aux_after: tuple[F64, F64],
        step_year: int | None,
    ) -> None:
        gate = (self.years >= year).astype(float)
        gate[0] = 0.0
        before_cap, before_cls = self.cap_cur[idx].copy(), self.cls_cur[idx].copy()
        after_cap, after_cls = cap_after, cls_after
        delta_capacity = self.capacity_table(idx, after_cap, after_cls) - self.capacity_table(
            idx, before_cap, before_cls
        )
        self.cur[idx] += gate[None, :, None] * delta
        sel = gate.astype(bool)
        self.cap_cur[np.ix_(idx, sel)] = after_cap[:, sel]
        self.cls_cur[np.ix_(idx, sel)] = after_cls[:, sel]
        self.aux_fuel_tce[np.ix_(idx, sel)] = aux_after[0][:, sel]
        self.aux_captive_tce[np.ix_(idx, sel)] = aux_after[1][:, sel]
        if year_input is None and delay_input is None:
            self.fixed[idx] += gate[None, :, None] * delta
            self.cap_fixed[np.ix_(idx, sel)] = after_cap[:, sel]
            self.cls_fixed[np.ix_(idx, sel)] = after_cls[:, sel]
        else:
            self.steps.append(
                Step(
                    name=lever.id,
                    plants=idx,
                    delta=delta,
                    delta_capacity=delta_capacity,
                    year=step_year if step_year is not None else (None if year_input else year),
                    year_input=year_input,
                    delay_input=delay_input,
                )
            )

    def capacity_labels(self) -> list[tuple[str, str]]:
        products = sorted({p for p in self.attrs["product"].astype(str) if p})
        return [(product, cls) for product in products for cls in CLASSES]

    def capacity_table(self, idx: npt.NDArray[np.int64], cap: F64, cls: npt.NDArray[np.int64]) -> F64:
        labels = self.labels
        out = np.zeros((self.y, len(labels)))
        products = self.attrs["product"].astype(str).to_numpy()
        for row, p in enumerate(idx):
            product = products[p]
            if not product:
                continue
            for j in range(self.y):
                out[j, labels.index((product, CLASSES[int(cls[row, j])]))] += cap[row, j]
        return out

    def log(self, lever: Any, plant: int, year: str, change: str) -> None:
        self.transitions.append(Transition(lever.id, lever.type, self.codes[plant], year, change))

    def scaled_electricity(self, v: F64, aux_captive: F64, f: F64) -> tuple[F64, F64]:
        """Electricity streams × f (n, Y): the change per tonne and the captive tce after."""
        delta = np.zeros_like(v)
        g = (f - 1.0)[..., None] if f.ndim == v.ndim - 1 else f - 1.0
        for name in (*_ELECTRIC, "captive_mwh", "captive_tco2", "green_mwh"):
            delta[..., C[name]] = g[..., 0] * v[..., C[name]]
        captive_tce_after = aux_captive * f
        delta[..., C["energy_tce"]] = (
            self.electricity_tce_per_mwh * (delta[..., C["grid_mwh"]] + delta[..., C["onsite_renewable_mwh"]])
            + captive_tce_after
            - aux_captive
        )
        return delta, captive_tce_after

    def new_class(self, plant: int, indicator: F64) -> npt.NDArray[np.int64]:
        row = self.attrs.iloc[plant]
        bench, base = float(row["benchmark_level"]), float(row["baseline_level"])
        if not (np.isfinite(bench) and np.isfinite(base)):
            same: npt.NDArray[np.int64] = self.cls_cur[plant].copy()
            return same
        codes: npt.NDArray[np.int64] = np.where(indicator <= bench, 0, np.where(indicator > base, 2, 1)).astype(
            np.int64
        )
        return codes

    # ------------------------------------------------------------------ levers

    def lever(self, lever: Any) -> None:
        self._buffer = {}
        getattr(self, f"_lever_{lever.type}")(lever)
        self.flush()

    def _lever_exit(self, lever: sc.ExitLever) -> None:
        plants = self.select(lever, lever.plants)
        if not plants:
            self.transitions.append(Transition(lever.id, lever.type, "—", "—", "no plant matches the selection"))
        delay_input = None
        delay_central = 0
        if lever.delay_years is not None:
            dist = lever.delay_years.to_distribution()
            delay_input = self.add_input(f"levers.{lever.id}.delay_years", dist, lever.basis or "analyst's assumption")
            delay_central = round(dist.central())
        by_year: dict[tuple[int, str | None, str], list[int]] = {}
        for p in plants:
            if lever.year == "deadline":
                deadline = self.attrs.iloc[p]["deadline"]
                product = str(self.attrs.iloc[p]["product"])
                if not product:
                    self.error(lever, "year", "pathways.no_deadline", self.codes[p])
                used = self.params.get("benchmarks.baseline_deadline", product=product)
                deadline = str(used.value)
                year = first_full_year_after(dt.date.fromisoformat(deadline))
                key: tuple[int, str | None, str] = (year, None, f"{year} (deadline {deadline})")
            else:
                year, name, text = self.year_of(lever, lever.year)
                key = (year, name, text)
            by_year.setdefault(key, []).append(p)
        for (year, name, text), members in by_year.items():
            scheduled = year + delay_central
            if name is None and delay_input is None:
                self.check_year(lever, scheduled)
            idx = np.array(members)
            delta = -self.cur[idx].copy()
            for p in members:
                self.log(lever, p, text + (" + delay" if delay_input else ""), "exits: output 0")
            self.apply(
                lever,
                members,
                delta,
                scheduled,
                year_input=name,
                delay_input=delay_input,
                cap_after=np.zeros((len(members), self.y)),
                cls_after=self.cls_cur[idx].copy(),
                aux_after=(np.zeros((len(members), self.y)), np.zeros((len(members), self.y))),
                step_year=year if name is None and delay_input is not None else None,
            )

    def _lever_replacement(self, lever: sc.ReplacementLever) -> None:
        sources = self.select(lever, lever.source, "source") if lever.source else []
        year, name, text = self.year_of(lever, lever.year)
        if name is None:
            self.check_year(lever, year)
        dest = lever.destination
        if dest.code in self.codes:
            self.error(lever, "destination.code", "pathways.plant_exists", dest.code)
        like = self.select(lever, [dest.like], "destination.like")[0]
        like_row = self.attrs.iloc[like]
        j = min(max(year - int(self.years[0]), 0), self.y - 1)
        source_cap = float(sum(self.cap_cur[p, j] for p in sources)) + sum(
            o.capacity_t_per_a for o in lever.source_outside
        )
        if source_cap <= 0:
            self.error(lever, "source", "pathways.no_source_capacity")
        new_cap = lever.ratio * source_cap
        sector = str(like_row["sector"])
        self._ceiling(lever, sector, sources, source_cap, new_cap, year)
        members = self.group_of_sector(sector)
        utilisation = (
            dest.utilisation_pct / 100.0
            if dest.utilisation_pct is not None
            else float(self.q0[members].sum() / self.capacity0[members].sum())
        )
        vector = self.base[like].copy()
        aux_captive = float(self.aux_captive_tce[like, 0])
        if dest.electricity_mwh_per_t is not None:
            f = np.array([dest.electricity_mwh_per_t / self.used0[like]])
            change, captive_after = self.scaled_electricity(vector[None, :], np.array([aux_captive]), f)
            vector = vector + change[0]
            aux_captive = float(captive_after[0])
        if dest.captive_share_pct is not None:
            vector, aux_captive = self._captive_share(lever, like, vector, aux_captive, dest.captive_share_pct / 100.0)
        province = dest.province or str(like_row["province_code"])
        q0 = new_cap * utilisation
        plant = self.add_plant(
            dest.code,
            sector,
            str(like_row["product"]),
            dest.technology or str(like_row["technology"]),
            province,
            vector,
            q0,
            new_cap,
        )
        self.group_index(sector, province)
        cls_like = int(self.cls_cur[like, 0])
        indicator = self.indicator0[like] * (
            (
                vector[C["grid_mwh"]]
                + vector[C["captive_mwh"]]
                + vector[C["onsite_renewable_mwh"]]
                - vector[C["exported_mwh"]]
            )
            / self.used0[like]
        )
        for column in ("benchmark_level", "baseline_level", "indicator_unit"):
            self.attrs.loc[plant, column] = like_row[column]
        if np.isfinite(indicator):
            cls_new = self.new_class(plant, np.full(self.y, indicator))
        else:
            cls_new = np.full(self.y, cls_like, dtype=np.int64)
        self.aux_fuel_tce[plant] = self.aux_fuel_tce[like, 0]
        self.aux_captive_tce[plant] = aux_captive
        plants = [*sources, plant]
        idx = np.array(plants)
        delta = np.zeros((len(plants), self.y, K))
        delta[: len(sources)] = -self.cur[np.array(sources, dtype=np.int64)] if sources else 0.0
        delta[-1] = vector[None, :]
        cap_after = np.zeros((len(plants), self.y))
        cap_after[-1] = new_cap
        cls_after = self.cls_cur[idx].copy()
        cls_after[-1] = cls_new
        aux_fuel = np.zeros((len(plants), self.y))
        aux_fuel[-1] = self.aux_fuel_tce[like, 0]
        aux_capt = np.zeros((len(plants), self.y))
        aux_capt[-1] = aux_captive
        self.cls_cur[plant] = cls_new  # the class it will have (capacity is 0 before the year)
        self.cls_fixed[plant] = cls_new
        for p in sources:
            self.log(lever, p, text, f"capacity {self.capacity0[p]:,.0f} t/a exits (replacement source)")
        for outside in lever.source_outside:
            self.transitions.append(
                Transition(
                    lever.id,
                    lever.type,
                    outside.name,
                    text,
                    f"gives up {outside.capacity_t_per_a:,.0f} t/a (outside the registry)",
                )
            )
        self.log(
            lever,
            plant,
            text,
            f"new line {dest.code} ({province}): {new_cap:,.0f} t/a = {lever.ratio:g} × {source_cap:,.0f} t/a, "
            f"figures per tonne of {dest.like}, utilisation {utilisation:.0%}",
        )
        self.apply(
            lever,
            plants,
            delta,
            year,
            year_input=name,
            cap_after=cap_after,
            cls_after=cls_after,
            aux_after=(aux_fuel, aux_capt),
        )

    def group_of_sector(self, sector: str) -> npt.NDArray[np.int64]:
        sectors = self.attrs["sector"].astype(str).to_numpy()[: len(self.q0)]
        return np.flatnonzero(sectors == sector)

    def _ceiling(
        self, lever: sc.ReplacementLever, sector: str, sources: list[int], source_cap: float, new_cap: float, year: int
    ) -> None:
        if sector != "electrolytic_aluminium":
            return
        used = self.params.get("capacity.national_ceiling", period=year, sector=sector)
        ceiling = float(used.value) * conversion_factor(used.unit, "t/a")
        net = new_cap - source_cap
        check: dict[str, Any] = {
            "lever": lever.id,
            "ceiling_t_per_a": ceiling,
            "citation": used.citation,
            "verified": used.verified,
            "net_national_change_t_per_a": net,
        }
        if lever.rest_of_country_capacity_t_per_a is not None:
            j = min(max(year - int(self.years[0]), 0), self.y - 1)
            al = self.attrs["sector"].astype(str).to_numpy() == sector
            registry = float(self.cap_cur[al, j].sum()) - sum(self.cap_cur[p, j] for p in sources) + new_cap
            national = registry + lever.rest_of_country_capacity_t_per_a
            check.update({"national_after_t_per_a": national, "within_ceiling": national <= ceiling})
            if national > ceiling:
                self.error(
                    lever,
                    "ratio",
                    "pathways.above_ceiling",
                    lever.ratio,
                    national=f"{national:,.0f}",
                    ceiling=f"{ceiling:,.0f}",
                    citation=used.citation,
                )
        else:
            check.update({"within_ceiling": net <= 0})
            if net > 0:
                self.error(
                    lever,
                    "ratio",
                    "pathways.adds_national_capacity",
                    lever.ratio,
                    net=f"{net:,.0f}",
                    ceiling=f"{ceiling:,.0f}",
                    citation=used.citation,
                )
        self.checks.append(check)

    def _captive_share(self, lever: Any, like: int, vector: F64, aux_captive: float, share: float) -> tuple[F64, float]:
        v = vector.copy()
        supplied = v[C["grid_mwh"]] + v[C["captive_mwh"]]
        captive_now = v[C["captive_mwh"]]
        if share > 0 and captive_now <= 0:
            self.error(lever, "destination.captive_share_pct", "pathways.like_without_captive", share * 100)
        target = share * supplied
        ratio_co2 = v[C["captive_tco2"]] / captive_now if captive_now > 0 else 0.0
        ratio_tce = aux_captive / captive_now if captive_now > 0 else 0.0
        change = target - captive_now  # positive: more captive, less grid
        v[C["captive_mwh"]] = target
        v[C["captive_tco2"]] = target * ratio_co2
        grid_before = v[C["grid_mwh"]]
        v[C["grid_mwh"]] = max(grid_before - change, 0.0)
        scale = v[C["grid_mwh"]] / grid_before if grid_before > 0 else 0.0
        k_loc = self.kappa_loc[like]
        k_mkt = self.kappa_mkt[like]
        v[C["grid_location_eq_mwh"]] = v[C["grid_mwh"]] * k_loc
        v[C["green_mwh"]] = min(v[C["green_mwh"]] * scale if grid_before > 0 else 0.0, v[C["grid_mwh"]])
        v[C["nongreen_mwh"]] = v[C["grid_mwh"]] - v[C["green_mwh"]]
        v[C["nongreen_residual_eq_mwh"]] = v[C["nongreen_mwh"]] * k_mkt
        captive_tce = target * ratio_tce
        v[C["energy_tce"]] += (
            captive_tce - aux_captive + self.electricity_tce_per_mwh * (v[C["grid_mwh"]] - grid_before)
        )
        return v, captive_tce

    def _lever_retrofit(self, lever: sc.RetrofitLever) -> None:
        plants = self.select(lever, lever.plants)
        year, name, text = self.year_of(lever, lever.year)
        if name is None:
            self.check_year(lever, year)
        for p in plants:
            row = self.attrs.iloc[p]
            v = self.cur[p]  # (Y, K)
            used_now = (
                v[:, C["grid_mwh"]] + v[:, C["captive_mwh"]] + v[:, C["onsite_renewable_mwh"]] - v[:, C["exported_mwh"]]
            )
            electric = str(row["indicator_unit"]) == "kWh/t"
            indicator_now = (
                self.indicator0[p] * (used_now / self.used0[p])
                if electric
                else self.indicator0[p] * (v[:, C["energy_tce"]] / self.energy0[p])
            )
            if lever.to == "benchmark":
                level = float(row["benchmark_level"])
                if not np.isfinite(level):
                    self.error(
                        lever,
                        "to",
                        "pathways.no_benchmark_level",
                        "benchmark",
                        plant=self.codes[p],
                        product=row["product"] or "—",
                        benchmark_class=row["benchmark_class"],
                    )
                if electric:
                    mwh_cut = np.maximum(indicator_now - level, 0.0) / 1000.0
                    f = np.where(used_now > 0, 1.0 - mwh_cut / np.where(used_now > 0, used_now, 1.0), 1.0)
                    kind = "electric"
                else:
                    f = np.where(indicator_now > level, level / indicator_now, 1.0)
                    kind = "energy"
                describe = f"to the benchmark level {level:g} {row['indicator_unit']}"
            else:
                target = lever.to
                if target.electricity_mwh_per_t is not None:
                    f = np.where(
                        used_now > 0, target.electricity_mwh_per_t / np.where(used_now > 0, used_now, 1.0), 1.0
                    )
                    kind = "electric"
                    describe = f"to {target.electricity_mwh_per_t:g} MWh/t of electricity"
                else:
                    assert target.energy_change_pct is not None
                    f = np.full(self.y, 1.0 + target.energy_change_pct / 100.0)
                    kind = "energy"
                    describe = f"energy per tonne {target.energy_change_pct:+g} %"
                if target.technology:
                    describe = f"{target.technology}: {describe}"
            aux_c = self.aux_captive_tce[p][None, :]
            if kind == "electric":
                delta, captive_after = self.scaled_electricity(v[None, :, :], aux_c, f[None, :])
                fuel_after = self.aux_fuel_tce[p][None, :]
            else:
                delta = np.zeros((1, self.y, K))
                for column in _ENERGY_SCALED:
                    delta[0, :, C[column]] = (f - 1.0) * v[:, C[column]]
                captive_after = aux_c * f
                fuel_after = self.aux_fuel_tce[p][None, :] * f
            cls_after = self.new_class(p, indicator_now * f)[None, :]
            self.log(lever, p, text, describe + f" (class after: {CLASSES[int(cls_after[0, -1])]})")
            self.apply(
                lever,
                [p],
                delta,
                year,
                year_input=name,
                cap_after=self.cap_cur[[p]].copy(),
                cls_after=cls_after,
                aux_after=(fuel_after, captive_after),
            )

    def _lever_green_electricity(self, lever: sc.GreenLever) -> None:
        if lever.share_pct is not None:
            share = self.path_of(lever, lever.share_pct, "share_pct") / 100.0
            first = min(lever.share_pct)
            for p in self.select(lever, lever.plants):
                v = self.cur[p]
                used = (
                    v[:, C["grid_mwh"]]
                    + v[:, C["captive_mwh"]]
                    + v[:, C["onsite_renewable_mwh"]]
                    - v[:, C["exported_mwh"]]
                )
                wanted = np.nan_to_num(share * used - v[:, C["onsite_renewable_mwh"]], nan=0.0)
                green = np.clip(wanted, v[:, C["green_mwh"]], v[:, C["grid_mwh"]])
                green = np.maximum(green, v[:, C["green_mwh"]])
                change = green - v[:, C["green_mwh"]]
                delta = np.zeros((1, self.y, K))
                delta[0, :, C["green_mwh"]] = change
                delta[0, :, C["nongreen_mwh"]] = -change
                delta[0, :, C["nongreen_residual_eq_mwh"]] = -change * self.kappa_mkt[p]
                self.log(lever, p, f"{first}–", "green power share of electricity used: " + _path_text(lever.share_pct))
                self.apply(lever, [p], delta, first)
        for contract in lever.contracts:
            p = self.select(lever, [contract.plant], "contracts")[0]
            if contract.from_year <= self.s.base_year or contract.to_year < contract.from_year:
                self.error(lever, "contracts", "pathways.contract_years", f"{contract.from_year}-{contract.to_year}")
            volume = np.where(
                (self.years >= contract.from_year) & (self.years <= contract.to_year), contract.mwh_per_year, 0.0
            )
            self.contracts.append(Contract(plant=p, volume_mwh=volume, kappa_market=float(self.kappa_mkt[p])))
            self.log(
                lever,
                p,
                f"{contract.from_year}–{contract.to_year}",
                f"green power contract {contract.mwh_per_year:,.0f} MWh/a",
            )

    def _lever_captive_retirement(self, lever: sc.CaptiveLever) -> None:
        year, name, text = self.year_of(lever, lever.year)
        if name is None:
            self.check_year(lever, year)
        for p in self.select(lever, lever.plants):
            v = self.cur[p]
            if not np.any(v[:, C["captive_mwh"]] > 0):
                self.log(lever, p, text, "no captive power: nothing to retire")
                continue
            delta = self._to_grid(p, v[None, :, :], v[None, :, C["captive_mwh"]])
            delta[0, :, C["captive_mwh"]] -= v[:, C["captive_mwh"]]
            delta[0, :, C["captive_tco2"]] -= v[:, C["captive_tco2"]]
            delta[0, :, C["energy_tce"]] -= self.aux_captive_tce[p]
            self.log(lever, p, text, "captive power units retire: their electricity is bought from the grid")
            self.apply(
                lever,
                [p],
                delta,
                year,
                year_input=name,
                cap_after=self.cap_cur[[p]].copy(),
                cls_after=self.cls_cur[[p]].copy(),
                aux_after=(self.aux_fuel_tce[[p]].copy(), np.zeros((1, self.y))),
            )

    def _to_grid(self, p: int, v: F64, mwh: F64) -> F64:
        """The change per tonne of buying ``mwh`` (1, Y) more from the grid, none of it green."""
        delta = np.zeros_like(v)
        delta[..., C["grid_mwh"]] = mwh
        delta[..., C["grid_location_eq_mwh"]] = mwh * self.kappa_loc[p]
        delta[..., C["nongreen_mwh"]] = mwh
        delta[..., C["nongreen_residual_eq_mwh"]] = mwh * self.kappa_mkt[p]
        delta[..., C["energy_tce"]] = mwh * self.electricity_tce_per_mwh
        return delta

    def _lever_recycled_aluminium(self, lever: sc.RecycledLever) -> None:
        self.recycled_share = self.path_of(lever, lever.share_pct, "share_pct") / 100.0
        self.transitions.append(
            Transition(
                lever.id,
                lever.type,
                "recycled_aluminium",
                f"{min(lever.share_pct)}–",
                "recycled share of aluminium supply " + _path_text(lever.share_pct) + ", bounded by scrap and capacity",
            )
        )

    def _lever_direct_alloying(self, lever: sc.AlloyLever) -> None:
        share = self.path_of(lever, lever.share_pct, "share_pct") / 100.0
        first = min(lever.share_pct)
        plants = self.select(lever, lever.plants or sc.Selector(sector="electrolytic_aluminium"))
        for p in plants:
            v = self.cur[p]
            target = np.where(np.isnan(share), v[:, C["direct_alloying_t"]], share)
            change = target - v[:, C["direct_alloying_t"]]
            delta = np.zeros((1, self.y, K))
            delta[0, :, C["direct_alloying_t"]] = change
            text = "share of liquid aluminium directly alloyed " + _path_text(lever.share_pct)
            if lever.saving_tco2e_per_t_alloyed:
                delta[0, :, C["fuel_tco2"]] = -lever.saving_tco2e_per_t_alloyed * change
                text += f"; {lever.saving_tco2e_per_t_alloyed:g} tCO2e saved per t alloyed (assumption)"
            self.log(lever, p, f"{first}–", text)
            self.apply(lever, [p], delta, first)

    def _lever_fuel_switch(self, lever: sc.FuelSwitchLever) -> None:
        year, name, text = self.year_of(lever, lever.year)
        if name is None:
            self.check_year(lever, year)
        share = lever.share_pct / 100.0
        gas_per_tce = self._gas_tco2_per_tce() if lever.to == "natural_gas" else 0.0
        for p in self.select(lever, lever.plants):
            v = self.cur[p]
            fuel_tce = self.aux_fuel_tce[p]
            delta = np.zeros((1, self.y, K))
            if lever.to == "natural_gas":
                delta[0, :, C["fuel_tco2"]] = share * (fuel_tce * gas_per_tce - v[:, C["fuel_tco2"]])
                fuel_after = fuel_tce.copy()
                change = (
                    f"{lever.share_pct:g} % of fuel energy to natural gas ({gas_per_tce:.3f} tCO2/tce, emissions.fuel)"
                )
                present = float(v[-1, C["fuel_tco2"]] / fuel_tce[-1]) if fuel_tce[-1] > 0 else 0.0
                if present < gas_per_tce:
                    change += f"; the plant's present fuel mix emits less ({present:.3f} tCO2/tce): its emissions rise"
            else:
                assert lever.electricity_mwh_per_tce is not None
                mwh = share * fuel_tce * lever.electricity_mwh_per_tce
                delta = self._to_grid(p, delta, mwh[None, :])
                delta[0, :, C["fuel_tco2"]] -= share * v[:, C["fuel_tco2"]]
                delta[0, :, C["energy_tce"]] -= share * fuel_tce
                fuel_after = fuel_tce * (1.0 - share)
                change = (
                    f"{lever.share_pct:g} % of fuel energy to grid electricity at "
                    f"{lever.electricity_mwh_per_tce:g} MWh/tce (assumption)"
                )
            self.log(lever, p, text, change)
            self.apply(
                lever,
                [p],
                delta,
                year,
                year_input=name,
                cap_after=self.cap_cur[[p]].copy(),
                cls_after=self.cls_cur[[p]].copy(),
                aux_after=(fuel_after[None, :], self.aux_captive_tce[[p]].copy()),
            )

    def _gas_tco2_per_tce(self) -> float:
        carbon = self.params.get("emissions.fuel", fuel="natural_gas", quantity="carbon_content")
        oxidation = self.params.get("emissions.fuel", fuel="natural_gas", quantity="oxidation_rate")
        t_c_per_gj = float(carbon.value) * conversion_factor(carbon.unit, "t/GJ")
        ox = float(oxidation.value) * conversion_factor(oxidation.unit, "dimensionless")
        return t_c_per_gj * ox * 44.0 / 12.0 * conversion_factor("tce", "GJ")

    def _lever_new_technology(self, lever: sc.NewTechLever) -> None:
        year, name, text = self.year_of(lever, lever.year)
        if name is None:
            self.check_year(lever, year)
        for p in self.select(lever, lever.plants):
            v = self.cur[p][None, :, :].copy()
            delta = np.zeros_like(v)
            delta[..., C["process_tco2e"]] = lever.process_change_pct / 100.0 * v[..., C["process_tco2e"]]
            fuel_factor = lever.fuel_change_pct / 100.0
            delta[..., C["fuel_tco2"]] = fuel_factor * v[..., C["fuel_tco2"]]
            delta[..., C["energy_tce"]] = fuel_factor * self.aux_fuel_tce[p][None, :]
            fuel_after = self.aux_fuel_tce[[p]] * (1.0 + fuel_factor)
            captive_after = self.aux_captive_tce[[p]].copy()
            if lever.electricity_change_pct:
                f = np.full((1, self.y), 1.0 + lever.electricity_change_pct / 100.0)
                change, captive_after = self.scaled_electricity(v, captive_after, f)
                delta += change
            if lever.capture_pct:
                after = v + delta
                direct = after[..., C["process_tco2e"]] + after[..., C["fuel_tco2"]] + after[..., C["captive_tco2"]]
                captured = lever.capture_pct / 100.0 * direct
                delta[..., C["captured_tco2"]] += captured
                if lever.capture_electricity_mwh_per_tco2:
                    delta += self._to_grid(p, v, captured * lever.capture_electricity_mwh_per_tco2)
            parts = [
                f"{label} {value:+g} %"
                for label, value in (
                    ("process", lever.process_change_pct),
                    ("fuel", lever.fuel_change_pct),
                    ("electricity", lever.electricity_change_pct),
                )
                if value
            ]
            if lever.capture_pct:
                parts.append(f"captures {lever.capture_pct:g} % of direct emissions")
            self.log(
                lever, p, text, f"{lever.technology}: " + (", ".join(parts) or "no change given") + " (assumptions)"
            )
            self.apply(
                lever,
                [p],
                delta,
                year,
                year_input=name,
                cap_after=self.cap_cur[[p]].copy(),
                cls_after=self.cls_cur[[p]].copy(),
                aux_after=(fuel_after, captive_after),
            )

    # ------------------------------------------------------------------ recycled and scrap

    def recycled_rules(self) -> list[RecycledRule]:
        share = getattr(self, "recycled_share", None)
        scrap_input = None
        if self.s.scrap is not None:
            scrap_input = self.add_input(
                "scrap.availability_growth_pct_per_year",
                sc.uncertain(self.s.scrap.availability_growth_pct_per_year),
                self.s.scrap.basis,
            )
        if share is None and scrap_input is None:
            return []
        rules = []
        for g, (sector, province) in enumerate(self.groups):
            if sector != "recycled_aluminium":
                continue
            primary = tuple(
                i
                for i, (s, pr) in enumerate(self.groups)
                if s == "electrolytic_aluminium" and (province == "*" or pr in (province, "*"))
            )
            stock_members = np.flatnonzero(self.group_of[: len(self.stock.plants)] == g)
            r0 = float(self.q0[stock_members].sum())
            rules.append(
                RecycledRule(
                    group=g,
                    primary_groups=primary,
                    share=None if share is None else np.nan_to_num(share, nan=0.0),
                    r0=r0,
                    scrap_input=scrap_input,
                )
            )
        return rules

    # ------------------------------------------------------------------ finish

    def build(self) -> Compiled:
        self.build_grid()
        self.build_plants()
        self.build_groups()
        self.labels = self.capacity_labels()
        for lever in self.s.levers:
            self.lever(lever)
        # plants added by levers: regroup (new groups may have appeared)
        keys = [
            self.group_key(sector, province)
            for sector, province in zip(
                self.attrs["sector"].astype(str), self.attrs["province_code"].astype(str), strict=True
            )
        ]
        for key in keys:
            if key not in self.groups:
                self.groups.append(key)
        self.group_of = np.array([self.groups.index(k) for k in keys], dtype=np.int64)
        drivers = self.build_drivers()
        rules = self.recycled_rules()
        capacity = self.capacity_table(np.arange(len(self.codes)), self.cap_fixed, self.cls_fixed)
        model = Model(
            years=self.years,
            group_of=self.group_of,
            groups=list(self.groups),
            q0=self.q0,
            headroom=self.headroom,
            coef=self.fixed,
            capacity=capacity,
            capacity_labels=self.labels,
            drivers=drivers,
            grid=self.grid_path,
            inputs=dict(self.inputs),
            steps=self.steps,
            recycled=rules,
            contracts=self.contracts,
        )
        return Compiled(
            model=model,
            plants=list(self.codes),
            transitions=self.transitions,
            lever_order=[lever.id for lever in self.s.levers],
            assumptions=self.assumptions,
            checks=self.checks,
            notes=self.notes,
        )


def _path_text(path: dict[int, float]) -> str:
    return ", ".join(f"{year}: {value:g} %" for year, value in sorted(path.items()))


def compile_scenario(scenario: sc.ResolvedScenario, stock: Stock, params: ParamSource) -> Compiled:
    """Compile a resolved scenario on a stock (its base year must be the scenario's)."""
    if stock.base_year != scenario.base_year:
        raise InputError(
            code="pathways.stock_base_year", field="base_year", value=scenario.base_year, stock_year=stock.base_year
        )
    if stock.plants.empty:
        raise InputError(code="pathways.stock_empty", field="region", value=scenario.region)
    if math.isnan(float(stock.plants["output_t"].sum())):
        raise InputError(code="pathways.stock_output_nan", field="output_t")
    return _Builder(scenario, stock, params).build()
