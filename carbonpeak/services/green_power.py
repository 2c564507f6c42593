"""Use cases of green power: register a certificate, contract or on-site generation; withdraw one; list
them; read electricity by source with the location- and market-based figures side by side; the
renewable share of electrolytic aluminium against the plan's 30 % by 2030.

Access first: an enterprise registers and reads its own facilities' instruments (``green_power.enter``),
regulators and verifiers read those in their scope (``green_power.view``). An unknown facility is
*not found*, another's is *forbidden*, before anything of the entry is looked at. A register entry
is checked whole (every problem at once) against itself, against every other counting instrument
(a certificate serial counts once across facilities and months) and against the facility's months
(no month claimed beyond its electricity); then stored as a new version, in the caller's transaction,
with an audit event. Nothing is written when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting import green_power as gp
from carbonpeak.errors import InputError, NotFound, ValidationFailed
from carbonpeak.parameters import ParameterSet
from carbonpeak.services import access
from carbonpeak.services import green_power_checks as checks
from carbonpeak.services.access import Principal
from carbonpeak.store import facts as fact_store
from carbonpeak.store.green_power import repository as repo
from carbonpeak.store.green_power.models import GreenInstrument
from carbonpeak.store.models import Enterprise, Facility, Region
from carbonpeak.store.parameters import parameter_set
from carbonpeak.store.repository import audit

TARGET_ID = "CN-03"  # 2030年电解铝使用可再生能源比例提高至30%以上 (china_synergy)


@dataclass(frozen=True)
class Registered:
    """What registering did: ``created`` (version 1), ``corrected``, ``withdrawn`` or ``unchanged``."""

    action: str
    code: str
    kind: str
    facility: str
    version: int

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


def register(
    session: Session, principal: Principal, data: Mapping[str, Any], *, record: str | int | None = None
) -> Registered:
    """Register (or correct) one instrument from a plain record (the fields of :func:`checks.validate`)."""
    access.require(principal, "green_power.enter")
    facility_code = str(data.get("facility") or "").strip()
    if facility_code:  # access before content: nothing about the entry is checked for another's facility
        access.get_facility(session, principal, facility_code, "green_power.enter")
    entry, problems = checks.checked(data)
    if not entry.facility:  # nothing to check against the store without the facility
        located = [e.located(record=record) for e in problems]
        raise located[0] if len(located) == 1 else ValidationFailed(located)
    facility = access.get_facility(session, principal, entry.facility, "green_power.enter")
    return _store(session, principal, entry, facility, record, problems)


def withdraw(session: Session, principal: Principal, code: str, reason: str) -> Registered:
    """Withdraw an instrument (a new version that claims nothing), with its reason."""
    item = _instrument(session, principal, code, "green_power.enter")
    if not reason.strip():
        raise InputError(code="green_power.reason_required", field="reason")
    latest = repo.latest(item)
    assert latest is not None
    if latest.withdrawn:
        return Registered("unchanged", item.code, item.kind, item.facility.code, latest.version)
    before = repo.as_record(latest)
    fields = {name: getattr(latest, name) for name in repo.VERSION_FIELDS}
    version = repo.add_version(session, item, fields, {}, withdrawn=True, reason=reason.strip(), actor=principal.actor)
    audit(
        session,
        principal.actor,
        "withdrawn",
        "green_instrument",
        item.code,
        before=before,
        after=repo.as_record(version),
    )
    return Registered("withdrawn", item.code, item.kind, item.facility.code, version.version)


def import_table(session: Session, principal: Principal, path: str | Path) -> list[Registered]:
    """Register every row of a CSV or Excel file, all or none; every problem named by row and field."""
    access.require(principal, "green_power.enter")
    name = str(path)
    try:
        table = (
            pd.read_excel(path, dtype=str) if name.lower().endswith((".xlsx", ".xls")) else pd.read_csv(path, dtype=str)
        )
    except Exception as exc:  # any reader failure is the same answer: not a table
        raise InputError(code="green_power.file_unreadable", file=name) from exc
    table = table.fillna("")
    if table.empty:
        raise InputError(code="green_power.no_file_rows", file=name)
    errors: list[InputError] = []
    done: list[Registered] = []
    whole = session.begin_nested()  # rows are checked against those before them; all undone on a problem
    for offset, row in enumerate(table.to_dict("records")):
        record = offset + 2  # the header is row 1
        try:
            with session.begin_nested():
                result = register(session, principal, row, record=record)
        except ValidationFailed as exc:
            errors.extend(e.located(file=name, record=record) for e in exc.errors)
            continue
        except InputError as exc:
            errors.append(exc.located(file=name, record=record))
            continue
        if result.changed:
            done.append(result)
    if errors:
        whole.rollback()
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors, file=name)
    whole.commit()
    return done


def _instrument(session: Session, principal: Principal, code: str, action: str) -> GreenInstrument:
    access.require(principal, action)
    item = repo.instrument(session, code)
    if item is None:
        raise NotFound()
    access.get_facility(session, principal, item.facility.code, action)
    return item


def _store(
    session: Session,
    principal: Principal,
    entry: checks.Entry,
    facility: Facility,
    record: str | int | None,
    problems: list[InputError],
) -> Registered:
    """Store the entry after every check, its own ``problems`` and those against the store, all at once."""
    item = repo.instrument(session, entry.code) if entry.code else None
    errors: list[InputError] = list(problems)
    before: dict[str, Any] | None = None
    if item is not None:
        if item.facility_id != facility.id:
            # the code is another facility's: the person must be allowed there to learn anything of it
            access.get_facility(session, principal, item.facility.code, "green_power.enter")
            errors.append(
                InputError(code="green_power.facility_changed", field="facility", facility=item.facility.code)
            )
        if item.kind != entry.kind:
            errors.append(InputError(code="green_power.kind_changed", field="kind", kind=item.kind))
        latest = repo.latest(item)
        before = repo.as_record(latest) if latest is not None else None
        if not problems and before is not None and _same(before, entry):
            return Registered("unchanged", item.code, item.kind, facility.code, latest.version)  # type: ignore[union-attr]
        if not entry.reason:
            errors.append(InputError(code="green_power.reason_required", field="reason"))
    errors += _counting_errors(session, principal, entry, facility)
    if errors:
        located = [e.located(record=record) for e in errors]
        raise located[0] if len(located) == 1 else ValidationFailed(located)
    action = "corrected" if item is not None else "created"
    if item is None:
        item = repo.add_instrument(session, entry.code, entry.kind, facility.id, principal.actor)
    version = repo.add_version(
        session,
        item,
        entry.fields,
        {} if entry.withdrawn else entry.volumes,
        withdrawn=entry.withdrawn,
        reason=entry.reason if action == "corrected" else None,
        actor=principal.actor,
    )
    audit(session, principal.actor, action, "green_instrument", item.code, before=before, after=repo.as_record(version))
    return Registered(action, item.code, item.kind, facility.code, version.version)


def _same(before: dict[str, Any], entry: checks.Entry) -> bool:
    now = dict(entry.fields)
    if now.get("cancelled_on") is not None:
        now["cancelled_on"] = now["cancelled_on"].isoformat()
    return (
        all(before.get(k) == now.get(k) for k in repo.VERSION_FIELDS)
        and before["withdrawn"] == entry.withdrawn
        and before["volumes"] == ({} if entry.withdrawn else entry.volumes)
    )


def _counting_errors(
    session: Session, principal: Principal, entry: checks.Entry, facility: Facility
) -> list[InputError]:
    """A certificate counted once; no month beyond the facility's electricity."""
    if entry.withdrawn:
        return []
    visible: set[int] = set(session.scalars(select(Facility.id).where(access.facility_filter(principal))))
    others = [
        (item.code, (int(v.serial_from), int(v.serial_to)), len(v.serial_from), item.facility_id in visible)
        for item, v in repo.with_serials(session)
        if v.serial_from and v.serial_to
    ]
    errors = checks.check_serials(entry, others)
    months = fact_store.facility_months(session, include_submitted=True, facility_codes=[facility.code])
    months = months.set_index("period")[
        [
            "grid_electricity_mwh",
            "captive_electricity_mwh",
            "onsite_renewable_mwh",
            "exported_electricity_mwh",
            *checks.FORM_FIELD.values(),
        ]
    ].fillna(0.0)
    claimed = repo.volumes_frame(session, [facility.id])
    claimed = claimed[claimed["instrument"] != entry.code]
    return errors + checks.check_months(entry, months, claimed)


# ---------------------------------------------------------------- reading


def instruments(
    session: Session, principal: Principal, *, facility: str | None = None, enterprise: str | None = None
) -> list[dict[str, Any]]:
    """The instruments in the person's scope (latest versions, withdrawn ones included and marked)."""
    access.require(principal, "green_power.view")
    where = access.facility_filter(principal)
    if facility:
        where = where & (Facility.code == access.get_facility(session, principal, facility, "green_power.view").code)
    if enterprise:
        where = where & (Facility.enterprise_id == access.get_enterprise(session, principal, enterprise).id)
    rows = []
    for item, version in repo.current(session, where, include_withdrawn=True):
        record = repo.as_record(version)
        rows.append(
            {
                "code": item.code,
                "kind": item.kind,
                "facility": item.facility.code,
                "version": version.version,
                "total_mwh": sum(record["volumes"].values()),
                **record,
            }
        )
    return rows


def _scope_months(
    session: Session,
    principal: Principal,
    *,
    facility: str | None,
    enterprise: str | None,
    region: str | None,
    include_submitted: bool,
) -> pd.DataFrame:
    months = fact_store.facility_months_cached(session, include_submitted=include_submitted)
    months = access.restrict_facts(session, principal, months)
    if facility:
        access.get_facility(session, principal, facility, "green_power.view")
        months = months[months["facility_code"] == facility]
    if enterprise:
        access.get_enterprise(session, principal, enterprise)
        months = months[months["enterprise_code"] == enterprise]
    if region:
        chosen = access.get_region(session, principal, region)
        below = sorted(access.subtree(session, chosen.id))
        codes = set(session.scalars(select(Facility.code).where(Facility.region_id.in_(below))))
        months = months[months["facility_code"].isin(codes)]
    return months


def electricity_report(
    session: Session,
    principal: Principal,
    *,
    facility: str | None = None,
    enterprise: str | None = None,
    region: str | None = None,
    year: int | None = None,
    include_submitted: bool = False,
    params: ParameterSet | None = None,
) -> pd.DataFrame:
    """Per facility-month in scope: electricity by source, location- and market-based indirect emissions
    with their factors and bases (:func:`carbonpeak.accounting.green_power.dual_report`)."""
    access.require(principal, "green_power.view")
    months = _scope_months(
        session, principal, facility=facility, enterprise=enterprise, region=region, include_submitted=include_submitted
    )
    if year is not None:
        months = months[months["year"] == year]
    ids = sorted(set(months["facility_id"].astype(int))) if not months.empty else []
    registered = repo.volumes_frame(session, ids)
    return gp.dual_report(months, registered, params or parameter_set(session))


def market_factors(
    session: Session,
    principal: Principal,
    *,
    facility: str | None = None,
    enterprise: str | None = None,
    year: int | None = None,
) -> dict[tuple[str, str], float]:
    """{(facility_code, period): market-based t CO2 per MWh of net purchased grid electricity} of the counted
    (verified, locked) months in scope: what a product footprint takes for its electricity."""
    report = electricity_report(session, principal, facility=facility, enterprise=enterprise, year=year)
    return gp.market_factors(report)


def renewable_share(
    session: Session,
    principal: Principal,
    *,
    enterprise: str | None = None,
    region: str | None = None,
    by: str = "period",
    params: ParameterSet | None = None,
) -> pd.DataFrame:
    """The renewable share of electrolytic aluminium by month (``by`` period) or year, with numerator,
    denominator and basis, from the verified months (what regulators count)."""
    report = electricity_report(session, principal, enterprise=enterprise, region=region, params=params)
    return gp.renewable_share(report, [by])


def share_target(session: Session) -> dict[str, Any]:
    """The plan's target the share is read against (CN-03: ≥ 30 % by 2030), with its plan."""
    for plan, target in parameter_set(session).targets():
        if target.id == TARGET_ID:
            return {
                "plan": plan.id,
                "id": target.id,
                "value": target.value,
                "year": target.target_year,
                "comparator": target.comparator,
                "title_zh": plan.shown_title("zh"),
                "title_en": plan.shown_title("en"),
            }
    raise NotFound()


def region_of(session: Session, principal: Principal) -> Region | None:
    """The top region of a regulator's jurisdiction (None for others)."""
    regions = access.regions_in_scope(session, principal)
    return regions[0] if regions else None


def enterprise_of(session: Session, principal: Principal) -> Enterprise | None:
    return session.get(Enterprise, principal.enterprise_id) if principal.enterprise_id is not None else None
