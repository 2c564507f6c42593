"""Reading footprints: the list in a person's scope, the public list of published footprints, one
footprint with its versions, and the distribution by product and province (median, P10–P90) and by
power source.

The distribution counts each footprint once (its latest version, or latest published one for the
public), unweighted by output; how many of them have incomplete coverage (a missing stage is not zero:
their value is a lower bound) is counted beside the percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.footprints import require
from carbonpeak.store.facts import load_registry
from carbonpeak.store.footprints.models import Footprint, FootprintVersion
from carbonpeak.store.models import Facility

COLUMNS = [
    "facility_code",
    "product",
    "year",
    "version",
    "status",
    "value_tco2e_per_t",
    "value_market_tco2e_per_t",
    "complete",
    "cutoff",
    "primary_share",
    "power_source",
    "province_code",
    "city_code",
    "output_t",
]


def _rows(session: Session, facility_filter: object | None, *, published_only: bool) -> pd.DataFrame:
    query = (
        select(Footprint, FootprintVersion, Facility.code)
        .join(FootprintVersion, FootprintVersion.footprint_id == Footprint.id)
        .join(Facility, Facility.id == Footprint.facility_id)
    )
    if facility_filter is not None:
        query = query.where(facility_filter)  # type: ignore[arg-type]
    if published_only:
        query = query.where(FootprintVersion.status == "published")
    latest: dict[int, tuple[Footprint, FootprintVersion, str]] = {}
    for footprint, version, code in session.execute(query.order_by(FootprintVersion.version)):
        latest[footprint.id] = (footprint, version, code)
    registry = load_registry(session).facilities.set_index("code")
    rows = []
    for footprint, version, code in latest.values():
        rows.append(
            [
                code,
                footprint.product,
                footprint.year,
                version.version,
                version.status,
                version.value_tco2e_per_t,
                version.value_market_tco2e_per_t,
                version.complete,
                version.cutoff,
                version.primary_share,
                version.power_source,
                registry.at[code, "province_code"] if code in registry.index else "",
                registry.at[code, "city_code"] if code in registry.index else "",
                version.output_t,
            ]
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["year", "product", "facility_code"], ascending=[False, True, True]).reset_index(drop=True)


def in_scope(session: Session, principal: Principal) -> pd.DataFrame:
    """The latest version of every footprint of a facility in the person's scope."""
    require(principal, "footprint.view")
    return _rows(session, access.facility_filter(principal), published_only=False)


def published(session: Session) -> pd.DataFrame:
    """The latest published version of every footprint (public: no account needed)."""
    return _rows(session, None, published_only=True)


@dataclass(frozen=True)
class Spread:
    group: str  # province code or power source
    product: str
    count: int  # footprints in the percentiles
    incomplete: int  # of which with a stage missing (a lower bound)
    median: float | None
    p10: float | None
    p90: float | None


def distribution(rows: pd.DataFrame, by: str = "province_code", year: int | None = None) -> list[Spread]:
    """Median and P10–P90 of the footprint values per product and ``by`` (province_code or power_source).

    Every footprint with a value counts once; ``incomplete`` says how many of them miss a stage (their
    value is the quantified part, a lower bound), so a reader sees how far the spread rests on them."""
    if year is not None:
        rows = rows[rows["year"] == year]
    out = []
    for (product, group), part in rows.groupby(["product", by], sort=True):
        valued = part[part["value_tco2e_per_t"].notna()]
        values = valued["value_tco2e_per_t"].to_numpy(dtype=float)
        has = len(values) > 0
        out.append(
            Spread(
                group=str(group),
                product=str(product),
                count=len(values),
                incomplete=int((~valued["complete"].astype(bool)).sum()),
                median=float(np.median(values)) if has else None,
                p10=float(np.percentile(values, 10)) if has else None,
                p90=float(np.percentile(values, 90)) if has else None,
            )
        )
    return out
