"""What the monitoring pages show, in DuckDB SQL over the relations of :mod:`.rollups` and :mod:`.quality`:
the quality counts grouped by city (a facility's region given as a relation), and a facility's site totals
per energy type and period (its ``plant`` meters; the sum of the other points where it has no plant meter
for that energy type, so that nothing is counted twice).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from carbonpeak.monitoring.rollups import Relation, with_relations


def with_region(con: duckdb.DuckDBPyConnection, counts: Relation, places: dict[str, str]) -> Relation:
    """:func:`.quality.meter_quality`'s counts with ``region_code`` (``places``: facility code -> region
    code; a facility not in it counts under ``*``), ready for ``quality.indices(..., level="region")``."""
    frame = pd.DataFrame(
        {
            "facility_code": pd.array(list(places), dtype="string"),
            "region_code": pd.array(list(places.values()), dtype="string"),
        },
    )
    sql = """SELECT c.*, coalesce(p.region_code, '*') AS region_code
             FROM counts_rel c LEFT JOIN places_rel p USING (facility_code)"""
    return with_relations(con, sql, counts_rel=counts, places_rel=con.from_df(frame))


def as_one(con: duckdb.DuckDBPyConnection, counts: Relation) -> Relation:
    """The counts as one group (``region_code`` ``*``): the whole scope's indices."""
    return with_relations(con, "SELECT *, '*' AS region_code FROM counts_rel", counts_rel=counts)


SITE_SQL = """
WITH r AS (
    SELECT r.period, r.period_start, r.quantity, r.intervals, r.estimated,
           m.energy_type, m.unit, m.measuring_point
    FROM rolled_rel r JOIN meters_rel m USING (meter) WHERE m.status <> 'retired'
),
has_plant AS (SELECT DISTINCT energy_type, unit FROM r WHERE measuring_point = 'plant')
SELECT energy_type, unit, period, period_start, sum(quantity) AS quantity,
       sum(intervals) AS intervals, sum(estimated) AS estimated
FROM r
WHERE measuring_point = 'plant'
   OR (NOT EXISTS (SELECT 1 FROM has_plant h WHERE h.energy_type = r.energy_type AND h.unit = r.unit)
       AND measuring_point <> 'electrolysis_ac')
GROUP BY ALL ORDER BY energy_type, unit, period
"""


def site_totals(con: duckdb.DuckDBPyConnection, rolled: Relation, meters: Relation) -> list[dict[str, Any]]:
    """A facility's totals per energy type, unit and period from :func:`.rollups.rollup` (one facility's)."""
    relation = with_relations(con, SITE_SQL, rolled_rel=rolled, meters_rel=meters)
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
