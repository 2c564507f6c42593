"""The events of the capacity ledger: what one signed change of approved capacity is, and the rules it obeys.

Pure: the store (:mod:`carbonpeak.store.capacity`) looks up what a rule needs (the facility as the
registry holds it, the facility's earlier events, whether a replacement group already holds capacity
retired) and the use cases (:mod:`carbonpeak.services.capacity`) pass it in. Every refusal is an
:class:`~carbonpeak.errors.InputError` naming its field, with a code of ``carbonpeak/messages/capacity.yaml``.

Kinds and signs
    approval, new_build, expansion and replacement_in add capacity (positive); exit and replacement_out
    remove it (negative). A replacement (产能置换) is a group of replacement_out events (the capacity
    retired, possibly at a counterpart outside the registry) and one replacement_in (the capacity granted),
    each carrying the ratio granted ÷ retired.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.messages import CodedText, Message
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
SEEDED_NOTE = (
    "derived from the registry (capacity_t_per_a, commissioning_year, retired_on), not from an approval document"
)
# Columns of the ledger's events as a plain frame (carbonpeak.store.capacity.events_frame).
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
# Columns of the registry's facilities as the ledger reads them (carbonpeak.store.capacity.registry_facilities).
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
TOLERANCE_T = 1e-6  # t/a: approved capacity below -this is negative
_LIMITS = (("counterpart", 300), ("province", 40), ("replacement_group", 60), ("document", 300))


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
        raise InputError(code="capacity.not_a_date", field=field, value=value) from None


def parse_capacity(value: Any, field: str = "capacity_t_per_a") -> float:
    """A capacity in t/a from a number or a text with a unit: '200000', '200 kt/a', '-60 kt/a', '20 万t/a'."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        number, unit = float(value), "t/a"
    else:
        text = str(value).strip()
        match = re.fullmatch(r"([+-]?[0-9][0-9_,]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*(.*)", text)
        if not match:
            raise InputError(code="capacity.not_a_capacity", field=field, value=value)
        number = float(match[1].replace(",", "").replace("_", ""))
        unit = match[2].strip() or "t/a"
        # 'kt' is a knot to pint and '万t' unknown to it: both are common for capacity.
        unit = re.sub(r"^kt\b", "kilometric_ton", re.sub(r"^万\s*t\b", "wan_t", unit))
    if not math.isfinite(number):
        raise InputError(code="capacity.not_finite", field=field, value=value)
    return number * conversion_factor(unit, "t/a", field=field)


# ---------------------------------------------------------------- one event


@dataclass(frozen=True)
class Holder:
    """A registry facility as the ledger sees it: its province (by region) and sector come from the registry."""

    id: int
    code: str
    province: str
    sector: str


@dataclass(frozen=True)
class Event:
    """One signed change of approved capacity, checked; ``id`` once written."""

    facility_code: str | None
    counterpart: str | None
    province: str
    sector: str
    kind: str
    effective_on: dt.date
    capacity_t_per_a: float
    replacement_group: str | None = None
    replacement_ratio: float | None = None
    document: str | None = None
    note: str | None = None
    facility_id: int | None = None
    id: int | None = None

    @property
    def holder(self) -> str:
        """A facility code, or 'counterpart@province' for a source outside the registry."""
        return self.facility_code or f"{self.counterpart}@{self.province}"

    def as_dict(self) -> dict[str, Any]:
        """The event as plain values (what the audit log and ``--json`` show)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("facility_id", "id")}
        out["effective_on"] = self.effective_on.isoformat()
        return out


def check_balance(code: str, earlier: Sequence[tuple[dt.date, float]], day: dt.date, capacity: float) -> None:
    """Refuse an event after which the facility's approved capacity would be negative on some day.

    ``earlier`` are the (effective_on, capacity) of the facility's recorded events."""
    changes = sorted([*earlier, (day, capacity)], key=lambda c: c[0])
    balance = 0.0
    days: dict[dt.date, float] = {}
    for on, value in changes:
        balance += value
        days[on] = balance
    lowest_day, lowest = min(days.items(), key=lambda item: item[1])
    if lowest < -TOLERANCE_T:
        raise InputError(
            code="capacity.balance_negative",
            record=code,
            field="capacity_t_per_a",
            value=capacity,
            lowest=f"{lowest:,.0f}",
            day=lowest_day.isoformat(),
        )


def check_event(
    *,
    facility_code: str | None = None,
    facility: Holder | None = None,
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
    group_holds_retired: bool = False,
    earlier: Sequence[tuple[dt.date, float]] = (),
) -> Event:
    """One signed change of approved capacity, checked.

    Parameters
    ----------
    facility_code : str, optional
        a facility of the registry; ``facility`` is that facility as the registry holds it (None when
        the registry has no such code). Its province and sector come from the registry (a ``province``
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
    group_holds_retired : bool
        whether ``replacement_group`` already holds a replacement_out (a replacement_in needs one).
    earlier : sequence of (date, float)
        the facility's recorded events, for the balance: approved capacity never below zero.

    Raises
    ------
    InputError
        naming the field: ``kind``, ``effective_on``, ``capacity_t_per_a`` (zero, wrong sign, or an exit
        larger than the approved capacity), ``facility_code`` (unknown, or neither facility nor
        counterpart), ``counterpart``, ``province``, ``sector``, ``replacement_group``,
        ``replacement_ratio``.
    """
    if kind not in KINDS:
        raise InputError(code="capacity.unknown_kind", field="kind", value=kind, allowed=", ".join(KINDS))
    given = {"counterpart": counterpart, "province": province, "replacement_group": replacement_group}
    for name, limit in _LIMITS:
        text = document if name == "document" else given[name]
        if text is not None and len(str(text)) > limit:
            raise InputError(code="capacity.too_long", field=name, value=text, limit=limit)
    day = parse_date(effective_on)
    capacity = parse_capacity(capacity_t_per_a)
    if capacity == 0:
        raise InputError(code="capacity.zero", field="capacity_t_per_a", value=capacity_t_per_a)
    if (capacity > 0) != (KINDS[kind] > 0):
        code = "capacity.must_be_positive" if KINDS[kind] > 0 else "capacity.must_be_negative"
        raise InputError(code=code, field="capacity_t_per_a", value=capacity, kind=kind)
    if facility_code:
        if counterpart:
            raise InputError(code="capacity.facility_and_counterpart", field="counterpart", value=counterpart)
        if facility is None:
            raise InputError(code="capacity.unknown_facility", field="facility_code", value=facility_code)
        if province and province != facility.province:
            raise InputError(
                code="capacity.province_differs", field="province", value=province, registered=facility.province
            )
        if sector and sector != facility.sector:
            raise InputError(code="capacity.sector_differs", field="sector", value=sector, registered=facility.sector)
        province, sector = facility.province, facility.sector
    elif counterpart:
        facility = None
        if kind != "replacement_out":
            raise InputError(code="capacity.counterpart_kind", field="kind", value=kind)
        if not province:
            raise InputError(code="capacity.counterpart_province", field="province")
    else:
        raise InputError(code="capacity.no_holder", field="facility_code")
    if not sector or sector not in {s.value for s in Sector}:
        raise InputError(
            code="capacity.unknown_sector", field="sector", value=sector, allowed=", ".join(s.value for s in Sector)
        )
    if kind in REPLACEMENT_KINDS and not replacement_group:
        raise InputError(code="capacity.group_required", field="replacement_group", kind=kind)
    if kind == "replacement_in" and not group_holds_retired:
        raise InputError(
            code="capacity.group_without_retired",
            field="replacement_group",
            value=replacement_group,
            group=replacement_group,
        )
    if kind not in REPLACEMENT_KINDS and replacement_group:
        raise InputError(code="capacity.group_not_replacement", field="replacement_group", value=replacement_group)
    if replacement_ratio is not None:
        if kind not in REPLACEMENT_KINDS:
            raise InputError(code="capacity.ratio_not_replacement", field="replacement_ratio", value=replacement_ratio)
        if not (math.isfinite(float(replacement_ratio)) and float(replacement_ratio) > 0):
            raise InputError(code="capacity.ratio_invalid", field="replacement_ratio", value=replacement_ratio)
    if facility is not None:
        check_balance(facility.code, earlier, day, capacity)
    return Event(
        facility_code=facility.code if facility else None,
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
        facility_id=facility.id if facility else None,
    )


# ---------------------------------------------------------------- a replacement


Source = tuple[str, str | None, float | str]


@dataclass
class Replacement:
    """The events of one capacity replacement."""

    group: str
    ratio: float
    retired_t_per_a: float
    granted_t_per_a: float
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class ReplacementPlan:
    """A replacement's figures, checked: the sources (code or counterpart name, province, capacity retired
    [t/a, positive]), the capacity granted and the ratio granted ÷ retired."""

    destination: str
    effective_on: dt.date
    sources: tuple[tuple[str, str | None, float], ...]
    granted_t_per_a: float
    retired_t_per_a: float
    ratio: float


def group_name(destination: str, day: dt.date, taken: Iterable[str]) -> str:
    """A new replacement group: RPL-<destination>-<day>, numbered -2, -3 ... when that is taken."""
    base = f"RPL-{destination[:40]}-{day.isoformat()}"
    used = set(taken)
    group, number = base, 2
    while group in used:
        group, number = f"{base}-{number}", number + 1
    return group


def plan_replacement(
    destination: Holder | None,
    destination_code: str,
    sources: Sequence[Source],
    granted_capacity: float | str,
    effective_on: dt.date | str,
) -> ReplacementPlan:
    """Check a replacement's figures: the destination exists, something is granted, each source gives up a
    positive capacity and is not the destination."""
    if destination is None:
        raise InputError(code="capacity.unknown_facility", field="destination", value=destination_code)
    day = parse_date(effective_on)
    granted = parse_capacity(granted_capacity, field="granted_capacity")
    if not granted > 0:
        raise InputError(code="capacity.nothing_granted", field="granted_capacity", value=granted)
    if not sources:
        raise InputError(code="capacity.no_sources", field="sources")
    parsed: list[tuple[str, str | None, float]] = []
    for index, (ident, province, amount) in enumerate(sources):
        capacity = parse_capacity(amount, field=f"sources[{index}].capacity_t_per_a")
        if not capacity > 0:
            raise InputError(
                code="capacity.source_not_positive", field=f"sources[{index}].capacity_t_per_a", value=amount
            )
        if not ident:
            raise InputError(code="capacity.source_unnamed", field=f"sources[{index}].facility_code")
        if ident == destination.code:
            raise InputError(
                code="capacity.source_is_destination", field=f"sources[{index}].facility_code", value=ident
            )
        parsed.append((str(ident), province, capacity))
    retired = sum(c for _, _, c in parsed)
    return ReplacementPlan(destination.code, day, tuple(parsed), granted, retired, granted / retired)


def unknown_source(index: int, ident: str) -> InputError:
    """A source without a province that is not a registry facility."""
    return InputError(code="capacity.unknown_source", field=f"sources[{index}].facility_code", value=ident)


# ---------------------------------------------------------------- a starting ledger from the registry


@dataclass(frozen=True)
class RegistryReplacement:
    """A replacement known from the registry's own data, for seeding.

    ``sources`` are registry facilities whose whole registry capacity was retired (at their
    ``retired_on``) for ``destination``; ``granted_t_per_a`` defaults to the destination's registry
    capacity and ``effective_on`` to the first day of its commissioning year.
    """

    destination: str
    sources: tuple[str, ...]
    granted_t_per_a: float | None = None
    effective_on: dt.date | None = None
    document: str | None = None


@dataclass(frozen=True)
class SeedPlan:
    """The events a starting ledger is made of, in the order they are recorded, with what they count."""

    events: list[dict[str, Any]]  # arguments of check_event, without the lookups
    approvals: int
    exits: int
    replacement_groups: int
    facilities_seeded: int
    replaced: list[str]  # the facilities of a seeded replacement
    skipped: dict[str, str]  # facility code -> why it is not seeded (a coded text)


def _skip(code: str, **params: Any) -> str:
    return CodedText(Message(code, **params))


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str | dt.date) and pd.isna(value)):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def plan_seed(
    facilities: pd.DataFrame,
    with_events: set[str],
    replacements: Iterable[RegistryReplacement] = (),
    *,
    new_group: Callable[[str, dt.date], str],
) -> SeedPlan:
    """A starting ledger for facilities that have no capacity event yet, derived from the registry.

    ``facilities`` has :data:`FACILITY_COLUMNS`; ``with_events`` are the codes already in the ledger.
    Per facility: an ``approval`` of its ``capacity_t_per_a`` on 1 January of its ``commissioning_year``
    (the registry holds the year only) and, for a retired facility, an ``exit`` of the same capacity on
    its ``retired_on`` (or, with status retired and no date, its ``status_since``). Each event's note
    says it is derived from the registry, not from an approval document; no document is cited.
    ``replacements`` turn a source's exit into a ``replacement_out`` and the destination's approval into
    a ``replacement_in`` of the capacity granted (plus an approval of any capacity beyond it), one
    group each, named by ``new_group(destination, day)``. Facilities that already have events are left
    alone, so seeding twice adds nothing.
    """
    rows = {str(r["facility_code"]): r for r in facilities.to_dict("records")}
    skipped: dict[str, str] = {code: _skip("capacity.seed.in_ledger") for code in sorted(with_events)}
    plan: dict[str, dict[str, Any]] = {}
    for code in sorted(rows):
        f = rows[code]
        if code in with_events:
            continue
        capacity = pd.to_numeric(f["capacity_t_per_a"], errors="coerce")
        if pd.isna(capacity) or capacity <= 0:
            skipped[code] = _skip("capacity.seed.no_capacity")
            continue
        year = pd.to_numeric(f["commissioning_year"], errors="coerce")
        if pd.isna(year):
            skipped[code] = _skip("capacity.seed.no_commissioning_year")
            continue
        start = dt.date(int(year), 1, 1)
        end = _date(f["retired_on"]) or (_date(f["status_since"]) if f["status"] == "retired" else None)
        if end is not None and end < start:
            skipped[code] = _skip("capacity.seed.retired_before", retired=end.isoformat(), year=int(year))
            continue
        plan[code] = {"capacity": float(capacity), "start": start, "end": end}
    groups: list[tuple[RegistryReplacement, str, float, float]] = []
    used: set[str] = set()
    for item in replacements:
        for code in (item.destination, *item.sources):
            if code in used:
                raise InputError(code="capacity.seed.replaced_twice", field="replacements", value=code)
            used.add(code)
            if code not in rows:
                raise InputError(code="capacity.unknown_facility", field="replacements", value=code)
            if code not in plan:
                reason = skipped.get(code) or _skip("capacity.seed.not_seeded")
                raise InputError(code="capacity.seed.cannot_replace", field="replacements", value=code, reason=reason)
        if not item.sources:
            raise InputError(code="capacity.seed.no_sources", field="replacements", value=item.destination)
        retired = sum(plan[s]["capacity"] for s in item.sources)
        granted = float(item.granted_t_per_a or plan[item.destination]["capacity"])
        if not granted > 0:
            raise InputError(code="capacity.nothing_granted", field="replacements", value=item.destination)
        group = new_group(item.destination, item.effective_on or plan[item.destination]["start"])
        groups.append((item, group, retired, granted))
    in_group = sorted({code for item, *_ in groups for code in (item.destination, *item.sources)})
    granted_to = {item.destination: (item, group, retired, granted) for item, group, retired, granted in groups}
    given_by = {code: g for g in groups for code in g[0].sources}
    events: list[dict[str, Any]] = []
    approvals = exits = 0
    # Order: approvals, then the capacity retired for replacements, then the capacity granted (its group
    # must hold retired capacity), then exits (an exit is refused before the approval it ends).
    for code, entry in plan.items():
        capacity = entry["capacity"] - (granted_to[code][3] if code in granted_to else 0.0)
        if capacity > TOLERANCE_T:
            events.append(
                {
                    "facility_code": code,
                    "kind": "approval",
                    "effective_on": entry["start"],
                    "capacity_t_per_a": capacity,
                }
            )
            approvals += 1
    for code, (item, group, retired, granted) in given_by.items():
        events.append(
            {
                "facility_code": code,
                "kind": "replacement_out",
                "effective_on": plan[code]["end"] or item.effective_on or plan[item.destination]["start"],
                "capacity_t_per_a": -plan[code]["capacity"],
                "replacement_group": group,
                "replacement_ratio": granted / retired,
                "document": item.document,
            }
        )
    for code, (item, group, retired, granted) in granted_to.items():
        events.append(
            {
                "facility_code": code,
                "kind": "replacement_in",
                "effective_on": item.effective_on or plan[code]["start"],
                "capacity_t_per_a": granted,
                "replacement_group": group,
                "replacement_ratio": granted / retired,
                "document": item.document,
            }
        )
    for code, entry in plan.items():
        if code not in given_by and entry["end"] is not None:
            events.append(
                {
                    "facility_code": code,
                    "kind": "exit",
                    "effective_on": entry["end"],
                    "capacity_t_per_a": -entry["capacity"],
                }
            )
            exits += 1
    for spec in events:
        spec["note"] = SEEDED_NOTE
    return SeedPlan(events, approvals, exits, len(groups), len(plan), in_group, skipped)
