"""The capacity ledger's repository: its events and the registry's facilities as plain frames, the lookups the
ledger's rules need, the writing of a checked event, and the reads that hand frames to the pure rules of
:mod:`carbonpeak.capacity` (the ledger per province and sector, a facility's history, what must exit,
the national ceiling)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.capacity.ceiling import ceiling_status
from carbonpeak.capacity.events import EVENT_COLUMNS, FACILITY_COLUMNS, Event, Holder, parse_date
from carbonpeak.capacity.exits import must_exit_table
from carbonpeak.capacity.ledger import approved_capacity, history_table, ledger_table
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import CapacityEvent, Facility, Region

# ---------------------------------------------------------------- frames


def province_codes(session: Session) -> dict[int, str]:
    """Region id -> code of its province (the nearest ancestor of level 'province', else the topmost one)."""
    regions = {r.id: (r.code, r.level, r.parent_id) for r in session.scalars(select(Region))}
    out: dict[int, str] = {}
    for region_id in regions:
        current: int | None = region_id
        top = regions[region_id][0]
        found = ""
        while current is not None and current in regions:
            code, level, parent = regions[current]
            top = code
            if level == "province":
                found = code
                break
            current = parent
        out[region_id] = found or top
    return out


def registry_facilities(session: Session, codes: set[str] | None = None) -> pd.DataFrame:
    """The registry's facilities as a plain frame (:data:`~carbonpeak.capacity.events.FACILITY_COLUMNS`),
    province by region; only ``codes`` when given."""
    provinces = province_codes(session)
    query = select(Facility).order_by(Facility.code)
    if codes is not None:
        query = query.where(Facility.code.in_(sorted(codes)))
    rows = [
        (
            f.code,
            provinces.get(f.region_id, ""),
            f.sector,
            f.capacity_t_per_a,
            f.commissioning_year,
            f.status,
            f.status_since,
            f.retired_on,
        )
        for f in session.scalars(query)
    ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


def events_frame(session: Session) -> pd.DataFrame:
    """Every capacity event as a plain frame (:data:`~carbonpeak.capacity.events.EVENT_COLUMNS`), oldest first."""
    query = (
        select(CapacityEvent, Facility.code)
        .outerjoin(Facility, Facility.id == CapacityEvent.facility_id)
        .order_by(CapacityEvent.effective_on, CapacityEvent.id)
    )
    rows = [
        (
            e.id,
            code,
            e.counterpart,
            e.province,
            e.sector,
            e.kind,
            e.effective_on,
            float(e.capacity_t_per_a),
            e.replacement_group,
            e.replacement_ratio,
            e.document,
            e.note,
            e.created_by,
        )
        for e, code in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    for column in ("facility_code", "counterpart", "replacement_group", "document", "note"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


# ---------------------------------------------------------------- lookups for the rules


def holder(session: Session, code: str | None) -> Holder | None:
    """The registry facility ``code`` as the ledger sees it; None when there is none."""
    if not code:
        return None
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        return None
    return Holder(facility.id, facility.code, province_codes(session).get(facility.region_id, ""), facility.sector)


def changes(session: Session, facility_id: int) -> list[tuple[dt.date, float]]:
    """(effective_on, capacity) of every event of a facility."""
    rows = session.execute(
        select(CapacityEvent.effective_on, CapacityEvent.capacity_t_per_a).where(
            CapacityEvent.facility_id == facility_id
        )
    ).all()
    return [(day, float(value)) for day, value in rows]


def approved_on(session: Session, facility_id: int, day: dt.date) -> float:
    """A facility's approved capacity on ``day``: the sum of its events effective on or before it."""
    return float(sum(value for on, value in changes(session, facility_id) if on <= day))


def has_events(session: Session, facility_id: int) -> bool:
    found = session.scalar(select(CapacityEvent.id).where(CapacityEvent.facility_id == facility_id).limit(1))
    return found is not None


def group_exists(session: Session, group: str) -> bool:
    found = session.scalar(select(CapacityEvent.id).where(CapacityEvent.replacement_group == group).limit(1))
    return found is not None


def group_holds_retired(session: Session, group: str | None) -> bool:
    """Whether the replacement group holds a replacement_out event."""
    if not group:
        return False
    found = session.scalar(
        select(CapacityEvent.id)
        .where(CapacityEvent.replacement_group == group, CapacityEvent.kind == "replacement_out")
        .limit(1)
    )
    return found is not None


def groups_starting(session: Session, prefix: str) -> set[str]:
    """The replacement groups whose name starts with ``prefix``."""
    return set(
        session.scalars(
            select(CapacityEvent.replacement_group).where(CapacityEvent.replacement_group.startswith(prefix))
        )
    )


def registered(session: Session, codes: list[str]) -> set[str]:
    """Which of ``codes`` are registry facilities."""
    return set(session.scalars(select(Facility.code).where(Facility.code.in_(codes))))


def codes_with_events(session: Session) -> set[str]:
    """The facilities that have at least one capacity event."""
    query = select(Facility.code).join(CapacityEvent, CapacityEvent.facility_id == Facility.id).distinct()
    return set(session.scalars(query))


# ---------------------------------------------------------------- writing


def insert_event(session: Session, event: Event, actor: str) -> int:
    """Write one checked event (:func:`carbonpeak.capacity.events.check_event`); its id."""
    row = CapacityEvent(
        facility_id=event.facility_id,
        counterpart=event.counterpart,
        province=event.province,
        sector=event.sector,
        kind=event.kind,
        effective_on=event.effective_on,
        capacity_t_per_a=event.capacity_t_per_a,
        replacement_group=event.replacement_group,
        replacement_ratio=event.replacement_ratio,
        document=event.document,
        note=event.note,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    return int(row.id)


# ---------------------------------------------------------------- reads


def ledger(session: Session, on_date: dt.date | str, *, include_submitted: bool = False) -> pd.DataFrame:
    """Approved and operating capacity, output over the last 12 months and utilisation, per province
    and sector, on ``on_date`` (:func:`carbonpeak.capacity.ledger.ledger_table`)."""
    day = parse_date(on_date, field="date")
    return ledger_table(
        events_frame(session),
        registry_facilities(session),
        facility_months(session, include_submitted=include_submitted),
        day,
    )


def history(session: Session, facility_code: str) -> pd.DataFrame:
    """A facility's events (or a counterpart's, by name) with the approved capacity after each one
    (:func:`carbonpeak.capacity.ledger.history_table`)."""
    known = session.scalar(select(Facility.id).where(Facility.code == facility_code)) is not None
    return history_table(events_frame(session), facility_code, registered=known)


def must_exit(
    session: Session,
    year: int | None = None,
    benchmark_edition: str | None = None,
    *,
    on_date: dt.date | str | None = None,
    include_submitted: bool = False,
    params: ParameterSet | None = None,
) -> pd.DataFrame:
    """Facilities below the baseline level, their capacity and deadline
    (:func:`carbonpeak.capacity.exits.must_exit_table`)."""
    return must_exit_table(
        facility_months(session, include_submitted=include_submitted),
        events_frame(session),
        registry_facilities(session),
        params or load(),
        year,
        benchmark_edition,
        on_date,
    )


def ceiling_check(
    session: Session,
    on_date: dt.date | str,
    national_approved_elsewhere_t_per_a: float | str | None = None,
    *,
    params: ParameterSet | None = None,
) -> dict[str, Any]:
    """The registry's approved electrolytic-aluminium capacity against the national ceiling
    (:func:`carbonpeak.capacity.ceiling.ceiling_status`).

    The registry holds one province: the report gives its approved capacity per province, the ceiling
    with its citation and, only when the caller gives the approved capacity of the rest of the country
    (``national_approved_elsewhere_t_per_a``), the national total and headroom.
    """
    day = parse_date(on_date, field="date")
    return ceiling_status(
        approved_capacity(events_frame(session), day), day, params or load(), national_approved_elsewhere_t_per_a
    )
