"""Workflow, versions, audit and results on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import InputError
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, Result, SubmissionVersion
from tests.store.conftest import uscc

RECORD = {
    "facility_id": "AL1",
    "sector": "electrolytic_aluminium",
    "region": "shaanxi",
    "period": "2024-03",
    "output_t": 10000.0,
    "grid_electricity_mwh": 130000.0,
    "electrolysis_ac_mwh": 128000.0,
}


def save(url: str, record: dict, actor: str = "enterprise:E1", reason: str | None = None) -> SubmissionVersion:
    with db.transaction(url) as session:
        facility = repo.facilities_by_code(session, [record["facility_id"]])[record["facility_id"]]
        version = repo.save_version(session, facility, record["period"], record, actor, reason=reason)
        service.compute_results(session, [version], actor)
        return version


def test_enterprise_code_is_checked(db_url: str) -> None:
    with db.transaction(db_url) as session:
        repo.add_region(session, {"code": "P", "name_zh": "省", "name_en": "P", "level": "province"}, "t")
    good = uscc("X1")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InputError) as caught, db.transaction(db_url) as session:
        repo.add_enterprise(
            session, {"code": "E9", "name_zh": "甲", "name_en": "A", "uscc": bad, "region_code": "P"}, "t"
        )
    assert caught.value.field == "uscc" and "check character" in str(caught.value)


def test_full_workflow_and_correction_keeps_history(registry: str) -> None:
    url = registry
    save(url, RECORD)
    with db.transaction(url) as session:
        for step, who in (("submitted", "enterprise:E1"), ("verified", "verifier:V1"), ("locked", "verifier:V1")):
            repo.transition(session, "AL1", "2024-03", step, who)
    # a plain re-import of a locked month is refused
    with pytest.raises(InputError, match="locked"):
        save(url, {**RECORD, "output_t": 9000.0})
    corrected = save(url, {**RECORD, "output_t": 9000.0}, actor="enterprise:E1", reason="meter misread in March")
    assert corrected.version == 2 and corrected.status == "draft"
    with db.transaction(url) as session:
        versions = repo.versions_of(session, "AL1", "2024-03")
        assert [(v.version, v.status) for v in versions] == [(1, "locked"), (2, "draft")]
        assert versions[0].record["output_t"] == 10000.0  # the old version is untouched
        # until the correction is verified, the locked version is the one that counts
        counted = repo.counted_versions(session)
        assert [(c.version, c.record["output_t"]) for c in counted] == [(1, 10000.0)]
        actions = [a.action for a in repo.audit_trail(session, "AL1@2024-03")]
        assert actions == ["save", "submit", "verify", "lock", "correct"]
        lock_event = next(a for a in repo.audit_trail(session, "AL1@2024-03") if a.action == "lock")
        assert lock_event.before["status"] == "verified" and lock_event.after["status"] == "locked"
        assert lock_event.actor == "verifier:V1"
    with db.transaction(url) as session:
        repo.transition(session, "AL1", "2024-03", "submitted", "enterprise:E1")
        repo.transition(session, "AL1", "2024-03", "verified", "verifier:V1")
        counted = repo.counted_versions(session)
        assert [(c.version, c.record["output_t"]) for c in counted] == [(2, 9000.0)]


def test_invalid_transition_names_the_status(registry: str) -> None:
    save(registry, RECORD)
    with pytest.raises(InputError) as caught, db.transaction(registry) as session:
        repo.transition(session, "AL1", "2024-03", "locked", "verifier:V1")
    assert "draft" in str(caught.value) and "verified" in str(caught.value)


def test_results_stored_with_parameter_snapshot(registry: str) -> None:
    version = save(registry, RECORD)
    with db.transaction(registry) as session:
        results = list(session.scalars(select(Result).where(Result.version_id == version.id)))
        assert len(results) == 1
        result = results[0]
        # 130 000 MWh × 0.5366 (reporting year 2024 → 2022 national average) is part of the total
        assert result.values["electricity_location_tco2"] == pytest.approx(130000 * 0.5366)
        snapshot = session.get(repo.ParameterSnapshot, result.parameter_fingerprint)
        labels = {p["parameter"] for p in snapshot.parameters}
        assert {"electricity.grid_factor", "emissions.aluminium_cn", "emissions.gwp"} <= labels
        # recomputing with unchanged parameters adds nothing
        assert service.recompute(session, "system") == 0


def test_recompute_adds_a_result_when_a_parameter_changes(registry: str, tmp_path) -> None:
    save(registry, RECORD)
    with db.transaction(registry) as session:
        repo.transition(session, "AL1", "2024-03", "submitted", "enterprise:E1")
    from carbonpeak.parameters import ParameterSet, load

    shipped = load()
    files = []
    for file in shipped.files.values():
        if file.id == "electricity.grid_factor":
            entries = [
                e.model_copy(update={"value": 0.5})
                if (e.key["data_year"] == 2022 and e.key["region"] == "china" and e.key["basis"] == "location")
                else e
                for e in file.entries
            ]
            file = file.model_copy(update={"entries": entries})
        files.append(file)
    changed = ParameterSet(files, shipped.plans.values())
    with db.transaction(registry) as session:
        assert service.recompute(session, "system", params=changed) == 1
        results = list(session.scalars(select(Result).order_by(Result.id)))
        assert [r.values["electricity_location_tco2"] for r in results] == pytest.approx([130000 * 0.5366, 65000.0])


def test_audit_counts(registry: str) -> None:
    save(registry, RECORD)
    with db.transaction(registry) as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent))
        assert count >= 6  # regions, enterprise, two facilities, save, compute
