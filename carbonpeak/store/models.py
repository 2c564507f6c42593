"""Tables of the registry, versioned monthly submissions, uploads, results and the audit log.

SQLAlchemy 2 typed declarative models. The same models run on SQLite (the embedded default) and
PostgreSQL (a shared deployment); JSON columns become JSONB on PostgreSQL. Schema changes go
through Alembic migrations in ``carbonpeak/store/migrations``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Region(Base):
    """Province, prefecture city or county."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))  # province, city, county
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    grid_province: Mapped[str | None] = mapped_column(String(40))  # province code used for grid factors


cluster_region = Table(
    "cluster_region",
    Base.metadata,
    Column("cluster_id", ForeignKey("cluster.id"), primary_key=True),
    Column("region_id", ForeignKey("region.id"), primary_key=True),
)


class Cluster(Base):
    """A named cluster of cities (e.g. the Xi'an-Baoji titanium cluster of the Shaanxi plan)."""

    __tablename__ = "cluster"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    regions: Mapped[list[Region]] = relationship(secondary=cluster_region)


class Park(Base):
    __tablename__ = "park"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))


class RegionStatistic(Base):
    """A statistic the regulator enters for a region and year (industrial value added, counts of green
    factories from other registers...), dated and cited like any parameter.

    A correction is a new version with its reason; the latest version of (region, name, scope, year)
    counts and the earlier ones stay. The kinds of statistic are defined in
    ``carbonpeak/indicators/statistics.yaml``.
    """

    __tablename__ = "region_statistic"
    __table_args__ = (UniqueConstraint("region_id", "name", "scope", "year", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    region: Mapped[Region] = relationship()
    name: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # in the canonical unit of the statistic
    unit: Mapped[str] = mapped_column(String(40))  # canonical unit
    entered_value: Mapped[float] = mapped_column(Float)  # as entered, before unit conversion
    entered_unit: Mapped[str] = mapped_column(String(40))
    price_basis: Mapped[str | None] = mapped_column(String(60))  # e.g. "constant 2020 prices"
    source: Mapped[str] = mapped_column(Text)  # the publication: document, table, issuer
    published_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Enterprise(Base):
    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    state_owned: Mapped[bool] = mapped_column(Boolean, default=False)
    key_energy_user: Mapped[bool] = mapped_column(Boolean, default=False)
    national_carbon_market: Mapped[bool] = mapped_column(Boolean, default=False)
    green_factory_level: Mapped[str | None] = mapped_column(String(20))  # provincial, national
    green_factory_year: Mapped[int | None] = mapped_column(Integer)
    green_supply_chain: Mapped[bool] = mapped_column(Boolean, default=False)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id"))
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[Region] = relationship()
    facilities: Mapped[list[Facility]] = relationship(back_populates="enterprise")


class Facility(Base):
    """A production line: what it makes, by which route, how much it may make, and its status."""

    __tablename__ = "facility"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("park.id"))
    sector: Mapped[str] = mapped_column(String(40))
    process_route: Mapped[str] = mapped_column(String(60), default="")
    technology: Mapped[str] = mapped_column(String(20), default="")
    product: Mapped[str] = mapped_column(String(60), default="")
    capacity_t_per_a: Mapped[float | None] = mapped_column(Float)
    cell_amperage_ka: Mapped[float | None] = mapped_column(Float)
    commissioning_year: Mapped[int | None] = mapped_column(Integer)
    commissioned_on: Mapped[dt.date | None] = mapped_column(Date)  # the day, where known (its year above)
    status: Mapped[str] = mapped_column(String(20), default="operating")  # operating, idle, retired
    status_since: Mapped[dt.date | None] = mapped_column(Date)
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    enterprise: Mapped[Enterprise] = relationship(back_populates="facilities")
    region: Mapped[Region] = relationship()


class FacilityChangeProposal(Base):
    """A change to its own facility that an enterprise user proposes and a regulator of the facility's
    region approves (then applied like any registry change, versioned in the audit log) or rejects with
    a reason. ``changes`` holds the proposed field values; ``before`` the facility's values when proposed."""

    __tablename__ = "facility_change_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)  # the proposer's explanation
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending, approved, rejected
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected (or a note on approval)
    facility: Mapped[Facility] = relationship()


class Upload(Base):
    """An uploaded file kept as evidence: its bytes, SHA-256, who sent it and when."""

    __tablename__ = "upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rows: Mapped[int] = mapped_column(Integer, default=0)


class Submission(Base):
    """One facility and month; its content lives in versions."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("facility_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    facility: Mapped[Facility] = relationship()
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.version"
    )


class SubmissionVersion(Base):
    """A version of a submission. Corrections add versions; no version is ever overwritten."""

    __tablename__ = "submission_version"
    __table_args__ = (UniqueConstraint("submission_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # draft, submitted, returned, verified, locked
    record: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the activity record, as validated
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # the plausibility gate's warnings on this version as saved (coded: rule, code, params); errors refuse
    flags: Mapped[list[Any] | None] = mapped_column(JSONType)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    opinion: Mapped[str | None] = mapped_column(Text)  # 核查意见: required to verify
    returned_by: Mapped[str | None] = mapped_column(String(100))  # 退回修改: who returned it, when, why
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    returned_reason: Mapped[str | None] = mapped_column(Text)
    # why the version has no result yet (a coded message: the parameter missing, its publisher, when due)
    waiting: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    submission: Mapped[Submission] = relationship(back_populates="versions")


class ParameterSnapshot(Base):
    """A set of cited parameter values, kept once and referred to by its SHA-256 fingerprint."""

    __tablename__ = "parameter_snapshot"
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    parameters: Mapped[list[Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Result(Base):
    """Engine results for one submission version and one set of parameter values.

    When an official parameter changes, a recomputation adds a result; earlier ones stay.
    """

    __tablename__ = "result"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"), index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    method: Mapped[str] = mapped_column(String(40))
    parameter_fingerprint: Mapped[str] = mapped_column(ForeignKey("parameter_snapshot.fingerprint"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSONType)  # result columns
    total_location_tco2e: Mapped[float] = mapped_column(Float)
    total_market_tco2e: Mapped[float] = mapped_column(Float)
    energy_tce: Mapped[float] = mapped_column(Float)


class ParameterValue(Base):
    """An official parameter value an administrator entered with its citation (rules as code, in the store).

    It adds to the shipped parameter files: a value for a period they lack, or one that supersedes a
    shipped entry of the same key, edition and period (the shipped one stays in its file). A correction
    is a new version of the same slot with its reason; no version is overwritten.
    """

    __tablename__ = "parameter_value"
    __table_args__ = (UniqueConstraint("family", "slot", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(80), index=True)  # e.g. electricity.grid_factor
    slot: Mapped[str] = mapped_column(String(400))  # key, edition and period, canonical JSON
    version: Mapped[int] = mapped_column(Integer)
    key: Mapped[dict[str, Any]] = mapped_column(JSONType)
    edition: Mapped[str | None] = mapped_column(String(60))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    value: Mapped[Any] = mapped_column(JSONType)  # a number or a text, in ``unit``
    unit: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[str] = mapped_column(String(20))
    source: Mapped[dict[str, Any]] = mapped_column(JSONType)  # document, issuer, number, clause, published...
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why it supersedes a value
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """Who did what, when, with the state before and after."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(100), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class CapacityEvent(Base):
    """A change to a facility's approved capacity: approval, new build, expansion, exit or replacement.

    ``capacity_t_per_a`` is signed: positive adds approved capacity, negative removes it. A replacement
    is two events that share ``replacement_group``: the capacity retired at the source (negative, the
    source possibly in another province and outside the registry, then described in ``counterpart``)
    and the capacity granted at the destination.
    """

    __tablename__ = "capacity_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)
    counterpart: Mapped[str | None] = mapped_column(String(300))  # a source outside the registry
    province: Mapped[str] = mapped_column(String(40))  # province code of the capacity
    sector: Mapped[str] = mapped_column(String(40))
    # approval, new_build, expansion, exit, replacement_out, replacement_in
    kind: Mapped[str] = mapped_column(String(30))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    capacity_t_per_a: Mapped[float] = mapped_column(Float)
    replacement_group: Mapped[str | None] = mapped_column(String(60))
    replacement_ratio: Mapped[float | None] = mapped_column(Float)  # destination ÷ source capacity
    document: Mapped[str | None] = mapped_column(String(300))  # approval or replacement notice
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Warning(Base):
    """Something a regulator must act on; ``key`` identifies the situation so it is raised once."""

    __tablename__ = "warning"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10))  # high, medium, low
    region: Mapped[str] = mapped_column(String(40), default="")
    facility_code: Mapped[str | None] = mapped_column(String(60), index=True)
    period: Mapped[str | None] = mapped_column(String(7))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, acknowledged, assigned, closed
    assignee: Mapped[str | None] = mapped_column(String(100))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    events: Mapped[list[WarningEvent]] = relationship(back_populates="warning", order_by="WarningEvent.id")


class WarningEvent(Base):
    """The history of a warning: who acknowledged, assigned, closed or reopened it, when, and why."""

    __tablename__ = "warning_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # raise, acknowledge, assign, close, reopen
    note: Mapped[str | None] = mapped_column(Text)
    warning: Mapped[Warning] = relationship(back_populates="events")


class Project(Base):
    """A high-energy, high-emission (两高) project: the columns one queries on, taken from its current version.

    The record itself lives in :class:`ProjectVersion` (canonical JSON of the validated record); a
    correction adds a version and updates these columns, earlier versions stay. ``facility_id`` links the
    project, once built, to the registry facility whose counted months measure it.
    """

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)  # the record's id
    current_version: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    enterprise: Mapped[str] = mapped_column(String(300))
    province: Mapped[str] = mapped_column(String(40), index=True)  # site province (vocabulary code)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    product: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))  # new, expansion, retrofit
    capacity_t_per_a: Mapped[float] = mapped_column(Float)
    net_new_capacity_t_per_a: Mapped[float] = mapped_column(Float)
    in_key_air_pollution_area: Mapped[bool] = mapped_column(Boolean)
    planned_start: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)  # planned, built
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    facility: Mapped[Facility | None] = relationship()
    versions: Mapped[list[ProjectVersion]] = relationship(back_populates="project", order_by="ProjectVersion.version")


class ProjectVersion(Base):
    """A version of a project record. A correction adds a version with its reason; none is overwritten."""

    __tablename__ = "project_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    record: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the validated record, canonical JSON
    sha256: Mapped[str] = mapped_column(String(64))  # of the canonical JSON
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))  # the file it came from
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    project: Mapped[Project] = relationship(back_populates="versions")


class ProjectReviewRun(Base):
    """One review of one version of a project: the rules' outcomes with their sources, the classification,
    and the parameter values used (a snapshot, by fingerprint). Reviews are added, never changed."""

    __tablename__ = "project_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # the project version reviewed
    period: Mapped[dt.date] = mapped_column(Date)  # the day whose rules applied
    classification: Mapped[str] = mapped_column(String(20), index=True)  # halt, rectify, proceed
    decisive: Mapped[list[Any]] = mapped_column(JSONType)  # the rules that decided it
    national_approved_capacity_t_per_a: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)  # rules with outcomes, reasons and citations
    parameter_fingerprint: Mapped[str] = mapped_column(ForeignKey("parameter_snapshot.fingerprint"), index=True)
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Record fields and result columns the facts table carries (canonical units; NULL = not reported).
FACT_RECORD_FIELDS = (
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
)
FACT_RESULT_FIELDS = ("energy_tce", "total_location_tco2e", "total_market_tco2e", "direct_tco2e")


class Fact(Base):
    """One row per submission version with the typed columns indicators read, written with the version.

    A copy of what the version's record and its latest result hold, so that a province's facts read
    column-wise instead of parsing a JSON document per month. The status follows the version's
    workflow steps; the result columns are those of the version's latest result (``result_id``).
    """

    __tablename__ = "fact"
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    metering: Mapped[str | None] = mapped_column(String(20))
    output_t: Mapped[float | None] = mapped_column(Float)
    grid_electricity_mwh: Mapped[float | None] = mapped_column(Float)
    exported_electricity_mwh: Mapped[float | None] = mapped_column(Float)
    captive_electricity_mwh: Mapped[float | None] = mapped_column(Float)
    green_certificate_mwh: Mapped[float | None] = mapped_column(Float)
    direct_renewable_mwh: Mapped[float | None] = mapped_column(Float)
    onsite_renewable_mwh: Mapped[float | None] = mapped_column(Float)
    nonhydro_renewable_mwh: Mapped[float | None] = mapped_column(Float)
    electrolysis_ac_mwh: Mapped[float | None] = mapped_column(Float)
    auxiliary_ac_mwh: Mapped[float | None] = mapped_column(Float)
    desulphurisation_mwh: Mapped[float | None] = mapped_column(Float)
    scrap_input_t: Mapped[float | None] = mapped_column(Float)
    direct_alloying_t: Mapped[float | None] = mapped_column(Float)
    solid_waste_generated_t: Mapped[float | None] = mapped_column(Float)
    solid_waste_used_t: Mapped[float | None] = mapped_column(Float)
    so2_t: Mapped[float | None] = mapped_column(Float)
    nox_t: Mapped[float | None] = mapped_column(Float)
    particulate_t: Mapped[float | None] = mapped_column(Float)
    # unresolved plausibility warnings: kept out of regulators' aggregates (and counted as held out)
    held: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    result_id: Mapped[int | None] = mapped_column(Integer)  # the latest result of the version, if any
    energy_tce: Mapped[float | None] = mapped_column(Float)
    total_location_tco2e: Mapped[float | None] = mapped_column(Float)
    total_market_tco2e: Mapped[float | None] = mapped_column(Float)
    direct_tco2e: Mapped[float | None] = mapped_column(Float)


class Job(Base):
    """A long task run in the background (e.g. recomputing the months a new parameter value affects):
    its progress is read by the page that started it and by anyone who looks later."""

    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # recompute, warnings_refresh
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)  # queued, running, done, failed
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # what it was for and what it did
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # a coded message when it failed
    started_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
