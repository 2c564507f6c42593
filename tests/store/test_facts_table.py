"""The flat facts table holds what the versions and their latest results hold, the migration backfills
it, and the indicators read from it are those read from the versions' JSON documents (SQLite and
PostgreSQL)."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pandas as pd
from alembic import command
from sqlalchemy import Text, cast, func, insert, select, text
from sqlalchemy.orm import Session

from carbonpeak.indicators import definitions as ind
from carbonpeak.parameters import load
from carbonpeak.services import access, intake
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import RECORD_FIELDS, RESULT_FIELDS, facility_months
from carbonpeak.store.models import Fact, Result, Submission, SubmissionVersion
from tests.store.test_store_workflow import RECORD


def json_facts(session: Session, statuses: tuple[str, ...]) -> pd.DataFrame:
    """The counted months as the versions' JSON documents and latest results say (the reader before the
    facts table, kept here as the reference)."""
    best = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.version).label("version"))
        .where(SubmissionVersion.status.in_(statuses))
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    latest = select(Result.version_id, func.max(Result.id).label("rid")).group_by(Result.version_id).subquery()
    query = (
        select(
            Submission.facility_id,
            Submission.period,
            SubmissionVersion.id,
            SubmissionVersion.version,
            SubmissionVersion.status,
            cast(SubmissionVersion.record, Text),
            cast(Result.values, Text),
        )
        .join(best, best.c.submission_id == Submission.id)
        .join(
            SubmissionVersion,
            (SubmissionVersion.submission_id == Submission.id) & (SubmissionVersion.version == best.c.version),
        )
        .outerjoin(latest, latest.c.version_id == SubmissionVersion.id)
        .outerjoin(Result, Result.id == latest.c.rid)
    )
    rows = []
    for fid, period, vid, number, status, record_text, values_text in session.execute(query):
        record = orjson.loads(record_text)
        values = orjson.loads(values_text) if values_text else {}
        row = {"facility_id": fid, "period": period, "version_id": vid, "version": number, "status": status}
        row |= {name: record.get(name) for name in RECORD_FIELDS}
        row |= {name: values.get(name) for name in RESULT_FIELDS}
        row |= {"has_result": bool(values), "metering": record.get("metering") or "meter"}
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in [*RECORD_FIELDS, *RESULT_FIELDS]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame


def same_numbers(a: float | None, b: float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and float(a) == float(b)


def facts_by_version(session: Session) -> dict[int, dict]:
    return {row.version_id: row._asdict() for row in session.execute(select(*Fact.__table__.c))}


def check_facts_hold_versions(url: str) -> int:
    """Every version has its facts row, equal to its record and its latest result; returns how many."""
    with db.transaction(url) as session:
        facts = facts_by_version(session)
        versions = session.execute(
            select(SubmissionVersion, Submission.facility_id, Submission.period).join(Submission)
        ).all()
        assert len(facts) == len(versions) > 0
        for version, facility_id, period in versions:
            fact = facts[version.id]
            assert (fact["submission_id"], fact["facility_id"], fact["period"]) == (
                version.submission_id,
                facility_id,
                period,
            )
            assert (fact["version"], fact["status"]) == (version.version, version.status)
            assert fact["metering"] == version.record.get("metering")
            for name in RECORD_FIELDS:
                assert same_numbers(version.record.get(name), fact[name]), (version.id, name)
            result = session.scalars(
                select(Result).where(Result.version_id == version.id).order_by(Result.id.desc())
            ).first()
            assert fact["result_id"] == (result.id if result else None)
            for name in RESULT_FIELDS:
                assert same_numbers(result.values.get(name) if result else None, fact[name]), (version.id, name)
    return len(facts)


def test_facts_follow_versions_statuses_corrections_and_results(registry: str, tmp_path: Path) -> None:
    # plausible months (AC power 12 800-12 900 kWh/t): none is held back from submitting by a warning
    months = [{**RECORD, "period": f"2024-{m:02d}", "output_t": 9900.0 + m} for m in range(1, 7)]
    months[2] |= {"metering": "estimate", "green_certificate_mwh": 500.0}
    path = tmp_path / "months.csv"
    pd.DataFrame(months).to_csv(path, index=False)
    with db.transaction(registry) as session:
        report = intake.import_file(
            session, access.operator("enterprise:E1"), path.read_bytes(), path.name, submit=True
        )
    assert report.results == 6
    for step, who in (("verified", "verifier:V1"), ("locked", "verifier:V1")):
        with db.transaction(registry) as session:
            repo.transition(session, "AL1", "2024-01", step, who)
    with db.transaction(registry) as session:
        repo.transition(session, "AL1", "2024-02", "verified", "verifier:V1")
    with db.transaction(registry) as session:  # a correction of a verified month: a new draft version
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        corrected = repo.save_version(
            session, facility, "2024-02", {**months[1], "output_t": 1234.5}, "enterprise:E1", reason="meter misread"
        )
        service.compute_results(session, [corrected], "enterprise:E1")
    assert check_facts_hold_versions(registry) == 7
    with db.transaction(registry) as session:
        counted = facility_months(session, include_submitted=True).set_index("period")
        reference = json_facts(session, ("verified", "locked", "submitted")).set_index("period")
    assert counted.loc["2024-01", "status"] == "locked" and counted.loc["2024-02", "version"] == 1  # draft v2 waits
    assert counted.loc["2024-03", "metering"] == "estimate" and counted.loc["2024-03", "green_certificate_mwh"] == 500
    pd.testing.assert_frame_equal(
        counted[reference.columns].sort_index(), reference.sort_index(), check_dtype=False, check_like=True
    )


def test_migration_backfills_the_facts_of_existing_versions(demo_db_url: str, tmp_path: Path) -> None:
    """Versions and results written before the facts table (as at revision 0007) get their facts rows."""
    db_url = demo_db_url  # the demo province loaded
    with db.transaction(db_url) as session:
        expected = {row["version_id"]: row for row in facts_by_version(session).values()}
        # Two results for one version: the backfill takes the latest.
        version_id = next(iter(expected))
        first = session.scalars(select(Result).where(Result.version_id == version_id)).first()
        later = {**first.values, "energy_tce": 4321.0}
        session.execute(
            insert(Result),
            [
                {
                    "version_id": version_id,
                    "method": first.method,
                    "parameter_fingerprint": first.parameter_fingerprint,
                    "values": later,
                    "total_location_tco2e": later["total_location_tco2e"],
                    "total_market_tco2e": later["total_market_tco2e"],
                    "energy_tce": 4321.0,
                }
            ],
        )
    engine = db.engine_for(db_url)
    command.downgrade(db.alembic_config(db_url), "0007")  # back before 0008: the facts table is gone
    with engine.connect() as connection:
        tables = connection.execute(
            text("select count(*) from information_schema.tables where table_name = 'fact'")
            if engine.dialect.name == "postgresql"
            else text("select count(*) from sqlite_master where name = 'fact'")
        ).scalar()
    assert tables == 0
    db.upgrade(db_url)
    with db.transaction(db_url) as session:
        backfilled = facts_by_version(session)
    assert set(backfilled) == set(expected) and len(backfilled) > 4000
    assert backfilled[version_id]["energy_tce"] == 4321.0
    assert backfilled[version_id]["result_id"] > expected[version_id]["result_id"]
    for vid, row in expected.items():
        if vid == version_id:
            continue
        for name, value in row.items():
            assert (
                same_numbers(value, backfilled[vid][name])
                if isinstance(value, float | None)
                else (value == backfilled[vid][name])
            ), (vid, name)
    assert check_facts_hold_versions(db_url) == len(expected)


def test_indicators_are_identical_reading_the_facts_table(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as session:
        facts = facility_months(session)
        reference = json_facts(session, repo.COUNTED)
    assert len(facts) == len(reference) > 4000
    key = ["facility_id", "period"]
    mine = facts.sort_values(key).reset_index(drop=True)
    theirs = reference.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[theirs.columns], theirs, check_dtype=False, check_exact=True)
    # The same indicators, whether the facts come from the table or from the JSON documents.
    options = ind.Options(load(), benchmark_edition="2021")
    from_json = mine.copy()
    for name in [*RECORD_FIELDS, *RESULT_FIELDS, "has_result", "metering"]:
        from_json[name] = theirs[name].to_numpy()
    from_json.attrs = dict(facts.attrs)
    years = sorted(facts["year"].unique())
    table = ind.table_years(ind.prepare(facts, region="demo", options=options), years)
    again = ind.table_years(ind.prepare(from_json, region="demo", options=options), years)
    assert len(table) > 100
    pd.testing.assert_frame_equal(table.reset_index(drop=True), again.reset_index(drop=True))
