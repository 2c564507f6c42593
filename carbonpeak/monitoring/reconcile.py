"""Days secure the month (以日保月): the metered month against the enterprise's reported month.

For each facility and local month, two figures are compared, both in MWh:

* **electricity the site had**: the sum of the facility's ``plant`` electricity meters, against the reported
  grid + captive + on-site renewable − exported electricity (the plausibility gate's definition of the
  electricity a site had, docs/methods/plausibility.md). This assumes the plant meters measure the site's
  whole intake; a facility metered otherwise needs its own mapping (not done);
* **electrolysis AC**: the sum of the ``electrolysis_ac`` meters against the reported ``electrolysis_ac_mwh``.

A difference beyond ``month_tolerance`` (``parameters/monitoring/quality_rules.yaml``, carbonpeak's own
first setting, 5 %) marks the month ``beyond``. Where the meters left intervals out or spread a register
difference over a gap, the row says how many (``estimated``, ``flagged``): a metered month with gaps is not
the month.
"""

from __future__ import annotations

from typing import Any

FIGURES = ("site_electricity_mwh", "electrolysis_ac_mwh")
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


def reported_figures(fact: dict[str, Any]) -> dict[str, float | None]:
    """The reported month's figures from a facts row (None where the month does not give them)."""
    parts = [fact.get(k) for k in ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh")]
    site = None
    if any(p is not None for p in parts):
        site = sum(float(p or 0.0) for p in parts) - float(fact.get("exported_electricity_mwh") or 0.0)
    ac = fact.get("electrolysis_ac_mwh")
    return {"site_electricity_mwh": site, "electrolysis_ac_mwh": None if ac is None else float(ac)}


def compare(
    metered: list[dict[str, Any]], reported: dict[tuple[str, str], dict[str, float | None]], tolerance_pct: float
) -> list[dict[str, Any]]:
    """One row per facility, month and figure metered or reported: both figures, the difference in percent of
    the reported one and a state: ``within``, ``beyond``, ``not_reported`` or ``not_metered``."""
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
            state = "beyond" if difference is None or abs(difference) > tolerance_pct else "within"
        out.append({**row, "difference_pct": difference, "state": state})
    return out
