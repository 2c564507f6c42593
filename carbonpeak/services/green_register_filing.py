"""Use cases of the annual dynamic management of designated enterprises: the indicators pre-filled from the
platform's measured data, an enterprise's filing for a year (each a version), the filing state of each designated
enterprise against its province's configured deadline (a non-filer past it is flagged for removal, for a regulator
to decide), and the 企业绿码 of national green factories.

Pre-filled from the counted facility-months (:func:`carbonpeak.store.facts.facility_months`: verified and locked
months with their results) of the enterprise's facilities in the year; intensities over its main sector (the one
with the most energy), so that tonnes of different products are never added. A figure the platform does not hold
is None and said so, never estimated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFound, ValidationFailed
from carbonpeak.green import codes as green_codes
from carbonpeak.green import config, register
from carbonpeak.green import filing as rules
from carbonpeak.services import access
from carbonpeak.services import green_register as designations
from carbonpeak.services.access import Principal
from carbonpeak.store.facts import facility_months
from carbonpeak.store.green import repository as repo
from carbonpeak.store.green.models import GreenDesignation, GreenFiling
from carbonpeak.store.models import Enterprise, Region
from carbonpeak.store.repository import audit

FILE = "green.file"
# The dynamic-management indicators the platform pre-fills (ids shared with gbt36132_2025.yaml where they meet).
INDICATORS = (
    "energy_tce",
    "total_tco2",
    "output_t",
    "energy_per_product",
    "carbon_per_product",
    "electricity_mwh",
    "renewable_share",
    "solid_waste_utilisation",
    "pollutants_per_product",
    "recycled_input_share",
)


@dataclass(frozen=True)
class Filed:
    enterprise: str
    year: int
    version: int


def _col(frame: pd.DataFrame, name: str) -> float:
    return float(frame[name].fillna(0.0).sum()) if name in frame.columns else 0.0


def measured(session: Session, enterprise_code: str, year: int, facts: pd.DataFrame | None = None) -> dict[str, Any]:
    """The year's measured indicators of an enterprise, with their basis (months, sector); ``facts``: the facts
    table when the caller has read it already (:func:`carbonpeak.store.facts.facility_months`)."""
    facts = facility_months(session) if facts is None else facts
    rows = facts[(facts["enterprise_code"] == enterprise_code) & (facts["year"] == year)]
    rows = rows[rows["energy_tce"].notna()] if "energy_tce" in rows.columns else rows.iloc[0:0]
    values: dict[str, Any] = {name: None for name in INDICATORS}
    basis: dict[str, Any] = {"months": len(rows), "facilities": sorted(set(rows["facility_code"])), "sector": None}
    values["recycled_input_share"] = _recycled_share(session, enterprise_code, year)
    if rows.empty:
        return {"values": values, "basis": basis}
    values["energy_tce"] = _col(rows, "energy_tce")
    values["total_tco2"] = _col(rows, "total_location_tco2e")
    used = (
        _col(rows, "grid_electricity_mwh")
        + _col(rows, "captive_electricity_mwh")
        + _col(rows, "onsite_renewable_mwh")
        - _col(rows, "exported_electricity_mwh")
    )
    values["electricity_mwh"] = used if used > 0 else None
    renewable = (
        _col(rows, "direct_renewable_mwh") + _col(rows, "green_certificate_mwh") + _col(rows, "onsite_renewable_mwh")
    )
    values["renewable_share"] = 100.0 * renewable / used if used > 0 else None
    generated = _col(rows, "solid_waste_generated_t")
    values["solid_waste_utilisation"] = 100.0 * _col(rows, "solid_waste_used_t") / generated if generated > 0 else None
    main = rows.groupby("sector")["energy_tce"].sum().idxmax()
    own = rows[rows["sector"] == main]
    output = _col(own, "output_t")
    basis["sector"] = str(main)
    if output > 0:
        values["output_t"] = output
        values["energy_per_product"] = 1000.0 * _col(own, "energy_tce") / output
        values["carbon_per_product"] = _col(own, "total_location_tco2e") / output
        pollutants = _col(own, "so2_t") + _col(own, "nox_t") + _col(own, "particulate_t")
        values["pollutants_per_product"] = 1000.0 * pollutants / output if pollutants > 0 else None
    return {"values": values, "basis": basis}


def _recycled_share(session: Session, enterprise_code: str, year: int) -> float | None:
    """Recycled metal over all metal charged [%] in the enterprise's casthouses' verified ledger months of the year
    (ISO 14021 content, :func:`carbonpeak.services.recycling_reads.contents`); None without a casthouse month.
    Read as the system: the callers asked for the enterprise's access first."""
    from carbonpeak.services import recycling_reads

    found = [
        c
        for c in recycling_reads.contents(session, access.operator("system:green_register"), year)
        if c.facility.enterprise.code == enterprise_code
    ]
    charged = sum(c.content.charged_t for c in found)
    return 100.0 * sum(c.content.recycled_t for c in found) / charged if charged > 0 else None


def _enterprise(session: Session, principal: Principal, code: str, action: str) -> Enterprise:
    access.require(principal, action)
    found = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if found is None:
        raise NotFound()
    if principal.is_admin:
        return found
    if principal.role in access.REGULATORS:
        if found.region_id not in principal.region_ids:
            raise NotFound()
        return found
    if found.id not in principal.enterprise_ids:
        raise NotFound()
    return found


def prefill(session: Session, principal: Principal, enterprise: str, year: int) -> dict[str, Any]:
    """What the filing form opens with: the measured indicators of the year."""
    company = _enterprise(session, principal, enterprise, designations.VIEW)
    return measured(session, company.code, year)


def file(
    session: Session,
    principal: Principal,
    enterprise: str,
    year: int,
    values: Mapping[str, Any] | None = None,
    *,
    note: str | None = None,
    reason: str | None = None,
    on: dt.date | None = None,
    facts: pd.DataFrame | None = None,
) -> Filed:
    """File (or correct, with a reason) the year's dynamic-management indicators: the measured values, each
    replaced where the enterprise entered its own figure."""
    company = _enterprise(session, principal, enterprise, FILE)
    today = on or dt.date.today()
    errors: list[InputError] = []
    if not 2000 <= year <= today.year:
        errors.append(InputError(code="green.bad_filing_year", field="year", value=year))
    if not any(d.enterprise_id == company.id for d in repo.designations(session)):
        errors.append(InputError(code="green.not_designated", field="enterprise"))
    filed: dict[str, Any] = {}
    taken = measured(session, company.code, year, facts)
    for name in INDICATORS:
        raw = (values or {}).get(name)
        if raw is None or str(raw).strip() == "":
            filed[name] = taken["values"][name]
            continue
        try:
            number = float(str(raw).strip())
        except ValueError:
            number = float("nan")
        if number != number or number < 0 or number in (float("inf"),):
            errors.append(InputError(code="green.not_a_number", field=name, value=str(raw)))
        else:
            filed[name] = number
    version = repo.next_filing_version(session, company.id, year)
    if version > 1 and not (reason or "").strip():
        errors.append(InputError(code="green.reason_required", field="reason"))
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationFailed(errors)
    row = GreenFiling(
        enterprise_id=company.id,
        year=year,
        version=version,
        filed_on=today,
        indicators=filed,
        prefilled=taken,
        note=(note or "").strip() or None,
        reason=(reason or "").strip() or None,
        filed_by=principal.actor,
    )
    session.add(row)
    session.flush()
    audit(
        session, principal.actor, "filed", "green_filing", f"{company.code}:{year}", after={"version": version, **filed}
    )
    return Filed(company.code, year, version)


def _province_keys(session: Session, region: Region) -> tuple[str, ...]:
    current: Region | None = region
    while current is not None and current.parent_id is not None:
        current = session.get(Region, current.parent_id)
    top = current or region
    return (top.code, top.grid_province or "")


def board(session: Session, principal: Principal, year: int, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per designated enterprise in scope (a designation in force in ``year``): its filing for the year, the
    deadline and its source, the state (flagged for removal when overdue), a regulator's keep decision, and the
    企业绿码 of a national green factory."""
    access.require(principal, designations.VIEW)
    today = today or dt.date.today()
    filings = repo.latest_filings(session, year)
    kept = repo.kept_years(session)
    green = code_grades(session, year)
    by_enterprise: dict[int, list[GreenDesignation]] = {}
    for d in designations.visible(session, principal):
        if d.enterprise_id is not None and register.in_force(d.year_designated, d.removed_on, year):
            by_enterprise.setdefault(d.enterprise_id, []).append(d)
    out = []
    for enterprise_id, held in by_enterprise.items():
        company = held[0].enterprise
        assert company is not None
        found = filings.get((enterprise_id, year))
        due = config.deadline(year, _province_keys(session, company.region))
        state = rules.filing_state(found.filed_on if found else None, due.on if due else None, today)
        out.append(
            {
                "enterprise": company.code,
                "name": company.name_zh,
                "designations": [(d.id, d.kind, d.level, d.year_designated, d.status) for d in held],
                "filing": found,
                "deadline": due,
                "state": state,
                "flagged": rules.flagged_for_removal(state),
                "kept": any(year in kept.get(d.id, set()) for d in held),
                "code": green.get(company.code),
            }
        )
    out.sort(key=lambda r: (not r["flagged"], r["enterprise"]))
    return out


def code_grades(session: Session, year: int) -> dict[str, str | None]:
    """企业绿码 of every national green factory in force in ``year`` (the whole register: a rank is among all
    of them, whoever reads it): ranked on the configured score from its filing; no filing, no code."""
    national: dict[int, str] = {}
    for d in repo.designations(session):
        if (
            d.kind == "factory"
            and d.level == "national"
            and d.enterprise is not None
            and register.in_force(d.year_designated, d.removed_on, year)
        ):
            national[d.enterprise_id] = d.enterprise.code  # type: ignore[index]
    filings = repo.latest_filings(session, year)
    weights, lower = config.score_config()
    by_sector: dict[str, dict[str, dict[str, float | None]]] = {}
    scores: dict[str, float | None] = {}
    for enterprise_id, code in national.items():
        found = filings.get((enterprise_id, year))
        if found is None:
            scores[code] = None
            continue
        sector = str((found.prefilled or {}).get("basis", {}).get("sector") or "")
        by_sector.setdefault(sector, {})[code] = {k: found.indicators.get(k) for k in weights}
    for group in by_sector.values():
        scores.update(green_codes.relative_scores(group, weights, lower))
    return green_codes.grades(scores, config.code_shares())
