"""Official parameter values an administrator enters: cited, versioned, never overwriting, used by the
calculations of the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import InputError, ParameterValueMissing, ValidationFailed
from carbonpeak.parameters import load
from carbonpeak.store import db, service
from carbonpeak.store import parameters as pv
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import indicator_inputs
from carbonpeak.store.models import AuditEvent, ParameterSnapshot, ParameterValue, Result
from tests.store.test_store_workflow import RECORD, save

CITATION = {
    "confidence": "high",
    "document": "关于发布2024年度全国电力碳足迹因子的公告 (test citation)",
    "issuer": "生态环境部",
    "number": "2026年第1号",
    "clause": "表3",
    "published": "2026-01-15",
}
NEW_YEAR = {  # a period the shipped files lack: the 2024 provincial factor
    "key.data_year": "2024",
    "key.region": "guizhou",
    "key.basis": "location",
    "value": "0.5012",
    "unit": "tCO2/MWh",
    **CITATION,
}


def test_a_value_for_a_new_period_is_used_with_its_citation(db_url: str) -> None:
    with db.transaction(db_url) as session:
        row = pv.enter(session, "electricity.grid_factor", NEW_YEAR, "web:admin")
        assert row.version == 1
    with db.transaction(db_url) as session:
        cited = pv.parameter_set(session).at(
            "electricity.grid_factor", data_year=2024, region="guizhou", basis="location"
        )
        audit = session.scalar(select(AuditEvent).where(AuditEvent.entity == "parameter"))
    assert cited.value == pytest.approx(0.5012) and cited.source.issuer == "生态环境部"
    assert cited.source.number == "2026年第1号" and cited.confidence.value == "high"
    assert audit is not None and audit.action == "create" and audit.after["value"] == pytest.approx(0.5012)
    with pytest.raises(Exception, match="no entry"):  # the shipped set is unchanged
        load().at("electricity.grid_factor", data_year=2024, region="guizhou", basis="location")


def test_the_official_value_of_an_entry_without_one_fills_it(db_url: str) -> None:
    shipped = load()
    empty = next(e for e in shipped.entries("benchmarks.ndrc_level") if e.value is None)
    key = dict(empty.key)
    with pytest.raises(ParameterValueMissing):
        shipped.at("benchmarks.ndrc_level", edition=empty.edition, period=empty.valid_from, **key)
    data = {
        **{f"key.{k}": str(v) for k, v in key.items()},
        "value": "7500",
        "unit": empty.unit,
        "edition": empty.edition or "",
        "valid_from": str(empty.valid_from or ""),
        "valid_to": str(empty.valid_to or ""),
        **CITATION,
    }
    with db.transaction(db_url) as session:
        row = pv.enter(session, "benchmarks.ndrc_level", data, "web:admin")
    assert row.reason is None  # filling an empty slot needs no reason
    with db.transaction(db_url) as session:
        merged = pv.parameter_set(session)
    assert merged.value("benchmarks.ndrc_level", edition=empty.edition, period=empty.valid_from, **key) == 7500


def test_a_new_version_needs_a_reason_and_keeps_the_earlier_one(db_url: str) -> None:
    with db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor", NEW_YEAR, "web:admin")
    with pytest.raises(InputError) as caught, db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor", {**NEW_YEAR, "value": "0.5100"}, "web:admin")
    assert caught.value.field == "reason"
    with db.transaction(db_url) as session:
        row = pv.enter(
            session, "electricity.grid_factor", {**NEW_YEAR, "value": "0.51", "reason": "errata, 2026-03"}, "web:a2"
        )
        assert row.version == 2
    with db.transaction(db_url) as session:
        versions = [(r.version, r.value, r.reason) for r in pv.history(session, "electricity.grid_factor")]
        value = pv.parameter_set(session).value(
            "electricity.grid_factor", data_year=2024, region="guizhou", basis="location"
        )
    assert versions == [(2, pytest.approx(0.51), "errata, 2026-03"), (1, pytest.approx(0.5012), None)]
    assert value == pytest.approx(0.51)


def test_superseding_a_shipped_value_needs_a_reason(db_url: str) -> None:
    data = {**NEW_YEAR, "key.data_year": "2023", "value": "0.5700"}
    with pytest.raises(InputError, match="reason"), db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor", data, "web:admin")
    with db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor", {**data, "reason": "the 2023 table was revised"}, "web:admin")
    with db.transaction(db_url) as session:
        merged = pv.parameter_set(session)
    assert merged.value("electricity.grid_factor", data_year=2023, region="guizhou", basis="location") == 0.57
    shipped = load().value("electricity.grid_factor", data_year=2023, region="guizhou", basis="location")
    assert shipped == pytest.approx(0.5683)  # the shipped file is never changed


def test_an_overlapping_period_is_refused(db_url: str) -> None:
    data = {"value": "0.6", "unit": "tCO2/MWh", "valid_from": "2020-06-01", "valid_to": "2021-06-30", **CITATION}
    with pytest.raises(InputError) as caught, db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor_ets", data, "web:admin")
    assert caught.value.field == "valid_from" and "overlaps" in str(caught.value)
    with db.transaction(db_url) as session:
        assert session.scalar(select(func.count(ParameterValue.id))) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "lots"}, "value"),
        ({"value": ""}, "value"),
        ({"unit": "kWh/t"}, "unit"),
        ({"valid_from": "2024-13-01"}, "valid_from"),
        ({"valid_from": "2025-01-01", "valid_to": "2024-01-01"}, "valid_to"),
        ({"confidence": "certain"}, "confidence"),
        ({"document": ""}, "document"),
        ({"issuer": " "}, "issuer"),
        ({"published": ""}, "published"),
        ({"key.data_year": "twenty"}, "key.data_year"),
        ({"key.region": ""}, "key.region"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db_url: str, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught, db.transaction(db_url) as session:
        pv.enter(session, "electricity.grid_factor", {**NEW_YEAR, **change}, "web:admin")
    errors = caught.value.errors if isinstance(caught.value, ValidationFailed) else [caught.value]
    assert field in {e.field for e in errors}, [(e.field, str(e)) for e in errors]
    assert all(e.expected for e in errors)
    with db.transaction(db_url) as session:
        assert session.scalar(select(func.count(ParameterValue.id))) == 0
        assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.entity == "parameter")) == 0


def test_unknown_family_is_refused(db_url: str) -> None:
    with pytest.raises(InputError, match="unknown parameter"), db.transaction(db_url) as session:
        pv.enter(session, "electricity.no_such_factor", NEW_YEAR, "web:admin")


def test_accounting_and_indicators_of_the_store_use_the_entered_value(registry: str) -> None:
    """A month accounted after a grid factor is superseded uses the entered value; its snapshot cites it."""
    version = save(registry, RECORD)
    with db.transaction(registry) as session:
        repo.transition(session, "AL1", "2024-03", "submitted", "enterprise:E1")  # a draft is not counted
    with db.transaction(registry) as session:
        first = session.scalar(select(Result).where(Result.version_id == version.id))
        snapshot = session.get(ParameterSnapshot, first.parameter_fingerprint)
        used = next(
            p
            for p in snapshot.parameters
            if p["parameter"] == "electricity.grid_factor" and p["key"].get("basis") == "location"
        )
        before = first.total_location_tco2e
    data = {
        **{f"key.{k}": str(v) for k, v in used["key"].items()},
        "value": str(used["value"] * 2),
        "unit": used["unit"],
        **CITATION,
        "reason": "test: doubled to see it used",
    }
    with db.transaction(registry) as session:
        pv.enter(session, "electricity.grid_factor", data, "web:admin")
    with db.transaction(registry) as session:
        service.recompute(session, "test:recompute")
    with db.transaction(registry) as session:
        results = list(session.scalars(select(Result).where(Result.version_id == version.id).order_by(Result.id)))
        latest = session.get(ParameterSnapshot, results[-1].parameter_fingerprint)
        cited = next(
            p
            for p in latest.parameters
            if p["parameter"] == "electricity.grid_factor" and p["key"].get("basis") == "location"
        )
        _facts, options = indicator_inputs(session)
    assert len(results) == 2 and results[-1].total_location_tco2e > before  # electricity's share doubled
    assert cited["value"] == pytest.approx(used["value"] * 2) and cited["source"]["issuer"] == "生态环境部"
    assert options.params.value("electricity.grid_factor", **used["key"]) == pytest.approx(used["value"] * 2)
