"""The synergy block of the facility and enterprise pages: SO2, NOx, particulates beside CO2e for a year, per
tonne of product and 同比 (:mod:`carbonpeak.synergy.indicators`), from the pollutant ledger and the stored
results of the counted (and submitted) months, within the person's scope."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.services import access, pollutants
from carbonpeak.services.access import Principal
from carbonpeak.store.facts import facility_months
from carbonpeak.synergy import indicators as ind


@dataclass(frozen=True)
class Block:
    """What the page shows: the whole (facility or enterprise), its facilities, its months."""

    year: int
    whole: ind.Synergy | None
    facilities: list[ind.Synergy]  # an enterprise's, by facility
    months: list[dict[str, object]]  # a facility's months: period, figures, source (None where none reported)
    demo: bool  # some figure is demonstration data

    @property
    def empty(self) -> bool:
        return self.whole is None or self.whole.current.with_pollutants == 0


def months_table(session: Session, codes: list[str], *, include_submitted: bool = True) -> pd.DataFrame:
    """The counted facility-months of these facilities with ``co2e_t`` (location-based total) and output."""
    frame = facility_months(session, include_submitted=include_submitted, facility_codes=codes)
    frame = frame.assign(co2e_t=frame["total_location_tco2e"])
    return frame


def block(
    session: Session, who: Principal, *, year: int, facility: str | None = None, enterprise: str | None = None
) -> Block | None:
    """The synergy figures of a facility or an enterprise for ``year`` (None: nothing to show or not allowed)."""
    if not access.allowed(who, pollutants.VIEW):
        return None
    codes = _codes(session, who, facility, enterprise)
    if not codes:
        return None
    figures = pollutants.latest(session, who, codes)
    if figures.empty:
        return None
    months = months_table(session, codes)
    table = ind.joined(months, figures)
    periods = ind.months_of(year)
    whole = (ind.synergy(table, periods) or [None])[0]
    by_facility = ind.synergy(table, periods, by=["facility_code"]) if enterprise else []
    rows: list[dict[str, object]] = []
    if facility:
        shown = table[table["period"].isin(periods)].set_index("period")
        reported = figures[figures["period"].isin(periods)].set_index("period")
        for period in sorted(set(shown.index) | set(reported.index)):
            has = period in reported.index
            made = shown.loc[period] if period in shown.index else None
            rows.append(
                {
                    "period": period,
                    "so2_t": float(reported.at[period, "so2_t"]) if has else None,
                    "nox_t": float(reported.at[period, "nox_t"]) if has else None,
                    "pm_t": float(reported.at[period, "pm_t"]) if has else None,
                    "source": str(reported.at[period, "source"]) if has else None,
                    "co2e_t": None if made is None or pd.isna(made["co2e_t"]) else float(made["co2e_t"]),
                    "output_t": None if made is None or pd.isna(made["output_t"]) else float(made["output_t"]),
                }
            )
    chosen = figures[figures["period"].str.startswith(f"{year:04d}-")]
    return Block(
        year=year,
        whole=whole,
        facilities=by_facility,
        months=rows,
        demo=bool((chosen["source"] == "demo").any()),
    )


def _codes(session: Session, who: Principal, facility: str | None, enterprise: str | None) -> list[str]:
    from sqlalchemy import select

    from carbonpeak.store.models import Enterprise, Facility

    query = select(Facility.code).where(access.facility_filter(who))
    if facility:
        query = query.where(Facility.code == facility)
    elif enterprise:
        query = query.join(Enterprise, Enterprise.id == Facility.enterprise_id).where(Enterprise.code == enterprise)
    else:
        return []
    return sorted(session.scalars(query))


def scope(session: Session, who: Principal, *, year: int) -> list[ind.Synergy]:
    """Every facility in the person's scope with pollutant figures: its synergy figures for ``year``."""
    access.require(who, pollutants.VIEW)
    figures = pollutants.latest(session, who)
    if figures.empty:
        return []
    codes = sorted(set(figures["facility_code"]))
    table = ind.joined(months_table(session, codes), figures)
    return ind.synergy(table, ind.months_of(year), by=["facility_code"])
