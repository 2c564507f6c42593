"""The capacity ledger: approved capacity per facility, its history, and what must exit by when.

Writing
    :func:`record_event` adds one signed change of a facility's approved capacity (approval, new build,
    expansion, exit, replacement out or in), checked and audited; :func:`record_replacement` writes the
    events of one capacity replacement (产能置换) together, with the ratio granted ÷ retired;
    :func:`seed_from_registry` gives a registry without events a starting ledger derived from the
    registry itself (not from approval documents).

Reading
    :func:`approved_capacity`, :func:`ledger_table`, :func:`below_baseline` and :func:`ceiling_status`
    are pure functions over plain frames; :func:`ledger`, :func:`must_exit`, :func:`ceiling_check`
    and :func:`history` read the store and call them.

Definitions
    *Approved capacity* of a facility on a day: the sum of its events effective on or before that day.
    *Operating capacity* on a day: the registry's ``capacity_t_per_a`` of each facility that is
    operating that day, meaning (a) commissioned (``commissioning_year`` not after the day's year; a
    facility without a commissioning year counts as commissioned), (b) not retired (no ``retired_on``
    on or before the day) and (c) not idle or retired by its registry status (a status ``idle`` or
    ``retired`` counts from ``status_since``; the registry keeps only the current status, so before
    ``status_since`` the facility is taken as operating). *Output over the last 12 months*: the counted
    facility-months (:func:`carbonpeak.store.facts.facility_months`) of the 12 calendar months
    ending with the day's month when the day is the last of its month, else with the month before.
    *Utilisation*: that output ÷ the mean operating capacity on the first day of each of those months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting.benchmark import classify_facilities
from carbonpeak.errors import InputError, ParameterNotFound
from carbonpeak.indicators.definitions import facility_year_frame
from carbonpeak.parameters import ParameterSet, load
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import CapacityEvent, Facility, Region
from carbonpeak.store.repository import audit
from carbonpeak.units import conversion_factor
from carbonpeak.vocabulary import Sector

# Sign each kind's capacity must have: +1 adds approved capacity, -1 removes it.
KINDS: dict[str, int] = {
    "approval": 1,
    "new_build": 1,
    "expansion": 1,
    "replacement_in": 1,
    "exit": -1,
    "replacement_out": -1,
}
REPLACEMENT_KINDS = ("replacement_out", "replacement_in")
CEILING_PARAMETER = "capacity.national_ceiling"
CEILING_SECTOR = Sector.ELECTROLYTIC_ALUMINIUM.value
SEEDED_NOTE = (
    "derived from the registry (capacity_t_per_a, commissioning_year, retired_on), not from an approval document"
)
EVENT_COLUMNS = [
    "id",
    "facility_code",
    "counterpart",
    "province",
    "sector",
    "kind",
    "effective_on",
    "capacity_t_per_a",
    "replacement_group",
    "replacement_ratio",
    "document",
    "note",
    "created_by",
]
FACILITY_COLUMNS = [
    "facility_code",
    "province",
    "sector",
    "capacity_t_per_a",
    "commissioning_year",
    "status",
    "status_since",
    "retired_on",
]
_TOLERANCE_T = 1e-6  # t/a: approved capacity below -this is negative


# ---------------------------------------------------------------- small parsers


def parse_date(value: Any, field: str = "effective_on") -> dt.date:
    """A date from a ``date``/``datetime`` or an ISO text (2024-06-30); InputError naming ``field`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError("not a date", field=field, value=value, expected="a date such as 2024-06-30") from None


def parse_capacity(value: Any, field: str = "capacity_t_per_a") -> float:
    """A capacity in t/a from a number or a text with a unit: '200000', '200 kt/a', '-60 kt/a', '20 万t/a'."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        number, unit = float(value), "t/a"
    else:
        text = str(value).strip()
        match = re.fullmatch(r"([+-]?[0-9][0-9_,]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*(.*)", text)
        if not match:
            raise InputError("not a capacity", field=field, value=value, expected="t/a, e.g. 200000 or '200 kt/a'")
        number = float(match[1].replace(",", "").replace("_", ""))
        unit = match[2].strip() or "t/a"
        # 'kt' is a knot to pint and '万t' unknown to it: both are common for capacity.
        unit = re.sub(r"^kt\b", "kilometric_ton", re.sub(r"^万\s*t\b", "wan_t", unit))
    if not math.isfinite(number):
        raise InputError("not a capacity", field=field, value=value, expected="a finite number")
    return number * conversion_factor(unit, "t/a", field=field)


# ---------------------------------------------------------------- registry helpers


def _province_codes(session: Session) -> dict[int, str]:
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


def _facility(session: Session, code: str, field: str = "facility_code") -> Facility:
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise InputError("unknown facility", field=field, value=code, expected="a facility code in the registry")
    return facility


def registry_facilities(session: Session) -> pd.DataFrame:
    """The registry's facilities as a plain frame (:data:`FACILITY_COLUMNS`), province by region."""
    provinces = _province_codes(session)
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
        for f in session.scalars(select(Facility).order_by(Facility.code))
    ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS)


# ---------------------------------------------------------------- writing


def event_dict(event: CapacityEvent, facility_code: str | None) -> dict[str, Any]:
    return {
        "facility_code": facility_code,
        "counterpart": event.counterpart,
        "province": event.province,
        "sector": event.sector,
        "kind": event.kind,
        "effective_on": event.effective_on.isoformat(),
        "capacity_t_per_a": event.capacity_t_per_a,
        "replacement_group": event.replacement_group,
        "replacement_ratio": event.replacement_ratio,
        "document": event.document,
        "note": event.note,
    }


def _check_balance(session: Session, facility: Facility, effective_on: dt.date, capacity: float) -> None:
    """Refuse an event after which the facility's approved capacity would be negative on some day."""
    rows = session.execute(
        select(CapacityEvent.effective_on, CapacityEvent.capacity_t_per_a).where(
            CapacityEvent.facility_id == facility.id
        )
    ).all()
    changes = sorted([(day, float(value)) for day, value in rows] + [(effective_on, capacity)], key=lambda c: c[0])
    balance = 0.0
    days: dict[dt.date, float] = {}
    for day, value in changes:
        balance += value
        days[day] = balance
    lowest_day, lowest = min(days.items(), key=lambda item: item[1])
    if lowest < -_TOLERANCE_T:
        raise InputError(
            f"the facility's approved capacity would be {lowest:,.0f} t/a on {lowest_day}",
            record=facility.code,
            field="capacity_t_per_a",
            value=capacity,
            expected="no more than the approved capacity recorded before it (record the approval first, "
            "e.g. carbonpeak capacity seed or capacity add --kind approval)",
        )


def record_event(
    session: Session,
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
    actor: str,
) -> CapacityEvent:
    """Add one signed change of approved capacity, after checking it; audited.

    Parameters
    ----------
    facility_code : str, optional
        a facility of the registry; its province and sector come from the registry (a ``province``
        or ``sector`` given as well must agree).
    counterpart : str, optional
        instead of a facility: a source outside the registry (possibly in another province), only for
        ``replacement_out``; then ``province`` and ``sector`` are required.
    kind : str
        approval, new_build, expansion, replacement_in (positive capacity) or exit, replacement_out
        (negative capacity).
    effective_on : date
        the day the change takes effect (it counts on that day).
    capacity_t_per_a : float
        the signed change [t/a]; not zero.
    replacement_group, replacement_ratio
        the group shared by the events of one replacement (required for replacement kinds, refused for
        others) and the ratio granted ÷ retired [t/t], recorded as given and not judged.

    Raises
    ------
    InputError
        naming the field: ``kind``, ``effective_on``, ``capacity_t_per_a`` (zero, wrong sign, or an exit
        larger than the approved capacity), ``facility_code`` (unknown, or neither facility nor
        counterpart), ``counterpart``, ``province``, ``sector``, ``replacement_group``,
        ``replacement_ratio``.
    """
    if kind not in KINDS:
        raise InputError("unknown kind of capacity event", field="kind", value=kind, expected=", ".join(KINDS))
    for name, text, limit in (
        ("counterpart", counterpart, 300),
        ("province", province, 40),
        ("replacement_group", replacement_group, 60),
        ("document", document, 300),
    ):
        if text is not None and len(str(text)) > limit:
            raise InputError("too long", field=name, value=text, expected=f"at most {limit} characters")
    day = parse_date(effective_on)
    capacity = parse_capacity(capacity_t_per_a)
    if capacity == 0:
        raise InputError(
            "a capacity event changes capacity",
            field="capacity_t_per_a",
            value=capacity_t_per_a,
            expected="a capacity other than 0 t/a",
        )
    if (capacity > 0) != (KINDS[kind] > 0):
        sign = "positive" if KINDS[kind] > 0 else "negative"
        raise InputError(
            f"a capacity of kind '{kind}' must be {sign}",
            field="capacity_t_per_a",
            value=capacity,
            expected=f"{sign} t/a (approval, new_build, expansion, replacement_in add capacity; "
            "exit, replacement_out remove it)",
        )
    facility: Facility | None = None
    if facility_code:
        if counterpart:
            raise InputError(
                "give a facility or a counterpart, not both",
                field="counterpart",
                value=counterpart,
                expected="a counterpart only for a source outside the registry",
            )
        facility = _facility(session, facility_code)
        own_province = _province_codes(session).get(facility.region_id, "")
        if province and province != own_province:
            raise InputError(
                "the province differs from the registry", field="province", value=province, expected=own_province
            )
        if sector and sector != facility.sector:
            raise InputError(
                "the sector differs from the registry", field="sector", value=sector, expected=facility.sector
            )
        province, sector = own_province, facility.sector
    elif counterpart:
        if kind != "replacement_out":
            raise InputError(
                "a source outside the registry can only give up capacity for a replacement",
                field="kind",
                value=kind,
                expected="replacement_out for a counterpart (register the facility to record other events)",
            )
        if not province:
            raise InputError("a counterpart needs its province", field="province", expected="a province code")
    else:
        raise InputError(
            "a capacity event needs a facility", field="facility_code", expected="a facility code or a counterpart"
        )
    if not sector or sector not in {s.value for s in Sector}:
        raise InputError("unknown sector", field="sector", value=sector, expected=", ".join(s.value for s in Sector))
    if kind in REPLACEMENT_KINDS and not replacement_group:
        raise InputError(
            f"a {kind} event belongs to a replacement",
            field="replacement_group",
            expected="the group shared by the capacity retired and the capacity granted (capacity replace)",
        )
    if kind == "replacement_in":
        retired = session.scalar(
            select(CapacityEvent.id)
            .where(CapacityEvent.replacement_group == replacement_group, CapacityEvent.kind == "replacement_out")
            .limit(1)
        )
        if retired is None:
            raise InputError(
                f"the replacement group '{replacement_group}' holds no capacity retired",
                field="replacement_group",
                value=replacement_group,
                expected="a group whose replacement_out events are recorded first (or use capacity replace)",
            )
    if kind not in REPLACEMENT_KINDS and replacement_group:
        raise InputError(
            f"only replacement events have a group, not '{kind}'",
            field="replacement_group",
            value=replacement_group,
        )
    if replacement_ratio is not None:
        if kind not in REPLACEMENT_KINDS:
            raise InputError("only replacement events have a ratio", field="replacement_ratio", value=replacement_ratio)
        if not (math.isfinite(float(replacement_ratio)) and float(replacement_ratio) > 0):
            raise InputError(
                "not a replacement ratio", field="replacement_ratio", value=replacement_ratio, expected="a number > 0"
            )
    if facility is not None:
        _check_balance(session, facility, day, capacity)
    event = CapacityEvent(
        facility_id=facility.id if facility else None,
        counterpart=None if facility else counterpart,
        province=str(province),
        sector=str(sector),
        kind=kind,
        effective_on=day,
        capacity_t_per_a=capacity,
        replacement_group=replacement_group,
        replacement_ratio=None if replacement_ratio is None else float(replacement_ratio),
        document=document or None,
        note=note or None,
        created_by=actor,
    )
    session.add(event)
    session.flush()
    holder = facility.code if facility else f"{counterpart}@{province}"
    audit(
        session,
        actor,
        "create",
        "capacity_event",
        f"capacity:{holder}"[:90] + f"#{event.id}",
        after=event_dict(event, facility.code if facility else None),
    )
    return event


@dataclass
class Replacement:
    """The events of one capacity replacement."""

    group: str
    ratio: float
    retired_t_per_a: float
    granted_t_per_a: float
    events: list[CapacityEvent] = field(default_factory=list)


Source = tuple[str, str | None, float | str]


def _new_group(session: Session, destination: str, day: dt.date) -> str:
    base = f"RPL-{destination[:40]}-{day.isoformat()}"
    taken = set(
        session.scalars(select(CapacityEvent.replacement_group).where(CapacityEvent.replacement_group.startswith(base)))
    )
    group, number = base, 2
    while group in taken:
        group, number = f"{base}-{number}", number + 1
    return group


def record_replacement(
    session: Session,
    destination_facility_code: str,
    sources: Sequence[Source],
    granted_capacity: float | str,
    effective_on: dt.date | str,
    document: str | None,
    actor: str,
    *,
    replacement_group: str | None = None,
    note: str | None = None,
) -> Replacement:
    """Record a capacity replacement: capacity retired at the sources, capacity granted at the destination.

    ``sources`` are ``(facility code or counterpart, province, capacity retired [t/a, positive])``. A
    source whose province is None must be a registry facility; a source with a province that is not a
    registry facility is a counterpart (a facility outside the registry, e.g. in another province).
    The ratio granted ÷ sum(retired) is recorded on every event of the group; whether it meets the
    official requirement is not judged here (the required ratio is not in shared/reference).
    """
    destination = _facility(session, destination_facility_code, field="destination")
    day = parse_date(effective_on)
    granted = parse_capacity(granted_capacity, field="granted_capacity")
    if not granted > 0:
        raise InputError("nothing granted", field="granted_capacity", value=granted, expected="a capacity > 0 t/a")
    if not sources:
        raise InputError(
            "a replacement needs the capacity it replaces",
            field="sources",
            expected="at least one source facility or counterpart",
        )
    parsed: list[tuple[str, str | None, float]] = []
    for index, (ident, province, amount) in enumerate(sources):
        capacity = parse_capacity(amount, field=f"sources[{index}].capacity_t_per_a")
        if not capacity > 0:
            raise InputError(
                "the capacity a source gives up is positive here (it is stored negative)",
                field=f"sources[{index}].capacity_t_per_a",
                value=amount,
                expected="a capacity > 0 t/a",
            )
        if not ident:
            raise InputError("a source needs a facility code or a name", field=f"sources[{index}].facility_code")
        if ident == destination.code:
            raise InputError(
                "a facility cannot replace its own capacity", field=f"sources[{index}].facility_code", value=ident
            )
        parsed.append((str(ident), province, capacity))
    retired = sum(c for _, _, c in parsed)
    ratio = granted / retired
    group = replacement_group or _new_group(session, destination.code, day)
    if session.scalar(select(CapacityEvent.id).where(CapacityEvent.replacement_group == group).limit(1)):
        raise InputError(
            "this replacement group already exists", field="replacement_group", value=group, expected="a new group name"
        )
    known = {f.code for f in session.scalars(select(Facility).where(Facility.code.in_([p[0] for p in parsed])))}
    events: list[CapacityEvent] = []
    for index, (ident, province, capacity) in enumerate(parsed):
        if ident not in known and province is None:
            raise InputError(
                "unknown facility",
                field=f"sources[{index}].facility_code",
                value=ident,
                expected="a facility code in the registry, or a counterpart with its province",
            )
        # A registered source is named by its code; one outside the registry is a counterpart.
        source = {"facility_code": ident} if ident in known else {"counterpart": ident}
        events.append(
            record_event(
                session,
                **source,
                province=province,
                sector=destination.sector,
                kind="replacement_out",
                effective_on=day,
                capacity_t_per_a=-capacity,
                replacement_group=group,
                replacement_ratio=ratio,
                document=document,
                note=note,
                actor=actor,
            )
        )
    events.append(
        record_event(
            session,
            facility_code=destination.code,
            kind="replacement_in",
            effective_on=day,
            capacity_t_per_a=granted,
            replacement_group=group,
            replacement_ratio=ratio,
            document=document,
            note=note,
            actor=actor,
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
            "sources": [{"source": i, "province": p, "capacity_t_per_a": c} for i, p, c in parsed],
            "granted_t_per_a": granted,
            "retired_t_per_a": retired,
            "replacement_ratio": ratio,
            "effective_on": day.isoformat(),
            "document": document,
        },
    )
    return Replacement(group=group, ratio=ratio, retired_t_per_a=retired, granted_t_per_a=granted, events=events)


@dataclass(frozen=True)
class RegistryReplacement:
    """A replacement known from the registry's own data, for :func:`seed_from_registry`.

    ``sources`` are registry facilities whose whole registry capacity was retired (at their
    ``retired_on``) for ``destination``; ``granted_t_per_a`` defaults to the destination's registry
    capacity and ``effective_on`` to the first day of its commissioning year.
    """

    destination: str
    sources: tuple[str, ...]
    granted_t_per_a: float | None = None
    effective_on: dt.date | None = None
    document: str | None = None


def seed_from_registry(
    session: Session, actor: str, *, replacements: Iterable[RegistryReplacement] = ()
) -> dict[str, Any]:
    """A starting ledger for facilities that have no capacity event yet, derived from the registry.

    Per facility: an ``approval`` of its ``capacity_t_per_a`` on 1 January of its ``commissioning_year``
    (the registry holds the year only) and, for a retired facility, an ``exit`` of the same capacity on
    its ``retired_on`` (or, with status retired and no date, its ``status_since``). Each event's note
    says it is derived from the registry, not from an approval document; no document is cited.
    ``replacements`` turn a source's exit into a ``replacement_out`` and the destination's approval into
    a ``replacement_in`` of the capacity granted (plus an approval of any capacity beyond it), one
    group each. Facilities that already have events are left alone, so seeding twice adds nothing.
    Returns counts and, per facility not seeded, the reason.
    """
    facilities = {f.code: f for f in session.scalars(select(Facility).order_by(Facility.code))}
    with_events = set(
        session.scalars(select(Facility.code).join(CapacityEvent, CapacityEvent.facility_id == Facility.id).distinct())
    )
    skipped: dict[str, str] = {code: "already in the ledger" for code in sorted(with_events)}
    plan: dict[str, dict[str, Any]] = {}
    for code, f in facilities.items():
        if code in with_events:
            continue
        if not f.capacity_t_per_a or f.capacity_t_per_a <= 0:
            skipped[code] = "no capacity_t_per_a in the registry"
            continue
        if f.commissioning_year is None:
            skipped[code] = "no commissioning_year in the registry"
            continue
        start = dt.date(int(f.commissioning_year), 1, 1)
        end = f.retired_on or (f.status_since if f.status == "retired" else None)
        if end is not None and end < start:
            skipped[code] = f"retired ({end}) before its commissioning year ({f.commissioning_year})"
            continue
        plan[code] = {"capacity": float(f.capacity_t_per_a), "start": start, "end": end}
    groups: list[tuple[RegistryReplacement, str, float, float]] = []
    used: set[str] = set()
    for item in replacements:
        for code in (item.destination, *item.sources):
            if code in used:
                raise InputError("a facility can be in one seeded replacement only", field="replacements", value=code)
            used.add(code)
            if code not in facilities:
                raise InputError(
                    "unknown facility", field="replacements", value=code, expected="a facility code in the registry"
                )
            if code not in plan:
                raise InputError(
                    f"cannot seed a replacement with {code}: {skipped.get(code, 'not seeded')}",
                    field="replacements",
                    value=code,
                )
        if not item.sources:
            raise InputError("a replacement needs its sources", field="replacements", value=item.destination)
        retired = sum(plan[s]["capacity"] for s in item.sources)
        granted = float(item.granted_t_per_a or plan[item.destination]["capacity"])
        if not granted > 0:
            raise InputError("nothing granted", field="replacements", value=item.destination)
        group = _new_group(session, item.destination, item.effective_on or plan[item.destination]["start"])
        groups.append((item, group, retired, granted))
    counts = {"approvals": 0, "exits": 0, "replacement_groups": len(groups)}
    in_group = {code for item, *_ in groups for code in (item.destination, *item.sources)}
    granted_to = {item.destination: (item, group, retired, granted) for item, group, retired, granted in groups}
    given_by = {code: g for g in groups for code in g[0].sources}
    # Order: approvals, then the capacity retired for replacements, then the capacity granted (its group
    # must hold retired capacity), then exits (an exit is refused before the approval it ends).
    for code, entry in plan.items():
        capacity = entry["capacity"] - (granted_to[code][3] if code in granted_to else 0.0)
        if capacity > _TOLERANCE_T:
            record_event(
                session,
                facility_code=code,
                kind="approval",
                effective_on=entry["start"],
                capacity_t_per_a=capacity,
                note=SEEDED_NOTE,
                actor=actor,
            )
            counts["approvals"] += 1
    for code, (item, group, retired, granted) in given_by.items():
        record_event(
            session,
            facility_code=code,
            kind="replacement_out",
            effective_on=plan[code]["end"] or item.effective_on or plan[item.destination]["start"],
            capacity_t_per_a=-plan[code]["capacity"],
            replacement_group=group,
            replacement_ratio=granted / retired,
            document=item.document,
            note=SEEDED_NOTE,
            actor=actor,
        )
    for code, (item, group, retired, granted) in granted_to.items():
        record_event(
            session,
            facility_code=code,
            kind="replacement_in",
            effective_on=item.effective_on or plan[code]["start"],
            capacity_t_per_a=granted,
            replacement_group=group,
            replacement_ratio=granted / retired,
            document=item.document,
            note=SEEDED_NOTE,
            actor=actor,
        )
    for code, entry in plan.items():
        if code not in given_by and entry["end"] is not None:
            record_event(
                session,
                facility_code=code,
                kind="exit",
                effective_on=entry["end"],
                capacity_t_per_a=-entry["capacity"],
                note=SEEDED_NOTE,
                actor=actor,
            )
            counts["exits"] += 1
    counts["facilities_seeded"] = len(plan)
    audit(
        session,
        actor,
        "seed",
        "capacity_ledger",
        "capacity:seed",
        after={**counts, "replacements": sorted(in_group), "skipped": skipped},
    )
    return {**counts, "skipped": skipped}


# ---------------------------------------------------------------- reading: the store


def events_frame(session: Session) -> pd.DataFrame:
    """Every capacity event as a plain frame (:data:`EVENT_COLUMNS`), oldest first."""
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


def _holder(event: pd.Series) -> str:
    """A facility code, or 'counterpart@province' for a source outside the registry."""
    if isinstance(event["facility_code"], str) and event["facility_code"]:
        return event["facility_code"]
    return f"{event['counterpart']}@{event['province']}"


def history(session: Session, facility_code: str) -> pd.DataFrame:
    """A facility's events (or a counterpart's, by name) with the approved capacity after each one and
    the other members of its replacement group."""
    events = events_frame(session)
    exists = session.scalar(select(Facility.id).where(Facility.code == facility_code))
    if exists is not None:
        mine = events[events["facility_code"] == facility_code]
    else:
        mine = events[events["counterpart"] == facility_code]
        if mine.empty:
            raise InputError(
                "unknown facility",
                field="facility_code",
                value=facility_code,
                expected="a facility code in the registry or a counterpart named in a replacement",
            )
    mine = mine.copy()
    # A counterpart's approved capacity is not known (only what it gave up), so no running balance.
    mine["approved_after_t_per_a"] = mine["capacity_t_per_a"].cumsum() if exists is not None else np.nan
    partners = []
    for _, row in mine.iterrows():
        group = row["replacement_group"]
        if not (isinstance(group, str) and group):
            partners.append("")
            continue
        others = events[(events["replacement_group"] == group) & (events["id"] != row["id"])]
        partners.append(", ".join(f"{_holder(r)} {r['capacity_t_per_a']:+,.0f}" for _, r in others.iterrows()))
    mine["replacement_partners"] = partners
    return mine.reset_index(drop=True)


def ledger(session: Session, on_date: dt.date | str, *, include_submitted: bool = False) -> pd.DataFrame:
    """Approved and operating capacity, output over the last 12 months and utilisation, per province
    and sector, on ``on_date`` (definitions in the module docstring)."""
    day = parse_date(on_date, field="date")
    return ledger_table(
        events_frame(session),
        registry_facilities(session),
        facility_months(session, include_submitted=include_submitted),
        day,
    )


def must_exit(
    session: Session,
    year: int | None = None,
    benchmark_edition: str | None = None,
    *,
    on_date: dt.date | str | None = None,
    include_submitted: bool = False,
    params: ParameterSet | None = None,
) -> pd.DataFrame:
    """Facilities whose facility-year class is below the baseline level, their capacity and deadline.

    ``year`` defaults to the latest year with counted data (up to ``on_date``'s year). Classes come from
    :func:`carbonpeak.accounting.benchmark.classify_facilities` over
    :func:`carbonpeak.indicators.definitions.facility_year_frame`; ``approved_t_per_a`` is the
    ledger's approved capacity on ``on_date`` (default 31 December of ``year``). A product whose levels
    are missing for the edition is left out and named, with the reason, in ``frame.attrs["not_classified"]``.
    """
    facts = facility_months(session, include_submitted=include_submitted)
    if year is None:
        limit = parse_date(on_date, field="date").year if on_date is not None else None
        held = facts["year"] if limit is None else facts.loc[facts["year"] <= limit, "year"]
        if len(held):
            year = int(held.max())
        elif limit is not None:
            year = limit
        else:
            raise InputError("no counted data to classify", field="year", expected="a year with verified months")
    day = parse_date(on_date, field="date") if on_date is not None else dt.date(int(year), 12, 31)
    rows = facts[facts["year"] == int(year)]
    years = facility_year_frame(rows) if not rows.empty else pd.DataFrame(columns=["product"])
    table = below_baseline(years, params or load(), benchmark_edition)
    out = _with_capacity(table, events_frame(session), registry_facilities(session), day, int(year))
    if rows.empty:
        out.attrs["note"] = f"no counted facility-month in {year}"
    return out


def ceiling_check(
    session: Session,
    on_date: dt.date | str,
    national_approved_elsewhere_t_per_a: float | str | None = None,
    *,
    params: ParameterSet | None = None,
) -> dict[str, Any]:
    """The registry's approved electrolytic-aluminium capacity against the national ceiling.

    The registry holds one province: the report gives its approved capacity per province, the ceiling
    with its citation and, only when the caller gives the approved capacity of the rest of the country
    (``national_approved_elsewhere_t_per_a``), the national total and headroom.
    """
    day = parse_date(on_date, field="date")
    return ceiling_status(
        approved_capacity(events_frame(session), day), day, params or load(), national_approved_elsewhere_t_per_a
    )


# ---------------------------------------------------------------- reading: pure functions


def approved_capacity(events: pd.DataFrame, on_date: dt.date | str, *, counterparts: bool = False) -> pd.DataFrame:
    """Approved capacity per facility on ``on_date``: the sum of its events effective on or before it.

    ``events`` has the columns of :func:`events_frame` (at least facility_code, counterpart, province,
    sector, effective_on, capacity_t_per_a). Facilities whose capacity has exited stay, with 0.
    Counterparts (sources outside the registry; only what they gave up is known) are left out unless
    ``counterparts`` is true. Columns: facility_code, counterpart, province, sector, approved_t_per_a,
    events, first_event_on, last_event_on.
    """
    columns = [
        "facility_code",
        "counterpart",
        "province",
        "sector",
        "approved_t_per_a",
        "events",
        "first_event_on",
        "last_event_on",
    ]
    day = pd.Timestamp(parse_date(on_date, field="on_date"))
    if events.empty:
        return pd.DataFrame(columns=columns)
    frame = events.copy()
    frame["_day"] = pd.to_datetime(frame["effective_on"])
    frame = frame[frame["_day"] <= day]
    frame["facility_code"] = frame["facility_code"].where(frame["facility_code"].notna(), None)
    if not counterparts:
        frame = frame[frame["facility_code"].notna()]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["_holder"] = frame["facility_code"].fillna("~" + frame["counterpart"].astype(str) + "@" + frame["province"])
    grouped = frame.groupby("_holder", sort=True).agg(
        facility_code=("facility_code", "first"),
        counterpart=("counterpart", "first"),
        province=("province", "first"),
        sector=("sector", "first"),
        approved_t_per_a=("capacity_t_per_a", "sum"),
        events=("capacity_t_per_a", "size"),
        first_event_on=("_day", "min"),
        last_event_on=("_day", "max"),
    )
    grouped["approved_t_per_a"] = grouped["approved_t_per_a"].where(
        grouped["approved_t_per_a"].abs() > _TOLERANCE_T, 0.0
    )
    grouped["first_event_on"] = grouped["first_event_on"].dt.date
    grouped["last_event_on"] = grouped["last_event_on"].dt.date
    out = grouped.reset_index(drop=True)[columns]
    return out.sort_values(["province", "sector", "facility_code"], na_position="last").reset_index(drop=True)


def is_operating(facilities: pd.DataFrame, on_date: dt.date) -> np.ndarray:
    """Which registry facilities are operating on ``on_date`` (definition in the module docstring)."""
    day = pd.Timestamp(on_date)
    year = pd.to_numeric(facilities["commissioning_year"], errors="coerce")
    commissioned = year.isna() | (year <= on_date.year)
    retired_on = pd.to_datetime(facilities["retired_on"])
    not_retired = retired_on.isna() | (retired_on > day)
    since = pd.to_datetime(facilities["status_since"])
    stopped = facilities["status"].isin(["idle", "retired"]) & (since.isna() | (since <= day))
    operating: np.ndarray = (commissioned & not_retired & ~stopped).to_numpy(dtype=bool)
    return operating


def window_months(on_date: dt.date) -> list[str]:
    """The 12 calendar months (YYYY-MM) ending with ``on_date``'s month when it is the month's last day,
    else with the month before."""
    last_day = calendar.monthrange(on_date.year, on_date.month)[1]
    end = on_date.year * 12 + on_date.month - 1 - (0 if on_date.day == last_day else 1)
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(end - 11, end + 1)]


def ledger_table(events: pd.DataFrame, facilities: pd.DataFrame, facts: pd.DataFrame, on_date: dt.date) -> pd.DataFrame:
    """Per province and sector on ``on_date``: approved capacity (ledger), operating capacity (registry),
    approved minus operating, output over the last 12 months, the mean operating capacity of those
    months and utilisation (definitions in the module docstring).

    ``counted_facility_months`` (months with counted data in the window) against
    ``operating_facility_months`` (facility-months operating on the first day of each month) shows how
    complete the output is: a month not yet verified lowers the output and so the utilisation.

    ``facilities`` has :data:`FACILITY_COLUMNS`; ``facts`` the columns facility_code, period,
    province_code, sector, output_t of :func:`carbonpeak.store.facts.facility_months`.
    """
    keys = ["province", "sector"]
    approved = approved_capacity(events, on_date)
    by_approved = approved.groupby(keys).agg(
        approved_t_per_a=("approved_t_per_a", "sum"),
        approved_facilities=("approved_t_per_a", lambda s: int((s > _TOLERANCE_T).sum())),
    )
    capacity = pd.to_numeric(facilities["capacity_t_per_a"], errors="coerce").fillna(0.0)
    operating_now = is_operating(facilities, on_date)
    months = window_months(on_date)
    firsts = [dt.date(int(m[:4]), int(m[5:]), 1) for m in months]
    masks = [is_operating(facilities, d) for d in firsts]
    mean_operating = np.mean([np.where(mask, capacity, 0.0) for mask in masks], axis=0)
    registry = pd.DataFrame(
        {
            "province": facilities["province"],
            "sector": facilities["sector"],
            "operating_t_per_a": np.where(operating_now, capacity, 0.0),
            "operating_facilities": operating_now.astype(int),
            "mean_operating_t_per_a": mean_operating,
            "operating_facility_months": np.sum(masks, axis=0).astype(int),
        }
    )
    by_registry = registry.groupby(keys).sum()
    window = facts[facts["period"].isin(months)]
    output = pd.DataFrame(
        {
            "province": window["province_code"].to_numpy(dtype=object),
            "sector": window["sector"].to_numpy(dtype=object),
            "output_12m_t": pd.to_numeric(window["output_t"], errors="coerce").fillna(0.0).to_numpy(dtype=float),
            "counted_facility_months": np.ones(len(window), dtype=int),
        }
    )
    by_output = output.groupby(keys).sum()
    table = by_approved.join(by_registry, how="outer").join(by_output, how="outer").reset_index()
    for column in ("approved_t_per_a", "operating_t_per_a", "mean_operating_t_per_a", "output_12m_t"):
        table[column] = pd.to_numeric(table[column], errors="coerce").fillna(0.0).astype(float)
    for column in (
        "approved_facilities",
        "operating_facilities",
        "counted_facility_months",
        "operating_facility_months",
    ):
        table[column] = pd.to_numeric(table[column], errors="coerce").fillna(0).astype(int)
    table["approved_minus_operating_t_per_a"] = table["approved_t_per_a"] - table["operating_t_per_a"]
    mean = table["mean_operating_t_per_a"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["utilisation_pct"] = np.where(
            mean > 0, 100.0 * table["output_12m_t"].to_numpy(dtype=float) / mean, np.nan
        )
    table["window"] = f"{months[0]}..{months[-1]}"
    table["on_date"] = on_date
    columns = [
        "province",
        "sector",
        "approved_facilities",
        "approved_t_per_a",
        "operating_facilities",
        "operating_t_per_a",
        "approved_minus_operating_t_per_a",
        "output_12m_t",
        "counted_facility_months",
        "operating_facility_months",
        "mean_operating_t_per_a",
        "utilisation_pct",
        "window",
        "on_date",
    ]
    return table[columns].sort_values(keys).reset_index(drop=True)


def below_baseline(facility_years: pd.DataFrame, params: ParameterSet, edition: str | None = None) -> pd.DataFrame:
    """The facility-years classified below the baseline level, with their deadline (``must_act_by``).

    ``facility_years`` is :func:`carbonpeak.indicators.definitions.facility_year_frame` output.
    :func:`carbonpeak.accounting.benchmark.classify_facilities` is called once per product, so a product
    whose levels are missing for the edition (e.g. every 2023-edition value, industrial silicon) does
    not stop the others; such products are listed in ``attrs["not_classified"]`` with the reason.
    """
    columns = [
        "facility_code",
        "province",
        "sector",
        "product",
        "year",
        "indicator",
        "unit_consumption",
        "unit",
        "baseline_level",
        "edition",
        "class",
        "must_act_by",
        "capacity_t_per_a",
    ]
    not_classified: dict[str, str] = {}
    parts: list[pd.DataFrame] = []
    frame = facility_years[facility_years["product"] != ""] if not facility_years.empty else facility_years
    for product, group in frame.groupby("product", sort=True) if not frame.empty else []:
        try:
            table, _shares, _cited = classify_facilities(group, params, edition=edition)
        except ParameterNotFound as exc:
            not_classified[str(product)] = str(exc)
            continue
        parts.append(table[table["class"] == "below_baseline"])
    if parts:
        out = pd.concat(parts, ignore_index=True).rename(columns={"facility_id": "facility_code", "region": "province"})
        out = out[columns].sort_values(["must_act_by", "facility_code"]).reset_index(drop=True)
    else:
        out = pd.DataFrame(columns=columns)
    out.attrs["not_classified"] = not_classified
    return out


def _with_capacity(
    table: pd.DataFrame, events: pd.DataFrame, facilities: pd.DataFrame, on_date: dt.date, year: int
) -> pd.DataFrame:
    """Add the ledger's approved capacity on ``on_date`` and the registry status to a must-exit table."""
    approved = approved_capacity(events, on_date).set_index("facility_code")["approved_t_per_a"]
    registry = facilities.set_index("facility_code")
    out = table.copy()
    out["approved_t_per_a"] = out["facility_code"].map(approved).astype(float)
    out["status"] = out["facility_code"].map(registry["status"])
    out["retired_on"] = out["facility_code"].map(registry["retired_on"])
    retired = pd.to_datetime(out["retired_on"])
    out["exited"] = ((retired.notna() & (retired <= pd.Timestamp(on_date))) | (out["approved_t_per_a"] == 0)).astype(
        bool
    )
    out["on_date"] = on_date
    out.attrs.update(table.attrs)
    out.attrs["year"] = year
    return out


def ceiling_status(
    approved: pd.DataFrame,
    on_date: dt.date,
    params: ParameterSet,
    national_approved_elsewhere_t_per_a: float | str | None = None,
) -> dict[str, Any]:
    """The approved electrolytic-aluminium capacity of ``approved`` (:func:`approved_capacity`) against the
    national ceiling in force on ``on_date``.

    Without ``national_approved_elsewhere_t_per_a`` (the approved capacity of the rest of the country,
    given by the caller) no national total or headroom is stated: the registry is not the country.
    """
    elsewhere: float | None = None
    if national_approved_elsewhere_t_per_a is not None:
        elsewhere = parse_capacity(national_approved_elsewhere_t_per_a, field="national_approved_elsewhere_t_per_a")
        if elsewhere < 0:
            raise InputError(
                "approved capacity cannot be negative",
                field="national_approved_elsewhere_t_per_a",
                value=national_approved_elsewhere_t_per_a,
                expected="the approved capacity of the provinces outside the registry, t/a, 0 or more",
            )
    rows = approved[approved["sector"] == CEILING_SECTOR] if not approved.empty else approved
    by_province = (
        {str(k): float(v) for k, v in rows.groupby("province")["approved_t_per_a"].sum().items()} if len(rows) else {}
    )
    registry_total = float(sum(by_province.values()))
    report: dict[str, Any] = {
        "on_date": on_date.isoformat(),
        "sector": CEILING_SECTOR,
        "registry_provinces": sorted(by_province),
        "registry_approved_by_province_t_per_a": by_province,
        "registry_approved_t_per_a": registry_total,
        "ceiling_t_per_a": None,
        "ceiling": None,
        "citation": None,
        "ceiling_verified": None,
        "registry_share_of_ceiling_pct": None,
        "national_approved_elsewhere_t_per_a": elsewhere,
        "national_approved_t_per_a": None,
        "headroom_t_per_a": None,
        "within_ceiling": None,
        "note": "",
    }
    try:
        cited = params.at(CEILING_PARAMETER, period=on_date, sector=CEILING_SECTOR)
    except ParameterNotFound as exc:
        report["note"] = f"no national ceiling in force: {exc}"
        return report
    ceiling = float(cited.value) * conversion_factor(cited.unit, "t/a")
    report.update(
        {
            "ceiling_t_per_a": ceiling,
            "ceiling": cited.as_dict(),
            "citation": cited.citation(),
            "ceiling_verified": cited.verified,
            "registry_share_of_ceiling_pct": 100.0 * registry_total / ceiling,
        }
    )
    if elsewhere is None:
        report["note"] = (
            "the registry holds only the provinces listed; give the approved capacity of the rest of the country "
            "(national_approved_elsewhere_t_per_a, CLI --national-elsewhere) for a national total and headroom"
        )
    else:
        national = registry_total + elsewhere
        report.update(
            {
                "national_approved_t_per_a": national,
                "headroom_t_per_a": ceiling - national,
                "within_ceiling": bool(national <= ceiling),
                "note": "national total = registry approved + the rest of the country as given by the caller",
            }
        )
    if not cited.verified:
        report["note"] += f"; the ceiling rests on a {cited.confidence.value}-confidence source (unverified)"
    return report


def jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as JSON-ready dicts: NaN -> None, dates -> ISO text, NumPy scalars -> Python."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, float | np.floating):
            return None if math.isnan(value) else float(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, pd.Timestamp):
            return None if pd.isna(value) else value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if value is pd.NaT:
            return None
        return value

    return [{str(k): convert(v) for k, v in row.items()} for row in frame.to_dict("records")]
