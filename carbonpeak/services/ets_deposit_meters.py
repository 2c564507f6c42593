"""The month's deposit against the metered month (以日保月): the deposited electrolysis AC power and site
electricity beside what the online-monitoring meters measured (:mod:`carbonpeak.services.monitoring_month`),
within the online monitoring's own month tolerance. No person is checked here: the reads that call it
checked their reader first."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError
from carbonpeak.ets import deposit as rules
from carbonpeak.store.models import Facility, SubmissionVersion

log = logging.getLogger(__name__)


def against_meters(
    session: Session,
    facilities: list[Facility],
    records: dict[str, SubmissionVersion],
    values: dict[str, Any],
    month: str,
) -> tuple[list[rules.Check], bool]:
    """The deposited electricity and electrolysis AC power against the metered month, within the online
    monitoring's month tolerance (``monitoring.month_tolerance``). The site's electricity deposited is the
    deposited purchased electricity with the report's captive and on-site renewable less exported power (the
    deposit has no items for those). Nothing when no reading store is configured."""
    from carbonpeak.monitoring import reconcile
    from carbonpeak.services import monitoring_month
    from carbonpeak.services.monitoring import meter_table

    store = monitoring_month.configured_store()
    if store is None:
        return [], False
    try:
        codes = {f.code for f in facilities}
        meters = [m for m in meter_table(session) if m["facility_code"] in codes]
        metered = monitoring_month.metered_figures(session, store, meters, month) if meters else {}
    except CarbonpeakError:  # the meters' side cannot be worked out for the month: said as not metered
        log.warning("no metered figures for %s", month, exc_info=True)
        metered = {}
    finally:
        store.close()
    tolerance = monitoring_month.tolerance(session, month)
    pairs: list[tuple[str, float | None, float | None]] = []
    for f in facilities:
        got = metered.get(f.code, {})
        record = dict(records[f.code].record) if f.code in records else {}
        if "plant_electricity_mwh" in got:
            grid = values.get(f"{f.code}:grid_electricity_mwh")
            site = reconcile.reported_figures({**record, "grid_electricity_mwh": grid})["site_electricity_mwh"]
            pairs.append(
                (
                    f"{f.code}:site_electricity_mwh",
                    None if grid is None else site,
                    got["plant_electricity_mwh"]["value"],
                )
            )
        if "electrolysis_ac_mwh" in got:
            ac = values.get(f"{f.code}:electrolysis_ac_mwh")
            pairs.append((f"{f.code}:electrolysis_ac_mwh", ac, got["electrolysis_ac_mwh"]["value"]))
    return rules.compare(pairs, lambda k: tolerance(k.split(":")[0], k.split(":")[1]), "not_metered"), True
