"""Reads and writes of the green-power register (no access decisions: the use cases make them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session, selectinload

from carbonpeak.store.green_power.models import GreenInstrument, GreenInstrumentVersion, GreenVolume
from carbonpeak.store.models import Facility

# What a version holds besides its volumes, in the order a record names them.
VERSION_FIELDS = (
    "source_type",
    "project_name",
    "counterparty",
    "batch_id",
    "serial_from",
    "serial_to",
    "volume_mwh",
    "production_from",
    "production_to",
    "cancelled_on",
    "measurement",
)


def instrument(session: Session, code: str) -> GreenInstrument | None:
    return session.scalar(
        select(GreenInstrument).where(GreenInstrument.code == code).options(selectinload(GreenInstrument.versions))
    )


def latest(item: GreenInstrument) -> GreenInstrumentVersion | None:
    return item.versions[-1] if item.versions else None


def as_record(version: GreenInstrumentVersion) -> dict[str, Any]:
    """A version as plain values (for the audit log and for comparing with a new entry)."""
    record: dict[str, Any] = {name: getattr(version, name) for name in VERSION_FIELDS}
    if record["cancelled_on"] is not None:
        record["cancelled_on"] = record["cancelled_on"].isoformat()
    record["withdrawn"] = version.withdrawn
    record["volumes"] = {v.period: v.mwh for v in version.volumes}
    return record


def add_instrument(session: Session, code: str, kind: str, facility_id: int, actor: str) -> GreenInstrument:
    item = GreenInstrument(code=code, kind=kind, facility_id=facility_id, created_by=actor)
    session.add(item)
    session.flush()
    return item


def add_version(
    session: Session,
    item: GreenInstrument,
    fields: dict[str, Any],
    volumes: dict[str, float],
    *,
    withdrawn: bool,
    reason: str | None,
    actor: str,
) -> GreenInstrumentVersion:
    number = (latest(item).version if latest(item) else 0) + 1  # type: ignore[union-attr]
    version = GreenInstrumentVersion(
        instrument_id=item.id,
        version=number,
        withdrawn=withdrawn,
        reason=reason,
        recorded_by=actor,
        **{name: fields.get(name) for name in VERSION_FIELDS},
    )
    session.add(version)
    session.flush()
    for period, mwh in sorted(volumes.items()):
        session.add(GreenVolume(version_id=version.id, period=period, mwh=mwh))
    session.flush()
    session.expire(item, ["versions"])
    return version


def _current_versions() -> Any:
    """The latest version number of each instrument, as a subquery (instrument_id, version)."""
    return (
        select(GreenInstrumentVersion.instrument_id, func.max(GreenInstrumentVersion.version).label("version"))
        .group_by(GreenInstrumentVersion.instrument_id)
        .subquery()
    )


def current(
    session: Session, where: ColumnElement[bool] | None = None, *, include_withdrawn: bool = False
) -> list[tuple[GreenInstrument, GreenInstrumentVersion]]:
    """Every instrument's latest version (withdrawn ones left out unless asked), facility condition
    ``where`` on :class:`Facility`."""
    last = _current_versions()
    query = (
        select(GreenInstrument, GreenInstrumentVersion)
        .join(last, last.c.instrument_id == GreenInstrument.id)
        .join(
            GreenInstrumentVersion,
            (GreenInstrumentVersion.instrument_id == GreenInstrument.id)
            & (GreenInstrumentVersion.version == last.c.version),
        )
        .join(Facility, Facility.id == GreenInstrument.facility_id)
        .where(where if where is not None else true())
        .options(selectinload(GreenInstrumentVersion.volumes), selectinload(GreenInstrument.facility))
        .order_by(GreenInstrument.code)
    )
    if not include_withdrawn:
        query = query.where(GreenInstrumentVersion.withdrawn.is_(False))
    return [(row[0], row[1]) for row in session.execute(query)]


def with_serials(session: Session) -> list[tuple[GreenInstrument, GreenInstrumentVersion]]:
    """Every counting instrument (latest version, not withdrawn) that names a certificate serial range."""
    return [(i, v) for i, v in current(session) if v.serial_from and v.serial_to]


def volumes_frame(session: Session, facility_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """(facility_code, period, kind, mwh, instrument) of the counting versions, one row per month claimed."""
    where = Facility.id.in_(sorted(facility_ids)) if facility_ids is not None else None
    rows = [
        {
            "facility_code": item.facility.code,
            "period": v.period,
            "kind": item.kind,
            "mwh": v.mwh,
            "instrument": item.code,
        }
        for item, version in current(session, where)
        for v in version.volumes
    ]
    return pd.DataFrame(rows, columns=["facility_code", "period", "kind", "mwh", "instrument"])
