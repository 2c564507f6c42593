"""Meter use cases: register a facility's meter, change it, record the replacement of its physical meter,
list meters and their versions.

Access follows the registry's rule for facilities (:mod:`carbonpeak.services.registry`): the person's role
is checked first (``registry.manage`` to change, ``registry.view`` to read), then the facility must lie in
their jurisdiction (a city regulator its city, a provincial regulator its province, the administrator
everything). A facility outside it reads as unknown. Every change is an audit event (entity ``meter``) with
the values before and after: the meter's versions, as for every registry object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.monitoring import meters as rules
from carbonpeak.services import access
from carbonpeak.services.access import Principal
from carbonpeak.services.registry import Change, Version, actor_of, in_scope
from carbonpeak.store.models import AuditEvent, Facility
from carbonpeak.store.monitoring.models import Meter, MeterReplacement
from carbonpeak.store.repository import audit

ENTITY = "meter"


def snapshot(session: Session, meter: Meter) -> dict[str, Any]:
    """The meter as plain data (the facility by its code, dates in ISO): what a version records."""
    return {
        "meter_code": meter.code,
        "facility_code": session.scalar(select(Facility.code).where(Facility.id == meter.facility_id)),
        "name_zh": meter.name_zh,
        "energy_type": meter.energy_type,
        "measuring_point": meter.measuring_point,
        "unit": meter.unit,
        "multiplier": meter.multiplier,
        "reading_kind": meter.reading_kind,
        "interval_min": meter.interval_min,
        "rollover_at": meter.rollover_at,
        "calibration_due": meter.calibration_due.isoformat() if meter.calibration_due else None,
        "status": meter.status,
    }


def _facility(session: Session, principal: Principal, code: str | None, errors: list[InputError]) -> Facility | None:
    """The facility the person manages with ``code``; else a coded error (one outside reads as unknown)."""
    if code is None:
        return None
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None or not in_scope(session, principal, facility.region_id):
        errors.append(InputError(code="monitoring.unknown_facility", field="facility_code", value=code))
        return None
    return facility


def _check(
    session: Session, principal: Principal, values: dict[str, Any], errors: list[InputError], name: str | None
) -> Facility | None:
    facility = _facility(session, principal, values.get("facility_code"), errors)
    errors += rules.combined(values, name)
    if (
        facility is not None
        and values.get("measuring_point") == "electrolysis_ac"
        and facility.sector != rules.POTLINE_SECTOR
    ):
        errors.append(
            InputError(code="monitoring.electrolysis_ac_potline", field="measuring_point", value=facility.code)
        )
    return facility


def _apply(meter: Meter, values: Mapping[str, Any], facility: Facility) -> None:
    meter.facility_id = facility.id
    for name in ("name_zh", "energy_type", "measuring_point", "unit", "multiplier", "reading_kind", "interval_min"):
        setattr(meter, name, values[name])
    meter.rollover_at = values.get("rollover_at")
    meter.calibration_due = values.get("calibration_due")
    meter.status = values.get("status") or "active"


def add_meter(session: Session, principal: Principal, record: Mapping[str, Any]) -> Change:
    """Register a new meter of a facility the person manages."""
    access.require(principal, "registry.manage")
    name = str(record.get("meter_code") or "") or None
    parsed = rules.parse(record, record_name=name)
    values, errors = parsed.values, parsed.errors
    code = values.get("meter_code")
    if code is not None and session.scalar(select(Meter.id).where(Meter.code == code)) is not None:
        errors.append(InputError(code="monitoring.duplicate_code", field="meter_code", value=code))
    facility = _check(session, principal, values, errors, name)
    if errors or facility is None:
        raise ValidationFailed(errors)
    meter = Meter(code=code)
    _apply(meter, values, facility)
    session.add(meter)
    session.flush()
    after = snapshot(session, meter)
    audit(session, actor_of(principal), "create", ENTITY, meter.code, after=after)
    return Change(ENTITY, meter.code, "created", None, after)


def managed_meter(session: Session, principal: Principal, code: str) -> Meter:
    """The meter the person may change: role first (403), then 404 when it does not exist, 403 when its
    facility lies outside the jurisdiction."""
    access.require(principal, "registry.manage")
    meter = session.scalar(select(Meter).where(Meter.code == code))
    if meter is None:
        raise NotFound()
    region = session.scalar(select(Facility.region_id).where(Facility.id == meter.facility_id))
    if not in_scope(session, principal, region):
        raise AccessDenied()
    return meter


def change_meter(session: Session, principal: Principal, code: str, changes: Mapping[str, Any]) -> Change:
    """Change some fields of a meter; the others keep their values."""
    meter = managed_meter(session, principal, code)
    parsed = rules.parse(changes, record_name=code, partial=True)
    errors = parsed.errors
    given = parsed.values.pop("meter_code", None)
    if given not in (None, meter.code):
        errors.append(InputError(code="monitoring.code_fixed", field="meter_code", value=given))
    before = snapshot(session, meter)
    values = {**before, **parsed.values}
    if isinstance(values.get("calibration_due"), str):
        values["calibration_due"] = dt.date.fromisoformat(values["calibration_due"])
    facility = _check(session, principal, values, errors, code)
    if errors or facility is None:
        raise ValidationFailed(errors)
    _apply(meter, values, facility)
    session.flush()
    after = snapshot(session, meter)
    if after == before:
        return Change(ENTITY, meter.code, "unchanged", before, after)
    audit(session, actor_of(principal), "change", ENTITY, meter.code, before=before, after=after)
    return Change(ENTITY, meter.code, "changed", before, after)


def record_replacement(
    session: Session,
    principal: Principal,
    code: str,
    replaced_at: dt.datetime,
    old_final: float,
    new_initial: float,
    note: str | None = None,
) -> int:
    """Record that the physical meter behind ``code`` was replaced at ``replaced_at`` (the old register's last
    value, the new one's first): the rollups then do not read the change as a negative step."""
    meter = managed_meter(session, principal, code)
    if replaced_at.tzinfo is None:
        raise ValidationFailed([InputError(code="monitoring.not_a_date", field="replaced_at", value=str(replaced_at))])
    row = MeterReplacement(
        meter_id=meter.id,
        replaced_at=replaced_at.astimezone(dt.UTC),
        old_final=float(old_final),
        new_initial=float(new_initial),
        note=note,
        recorded_by=actor_of(principal),
    )
    session.add(row)
    session.flush()
    detail = {"replaced_at": row.replaced_at.isoformat(), "old_final": row.old_final, "new_initial": row.new_initial}
    audit(session, actor_of(principal), "replace", ENTITY, meter.code, before=snapshot(session, meter), after=detail)
    return row.id


def list_meters(session: Session, principal: Principal, facility_code: str | None = None) -> list[dict[str, Any]]:
    """The meters of the facilities the person may see (one facility's, when given)."""
    access.require(principal, "registry.view")
    query = (
        select(Meter)
        .join(Facility, Facility.id == Meter.facility_id)
        .where(access.facility_filter(principal))
        .order_by(Meter.code)
    )
    if facility_code:
        query = query.where(Facility.code == facility_code)
    return [snapshot(session, m) for m in session.scalars(query)]


def meter_history(session: Session, principal: Principal, code: str) -> list[Version]:
    """Every version of a meter (its create, change and replace events), oldest first."""
    access.require(principal, "registry.view")
    meter = session.scalar(select(Meter).where(Meter.code == code))
    if meter is None:
        raise NotFound()
    visible = session.scalar(select(true()).where(Facility.id == meter.facility_id, access.facility_filter(principal)))
    if not visible:
        raise NotFound()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == ENTITY, AuditEvent.entity_key == code).order_by(AuditEvent.id)
    ).all()
    return [Version(i, e.at, e.actor, e.action, e.before, e.after) for i, e in enumerate(events, start=1)]


def meter_table(session: Session) -> list[dict[str, Any]]:
    """Every meter with its facility and enterprise, as the ingest pipeline and the analyses read them
    (no person: the pipeline checks each gateway's enterprise against the meter's)."""
    from carbonpeak.store.models import Enterprise, Region

    rows = session.execute(
        select(Meter, Facility.code, Enterprise.code, Facility.region_id, Region.code)
        .join(Facility, Facility.id == Meter.facility_id)
        .join(Enterprise, Enterprise.id == Facility.enterprise_id)
        .outerjoin(Region, Region.id == Facility.region_id)
        .order_by(Meter.code)
    ).all()
    out = []
    for meter, facility, enterprise, region_id, region_code in rows:
        out.append(
            {
                **snapshot(session, meter),
                "facility_code": facility,
                "enterprise_code": enterprise,
                "region_id": region_id,
                "region_code": region_code,  # the facility's own region (the quality index's region level)
            }
        )
    return out


def replacements(session: Session) -> list[dict[str, Any]]:
    """Every recorded replacement of a physical meter (for the register rollups)."""
    rows = session.execute(
        select(Meter.code, MeterReplacement).join(MeterReplacement, MeterReplacement.meter_id == Meter.id)
    ).all()
    return [
        {"meter": code, "replaced_at": _utc(r.replaced_at), "old_final": r.old_final, "new_initial": r.new_initial}
        for code, r in rows
    ]


def _utc(value: dt.datetime) -> dt.datetime:
    """An instant read back from the store as aware UTC (SQLite returns it without its offset)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
