"""Product carbon footprints: compute (or refresh), review, publish, list, and the upstream supplies.

* **compute**: the footprints of a year for the facilities in the person's scope (or the ones named),
  from their verified months (:mod:`carbonpeak.store.footprints.reads`) through
  :func:`carbonpeak.accounting.footprints.compute`. A footprint whose inputs are unchanged keeps its
  latest version; otherwise a new draft version is written with its reason. A year with months not
  verified is refused with a coded error when one facility is named, and returned as a named gap in a
  batch; nothing of it is written.
* **review** / **publish**: a regulator of the facility's region (or an administrator) moves the latest
  version draft → reviewed → published.
* **supply**: where an upstream material comes from: a supplier's declared footprint (refused without
  evidence) or a supplier facility on this platform.

Reads (lists, a footprint, the public list, the distribution) are in :mod:`carbonpeak.services.footprint_reads`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting import footprints as calc
from carbonpeak.engine.footprint import PRODUCTS, STAGES, product_of_sector
from carbonpeak.errors import AccessDenied, Conflict, InputError, NotFound, ValidationFailed
from carbonpeak.messages import Message
from carbonpeak.services import access
from carbonpeak.services.access import ADMIN, CITY, ENTERPRISE, PROVINCE, VERIFIER, Principal
from carbonpeak.store import repository as repo
from carbonpeak.store.footprints import reads
from carbonpeak.store.footprints.models import Footprint, FootprintSupply, FootprintVersion
from carbonpeak.store.models import Facility, utcnow
from carbonpeak.store.parameters import parameter_set

# What each role may do with footprints (on facilities within its scope; access.facility_filter).
PERMISSIONS: dict[str, frozenset[str]] = {
    "footprint.view": frozenset({ENTERPRISE, CITY, PROVINCE, VERIFIER, ADMIN}),
    "footprint.compute": frozenset({ENTERPRISE, CITY, PROVINCE, ADMIN}),
    "footprint.supply": frozenset({ENTERPRISE, ADMIN}),
    "footprint.review": frozenset({CITY, PROVINCE, ADMIN}),
    "footprint.publish": frozenset({CITY, PROVINCE, ADMIN}),
}
BASES = ("location", "market")
# upstream materials a facility may declare, per product
MATERIALS = {
    "primary_aluminium": ("alumina", "anode"),
    "copper_cathode": ("copper_concentrate",),
    "zinc": ("zinc_concentrate",),
    "primary_magnesium": ("ferrosilicon",),
    "recycled_aluminium": ("scrap",),
}


def allowed(principal: Principal, action: str) -> bool:
    return principal.role in PERMISSIONS[action]


def require(principal: Principal, action: str) -> None:
    if not allowed(principal, action):
        raise AccessDenied()


@dataclass(frozen=True)
class Gap:
    """A footprint not computed, and why (a coded message)."""

    facility_code: str
    product: str
    year: int
    reason: Message


@dataclass
class ComputeOutcome:
    written: list[FootprintVersion] = field(default_factory=list)
    unchanged: list[FootprintVersion] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def _facilities(session: Session, principal: Principal, codes: list[str] | None) -> list[Facility]:
    if codes:
        return [access.get_facility(session, principal, code, "submission.view") for code in codes]
    return list(session.scalars(select(Facility).where(access.facility_filter(principal)).order_by(Facility.code)))


def compute(
    session: Session,
    principal: Principal,
    year: int,
    *,
    facility_codes: list[str] | None = None,
    basis: str = "location",
    scrap_approach: str = "cut_off",
) -> ComputeOutcome:
    """Compute (or refresh) the footprints of ``year`` for the named facilities, or all in scope.
    ``scrap_approach``: the key of ``footprint.scrap_burden`` recycled aluminium uses (its value may be
    "not found": the scrap stage is then missing)."""
    require(principal, "footprint.compute")
    if basis not in BASES:
        raise InputError(code="footprints.bad_basis", field="basis", basis=basis)
    facilities = _facilities(session, principal, facility_codes)
    outcome = ComputeOutcome()
    with_method = []
    for facility in facilities:
        product = product_of_sector(facility.sector)
        if product is None:
            if facility_codes:
                raise InputError(code="footprints.no_method", field="facility", facility=facility.code)
            continue
        with_method.append((facility, product))
    if not with_method:
        return outcome
    ids = [f.id for f, _ in with_method]
    supplies = reads.supplies(session, ids, year)
    supplier_ids = [int(i) for i in supplies["supplier_facility_id"].dropna()]
    known = {f.id for f, _ in with_method}
    for facility in session.scalars(select(Facility).where(Facility.id.in_(supplier_ids))):
        product = product_of_sector(facility.sector)
        if facility.id not in known and product is not None:  # a supplier outside the scope is read, not written
            with_method.append((facility, product))
            known.add(facility.id)
    months, pending = reads.year_months(session, known, year)
    pending_of = pending.groupby("facility_id")["period"].apply(list).to_dict() if len(pending) else {}
    complete = [(f, p) for f, p in with_method if f.id not in pending_of]
    for facility, product in with_method:
        if facility.id in pending_of and facility.id in ids:
            gap_months = "、".join(sorted(pending_of[facility.id]))
            message = Message("footprints.months_not_verified", facility=facility.code, year=year, months=gap_months)
            if facility_codes:
                raise InputError(message, field="year")
            outcome.gaps.append(Gap(facility.code, product, year, message))
    if not complete:
        return outcome
    keys = pd.DataFrame([(f.id, p, year) for f, p in complete], columns=["facility_id", "product", "year"])
    key_of = {f.id: i for i, (f, _) in enumerate(complete)}
    months = months[months["facility_id"].isin(key_of)].copy()
    months["key"] = months["facility_id"].map(key_of)
    batch = calc.compute(keys, months, supplies, parameter_set(session), basis=basis, scrap_approach=scrap_approach)
    for i, (facility, product) in enumerate(complete):
        if facility.id not in ids:
            continue  # a supplier's footprint only fed this run
        version, written = _save(session, principal, facility, product, year, batch, i)
        (outcome.written if written else outcome.unchanged).append(version)
    return outcome


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _save(
    session: Session,
    principal: Principal,
    facility: Facility,
    product: str,
    year: int,
    batch: calc.FootprintBatch,
    i: int,
) -> tuple[FootprintVersion, bool]:
    footprint = session.scalar(
        select(Footprint).where(
            Footprint.facility_id == facility.id, Footprint.product == product, Footprint.year == year
        )
    )
    if footprint is None:
        footprint = Footprint(facility_id=facility.id, product=product, year=year)
        session.add(footprint)
        session.flush()
    latest = footprint.versions[-1] if footprint.versions else None
    fingerprint = batch.fingerprints[i]
    if latest is not None and latest.inputs_fingerprint == fingerprint:
        return latest, False
    result, provenance = batch.result, batch.provenance[i]
    stages = {name: _number(result.stages[i, s]) for s, name in enumerate(STAGES) if result.applies[i, s]}
    version = FootprintVersion(
        footprint_id=footprint.id,
        version=(latest.version + 1) if latest else 1,
        status="draft",
        reason=_kept(_reason(latest, provenance)),
        inputs_fingerprint=fingerprint,
        method=PRODUCTS[product].method,
        declared_unit=PRODUCTS[product].declared_unit,
        value_tco2e_per_t=_number(result.value[i]),
        value_market_tco2e_per_t=_number(batch.market[i]),
        electricity_basis=batch.basis,
        output_t=float(result.output_t[i]),
        stages=stages,
        primary_share=_number(result.primary_share[i]),
        secondary_share=_number(result.secondary_share[i]),
        complete=bool(result.complete[i]),
        cutoff=str(result.cutoff[i]),
        power_source=batch.power_source[i],
        provenance={**provenance, "exempted_pct": _number(result.exempted_pct[i])},
        computed_by=principal.actor,
    )
    session.add(version)
    session.flush()
    footprint.versions.append(version)
    repo.audit(
        session,
        principal.actor,
        "compute",
        "footprint",
        f"{facility.code}/{product}/{year}",
        after={"version": version.version, "value": version.value_tco2e_per_t, "reason": version.reason},
    )
    return version, True


def _reason(latest: FootprintVersion | None, provenance: dict[str, Any]) -> Message:
    if latest is None:
        return Message("footprints.reason_first")
    before = latest.provenance
    old = {m["period"]: (m["version_id"], m["result_id"]) for m in before.get("months", [])}
    new = {m["period"]: (m["version_id"], m["result_id"]) for m in provenance["months"]}
    changed = sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
    if changed:
        return Message("footprints.reason_months", months="、".join(changed))
    if before.get("electricity_basis") != provenance["electricity_basis"]:
        return Message("footprints.reason_basis")
    if before.get("supplies") != provenance["supplies"]:
        return Message("footprints.reason_supplies")
    return Message("footprints.reason_parameters")


# ---------------------------------------------------------------- review and publish


def get(session: Session, principal: Principal, facility_code: str, product: str, year: int) -> Footprint:
    """The footprint, when the person may read its facility; NotFound when none exists."""
    require(principal, "footprint.view")
    facility = access.get_facility(session, principal, facility_code, "submission.view")
    footprint = session.scalar(
        select(Footprint).where(
            Footprint.facility_id == facility.id, Footprint.product == product, Footprint.year == year
        )
    )
    if footprint is None or not footprint.versions:
        raise NotFound(code="footprints.no_footprint")
    return footprint


def _step(
    session: Session,
    principal: Principal,
    facility_code: str,
    product: str,
    year: int,
    action: str,
    version: int | None,
) -> FootprintVersion:
    require(principal, f"footprint.{action}")
    footprint = get(session, principal, facility_code, product, year)
    latest = footprint.versions[-1]
    if version is not None and version != latest.version:
        code = "footprints.review_needs_draft" if action == "review" else "footprints.publish_needs_review"
        target = next((v for v in footprint.versions if v.version == version), None)
        raise Conflict(code=code, status=Message(f"footprints.status.{target.status if target else 'draft'}"))
    wanted, code = (
        ("draft", "footprints.review_needs_draft")
        if action == "review"
        else ("reviewed", "footprints.publish_needs_review")
    )
    if latest.status != wanted:
        raise Conflict(code=code, status=Message(f"footprints.status.{latest.status}"))
    now = dt.datetime.now(dt.UTC)
    if action == "review":
        latest.status, latest.reviewed_by, latest.reviewed_at = "reviewed", principal.actor, now
    else:
        latest.status, latest.published_by, latest.published_at = "published", principal.actor, now
    repo.audit(
        session,
        principal.actor,
        action,
        "footprint",
        f"{facility_code}/{product}/{year}",
        before={"version": latest.version, "status": wanted},
        after={"version": latest.version, "status": latest.status},
    )
    return latest


def review(
    session: Session, principal: Principal, facility_code: str, product: str, year: int, version: int | None = None
) -> FootprintVersion:
    """A regulator marks the latest draft version reviewed (审核)."""
    return _step(session, principal, facility_code, product, year, "review", version)


def publish(
    session: Session, principal: Principal, facility_code: str, product: str, year: int, version: int | None = None
) -> FootprintVersion:
    """A regulator publishes the latest reviewed version (发布): it appears on the public list."""
    return _step(session, principal, facility_code, product, year, "publish", version)


# ---------------------------------------------------------------- upstream supplies


def add_supply(
    session: Session,
    principal: Principal,
    facility_code: str,
    material: str,
    year: int,
    *,
    supplier_name: str,
    footprint_tco2e_per_t: float | None = None,
    supplier_facility_code: str | None = None,
    quantity_t_per_t: float | None = None,
    cradle_to_gate: bool = True,
    evidence: str | None = None,
) -> FootprintSupply:
    """Where ``material`` of the facility's ``year`` comes from; a declared footprint needs its evidence.
    Every problem is named at once; nothing is written when one exists."""
    require(principal, "footprint.supply")
    facility = access.get_facility(session, principal, facility_code, "submission.report")
    product = product_of_sector(facility.sector)
    problems: list[InputError] = []
    if product is None or material not in MATERIALS.get(product, ()):
        problems.append(InputError(code="footprints.unknown_material", field="material", material=material))
    supplier_id = None
    if supplier_facility_code:
        supplier = session.scalar(select(Facility).where(Facility.code == supplier_facility_code))
        if supplier is None:
            raise NotFound()
        supplier_id, cradle_to_gate = supplier.id, False
    else:
        if footprint_tco2e_per_t is None or not math.isfinite(footprint_tco2e_per_t) or footprint_tco2e_per_t < 0:
            problems.append(InputError(code="footprints.supply_needs_value", field="footprint_tco2e_per_t"))
        if not (evidence or "").strip():
            problems.append(InputError(code="footprints.supply_without_evidence", field="evidence"))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationFailed(problems)
    supply = FootprintSupply(
        facility_id=facility.id,
        material=material,
        year=year,
        supplier_name=supplier_name,
        supplier_facility_id=supplier_id,
        footprint_tco2e_per_t=None if supplier_id else footprint_tco2e_per_t,
        quantity_t_per_t=quantity_t_per_t,
        cradle_to_gate=cradle_to_gate,
        evidence=(evidence or "").strip() or None,
        entered_by=principal.actor,
        entered_at=utcnow(),
    )
    session.add(supply)
    session.flush()
    repo.audit(
        session,
        principal.actor,
        "supply",
        "footprint",
        f"{facility.code}/{material}/{year}",
        after={"supply": supply.id},
    )
    return supply


def _kept(message: Message) -> dict[str, Any]:
    """A coded message as kept in the store (read back with accounting.waiting.message_of)."""
    return {"code": message.code, "params": dict(message.params)}
