"""The platform's figures of an enterprise's year, as the energy-utilisation report's tables need them.

Inputs are plain: the enterprise's facility-months (the stored record's physical quantities and the
stored result's tce, as the accounting engine computed them) and, per carrier and month, the cited
coefficient in force. Energy of a carrier is converted exactly as the engine converts it
(:mod:`carbonpeak.engine.energy`, GB/T 2589-2020): amount × Annex A coefficient, or amount × measured
NCV / 29.3076 where the month's line gives its NCV; electricity and heat are the net purchased amounts
(purchased − exported) at their equivalent-value coefficients. The total the report states is the sum of
the stored results (the engine's ``energy_tce``); the carriers' sum is shown beside it as a check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from carbonpeak.engine import energy as en
from carbonpeak.vocabulary import FUELS

COUNTED = "counted"  # verified or locked, with its result
NOT_FINAL = ("unverified", "waiting")  # submitted, not verified; verified, waiting for its result
ELECTRICITY, HEAT = "electricity", "heat"


@dataclass(frozen=True)
class FuelLine:
    fuel: str
    amount: float
    ncv_gj_per_unit: float | None = None  # measured NCV where the month gives it


@dataclass(frozen=True)
class Month:
    """One facility-month of the enterprise: its latest version's quantities and result."""

    facility: str
    facility_name: str
    product: str
    period: str  # YYYY-MM
    state: str  # counted, unverified, waiting
    output_t: float | None
    energy_tce: float | None  # the stored result's comprehensive energy (None while waiting)
    net_electricity_mwh: float = 0.0
    net_heat_gj: float = 0.0
    fuels: tuple[FuelLine, ...] = ()
    captive_electricity_mwh: float = 0.0  # generated on site (205-2: conversion)
    version: int = 0  # the submission version read (the data state lists it)
    exported_electricity_mwh: float = 0.0
    exported_heat_gj: float = 0.0

    @property
    def year(self) -> int:
        return int(self.period[:4])


@dataclass(frozen=True)
class Coefficient:
    """A carrier's cited conversion coefficient in tce per physical unit."""

    tce_per_unit: float
    unit: str  # the physical unit (t, wan_Nm3, MWh, GJ)
    citation: str
    parameter: str  # the parameter family and key, e.g. energy.coefficient[carrier=diesel]


@dataclass(frozen=True)
class CarrierRow:
    carrier: str  # a fuel code, electricity or heat
    unit: str
    amount: float
    tce: float
    share: float  # of the carriers' sum
    coefficients: tuple[Coefficient, ...]  # the distinct coefficients used (one unless it changed)
    measured_ncv_lines: int = 0  # lines converted from their own NCV


@dataclass(frozen=True)
class ProductRow:
    product: str
    output_t: float
    energy_tce: float
    kgce_per_t: float | None
    previous_output_t: float | None
    previous_energy_tce: float | None
    previous_kgce_per_t: float | None

    @property
    def change_pct(self) -> float | None:
        if self.kgce_per_t is None or not self.previous_kgce_per_t:
            return None
        return (self.kgce_per_t / self.previous_kgce_per_t - 1.0) * 100.0


@dataclass(frozen=True)
class KeyUnit:
    total_tce: float
    mandatory_tce: float
    designated_tce: float
    status: str  # key (≥ mandatory), designatable (≥ designated), below
    citation: str


@dataclass
class Prefill:
    year: int
    carriers: list[CarrierRow]
    carriers_tce: float  # the carriers' sum
    total_tce: float  # the stored results' sum (the engine's comprehensive energy)
    previous_total_tce: float | None
    previous_months: int  # counted facility-months of the year before
    net_electricity_mwh: float
    products: list[ProductRow]
    balance: dict[str, dict[str, float]]  # carrier -> facility -> physical amount (表3 from the platform)
    months: dict[str, int]  # state -> facility-months of the year
    not_final: list[tuple[str, str, int]]  # (period, state, count) of months that are not final
    key_unit: KeyUnit
    facilities: list[str] = field(default_factory=list)
    conversion: dict[str, float] = field(default_factory=dict)  # captive/exported electricity, exported heat
    read: list[tuple[str, str, int, str]] = field(default_factory=list)  # (facility, period, version, state) read

    @property
    def provisional(self) -> bool:
        return bool(self.not_final)


def classify(total_tce: float, mandatory_tce: float, designated_tce: float) -> str:
    """Key energy-using unit: ≥ mandatory; may be designated one: ≥ designated (Energy Conservation Law
    Art. 52 as parameterised in ``energy.key_unit_threshold``)."""
    if total_tce >= mandatory_tce:
        return "key"
    if total_tce >= designated_tce:
        return "designatable"
    return "below"


def carrier_tce(
    months: list[Month], coefficient: dict[tuple[str, str], Coefficient]
) -> tuple[dict[str, float], dict[str, float], dict[str, set[Coefficient]], dict[str, int]]:
    """Per carrier: physical amount, tce, the coefficients used and the lines converted from their own NCV.
    ``coefficient`` maps (carrier, period) to the cited coefficient in force that month."""
    amount: dict[str, float] = defaultdict(float)
    tce: dict[str, float] = defaultdict(float)
    used: dict[str, set[Coefficient]] = defaultdict(set)
    measured: dict[str, int] = defaultdict(int)
    for m in months:
        for line in m.fuels:
            amount[line.fuel] += line.amount
            if line.ncv_gj_per_unit is not None:
                tce[line.fuel] += float(en.energy_tce_from_heating_value(line.amount, line.ncv_gj_per_unit))
                measured[line.fuel] += 1
            else:
                k = coefficient[(line.fuel, m.period)]
                tce[line.fuel] += float(en.energy_tce_from_coefficient(line.amount, k.tce_per_unit))
                used[line.fuel].add(k)
        for carrier, quantity in ((ELECTRICITY, m.net_electricity_mwh), (HEAT, m.net_heat_gj)):
            if quantity:
                k = coefficient[(carrier, m.period)]
                amount[carrier] += quantity
                tce[carrier] += float(en.energy_tce_from_coefficient(quantity, k.tce_per_unit))
                used[carrier].add(k)
    return dict(amount), dict(tce), dict(used), dict(measured)


def _products(this: list[Month], before: list[Month]) -> list[ProductRow]:
    def sums(months: list[Month]) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for m in months:
            if m.state != COUNTED or m.energy_tce is None:
                continue
            output, energy = out.get(m.product, (0.0, 0.0))
            out[m.product] = (output + (m.output_t or 0.0), energy + m.energy_tce)
        return out

    now, then = sums(this), sums(before)
    rows = []
    for product in sorted(now):
        output, energy = now[product]
        prev = then.get(product)
        rows.append(
            ProductRow(
                product=product,
                output_t=output,
                energy_tce=energy,
                kgce_per_t=_per_t(energy, output),
                previous_output_t=prev[0] if prev else None,
                previous_energy_tce=prev[1] if prev else None,
                previous_kgce_per_t=_per_t(prev[1], prev[0]) if prev else None,
            )
        )
    return rows


def _per_t(energy_tce: float, output_t: float) -> float | None:
    """Comprehensive energy per tonne (kgce/t), as the engine's ``comprehensive_energy_kgce_per_t``."""
    if output_t <= 0:
        return None
    return float(en.unit_consumption(energy_tce, output_t, 1000.0))


def prefill(
    year: int,
    months: list[Month],
    coefficient: dict[tuple[str, str], Coefficient],
    *,
    mandatory_tce: float,
    designated_tce: float,
    threshold_citation: str,
) -> Prefill:
    """The platform's figures of ``year`` (and of the year before, for comparison) from ``months``.

    Counted months give the figures; months submitted but not verified, or verified and waiting for their
    result, are listed as not final (the report is provisional) and their physical quantities are left out
    like their tce, so that the carriers' sum and the results' sum describe the same months."""
    this = [m for m in months if m.year == year]
    before = [m for m in months if m.year == year - 1]
    counted = [m for m in this if m.state == COUNTED]
    amount, tce, used, measured = carrier_tce(counted, coefficient)
    carriers_tce = sum(tce.values())
    carriers = [
        CarrierRow(
            carrier=c,
            unit=_unit_of(c),
            amount=amount[c],
            tce=tce[c],
            share=(tce[c] / carriers_tce) if carriers_tce else 0.0,
            coefficients=tuple(sorted(used.get(c, set()), key=lambda k: k.tce_per_unit)),
            measured_ncv_lines=measured.get(c, 0),
        )
        for c in sorted(amount, key=lambda c: (c in (ELECTRICITY, HEAT), c))
    ]
    total = sum(m.energy_tce or 0.0 for m in counted)
    previous_counted = [m for m in before if m.state == COUNTED and m.energy_tce is not None]
    previous_total = sum(m.energy_tce or 0.0 for m in previous_counted) if previous_counted else None
    balance: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for m in counted:
        for line in m.fuels:
            balance[line.fuel][m.facility] += line.amount
        if m.net_electricity_mwh:
            balance[ELECTRICITY][m.facility] += m.net_electricity_mwh
        if m.net_heat_gj:
            balance[HEAT][m.facility] += m.net_heat_gj
    states: dict[str, int] = defaultdict(int)
    not_final: dict[tuple[str, str], int] = defaultdict(int)
    for m in this:
        states[m.state] += 1
        if m.state in NOT_FINAL:
            not_final[(m.period, m.state)] += 1
    return Prefill(
        year=year,
        carriers=carriers,
        carriers_tce=carriers_tce,
        total_tce=total,
        previous_total_tce=previous_total,
        previous_months=len(previous_counted),
        net_electricity_mwh=amount.get(ELECTRICITY, 0.0),
        products=_products(this, before),
        balance={c: dict(by) for c, by in balance.items()},
        months=dict(states),
        not_final=[(p, s, n) for (p, s), n in sorted(not_final.items())],
        key_unit=KeyUnit(
            total, mandatory_tce, designated_tce, classify(total, mandatory_tce, designated_tce), threshold_citation
        ),
        facilities=sorted({m.facility for m in this}),
        read=[
            (m.facility, m.period, m.version, m.state)
            for m in sorted(before + this, key=lambda m: (m.facility, m.period))
        ],
        conversion={
            "captive_electricity_mwh": sum(m.captive_electricity_mwh for m in counted),
            "exported_electricity_mwh": sum(m.exported_electricity_mwh for m in counted),
            "exported_heat_gj": sum(m.exported_heat_gj for m in counted),
        },
    )


def _unit_of(carrier: str) -> str:
    if carrier == ELECTRICITY:
        return "MWh"
    if carrier == HEAT:
        return "GJ"
    fuel = FUELS.get(carrier)
    return fuel.unit if fuel is not None else ""
