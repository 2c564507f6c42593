"""Registry use cases: add and change regions, parks, enterprises and facilities.

Each takes (session, principal, plain record) and, in this order: checks the person's role
(``registry.manage``: city and provincial regulators, the administrator), finds the object and checks it
is within their scope (a city regulator manages its city and what lies below it, a provincial regulator
its province, the administrator everything); validates every field and every reference, collecting all
problems as coded errors (:class:`ValidationFailed`); writes in the caller's transaction; returns a
:class:`Change`. Every change is an audit event with the values before and after (a dated version,
never a silent overwrite, see :func:`history`); a facility's capacity change is an event of the
capacity ledger (:mod:`carbonpeak.services.capacity`), which the indicators read.

A reference outside what the person may see reads as unknown (it reveals nothing); a region that
exists but lies outside the person's jurisdiction is refused with ``registry.region_out_of_scope``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.io.registry_fields import code_field
from carbonpeak.services import access
from carbonpeak.services.access import ADMIN, REGULATORS, Principal
from carbonpeak.services.registry_checks import Where, facility_dates, parse
from carbonpeak.services.registry_ledger import ledger_for_change, ledger_for_new_facility
from carbonpeak.store.models import Cluster, Enterprise, Facility, Park, Region
from carbonpeak.store.repository import audit

ENTITY = {
    "regions": "region",
    "parks": "park",
    "clusters": "cluster",
    "enterprises": "enterprise",
    "facilities": "facility",
}
MODELS: dict[str, Any] = {
    "regions": Region,
    "parks": Park,
    "clusters": Cluster,
    "enterprises": Enterprise,
    "facilities": Facility,
}
# Fields that describe a capacity change (the ledger event), not the facility itself.
CAPACITY_EVENT_FIELDS = ("capacity_effective_on", "capacity_document")


@dataclass(frozen=True)
class Change:
    """What a use case did to one registry object."""

    entity: str  # region, park, enterprise, facility
    code: str
    action: str  # created, changed, unchanged
    before: dict[str, Any] | None
    after: dict[str, Any]
    ledger_events: tuple[int, ...] = ()

    @property
    def changed_fields(self) -> list[str]:
        before = self.before or {}
        return [k for k, v in self.after.items() if before.get(k) != v]


@dataclass(frozen=True)
class Version:
    """One dated version of a registry object, from the audit log."""

    number: int
    at: dt.datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class Context:
    """What a run of use cases shares: the person, and (for a bulk file) codes of rows that failed, so
    that rows referring to them are not reported again as unknown references."""

    principal: Principal
    failed: dict[str, set[str]] = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return actor_of(self.principal)


def actor_of(principal: Principal) -> str:
    """How the audit log names the person: the CLI's operator (user id 0) by their CLI name."""
    return principal.username if principal.user_id <= 0 else principal.actor


# ---------------------------------------------------------------- scope


def in_scope(session: Session, principal: Principal, region_id: int | None) -> bool:
    """Whether the region lies in the person's jurisdiction (read from the store, so that a region added
    in the same transaction counts)."""
    if principal.role == ADMIN:
        return True
    if principal.role not in REGULATORS or principal.region_id is None or region_id is None:
        return False
    current: int | None = region_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == principal.region_id:
            return True
        seen.add(current)
        current = session.scalar(select(Region.parent_id).where(Region.id == current))
    return False


def _ancestors(session: Session, region_id: int) -> list[int]:
    chain, current = [], region_id
    while current is not None and current not in chain:
        chain.append(current)
        current = session.scalar(select(Region.parent_id).where(Region.id == current))
    return chain


def _visible_enterprise(session: Session, principal: Principal, enterprise: Enterprise) -> bool:
    if principal.role == ADMIN:
        return True
    if in_scope(session, principal, enterprise.region_id):
        return True
    return bool(
        session.scalar(select(true()).where(Enterprise.id == enterprise.id, access.enterprise_filter(principal)))
    )


def _region_of_object(kind: str, row: Any) -> int:
    return int(row.id if kind == "regions" else row.region_id)


def managed(session: Session, principal: Principal, kind: str, code: str) -> Any:
    """The object of ``kind`` with ``code`` that the person may change: role first (403), then 404 when it
    does not exist, 403 when it lies outside the jurisdiction."""
    access.require(principal, "registry.manage")
    model = MODELS[kind]
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        raise NotFound()
    regions = [r.id for r in row.regions] if kind == "clusters" else [_region_of_object(kind, row)]
    if not all(in_scope(session, principal, r) for r in regions):
        raise AccessDenied()
    return row


# ---------------------------------------------------------------- snapshots


def snapshot(session: Session, kind: str, row: Any) -> dict[str, Any]:
    """The object's values as plain data (codes for references, ISO dates): what a version records."""

    def code_of(model: Any, key: int | None) -> str | None:
        return None if key is None else session.scalar(select(model.code).where(model.id == key))

    if kind == "regions":
        return {
            "region_code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en or None,
            "level": row.level,
            "parent_code": code_of(Region, row.parent_id),
            "grid_province": row.grid_province,
        }
    if kind == "parks":
        return {
            "park_code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en or None,
            "region_code": code_of(Region, row.region_id),
        }
    if kind == "clusters":
        return {
            "cluster_code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en or None,
            "region_codes": sorted(r.code for r in row.regions),
        }
    if kind == "enterprises":
        return {
            "enterprise_code": row.code,
            "name_zh": row.name_zh,
            "name_en": row.name_en or None,
            "uscc": row.uscc,
            "region_code": code_of(Region, row.region_id),
            "park_code": code_of(Park, row.park_id),
            "contact_person": row.contact_person,
            "contact_phone": row.contact_phone,
            "contact_email": row.contact_email,
            "state_owned": bool(row.state_owned),
            "key_energy_user": bool(row.key_energy_user),
            "national_carbon_market": bool(row.national_carbon_market),
            "green_factory_level": row.green_factory_level,
            "green_factory_year": row.green_factory_year,
            "green_supply_chain": bool(row.green_supply_chain),
        }
    return {
        "facility_code": row.code,
        "enterprise_code": code_of(Enterprise, row.enterprise_id),
        "name_zh": row.name_zh,
        "name_en": row.name_en or None,
        "region_code": code_of(Region, row.region_id),
        "park_code": code_of(Park, row.park_id),
        "sector": row.sector,
        "product": row.product or None,
        "process_route": row.process_route or None,
        "technology": row.technology or None,
        "capacity_t_per_a": row.capacity_t_per_a,
        "cell_amperage_ka": row.cell_amperage_ka,
        "commissioning_year": row.commissioning_year,
        "commissioned_on": _iso(row.commissioned_on),
        "status": row.status,
        "status_since": _iso(row.status_since),
        "retired_on": _iso(row.retired_on),
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _typed_snapshot(kind: str, snap: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot with its dates as dates again, to merge with parsed values."""
    out = dict(snap)
    for name in ("commissioned_on", "status_since", "retired_on"):
        if isinstance(out.get(name), str):
            out[name] = dt.date.fromisoformat(out[name])
    return out


# ---------------------------------------------------------------- the use cases


def add(
    session: Session, principal: Principal, kind: str, record: Mapping[str, Any], where: Where | None = None
) -> Change:
    """Register a new region, park, enterprise or facility (``kind``: regions, parks, enterprises,
    facilities) from a plain record with the fields of its field table."""
    access.require(principal, "registry.manage")
    context = Context(principal)
    change, errors = add_checked(session, context, kind, record, where or Where(record=_record_name(kind, record)))
    if errors or change is None:
        raise ValidationFailed(errors)
    return change


def change(
    session: Session,
    principal: Principal,
    kind: str,
    code: str,
    changes: Mapping[str, Any],
    where: Where | None = None,
    *,
    via: Mapping[str, Any] | None = None,
) -> Change:
    """Change some fields of a registry object; the others keep their values. ``via`` is noted in the
    version (e.g. the proposal it applies)."""
    row = managed(session, principal, kind, code)
    context = Context(principal)
    result, errors = change_checked(session, context, kind, row, changes, where or Where(record=code), via=via)
    if errors or result is None:
        raise ValidationFailed(errors)
    return result


def add_region(session: Session, principal: Principal, record: Mapping[str, Any]) -> Change:
    return add(session, principal, "regions", record)


def add_park(session: Session, principal: Principal, record: Mapping[str, Any]) -> Change:
    return add(session, principal, "parks", record)


def add_enterprise(session: Session, principal: Principal, record: Mapping[str, Any]) -> Change:
    return add(session, principal, "enterprises", record)


def add_facility(session: Session, principal: Principal, record: Mapping[str, Any]) -> Change:
    return add(session, principal, "facilities", record)


def change_enterprise(session: Session, principal: Principal, code: str, changes: Mapping[str, Any]) -> Change:
    return change(session, principal, "enterprises", code, changes)


def change_facility(session: Session, principal: Principal, code: str, changes: Mapping[str, Any]) -> Change:
    return change(session, principal, "facilities", code, changes)


def _record_name(kind: str, record: Mapping[str, Any]) -> str | None:
    value = record.get(code_field(kind))
    return str(value) if value not in (None, "") else None


def add_checked(
    session: Session, context: Context, kind: str, record: Mapping[str, Any], where: Where
) -> tuple[Change | None, list[InputError]]:
    """Validate and, when every check passes, write one new object; never raises for bad input."""
    parsed = parse(kind, record, where)
    values, errors = parsed.values, parsed.errors
    own = code_field(kind)
    if values.get(own) is not None and _exists(session, kind, values[own]):
        errors.append(where.error("registry.duplicate_code", own, values[own]))
    refs, ref_errors, blocked = _references(session, context, kind, values, where, current=None)
    errors += ref_errors
    if errors or blocked:
        if values.get(own) is not None:
            context.failed.setdefault(kind, set()).add(values[own])
        return None, errors
    row = _build(kind, values, refs)
    session.add(row)
    session.flush()
    after = snapshot(session, kind, row)
    events: tuple[int, ...] = ()
    if kind == "facilities":
        events = ledger_for_new_facility(session, context, row, values)
    audit(session, context.actor, "create", ENTITY[kind], row.code, after=after)
    return Change(ENTITY[kind], row.code, "created", None, after, events), []


def change_checked(
    session: Session,
    context: Context,
    kind: str,
    row: Any,
    changes: Mapping[str, Any],
    where: Where,
    *,
    via: Mapping[str, Any] | None = None,
) -> tuple[Change | None, list[InputError]]:
    parsed = parse(kind, changes, where, partial=True)
    errors = parsed.errors
    own = code_field(kind)
    if own in parsed.values and parsed.values[own] not in (None, row.code):
        errors.append(where.error("registry.code_fixed", own, parsed.values[own]))
    parsed.values.pop(own, None)
    before = snapshot(session, kind, row)
    values = {**_typed_snapshot(kind, before), **parsed.values}
    for name in CAPACITY_EVENT_FIELDS:
        values.setdefault(name, None)
    refs, ref_errors, blocked = _references(session, context, kind, values, where, current=row)
    errors += ref_errors
    if errors or blocked:
        return None, errors
    _apply(kind, row, values, refs)
    session.flush()
    after = snapshot(session, kind, row)
    events: tuple[int, ...] = ()
    if kind == "facilities":
        events = ledger_for_change(session, context, row, before, values)
    if after == before and not events:
        return Change(ENTITY[kind], row.code, "unchanged", before, after), []
    recorded_after = {**after, **({"_via": dict(via)} if via else {})}
    if events:
        recorded_after["_ledger_events"] = list(events)
    audit(session, context.actor, "change", ENTITY[kind], row.code, before=before, after=recorded_after)
    return Change(ENTITY[kind], row.code, "changed", before, after, events), []


def _exists(session: Session, kind: str, code: str) -> bool:
    model = MODELS[kind]
    return session.scalar(select(model.id).where(model.code == code)) is not None


# ---------------------------------------------------------------- references and scope


def _references(
    session: Session, context: Context, kind: str, values: dict[str, Any], where: Where, *, current: Any
) -> tuple[dict[str, Any], list[InputError], bool]:
    """Resolve the record's references (regions, park, enterprise) and check scope and uniqueness.

    Returns the resolved rows, the problems, and whether the record refers to a row of the same file
    that failed (then it is not written and nothing more is said about the reference)."""
    principal = context.principal
    errors: list[InputError] = []
    refs: dict[str, Any] = {}
    blocked = False

    def region(name: str, given: str | None = None) -> Region | None:
        nonlocal blocked
        code = values.get(name) if given is None else given
        if code is None:
            return None
        found = session.scalar(select(Region).where(Region.code == code))
        if found is None:
            if code in context.failed.get("regions", set()):
                blocked = True
            else:
                errors.append(where.error("registry.unknown_region", name, code))
            return None
        if not in_scope(session, principal, found.id):
            errors.append(where.error("registry.region_out_of_scope", name, code))
            return None
        return found

    def park(name: str) -> Park | None:
        nonlocal blocked
        code = values.get(name)
        if code is None:
            return None
        found = session.scalar(select(Park).where(Park.code == code))
        if found is None or not in_scope(session, principal, found.region_id):
            if code in context.failed.get("parks", set()):
                blocked = True
            else:
                errors.append(where.error("registry.unknown_park", name, code))
            return None
        return found

    if kind == "regions":
        level, parent_code = values.get("level"), values.get("parent_code")
        parent = region("parent_code") if parent_code else None
        if level == "province":
            if parent_code:
                errors.append(where.error("registry.parent_level", "parent_code", parent_code, level=level))
            elif principal.role != ADMIN and (current is None or not in_scope(session, principal, current.id)):
                errors.append(where.error("registry.region_out_of_scope", "region_code", values.get("region_code")))
        elif level in ("city", "county") and not parent_code:
            errors.append(where.error("registry.parent_required", "parent_code", level=level))
        elif parent is not None:
            wanted = {"city": "province", "county": "city"}.get(str(level))
            if parent.level != wanted:
                errors.append(where.error("registry.parent_level", "parent_code", parent_code, level=level))
            if current is not None and current.id in _ancestors(session, parent.id):
                errors.append(where.error("registry.region_cycle", "parent_code", parent_code))
        if current is not None and level != current.level:
            below = session.scalars(select(Region.level).where(Region.parent_id == current.id)).all()
            allowed_below = {"province": {"city"}, "city": {"county"}, "county": set()}.get(str(level), set())
            if any(b not in allowed_below for b in below):
                errors.append(where.error("registry.level_has_children", "level", level))
        refs["parent"] = parent
    elif kind == "parks":
        refs["region"] = region("region_code")
    elif kind == "clusters":
        members = []
        for code in values.get("region_codes") or []:
            found = region("region_codes", code)
            if found is not None:
                members.append(found)
        refs["regions"] = members
    elif kind == "enterprises":
        refs["region"] = region("region_code")
        refs["park"] = park("park_code")
        _check_park_region(session, refs, values, where, errors)
        uscc = values.get("uscc")
        if uscc:
            holder = session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc))
            if holder is not None and (current is None or holder != current.id):
                errors.append(where.error("registry.uscc_duplicate", "uscc", uscc))
    elif kind == "facilities":
        enterprise = None
        code = values.get("enterprise_code")
        if code is not None:
            enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
            if enterprise is None or not _visible_enterprise(session, principal, enterprise):
                if code in context.failed.get("enterprises", set()):
                    blocked = True
                else:
                    errors.append(where.error("registry.unknown_enterprise", "enterprise_code", code))
                enterprise = None
        refs["enterprise"] = enterprise
        if values.get("region_code") is None and enterprise is not None:
            values["region_code"] = session.scalar(select(Region.code).where(Region.id == enterprise.region_id))
        refs["region"] = region("region_code")
        refs["park"] = park("park_code")
        _check_park_region(session, refs, values, where, errors)
        errors += facility_dates(values, where)
    return refs, errors, blocked


def _check_park_region(
    session: Session, refs: dict[str, Any], values: dict[str, Any], where: Where, errors: list[InputError]
) -> None:
    """A park lies on the same line of regions as the site: in it, below it or above it."""
    park, region = refs.get("park"), refs.get("region")
    if park is None or region is None:
        return
    if park.region_id not in _ancestors(session, region.id) and region.id not in _ancestors(session, park.region_id):
        errors.append(where.error("registry.park_outside_region", "park_code", park.code, region=region.code))


# ---------------------------------------------------------------- writing


def _build(kind: str, values: dict[str, Any], refs: dict[str, Any]) -> Any:
    row: Any = MODELS[kind]()
    row.code = values[code_field(kind)]
    _apply(kind, row, values, refs)
    return row


def _apply(kind: str, row: Any, values: dict[str, Any], refs: dict[str, Any]) -> None:
    row.name_zh = values["name_zh"]
    row.name_en = values.get("name_en") or ""
    if kind == "regions":
        row.level = values["level"]
        row.parent_id = refs["parent"].id if refs.get("parent") is not None else None
        row.grid_province = values.get("grid_province")
    elif kind == "parks":
        row.region_id = refs["region"].id
    elif kind == "clusters":
        row.regions = list(refs["regions"])
    elif kind == "enterprises":
        row.uscc = values["uscc"]
        row.region_id = refs["region"].id
        row.park_id = refs["park"].id if refs.get("park") is not None else None
        for name in ("contact_person", "contact_phone", "contact_email", "green_factory_level", "green_factory_year"):
            setattr(row, name, values.get(name))
        for name in ("state_owned", "key_energy_user", "national_carbon_market", "green_supply_chain"):
            setattr(row, name, bool(values.get(name)))
    else:
        row.enterprise_id = refs["enterprise"].id
        row.region_id = refs["region"].id
        row.park_id = refs["park"].id if refs.get("park") is not None else None
        row.sector = values["sector"]
        for name in ("product", "process_route", "technology"):
            setattr(row, name, values.get(name) or "")
        year, day = values.get("commissioning_year"), values.get("commissioned_on")
        row.commissioning_year = year if year is not None else (day.year if day is not None else None)
        for name in ("capacity_t_per_a", "cell_amperage_ka", "commissioned_on", "status_since"):
            setattr(row, name, values.get(name))
        row.status = values.get("status") or "operating"
        row.retired_on = values.get("retired_on") or (values.get("status_since") if row.status == "retired" else None)


# The reading use cases live beside (a module of their own), imported here so callers find them all in one place.
from carbonpeak.services.registry_reads import (  # noqa: E402
    get,
    history,
    list_clusters,
    list_enterprises,
    list_facilities,
    list_parks,
    list_regions,
)

__all__ = [
    "Change",
    "Context",
    "Version",
    "add",
    "change",
    "get",
    "history",
    "list_clusters",
    "list_enterprises",
    "list_facilities",
    "list_parks",
    "list_regions",
    "managed",
    "snapshot",
]
