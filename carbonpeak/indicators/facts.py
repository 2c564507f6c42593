"""The facts table: one row per facility-month that counts, with its results and registry attributes.

This module and :mod:`carbonpeak.indicators.statistics` are the ones of :mod:`carbonpeak.indicators`
that read the store. Indicators are pure
functions over the table it returns, so a province or a country is one ``groupby`` away, and a
test can build the same table by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from carbonpeak.indicators.definitions import Options
from carbonpeak.parameters import ParameterSet
from carbonpeak.store import repository as repo
from carbonpeak.store.models import (
    AuditEvent,
    CapacityEvent,
    Cluster,
    Enterprise,
    Facility,
    Park,
    Region,
    Result,
    Submission,
    SubmissionVersion,
)

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


def facility_months(
    session: Session, *, include_submitted: bool = False, facility_codes: list[str] | None = None
) -> pd.DataFrame:
    """Every counted facility-month (latest verified/locked version, or submitted on request) with its
    latest result and the facility's registry attributes; only those facilities' when codes are given."""
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
            # The JSON documents as text, parsed below in one pass with orjson: for a province of
            # 240,000 months the ORM's per-row JSON decoding took most of the read.
            cast(SubmissionVersion.record, Text),
            cast(Result.values, Text),
        )
        .join(best, best.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == best.c.version),
        )
        .outerjoin(latest_result, latest_result.c.version_id == SubmissionVersion.id)
        .outerjoin(Result, Result.id == latest_result.c.result_id)
    )
    if facility_codes is not None:
        query = query.where(
            Submission.facility_id.in_(select(Facility.id).where(Facility.code.in_(list(facility_codes))))
        )
    fetched = session.connection().execute(query).all()  # Core rows: no ORM loading per row
    columns = list(zip(*fetched, strict=True)) if fetched else [()] * 7
    records = [orjson.loads(text) for text in columns[5]]
    values = [orjson.loads(text) if text else {} for text in columns[6]]
    frame = pd.DataFrame(
        {
            "facility_id": pd.array(columns[0], dtype="int64"),
            "period": pd.array(columns[1], dtype=object),
            "version_id": pd.array(columns[2], dtype="int64"),
            "version": pd.array(columns[3], dtype="int64"),
            "status": pd.array(columns[4], dtype=object),
        }
    )
    flows = pd.DataFrame.from_records(records, columns=[*RECORD_FIELDS, "metering"], nrows=len(records))
    results = pd.DataFrame.from_records(values, columns=RESULT_FIELDS, nrows=len(values))
    for name in RECORD_FIELDS:
        frame[name] = flows[name].to_numpy()
    for name in RESULT_FIELDS:
        frame[name] = results[name].to_numpy()
    frame["has_result"] = [bool(v) for v in values]
    frame["metering"] = flows["metering"].astype(object).fillna("meter").to_numpy()
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
    frame["capacity_t_per_a"] = ledger_capacity(session, frame)
    for name in [*RECORD_FIELDS, *RESULT_FIELDS]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    frame.attrs["clusters"] = registry.clusters
    return frame


def ledger_capacity(session: Session, frame: pd.DataFrame) -> np.ndarray:
    """The capacity in force in each row's month (columns facility_id, period, capacity_t_per_a).

    For a facility with capacity-ledger events: its approved capacity on the month's last day, the sum
    of its events effective on or before it (so an expansion or exit counts from its month on). For a
    facility without events: the registry's capacity, as before the ledger existed."""
    capacity = pd.to_numeric(frame["capacity_t_per_a"], errors="coerce").to_numpy(dtype=float, copy=True)
    rows = session.execute(
        select(CapacityEvent.facility_id, CapacityEvent.effective_on, CapacityEvent.capacity_t_per_a).where(
            CapacityEvent.facility_id.is_not(None)
        )
    ).all()
    if not rows or frame.empty:
        return capacity
    events = pd.DataFrame(rows, columns=["facility_id", "day", "delta"])
    events["day"] = pd.to_datetime(events["day"]).astype("datetime64[ns]")
    events = events.groupby(["facility_id", "day"], as_index=False)["delta"].sum().sort_values(["facility_id", "day"])
    events["in_force"] = events.groupby("facility_id")["delta"].cumsum()
    month = frame["period"].astype(str).str.slice(0, 7)
    month = month.where(month.str.len() == 7, month.str.slice(0, 4) + "-12")  # a year counts at its end
    month_end = (pd.to_datetime(month, format="%Y-%m") + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")
    left = pd.DataFrame(
        {"facility_id": frame["facility_id"].to_numpy(), "day": month_end.to_numpy(), "row": np.arange(len(frame))}
    ).sort_values("day")
    merged = pd.merge_asof(
        left, events[["facility_id", "day", "in_force"]].sort_values("day"), on="day", by="facility_id"
    )
    in_ledger = merged["facility_id"].isin(set(events["facility_id"])).to_numpy()
    capacity[merged["row"].to_numpy()[in_ledger]] = merged["in_force"].fillna(0.0).to_numpy()[in_ledger]
    return capacity


def green_registry(session: Session) -> pd.DataFrame:
    """Every facility of the registry with its region codes and its enterprise's green designations
    (for counts of green factories and green supply-chain enterprises)."""
    registry = load_registry(session)
    enterprises = registry.enterprises.rename(columns={"id": "enterprise_id"})[
        ["enterprise_id", "green_factory_level", "green_factory_year", "green_supply_chain"]
    ]
    frame = registry.facilities.rename(columns={"code": "facility_code"}).merge(
        enterprises, on="enterprise_id", how="left"
    )[
        [
            "facility_code",
            "enterprise_code",
            "sector",
            "province_code",
            "city_code",
            "park_code",
            "green_factory_level",
            "green_factory_year",
            "green_supply_chain",
        ]
    ]
    frame.attrs["clusters"] = registry.clusters
    return frame


def indicator_inputs(
    session: Session,
    *,
    include_submitted: bool = False,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
) -> tuple[pd.DataFrame, Options]:
    """Everything indicators and targets read from the store: the facts table and options carrying the
    regulator's statistics and the registry's green designations."""
    from carbonpeak.indicators.statistics import current_statistics
    from carbonpeak.store.parameters import parameter_set

    options = Options(
        params=params or parameter_set(session),
        benchmark_edition=benchmark_edition,
        statistics=current_statistics(session),
        registry=green_registry(session),
    )
    return facility_months(session, include_submitted=include_submitted), options


_CACHE: dict[tuple[str, bool], tuple[tuple[Any, ...], pd.DataFrame]] = {}


def data_state(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the facts table is made of.

    Every change to the registry, a submission or its status is audited, and results are only ever
    added, so the last audit event, the last result and the number of versions change whenever the
    facts would.
    """
    return tuple(
        session.execute(
            select(
                select(func.max(AuditEvent.id)).scalar_subquery(),
                select(func.max(Result.id)).scalar_subquery(),
                select(func.count(SubmissionVersion.id)).scalar_subquery(),
            )
        ).one()
    )


def facility_months_cached(session: Session, *, include_submitted: bool = False) -> pd.DataFrame:
    """:func:`facility_months`, kept in memory for a long-running process (the web platform) and read
    again only when :func:`data_state` changes. Returns a copy, so callers may modify it."""
    bind = session.get_bind()
    key = (str(bind.url), include_submitted)
    state = data_state(session)
    cached = _CACHE.get(key)
    if cached is None or cached[0] != state:
        cached = (state, facility_months(session, include_submitted=include_submitted))
        _CACHE[key] = cached
    frame = cached[1].copy()
    frame.attrs = dict(cached[1].attrs)
    return frame
