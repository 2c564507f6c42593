"""The facts table: one row per facility-month that counts, with its results and registry attributes.

This is the only module of :mod:`carbonpeak.indicators` that reads the store. Indicators are pure
functions over the table it returns, so a province or a country is one ``groupby`` away, and a
test can build the same table by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.store import repository as repo
from carbonpeak.store.models import Cluster, Enterprise, Facility, Park, Region, Result, Submission, SubmissionVersion

# Record fields carried into the facts table (canonical units, NaN where not reported).
RECORD_FIELDS = [
    "output_t",
    "grid_electricity_mwh",
    "exported_electricity_mwh",
    "captive_electricity_mwh",
    "green_certificate_mwh",
    "direct_renewable_mwh",
    "onsite_renewable_mwh",
    "nonhydro_renewable_mwh",
    "electrolysis_ac_mwh",
    "auxiliary_ac_mwh",
    "desulphurisation_mwh",
    "scrap_input_t",
    "direct_alloying_t",
    "solid_waste_generated_t",
    "solid_waste_used_t",
    "so2_t",
    "nox_t",
    "particulate_t",
]
RESULT_FIELDS = ["energy_tce", "total_location_tco2e", "total_market_tco2e", "direct_tco2e"]


@dataclass
class Registry:
    """Registry tables as plain frames: regions, clusters (city codes), parks, enterprises, facilities."""

    regions: pd.DataFrame
    clusters: dict[str, list[str]]
    parks: pd.DataFrame
    enterprises: pd.DataFrame
    facilities: pd.DataFrame


def load_registry(session: Session) -> Registry:
    regions = pd.DataFrame(
        [(r.id, r.code, r.name_zh, r.name_en, r.level, r.parent_id) for r in session.scalars(select(Region))],
        columns=["id", "code", "name_zh", "name_en", "level", "parent_id"],
    )
    by_id = regions.set_index("id")
    province_of: dict[int, str] = {}
    city_of: dict[int, str] = {}
    for region_id in by_id.index:
        chain, current = [], region_id
        while current is not None and not pd.isna(current):
            chain.append(int(current))
            current = by_id.at[int(current), "parent_id"]
        levels = {by_id.at[c, "level"]: by_id.at[c, "code"] for c in chain}
        province_of[region_id] = levels.get("province", "")
        city_of[region_id] = levels.get("city", "")
    regions["province_code"] = regions["id"].map(province_of)
    regions["city_code"] = regions["id"].map(city_of)
    clusters = {c.code: [r.code for r in c.regions] for c in session.scalars(select(Cluster))}
    parks = pd.DataFrame([(p.id, p.code) for p in session.scalars(select(Park))], columns=["id", "code"])
    enterprises = pd.DataFrame(
        [
            (
                e.id,
                e.code,
                e.name_zh,
                e.name_en,
                e.green_factory_level,
                e.green_factory_year,
                e.green_supply_chain,
                e.region_id,
            )
            for e in session.scalars(select(Enterprise))
        ],
        columns=[
            "id",
            "code",
            "name_zh",
            "name_en",
            "green_factory_level",
            "green_factory_year",
            "green_supply_chain",
            "region_id",
        ],
    )
    park_code = dict(zip(parks["id"], parks["code"], strict=True))
    facilities = pd.DataFrame(
        [
            (
                f.id,
                f.code,
                f.enterprise_id,
                f.sector,
                f.product,
                f.technology,
                f.capacity_t_per_a,
                f.status,
                f.region_id,
                park_code.get(f.park_id, "") if f.park_id else "",
            )
            for f in session.scalars(select(Facility))
        ],
        columns=[
            "id",
            "code",
            "enterprise_id",
            "sector",
            "product",
            "technology",
            "capacity_t_per_a",
            "status",
            "region_id",
            "park_code",
        ],
    )
    facilities["province_code"] = facilities["region_id"].map(province_of)
    facilities["city_code"] = facilities["region_id"].map(city_of)
    facilities["enterprise_code"] = facilities["enterprise_id"].map(
        dict(zip(enterprises["id"], enterprises["code"], strict=True))
    )
    return Registry(regions=regions, clusters=clusters, parks=parks, enterprises=enterprises, facilities=facilities)


def facility_months(session: Session, *, include_submitted: bool = False) -> pd.DataFrame:
    """Every counted facility-month (latest verified/locked version, or submitted on request) with its
    latest result and the facility's registry attributes."""
    statuses = (*repo.COUNTED, "submitted") if include_submitted else repo.COUNTED
    best = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .where(SubmissionVersion.status.in_(statuses))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    latest_result = select(Result.version_id, func.max(Result.id).label("result_id")).group_by(Result.version_id)
    latest_result = latest_result.subquery()
    query = (
        select(
            Submission.facility_id,
            Submission.period,
            SubmissionVersion.id,
            SubmissionVersion.version,
            SubmissionVersion.status,
            SubmissionVersion.record,
            Result.values,
        )
        .join(best, best.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == best.c.version),
        )
        .outerjoin(latest_result, latest_result.c.version_id == SubmissionVersion.id)
        .outerjoin(Result, Result.id == latest_result.c.result_id)
    )
    rows: list[dict[str, Any]] = []
    for facility_id, period, version_id, version, status, record, values in session.execute(query):
        row = {
            "facility_id": facility_id,
            "period": period,
            "version_id": version_id,
            "version": version,
            "status": status,
        }
        for name in RECORD_FIELDS:
            row[name] = record.get(name)
        values = values or {}
        for name in RESULT_FIELDS:
            row[name] = values.get(name)
        row["has_result"] = bool(values)
        row["metering"] = record.get("metering", "meter")
        rows.append(row)
    frame = pd.DataFrame(
        rows,
        columns=[
            "facility_id",
            "period",
            "version_id",
            "version",
            "status",
            *RECORD_FIELDS,
            *RESULT_FIELDS,
            "has_result",
            "metering",
        ],
    )
    registry = load_registry(session)
    attributes = registry.facilities.rename(columns={"id": "facility_id", "code": "facility_code"})
    frame = frame.merge(
        attributes[
            [
                "facility_id",
                "facility_code",
                "enterprise_code",
                "sector",
                "product",
                "technology",
                "capacity_t_per_a",
                "province_code",
                "city_code",
                "park_code",
            ]
        ],
        on="facility_id",
        how="left",
    )
    frame["year"] = frame["period"].str.slice(0, 4).astype(int)
    for name in [*RECORD_FIELDS, *RESULT_FIELDS]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    frame.attrs["clusters"] = registry.clusters
    return frame
