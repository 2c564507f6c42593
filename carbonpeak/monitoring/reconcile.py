"""Days secure the month (以日保月): the metered month against the enterprise's reported month.

For each facility and local month, two figures are compared, both in MWh:

* **electricity the site had**: the sum of the facility's ``plant`` electricity meters, against the reported
  grid + captive + on-site renewable − exported electricity (the plausibility gate's definition of the
  electricity a site had, docs/methods/plausibility.md). This assumes the plant meters measure the site's
  whole intake; a facility metered otherwise needs its own mapping (not done);
* **electrolysis AC**: the sum of the ``electrolysis_ac`` meters against the reported ``electrolysis_ac_mwh``.

A difference beyond the tolerance (``monitoring.month_tolerance``, ``parameters/monitoring/month_tolerance.yaml``:
by province and figure, carbonpeak's own first setting, 5 %) marks the month ``beyond``. Where the meters left
intervals out or spread a register difference over a gap, the row says how many (``estimated``, ``flagged``): a
metered month with gaps is not the month. The energy (tce) and the AC power per tonne are derived from whole
records (:func:`metered_record`): the service computes them with the accounting and the form's ratios
(:mod:`carbonpeak.services.monitoring_month`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import FUELS

FIGURES = ("site_electricity_mwh", "electrolysis_ac_mwh")
# The figures derived from a whole record (the service computes them with the accounting and the form's ratios)
DERIVED = ("energy_tce", "ac_power_liquid_aluminium_kwh_per_t")
FACT_COLUMNS = (
    "grid_electricity_mwh",
    "captive_electricity_mwh",
    "onsite_renewable_mwh",
    "exported_electricity_mwh",
    "electrolysis_ac_mwh",
)

METERED_SQL = """
SELECT m.facility_code, strftime(r.period, '%Y-%m') AS month,
       CASE WHEN m.measuring_point = 'plant' THEN 'site_electricity_mwh' ELSE 'electrolysis_ac_mwh' END AS figure,
       sum(r.quantity * CASE m.unit WHEN 'kWh' THEN 0.001 WHEN 'MWh' THEN 1.0 END) AS metered,
       sum(r.intervals) AS intervals, sum(r.estimated) AS estimated, sum(r.flagged) AS flagged,
       count(DISTINCT r.meter) AS meters
FROM monthly_rel r JOIN meters_rel m USING (meter)
WHERE m.energy_type = 'electricity' AND m.measuring_point IN ('plant', 'electrolysis_ac') AND m.status <> 'retired'
GROUP BY ALL ORDER BY ALL
"""

# Per facility, local month and plant-level carrier: the quantity in the meter's unit (after its multiplier)
CARRIERS_SQL = """
SELECT m.facility_code, strftime(r.period, '%Y-%m') AS month, m.energy_type, m.measuring_point, m.unit,
       sum(r.quantity) AS quantity, sum(r.intervals) AS intervals, sum(r.estimated) AS estimated,
       sum(r.flagged) AS flagged, list(DISTINCT r.meter ORDER BY r.meter) AS meters
FROM monthly_rel r JOIN meters_rel m USING (meter)
WHERE m.measuring_point IN ('plant', 'electrolysis_ac') AND m.status <> 'retired'
GROUP BY ALL ORDER BY ALL
"""


def form_figures(carriers: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """The metered month as the fields of the monthly record, per (facility, month): ``plant_electricity_mwh``
    (the plant meters: the electricity the site had), ``electrolysis_ac_mwh`` (the potlines' AC meters) and
    ``fuel:<code>`` (a fuel's plant meters, in the fuel table's unit: t or 10^4 Nm3). Each figure: ``value``,
    ``unit``, ``meters``, ``intervals``, ``estimated``, ``flagged``. Process and line meters are parts of a
    plant total and are not summed into it; heat and water have no field taken from meters (not done)."""
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for row in carriers:
        energy, point = row["energy_type"], row["measuring_point"]
        if energy == "electricity":
            name = "plant_electricity_mwh" if point == "plant" else "electrolysis_ac_mwh"
            target = "MWh"
        elif energy in FUELS and point == "plant":
            name, target = f"fuel:{energy}", FUELS[energy].unit
        else:
            continue
        value = float(row["quantity"] or 0.0) * conversion_factor(str(row["unit"]), target)
        figures = out.setdefault((row["facility_code"], row["month"]), {})
        figure = figures.setdefault(
            name, {"value": 0.0, "unit": target, "meters": [], "intervals": 0, "estimated": 0, "flagged": 0}
        )
        figure["value"] += value
        figure["meters"] = sorted({*figure["meters"], *row["meters"]})
        for count in ("intervals", "estimated", "flagged"):
            figure[count] += int(row[count] or 0)
    return out


def metered_record(record: Mapping[str, Any], figures: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The reported record with its metered quantities put in: grid electricity = the plant meters − captive −
    on-site renewable + exported (the identity of :func:`reported_figures`, the others as reported), the
    electrolysis AC and each metered fuel's line. What is not metered stays as reported."""
    out = dict(record)
    site = figures.get("plant_electricity_mwh")
    if site is not None:
        others = sum(float(record.get(k) or 0.0) for k in ("captive_electricity_mwh", "onsite_renewable_mwh"))
        out["grid_electricity_mwh"] = site["value"] - others + float(record.get("exported_electricity_mwh") or 0.0)
    if "electrolysis_ac_mwh" in figures:
        out["electrolysis_ac_mwh"] = figures["electrolysis_ac_mwh"]["value"]
    fuels = [dict(line) for line in record.get("fuels") or []]
    for name, figure in figures.items():
        if not name.startswith("fuel:"):
            continue
        code = name.removeprefix("fuel:")
        line = next((x for x in fuels if x.get("fuel") == code), None)
        if line is None:
            fuels.append({"fuel": code, "amount": figure["value"]})
        else:
            line["amount"] = figure["value"]
    if fuels:
        out["fuels"] = fuels
    return out


def reported_figures(fact: dict[str, Any]) -> dict[str, float | None]:
    """The reported month's figures from a facts row (None where the month does not give them)."""
    parts = [fact.get(k) for k in ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh")]
    site = None
    if any(p is not None for p in parts):
        site = sum(float(p or 0.0) for p in parts) - float(fact.get("exported_electricity_mwh") or 0.0)
    ac = fact.get("electrolysis_ac_mwh")
    return {"site_electricity_mwh": site, "electrolysis_ac_mwh": None if ac is None else float(ac)}


# Every row has these keys (None where they do not apply: the counts of a figure derived from a whole record)
ROW_KEYS = (
    "facility_code",
    "month",
    "figure",
    "metered",
    "reported",
    "tolerance_pct",
    "intervals",
    "estimated",
    "flagged",
    "meters",
)


def compare(
    metered: list[dict[str, Any]],
    reported: dict[tuple[str, str], dict[str, float | None]],
    tolerance_pct: float | Callable[[str, str], float],
) -> list[dict[str, Any]]:
    """One row per facility, month and figure metered or reported: both figures, the difference in percent of
    the reported one, the tolerance and a state: ``within``, ``beyond``, ``not_reported`` or ``not_metered``.
    ``tolerance_pct``: one for all, or a function of (facility, figure)."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for m in metered:
        key = (m["facility_code"], m["month"], m["figure"])
        rows[key] = {**m, "reported": None}
    for (facility, month), figures in reported.items():
        for figure, value in figures.items():
            if value is None:
                continue
            row = rows.setdefault(
                (facility, month, figure),
                {"facility_code": facility, "month": month, "figure": figure, "metered": None},
            )
            row["reported"] = value
    out = []
    for key in sorted(rows):
        row = rows[key]
        metered_value, reported_value = row.get("metered"), row.get("reported")
        if reported_value is None:
            state, difference = "not_reported", None
        elif metered_value is None:
            state, difference = "not_metered", None
        else:
            difference = 100 * (metered_value - reported_value) / reported_value if reported_value else None
            allowed = tolerance_pct(key[0], key[2]) if callable(tolerance_pct) else tolerance_pct
            state = "beyond" if difference is None or abs(difference) > allowed else "within"
            row["tolerance_pct"] = allowed
        out.append({**dict.fromkeys(ROW_KEYS), **row, "difference_pct": difference, "state": state})
    return out
