"""The facts table: one row per facility-month that counts, with its results and registry attributes.

The store reads it; the indicators (:mod:`carbonpeak.indicators`) are pure functions over the table it
returns, so a province or a country is one ``groupby`` away, and a
test can build the same table by hand.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from carbonpeak.indicators.definitions import Options
from carbonpeak.parameters import ParameterSet
from carbonpeak.store import repository as repo
from carbonpeak.store.models import (
    FACT_RECORD_FIELDS,
    FACT_RESULT_FIELDS,
    AuditEvent,
    CapacityEvent,
    Cluster,
    Enterprise,
    Facility,
    Fact,
    Park,
    Region,
    Result,
    SubmissionVersion,
)
from carbonpeak.store.statistics import current_statistics

# Record fields and result columns carried into the facts table: the model's own list (one place).
RECORD_FIELDS = list(FACT_RECORD_FIELDS)
RESULT_FIELDS = list(FACT_RESULT_FIELDS)


@dataclass
class Registry:
    """Registry tables as plain frames: regions, clusters (city codes), parks, enterprises, facilities."""

    regions: pd.DataFrame
    clusters: dict[str, list[str]]
    parks: pd.DataFrame
    enterprises: pd.DataFrame
    facilities: pd.DataFrame


# Plain rows, not ORM objects: a country's registry has tens of thousands of facilities.
_REGION_COLUMNS = select(Region.id, Region.code, Region.name_zh, Region.name_en, Region.level, Region.parent_id)
_ENTERPRISE_COLUMNS = select(
    Enterprise.id,
    Enterprise.code,
    Enterprise.name_zh,
    Enterprise.name_en,
    Enterprise.green_factory_level,
    Enterprise.green_factory_year,
    Enterprise.green_supply_chain,
    Enterprise.region_id,
)
_FACILITY_COLUMNS = select(
    Facility.id,
    Facility.code,
    Facility.enterprise_id,
    Facility.sector,
    Facility.product,
    Facility.technology,
    Facility.capacity_t_per_a,
    Facility.status,
    Facility.region_id,
    Facility.park_id,
)


def load_registry(session: Session, *, facility_codes: list[str] | None = None) -> Registry:
    """The registry as frames; only the named facilities when ``facility_codes`` is given."""
    regions = pd.DataFrame(
        [(r.id, r.code, r.name_zh, r.name_en, r.level, r.parent_id) for r in session.execute(_REGION_COLUMNS)],
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
            for e in session.execute(_ENTERPRISE_COLUMNS)
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
            for f in session.execute(
                _FACILITY_COLUMNS
                if facility_codes is None
                else _FACILITY_COLUMNS.where(Facility.code.in_(list(facility_codes)))
            )
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


_NUMBERS = [*RECORD_FIELDS, *RESULT_FIELDS]
_KEYS = ["facility_id", "period", "version_id", "version", "status", "submission_id", "held"]


def _read_facts(session: Session, statuses: tuple[str, ...], facility_codes: list[str] | None) -> pd.DataFrame:
    """The facts-table rows of the given statuses, read column-wise (no per-row ORM or JSON work)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return _read_postgres(connection, statuses, facility_codes)
    where = "status in ({})".format(", ".join("?" * len(statuses)))
    params: list[Any] = list(statuses)
    if facility_codes is not None:
        codes = list(facility_codes)
        where += " and facility_id in (select id from facility where code in ({}))".format(", ".join("?" * len(codes)))
        params += codes
    cursor = connection.connection.driver_connection.cursor()
    try:
        return _read_sqlite(cursor, where, params)
    finally:
        cursor.close()


_ABSENT = "9e999"  # SQLite reads this literal as +inf: what a NULL number is sent as (no value is infinite)


def _read_sqlite(cursor: Any, where: str, params: list[Any]) -> pd.DataFrame:
    """SQLite: one query whose rows numpy packs straight into typed columns (no list of tuples, no
    per-column conversion); a NULL number comes as +inf and becomes NaN."""
    texts = ("period", "status", "metering")
    names = [*_KEYS, "metering", *_NUMBERS]
    listed = ", ".join(
        'ifnull("held", 0)'
        if name == "held"
        else f'"{name}"'
        if name in _KEYS or name in texts
        else f'ifnull("{name}", {_ABSENT})'
        for name in names
    )
    rows = cursor.execute(f"select {listed} from fact where {where}", params)
    kinds = [(name, object if name in texts else (np.int64 if name in _KEYS else np.float64)) for name in names]
    packed = np.fromiter(rows, dtype=kinds)
    data: dict[str, Any] = {}
    for name in names:
        column = packed[name]
        if name in _NUMBERS:
            column = np.where(np.isinf(column), np.nan, column)
        data[name] = np.ascontiguousarray(column)
    return pd.DataFrame(data)


def _read_postgres(connection: Any, statuses: tuple[str, ...], facility_codes: list[str] | None) -> pd.DataFrame:
    """PostgreSQL: the rows as CSV through COPY, parsed by pandas' C reader. Numbers travel as the
    server's shortest exact text (``extra_float_digits`` 1, the default), so they come back unchanged."""
    names = [*_KEYS, *_NUMBERS, "metering"]
    fact = Fact.__table__
    columns = [case((fact.c.held, 1), else_=0).label(name) if name == "held" else fact.c[name] for name in names]
    query = select(*columns).where(fact.c.status.in_(statuses))
    if facility_codes is not None:
        query = query.where(fact.c.facility_id.in_(select(Facility.id).where(Facility.code.in_(list(facility_codes)))))
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    buffer = io.BytesIO()
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("set local extra_float_digits = 1")
        with cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    numeric = {name: "float64" for name in _NUMBERS}
    texts = {"period": object, "status": object, "metering": object}
    return pd.read_csv(
        buffer,
        names=names,
        header=None,
        dtype={**numeric, **texts},
        keep_default_na=False,
        na_values={name: [""] for name in [*_NUMBERS, "metering"]},
    )


def facility_months(
    session: Session, *, include_submitted: bool = False, facility_codes: list[str] | None = None
) -> pd.DataFrame:
    """Every counted facility-month (latest verified/locked version, or submitted on request) with its
    latest result and the facility's registry attributes; only those facilities' when codes are given.

    A submitted version with unresolved plausibility warnings (``Fact.held``) is held out. A month
    without a result (``has_result`` False) is kept with its reported quantities and NaN results: it
    waits for a parameter, and aggregates leave it out rather than count it as zero
    (:mod:`carbonpeak.indicators.coverage`).

    Read from the flat facts table written with each version (:class:`carbonpeak.store.models.Fact`)."""
    statuses = (*repo.COUNTED, "submitted") if include_submitted else repo.COUNTED
    rows = _read_facts(session, statuses, facility_codes)
    # A version saved with plausibility warnings not yet resolved by verification is held out of every
    # aggregate (the month's earlier verified version, if any, still counts).
    held_out = (rows["held"].to_numpy(dtype=np.int64) != 0) & ~rows["status"].isin(repo.COUNTED).to_numpy()
    if held_out.any():
        rows = rows[~held_out].reset_index(drop=True)
    # Per month, the latest version among those of the statuses asked for.
    submission = rows["submission_id"].to_numpy(dtype=np.int64)
    version = rows["version"].to_numpy(dtype=np.int64)
    order = np.lexsort((version, submission))
    last = np.ones(len(order), dtype=bool)
    last[:-1] = submission[order][1:] != submission[order][:-1]
    rows = rows.iloc[np.sort(order[last])].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "facility_id": rows["facility_id"].to_numpy(dtype=np.int64),
            "period": rows["period"].astype(object).to_numpy(),
            "version_id": rows["version_id"].to_numpy(dtype=np.int64),
            "version": rows["version"].to_numpy(dtype=np.int64),
            "status": rows["status"].astype(object).to_numpy(),
        }
    )
    for name in [*RECORD_FIELDS, *RESULT_FIELDS]:
        frame[name] = pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=float)
    frame["has_result"] = rows["energy_tce"].notna().to_numpy()  # a result always has its energy
    frame["metering"] = rows["metering"].astype(object).where(rows["metering"].notna(), "meter").to_numpy()
    registry = load_registry(session, facility_codes=facility_codes)  # a province reads its own
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
    """Every facility of the registry with its region codes and its enterprise's green designations, one row per
    facility and designation (a facility without any once, ``kind`` empty), and one row per park designation
    (``facility_code`` and ``enterprise_code`` empty): the counts of green factories, parks and supply chains
    read which designations are in force in a year (:mod:`carbonpeak.green.register`). The registry's old flag
    columns stay beside them."""
    from carbonpeak.store.green.repository import designation_frame

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
    designations = designation_frame(session)
    kept = ["kind", "level", "year_designated", "removed_year"]
    of_enterprises = designations[designations["subject"] == "enterprise"][["enterprise_code", *kept]]
    frame = frame.merge(of_enterprises, on="enterprise_code", how="left")
    of_parks = designations[designations["subject"] == "park"][["park_code", *kept]]
    if not of_parks.empty:
        park_regions = {code: region_id for code, region_id in session.execute(select(Park.code, Park.region_id)).all()}
        regions = registry.regions.set_index("id")
        of_parks = of_parks.assign(
            province_code=[regions.at[park_regions[c], "province_code"] for c in of_parks["park_code"]],
            city_code=[regions.at[park_regions[c], "city_code"] for c in of_parks["park_code"]],
        )
        frame = pd.concat([frame, of_parks], ignore_index=True)
    frame.attrs["clusters"] = registry.clusters
    return frame


def indicator_inputs(
    session: Session,
    *,
    include_submitted: bool = False,
    params: ParameterSet | None = None,
    benchmark_edition: str | None = None,
    as_of: dt.date | None = None,
) -> tuple[pd.DataFrame, Options]:
    """Everything indicators and targets read from the store: the facts table and options carrying the
    regulator's statistics, the registry's green designations and the month states of every expected or
    reported facility-month on ``as_of`` (default today), for the coverage of each figure."""
    from carbonpeak.store.coverage import month_states
    from carbonpeak.store.parameters import parameter_set

    as_of = as_of or dt.date.today()
    options = Options(
        params=params or parameter_set(session),
        benchmark_edition=benchmark_edition,
        statistics=current_statistics(session),
        registry=green_registry(session),
        months=month_states(session, include_submitted=include_submitted, as_of=as_of),
        as_of=as_of,
    )
    return facility_months(session, include_submitted=include_submitted), options


_CACHE: dict[tuple[str, bool], tuple[tuple[Any, ...], pd.DataFrame]] = {}


def data_state(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of everything the facts table is made of.

    Every change to the registry, a submission or its status is audited, and results are only ever
    added, so the last audit event, the last result and the number of versions change whenever the
    facts would. The times of the last audit event and the last result too: a database dropped and made
    again under the same address (the tests' PostgreSQL databases) starts its ids again, and the kept
    facts, month states and plant stocks of the one it replaced must not be served for it.
    """
    return tuple(
        session.execute(
            select(
                select(func.max(AuditEvent.id)).scalar_subquery(),
                select(func.max(Result.id)).scalar_subquery(),
                select(func.count(SubmissionVersion.id)).scalar_subquery(),
                select(AuditEvent.at).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery(),
                select(Result.computed_at).order_by(Result.id.desc()).limit(1).scalar_subquery(),
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
