"""How registry changes reach the capacity ledger (:mod:`carbonpeak.services.capacity`): a registered
capacity is an approval, a changed one an expansion or exit of the difference, a retirement the exit of what
remains. Used by :mod:`carbonpeak.services.registry`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy.orm import Session

from carbonpeak.capacity.events import SEEDED_NOTE
from carbonpeak.services.capacity import add_event
from carbonpeak.store import capacity as ledger
from carbonpeak.store.models import Facility


class Context(Protocol):
    @property
    def actor(self) -> str: ...


def _start_day(facility: Facility) -> dt.date:
    if facility.commissioned_on is not None:
        return facility.commissioned_on
    if facility.commissioning_year is not None:
        return dt.date(int(facility.commissioning_year), 1, 1)
    return dt.date.today()


def ledger_for_new_facility(
    session: Session, context: Context, facility: Facility, values: dict[str, Any]
) -> tuple[int, ...]:
    """A registered capacity is an approval in the ledger (on the commissioning day unless another day
    is given); a facility registered as retired also gets its exit."""
    capacity = facility.capacity_t_per_a
    if not capacity or capacity <= 0:
        return ()
    start = values.get("capacity_effective_on") or _start_day(facility)
    events = [
        add_event(
            session,
            context.actor,
            facility_code=facility.code,
            kind="approval",
            effective_on=start,
            capacity_t_per_a=capacity,
            document=values.get("capacity_document"),
            note="registered in the registry",
        ).id
    ]
    if facility.retired_on is not None and facility.retired_on >= start:
        events.append(_exit_all(session, context, facility, facility.retired_on))
    return tuple(e for e in events if e)


def _exit_all(session: Session, context: Context, facility: Facility, day: dt.date) -> int:
    remaining = ledger.approved_on(session, facility.id, day)
    if remaining <= 1e-6:
        return 0
    return add_event(
        session,
        context.actor,
        facility_code=facility.code,
        kind="exit",
        effective_on=day,
        capacity_t_per_a=-remaining,
        note="retired in the registry",
    ).id


def ledger_for_change(
    session: Session, context: Context, facility: Facility, before: dict[str, Any], values: dict[str, Any]
) -> tuple[int, ...]:
    """A changed capacity is an expansion or an exit of the difference in the ledger (from the day given,
    else today); a facility newly retired exits what remains. A facility without ledger events first gets
    the approval of its former capacity, as ``capacity seed`` would have recorded it."""
    events: list[int] = []
    old = before.get("capacity_t_per_a") or 0.0
    new = facility.capacity_t_per_a or 0.0
    has_events = ledger.has_events(session, facility.id)
    if abs(new - old) > 1e-6:
        day = values.get("capacity_effective_on") or dt.date.today()
        if not has_events and old > 0:
            start = min(_start_day(facility), day)
            events.append(
                add_event(
                    session,
                    context.actor,
                    facility_code=facility.code,
                    kind="approval",
                    effective_on=start,
                    capacity_t_per_a=old,
                    note=SEEDED_NOTE,
                ).id
            )
        delta = new - old
        events.append(
            add_event(
                session,
                context.actor,
                facility_code=facility.code,
                kind="expansion" if delta > 0 else "exit",
                effective_on=day,
                capacity_t_per_a=delta,
                document=values.get("capacity_document"),
                note="capacity changed in the registry",
            ).id
        )
    if facility.status == "retired" and before.get("status") != "retired" and facility.retired_on is not None:
        exit_id = _exit_all(session, context, facility, facility.retired_on)
        if exit_id:
            events.append(exit_id)
    return tuple(events)
