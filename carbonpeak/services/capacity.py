"""Capacity ledger use cases: record one event, record a capacity replacement, seed a starting ledger.

Each takes (session, principal, plain values) and, in this order: checks the person's role
(``capacity.manage``: the provincial regulator and the administrator; the command line's operator is an
administrator) and that every registry facility named lies within their scope; checks the values with
the ledger's pure rules (:mod:`carbonpeak.capacity.events`), reading what they need through the
repository (:mod:`carbonpeak.store.capacity`); writes in the caller's transaction; audits; returns a
typed result (:class:`~carbonpeak.capacity.events.Event`, :class:`~carbonpeak.capacity.events.Replacement`,
:class:`Seeded`) or raises coded errors.

:func:`add_event` is the writing step without the access check, for use cases that have checked access
themselves (a capacity changed in the registry, :mod:`carbonpeak.services.registry_ledger`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.capacity.events import (
    Event,
    RegistryReplacement,
    Replacement,
    Source,
    check_event,
    group_name,
    plan_replacement,
    plan_seed,
    unknown_source,
)
from carbonpeak.errors import AccessDenied, InputError
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.store import capacity as store
from carbonpeak.store.repository import audit


@dataclass(frozen=True)
class Seeded:
    """What seeding the ledger from the registry recorded, and per facility not seeded, the reason."""

    approvals: int
    exits: int
    replacement_groups: int
    facilities_seeded: int
    skipped: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        counts = {k: getattr(self, k) for k in ("approvals", "exits", "replacement_groups", "facilities_seeded")}
        return {**counts, "skipped": dict(self.skipped)}


def _check_access(session: Session, principal: Principal, codes: Iterable[str | None]) -> None:
    """The person may manage capacity, and each registry facility named lies within their scope."""
    access.require(principal, "capacity.manage")
    if principal.is_admin:
        return
    named = sorted({c for c in codes if c})
    if store.registered(session, named) - access.visible_facility_codes(session, principal):
        raise AccessDenied()


# ---------------------------------------------------------------- one event


def add_event(
    session: Session,
    actor: str,
    *,
    facility_code: str | None = None,
    counterpart: str | None = None,
    province: str | None = None,
    sector: str | None = None,
    kind: str,
    effective_on: dt.date | str,
    capacity_t_per_a: float | str,
    replacement_group: str | None = None,
    replacement_ratio: float | None = None,
    document: str | None = None,
    note: str | None = None,
) -> Event:
    """Check one event against the ledger (:func:`carbonpeak.capacity.events.check_event`), write and
    audit it; no access check (the caller's use case made it)."""
    facility = store.holder(session, facility_code) if facility_code and not counterpart else None
    event = check_event(
        facility_code=facility_code,
        facility=facility,
        counterpart=counterpart,
        province=province,
        sector=sector,
        kind=kind,
        effective_on=effective_on,
        capacity_t_per_a=capacity_t_per_a,
        replacement_group=replacement_group,
        replacement_ratio=replacement_ratio,
        document=document,
        note=note,
        group_holds_retired=kind == "replacement_in" and store.group_holds_retired(session, replacement_group),
        earlier=store.changes(session, facility.id) if facility is not None else (),
    )
    ident = store.insert_event(session, event, actor)
    audit(
        session, actor, "create", "capacity_event", f"capacity:{event.holder}"[:90] + f"#{ident}", after=event.as_dict()
    )
    return replace(event, id=ident)


def record_event(
    session: Session,
    principal: Principal,
    *,
    facility_code: str | None = None,
    counterpart: str | None = None,
    province: str | None = None,
    sector: str | None = None,
    kind: str,
    effective_on: dt.date | str,
    capacity_t_per_a: float | str,
    replacement_group: str | None = None,
    replacement_ratio: float | None = None,
    document: str | None = None,
    note: str | None = None,
) -> Event:
    """Record one signed change of a facility's approved capacity (approval, new build, expansion, exit,
    replacement out or in), checked and audited: ``carbonpeak capacity add``."""
    _check_access(session, principal, [facility_code])
    return add_event(
        session,
        principal.actor,
        facility_code=facility_code,
        counterpart=counterpart,
        province=province,
        sector=sector,
        kind=kind,
        effective_on=effective_on,
        capacity_t_per_a=capacity_t_per_a,
        replacement_group=replacement_group,
        replacement_ratio=replacement_ratio,
        document=document,
        note=note,
    )


# ---------------------------------------------------------------- a replacement


def _new_group(session: Session, destination: str, day: dt.date) -> str:
    return group_name(destination, day, store.groups_starting(session, f"RPL-{destination[:40]}-{day.isoformat()}"))


def record_replacement(
    session: Session,
    principal: Principal,
    destination_facility_code: str,
    sources: Sequence[Source],
    granted_capacity: float | str,
    effective_on: dt.date | str,
    document: str | None,
    *,
    replacement_group: str | None = None,
    note: str | None = None,
) -> Replacement:
    """Record a capacity replacement (产能置换): capacity retired at the sources, capacity granted at the
    destination, in one group: ``carbonpeak capacity replace``.

    ``sources`` are ``(facility code or counterpart, province, capacity retired [t/a, positive])``. A
    source whose province is None must be a registry facility; a source with a province that is not a
    registry facility is a counterpart (a facility outside the registry, e.g. in another province).
    The ratio granted ÷ sum(retired) is recorded on every event of the group; whether it meets the
    official requirement is not judged here (the required ratio is not in shared/reference).
    """
    _check_access(session, principal, [destination_facility_code, *(s[0] for s in sources if s[1] is None)])
    actor = principal.actor
    destination = store.holder(session, destination_facility_code)
    plan = plan_replacement(destination, destination_facility_code, sources, granted_capacity, effective_on)
    assert destination is not None  # plan_replacement refuses an unknown destination
    group = replacement_group or _new_group(session, plan.destination, plan.effective_on)
    if store.group_exists(session, group):
        raise InputError(code="capacity.group_exists", field="replacement_group", value=group)
    known = store.registered(session, [ident for ident, _, _ in plan.sources])
    if not principal.is_admin:  # a registered source must lie within the person's scope too
        _check_access(session, principal, known)
    events: list[Event] = []
    for index, (ident, province, capacity) in enumerate(plan.sources):
        if ident not in known and province is None:
            raise unknown_source(index, ident)
        # A registered source is named by its code; one outside the registry is a counterpart.
        holder = {"facility_code": ident} if ident in known else {"counterpart": ident}
        events.append(
            add_event(
                session,
                actor,
                **holder,
                province=province,
                sector=destination.sector,
                kind="replacement_out",
                effective_on=plan.effective_on,
                capacity_t_per_a=-capacity,
                replacement_group=group,
                replacement_ratio=plan.ratio,
                document=document,
                note=note,
            )
        )
    events.append(
        add_event(
            session,
            actor,
            facility_code=destination.code,
            kind="replacement_in",
            effective_on=plan.effective_on,
            capacity_t_per_a=plan.granted_t_per_a,
            replacement_group=group,
            replacement_ratio=plan.ratio,
            document=document,
            note=note,
        )
    )
    audit(
        session,
        actor,
        "replace",
        "capacity_replacement",
        group,
        after={
            "destination": destination.code,
            "sources": [{"source": i, "province": p, "capacity_t_per_a": c} for i, p, c in plan.sources],
            "granted_t_per_a": plan.granted_t_per_a,
            "retired_t_per_a": plan.retired_t_per_a,
            "replacement_ratio": plan.ratio,
            "effective_on": plan.effective_on.isoformat(),
            "document": document,
        },
    )
    return Replacement(
        group=group,
        ratio=plan.ratio,
        retired_t_per_a=plan.retired_t_per_a,
        granted_t_per_a=plan.granted_t_per_a,
        events=events,
    )


# ---------------------------------------------------------------- a starting ledger


def seed_from_registry(
    session: Session, principal: Principal, *, replacements: Iterable[RegistryReplacement] = ()
) -> Seeded:
    """Give the facilities without capacity events a starting ledger derived from the registry
    (:func:`carbonpeak.capacity.events.plan_seed`): ``carbonpeak capacity seed``. A person who is not an
    administrator seeds the facilities within their scope. Seeding twice adds nothing."""
    access.require(principal, "capacity.manage")
    actor = principal.actor
    scope = None if principal.is_admin else access.visible_facility_codes(session, principal)
    with_events = store.codes_with_events(session)
    plan = plan_seed(
        store.registry_facilities(session, scope),
        with_events if scope is None else with_events & scope,
        replacements,
        new_group=lambda destination, day: _new_group(session, destination, day),
    )
    for spec in plan.events:
        add_event(session, actor, **spec)
    counts = {
        "approvals": plan.approvals,
        "exits": plan.exits,
        "replacement_groups": plan.replacement_groups,
        "facilities_seeded": plan.facilities_seeded,
    }
    audit(
        session,
        actor,
        "seed",
        "capacity_ledger",
        "capacity:seed",
        after={**counts, "replacements": plan.replaced, "skipped": {k: str(v) for k, v in plan.skipped.items()}},
    )
    return Seeded(**counts, skipped=plan.skipped)
