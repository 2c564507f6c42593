"""The monthly form pre-filled from the meters: what the meters of a facility measured in the month, offered
field by field (计量值, with its completeness), and the record of which saved figures came from them.

The fields offered (the record's own fields, :func:`carbonpeak.monitoring.reconcile.form_figures`):

* ``grid_electricity_mwh``: the plant electricity meters (the electricity the site had) − captive − on-site
  renewable + exported, those three as in the form (the identity days-secure-the-month compares with);
* ``electrolysis_ac_mwh``: the potlines' electrolysis AC meters;
* ``fuel:<code>``: a fuel's plant meters, in the fuel table's unit (t or 10^4 Nm3).

A month not reported yet is pre-filled with them; a month with a version is offered them beside its values
(the person accepts or keeps theirs). On saving, a figure whose value is the metered one (to the offered
three decimals) is recorded as metered: an audit event ``metered_values`` of the submission, with each
figure's meters and completeness, and the figures offered but overridden. The accounting is not changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, CarbonpeakError, NotFound
from carbonpeak.monitoring.store import ReadingStore
from carbonpeak.services import access, monitoring_month
from carbonpeak.services.monitoring import meter_table
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent

log = logging.getLogger(__name__)
DIGITS = 3  # the offered value's decimals: a saved value equal to it at this rounding came from the meters
ACTION = "metered_values"


@dataclass
class Offer:
    """A metered value for one field of the form."""

    name: str  # the form field
    value: float  # rounded to DIGITS
    unit: str
    meters: list[str]
    completeness: float | None  # percent of the expected points received (None: nothing expected)
    expected: int
    received: int
    estimated: int  # intervals spread over a gap or filled
    site_mwh: float | None = None  # for grid electricity: the plant meters' total it came from


def _number(value: Any) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def offers_from(figures: dict[str, dict[str, Any]], values: dict[str, Any]) -> dict[str, Offer]:
    """The offers of one facility's metered figures given the form's values (for the grid electricity)."""
    out: dict[str, Offer] = {}
    for name, figure in figures.items():
        common = {
            "unit": figure["unit"],
            "meters": list(figure["meters"]),
            "completeness": figure.get("completeness"),
            "expected": int(figure.get("expected") or 0),
            "received": int(figure.get("received") or 0),
            "estimated": int(figure.get("estimated") or 0),
        }
        if name == "plant_electricity_mwh":
            others = _number(values.get("captive_electricity_mwh")) + _number(values.get("onsite_renewable_mwh"))
            grid = figure["value"] - others + _number(values.get("exported_electricity_mwh"))
            out["grid_electricity_mwh"] = Offer(
                "grid_electricity_mwh", round(grid, DIGITS), site_mwh=round(figure["value"], DIGITS), **common
            )
        else:
            out[name] = Offer(name, round(figure["value"], DIGITS), **common)
    return out


def offers(
    session: Session,
    principal: access.Principal,
    store: ReadingStore,
    facility_code: str,
    period: str,
    values: dict[str, Any],
    *,
    as_of: dt.datetime | None = None,
) -> dict[str, Offer]:
    """The metered values of the facility's month for its form, by field (empty when it has no meters with
    data). The person must be one who reports for the facility."""
    facility = access.get_facility(session, principal, facility_code, "submission.report")
    if len(period) != 7:
        return {}
    meters = [m for m in meter_table(session) if m["facility_code"] == facility.code and m["status"] != "retired"]
    figures = monitoring_month.metered_figures(
        session, store, meters, period, completeness=True, as_of=as_of or dt.datetime.now(dt.UTC)
    )
    return offers_from(figures.get(facility.code, {}), values)


def form_offers(
    session: Session, principal: access.Principal, facility_code: str, period: str, values: dict[str, Any]
) -> dict[str, Offer]:
    """:func:`offers` from the configured reading store (``CARBONPEAK_READINGS_URL``); none without one, and
    none (logged) when they cannot be worked out (e.g. no quality parameter in force for the month): the form
    opens whatever the meters' side says."""
    store = monitoring_month.configured_store()
    if store is None:
        return {}
    try:
        return offers(session, principal, store, facility_code, period, values)
    except (AccessDenied, NotFound):
        raise
    except CarbonpeakError:
        log.warning("no metered values for %s %s", facility_code, period, exc_info=True)
        return {}
    finally:
        store.close()


def metered_fields(found: dict[str, Offer], values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Which saved values are the metered ones (``metered``), and which were offered and overridden."""
    metered, overridden = {}, {}
    for name, offer in found.items():
        text = values.get(name)
        if text in (None, ""):
            continue
        entered = _number(text)
        row = {k: v for k, v in asdict(offer).items() if k != "name"}
        if round(entered, DIGITS) == offer.value:
            metered[name] = row
        else:
            overridden[name] = {**row, "entered": entered}
    return metered, overridden


def record(
    session: Session,
    principal: access.Principal,
    facility_code: str,
    period: str,
    values: dict[str, Any],
    found: dict[str, Offer],
) -> dict[str, Any] | None:
    """After a month was saved from the form: record on its latest version which figures came from the
    meters (an audit event of the submission, in the caller's transaction). None when nothing was offered."""
    if not found:
        return None
    facility = access.get_facility(session, principal, facility_code, "submission.report")
    versions = repo.versions_of(session, facility.code, period)
    if not versions:
        return None
    metered, overridden = metered_fields(found, values)
    after = {"version": versions[-1].version, "metered": metered, "overridden": overridden}
    repo.audit(session, principal.actor, ACTION, "submission", f"{facility.code}@{period}", after=after)
    return after


def recorded(session: Session, principal: access.Principal, facility_code: str, period: str) -> dict[str, Any] | None:
    """What was recorded of the latest version of the month (``version``, ``metered``, ``overridden``), or
    None when its figures were not saved from metered values (an earlier version's record does not count)."""
    facility = access.get_facility(session, principal, facility_code, "submission.view")
    versions = repo.versions_of(session, facility.code, period)
    if not versions:
        return None
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.entity == "submission",
            AuditEvent.entity_key == f"{facility.code}@{period}",
            AuditEvent.action == ACTION,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None or not event.after or event.after.get("version") != versions[-1].version:
        return None
    return dict(event.after)
