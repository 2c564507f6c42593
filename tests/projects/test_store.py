"""Project records kept through the use cases (carbonpeak.services.projects, as the command line's operator) in
the store, on SQLite and PostgreSQL: round trip, versions on correction, audit events, all-or-nothing
registration, stored reviews, the facility link, and measured against approved.

Expected numbers of the measured comparison are computed here from the months the test writes; the stored
review is compared with a review made here of the same record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select

from carbonpeak.accounting.benchmark import benchmark_level, benchmark_levels, classify_facilities
from carbonpeak.errors import InputError, NotFound, ParameterValueMissing, ValidationFailed
from carbonpeak.parameters import ParameterSet
from carbonpeak.projects.measured import compare_measured
from carbonpeak.projects.model import Indicator, parse_project, read_projects
from carbonpeak.projects.review import Outcome, review_project
from carbonpeak.services import projects as use
from carbonpeak.services.access import operator
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import AuditEvent, ParameterSnapshot, ProjectReviewRun, ProjectVersion, Upload

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
ACTOR = "regulator:R1"
OP = operator(ACTOR)  # the command line's operator, named so in the audit log


def project(**changes: Any) -> dict[str, Any]:
    """A valid new aluminium line in the test registry's province (shaanxi), designed on two indicators."""
    data: dict[str, Any] = {
        "id": "P-AL-1",
        "name_zh": "测试电解铝项目",
        "name_en": "test aluminium line",
        "enterprise": "测试铝业",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": 200_000,
        "net_new_capacity_t_per_a": 200_000,
        "site": {"province": "shaanxi", "city": "测试市"},
        "in_key_air_pollution_area": False,
        "designed_unit_consumption": {
            "ac_power_liquid_aluminium": {"value": 12_900, "unit": "kWh/t"},
            "comprehensive_energy": {"value": 1_700, "unit": "kgce/t"},
        },
        "energy_sources": ["grid"],
        "new_captive_coal_plant": False,
        "replacement_capacity_t_per_a": 200_000,
        "replacement_sources": [{"facility": "retired line", "province": "henan", "capacity_t_per_a": 200_000}],
        "energy_review_status": "approved",
        "eia_status": "approved",
        "planned_start": "2022-03-01",
        "approved_energy_tce_per_a": 340_000,
        "approved_emissions_tco2e_per_a": 2_500_000,
    }
    data.update(changes)
    return data


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text(json.dumps(list(records), ensure_ascii=False), encoding="utf-8")
    return path


def project_events(url: str, code: str) -> list[AuditEvent]:
    with db.transaction(url) as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity == "project", AuditEvent.entity_key == code)
                .order_by(AuditEvent.id)
            )
        )


def count(url: str, model: Any) -> int:
    with db.transaction(url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# ---------------------------------------------------------------- register and read back


def test_examples_round_trip(db_url: str) -> None:
    files = sorted(EXAMPLES.glob("*.yaml"))
    expected = {p.id: p for path in files for p in read_projects(path)}
    with db.transaction(db_url) as session:
        for path in files:
            done = use.register_file(session, OP, path)
            assert [r.action for r in done] == ["registered"]
    with db.transaction(db_url) as session:
        for code, original in expected.items():
            assert use.record(session, OP, code) == original
        listed = {s.code: s for s in use.list_projects(session, OP)}
        uploads = {u.filename: u for u in session.scalars(select(Upload))}
    assert set(listed) == set(expected)
    for code, original in expected.items():
        s = listed[code]
        assert (s.province, s.sector, s.kind, s.capacity_t_per_a, s.status, s.version) == (
            original.site.province,
            original.sector.value,
            original.kind.value,
            original.capacity_t_per_a,
            "planned",
            1,
        )
        assert s.classification is None and s.facility_code is None
    assert {path.name for path in files} == set(uploads)
    for path in files:
        assert uploads[path.name].content == path.read_bytes()
    events = project_events(db_url, "EX-MG-XJ-04")
    assert [(e.action, e.actor) for e in events] == [("register", ACTOR)]
    assert events[0].after["version"] == 1 and events[0].after["record"]["measured"]["year"] == 2024


def test_filters(db_url: str) -> None:
    with db.transaction(db_url) as session:
        for path in sorted(EXAMPLES.glob("*.yaml")):
            use.register_file(session, OP, path)
        use.review(session, OP, "EX-AL-KEY-01")
    with db.transaction(db_url) as session:
        assert [s.code for s in use.list_projects(session, OP, province="xinjiang")] == ["EX-MG-XJ-04"]
        assert [s.code for s in use.list_projects(session, OP, sector="alumina")] == ["EX-AO-GX-03"]
        assert [s.code for s in use.list_projects(session, OP, kind="retrofit")] == ["EX-MG-XJ-04"]
        assert [s.code for s in use.list_projects(session, OP, classification="halt")] == ["EX-AL-KEY-01"]
        assert len(use.list_projects(session, OP, classification="none")) == 4
        assert use.list_projects(session, OP, status="built") == []
        with pytest.raises(InputError) as caught:
            use.list_projects(session, OP, status="demolished")
        assert caught.value.field == "status"


def test_registering_again(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path / "p.json", project())
    with db.transaction(db_url) as session:
        assert [r.action for r in use.register_file(session, OP, path)] == ["registered"]
    with db.transaction(db_url) as session:  # the same record again: nothing written
        assert [r.action for r in use.register_file(session, OP, path)] == ["unchanged"]
    assert count(db_url, ProjectVersion) == 1 and count(db_url, Upload) == 1
    changed = write(tmp_path / "changed.json", project(capacity_t_per_a=250_000, net_new_capacity_t_per_a=250_000))
    with pytest.raises(ValidationFailed) as caught, db.transaction(db_url) as session:
        use.register_file(session, OP, changed)
    (error,) = caught.value.errors
    assert error.record == "P-AL-1" and error.field == "id" and "projects correct P-AL-1" in str(error.expected)
    assert count(db_url, ProjectVersion) == 1


# ---------------------------------------------------------------- all or nothing


def test_a_file_with_bad_projects_stores_nothing_and_names_every_problem(db_url: str, tmp_path: Path) -> None:
    with db.transaction(db_url) as session:  # a stored project the file then contradicts
        use.register_projects(session, OP, [parse_project(project(id="P-OLD"))])
    before = (count(db_url, ProjectVersion), count(db_url, Upload), count(db_url, AuditEvent))
    path = write(
        tmp_path / "bad.json",
        project(id="P-GOOD"),
        project(id="P-NEG", capacity_t_per_a=-5, net_new_capacity_t_per_a=0),
        project(
            id="P-LOW",
            designed_unit_consumption={"ac_power_liquid_aluminium": {"value": 9_000, "unit": "kWh/t"}},
        ),
        project(id="P-OLD", capacity_t_per_a=300_000, net_new_capacity_t_per_a=300_000),
        project(id="P-" + "X" * 120),
        project(id="P-KGCE", approved_energy_tce_per_a=340_000_000),
    )
    with pytest.raises(ValidationFailed) as caught, db.transaction(db_url) as session:
        use.register_file(session, OP, path)
    problems = {(e.record, e.field) for e in caught.value.errors}
    assert ("P-NEG", "capacity_t_per_a") in problems
    assert ("P-LOW", "designed_unit_consumption.ac_power_liquid_aluminium.value") in problems
    assert ("P-OLD", "id") in problems
    assert ("P-" + "X" * 120, "id") in problems
    assert ("P-KGCE", "approved_energy_tce_per_a") in problems
    assert all(e.file == str(path) for e in caught.value.errors)
    low = next(e for e in caught.value.errors if e.record == "P-LOW")
    assert str(low.expected) == "11,000-16,000 kWh/t"
    assert (count(db_url, ProjectVersion), count(db_url, Upload), count(db_url, AuditEvent)) == before
    with db.transaction(db_url) as session:
        assert [s.code for s in use.list_projects(session, OP)] == ["P-OLD"]


# ---------------------------------------------------------------- corrections


def test_a_correction_makes_version_2_and_keeps_version_1(db_url: str, tmp_path: Path) -> None:
    original = project()
    with db.transaction(db_url) as session:
        use.register_projects(session, OP, [parse_project(original)])
    corrected = project(
        capacity_t_per_a=240_000, net_new_capacity_t_per_a=240_000, replacement_capacity_t_per_a=240_000
    )
    corrected["replacement_sources"] = [{"facility": "retired line", "province": "henan", "capacity_t_per_a": 240_000}]
    path = write(tmp_path / "fix.json", corrected)
    with db.transaction(db_url) as session:
        done = use.correct_from_file(session, operator("regulator:R2"), "P-AL-1", path, "capacity as approved")
        assert done.version == 2
    with db.transaction(db_url) as session:
        history = use.history(session, OP, "P-AL-1")
        current = use.record(session, OP, "P-AL-1")
    assert [v["version"] for v in history["versions"]] == [1, 2]
    first, second = history["versions"]
    assert parse_project(first["record"]) == parse_project(original)
    assert first["reason"] is None and second["reason"] == "capacity as approved"
    assert second["created_by"] == "regulator:R2" and second["file"] == "fix.json"
    assert current == parse_project(corrected)
    assert history["project"]["capacity_t_per_a"] == 240_000 and history["project"]["version"] == 2
    events = project_events(db_url, "P-AL-1")
    assert [e.action for e in events] == ["register", "correct"]
    correction = events[1]
    assert correction.actor == "regulator:R2"
    assert correction.before["version"] == 1 and correction.before["record"]["capacity_t_per_a"] == 200_000
    assert correction.after["version"] == 2 and correction.after["reason"] == "capacity as approved"
    assert correction.after["record"]["capacity_t_per_a"] == 240_000


@pytest.mark.parametrize(
    ("code", "changes", "reason", "field", "message"),
    [
        ("P-AL-1", {"capacity_t_per_a": 210_000.0}, " ", "reason", "needs a reason"),
        ("P-AL-1", {}, "same again", None, "identical to version 1"),
        ("P-AL-1", {"id": "P-AL-2"}, "renamed", "id", "another id"),
        ("P-NONE", {"id": "P-NONE"}, "why", None, "unknown project"),
    ],
)
def test_refused_corrections(
    db_url: str, code: str, changes: dict[str, Any], reason: str, field: str | None, message: str
) -> None:
    with db.transaction(db_url) as session:
        use.register_projects(session, OP, [parse_project(project())])
    data = project(**changes)
    if "capacity_t_per_a" in changes:
        data["net_new_capacity_t_per_a"] = changes["capacity_t_per_a"]
    refusal = NotFound if code == "P-NONE" else InputError  # an unknown project is not found, before anything else
    with pytest.raises(refusal) as caught, db.transaction(db_url) as session:
        use.correct_project(session, OP, code, parse_project(data), reason)
    assert message in str(caught.value) and getattr(caught.value, "field", None) == field
    assert count(db_url, ProjectVersion) == 1


# ---------------------------------------------------------------- stored reviews


def test_a_stored_review_keeps_rules_sources_parameters_and_classification(db_url: str, params: ParameterSet) -> None:
    path = EXAMPLES / "al_smelter_key_area_2024.yaml"
    with db.transaction(db_url) as session:
        use.register_file(session, OP, path)
        run = use.review(session, operator("verifier:V1"), "EX-AL-KEY-01", national_approved_capacity_t_per_a=44e6)
        run_id = run.id
    (record,) = read_projects(path)
    expected = review_project(record, params, period=None, national_approved_capacity_t_per_a=44e6)
    with db.transaction(db_url) as session:
        stored = session.get(ProjectReviewRun, run_id)
        assert stored is not None
        snapshot = session.get(ParameterSnapshot, stored.parameter_fingerprint)
        assert snapshot is not None
        assert (stored.classification, stored.decisive, stored.version) == ("halt", ["R1"], 1)
        assert stored.period.isoformat() == "2024-06-01" and stored.reviewed_by == "verifier:V1"
        assert stored.national_approved_capacity_t_per_a == 44e6
        rules = stored.result["rules"]
        labels = {p["parameter"] + json.dumps(p["key"], sort_keys=True) for p in snapshot.parameters}
    assert rules == json.loads(json.dumps([r.as_dict() for r in expected.rules]))
    assert [r["rule"] for r in rules] == ["R1", "R2", "R3", "R4", "R5", "R6a", "R6b", "R7", "R8"]
    assert rules[0]["outcome"] == Outcome.FAIL.value and rules[0]["source"] and rules[0]["confidence"]
    for result in expected.rules:  # every parameter the review cited is in the snapshot
        for cited in result.parameters:
            assert cited.parameter + json.dumps(cited.key, sort_keys=True) in labels
    events = project_events(db_url, "EX-AL-KEY-01")
    assert [e.action for e in events] == ["register", "review"]
    assert events[1].actor == "verifier:V1" and events[1].after["classification"] == "halt"
    assert events[1].after["parameter_fingerprint"] == stored.parameter_fingerprint


def test_a_review_after_a_correction_is_of_the_new_version(db_url: str, tmp_path: Path) -> None:
    pending = project(energy_review_status="pending")
    with db.transaction(db_url) as session:
        use.register_projects(session, OP, [parse_project(pending)])
        first = use.review(session, OP, "P-AL-1")
        assert first.classification == "rectify" and "R7" in first.decisive
        use.correct_project(session, OP, "P-AL-1", parse_project(project()), "energy review approved")
    with db.transaction(db_url) as session:
        (summary,) = use.list_projects(session, OP)
        assert summary.reviewed_version == 1 and summary.version == 2 and summary.review_outdated
        second = use.review(session, OP, "P-AL-1", period="2022-03")
        assert second.version == 2 and "R7" not in second.decisive
    with db.transaction(db_url) as session:
        history = use.history(session, OP, "P-AL-1")
        (summary,) = use.list_projects(session, OP)
    assert [(r["version"], r["period"]) for r in history["reviews"]] == [(1, "2022-03-01"), (2, "2022-03-01")]
    assert not summary.review_outdated
    assert [e["action"] for e in history["audit"]] == ["register", "review", "correct", "review"]


# ---------------------------------------------------------------- link to a facility


def test_link_to_a_registry_facility(registry: str) -> None:
    with db.transaction(registry) as session:
        use.register_projects(
            session,
            OP,
            [
                parse_project(project()),
                parse_project(project(id="P-YN", site={"province": "yunnan", "city": "文山州"})),
            ],
        )
    for code, facility, message in [
        ("P-AL-1", "NOPE", "unknown facility"),
        ("P-AL-1", "CU1", "sector copper"),
        ("P-YN", "AL1", "lies in shaanxi"),
        ("P-NONE", "AL1", "unknown project"),
    ]:
        refusal = NotFound if code == "P-NONE" else InputError
        with pytest.raises(refusal) as caught, db.transaction(registry) as session:
            use.link_facility(session, OP, code, facility)
        assert message in str(caught.value)
    with db.transaction(registry) as session:
        assert use.link_facility(session, OP, "P-AL-1", "AL1") is True
    with db.transaction(registry) as session:
        assert use.link_facility(session, OP, "P-AL-1", "AL1") is False  # already: nothing written
        assert [s.code for s in use.list_projects(session, OP, status="built")] == ["P-AL-1"]
        (built,) = use.list_projects(session, OP, status="built")
    assert built.facility_code == "AL1"
    events = project_events(registry, "P-AL-1")
    assert [e.action for e in events] == ["register", "link"]
    assert events[1].before == {"facility": None, "status": "planned"}
    assert events[1].after == {"facility": "AL1", "status": "built"}


# ---------------------------------------------------------------- measured against approved

# Hand-built months of AL1: (period, status, output t, AC power to electrolysis MWh, result or None).
# A result is (energy tce, location tCO2e, market tCO2e).
MONTHS: list[tuple[str, str, float, float, tuple[float, float, float] | None]] = [
    ("2023-12", "verified", 15_000.0, 194_000.0, (25_500.0, 200_000.0, 180_000.0)),
    ("2024-01", "verified", 16_000.0, 205_000.0, (27_000.0, 210_000.0, 190_000.0)),
    ("2024-02", "locked", 15_500.0, 199_500.0, (26_400.0, 205_000.0, 184_000.0)),
    ("2024-03", "verified", 16_200.0, 208_900.0, (27_700.0, 214_000.0, 193_500.0)),
    ("2024-04", "verified", 16_100.0, 207_000.0, None),  # counted, but no result yet
    ("2024-05", "submitted", 16_300.0, 210_000.0, (28_000.0, 215_000.0, 194_000.0)),  # not counted
]


def build_months(url: str) -> None:
    with db.transaction(url) as session:
        facility = repo.facilities_by_code(session, ["AL1"])["AL1"]
        fingerprint = repo.snapshot_parameters(session, [])
        for period, status, output, ac_mwh, result in MONTHS:
            record = {
                "facility_id": "AL1",
                "sector": "electrolytic_aluminium",
                "region": "shaanxi",
                "period": period,
                "output_t": output,
                "electrolysis_ac_mwh": ac_mwh,
            }
            (version,) = repo.save_versions(session, [(facility, period, record)], "enterprise:E1")
            steps = {"submitted": ["submitted"], "verified": ["submitted", "verified"]}
            for step in steps.get(status, ["submitted", "verified", "locked"]):
                repo.transition_many(session, [version], step, "verifier:V1")
            if result is not None:
                energy, location, market = result
                values = {"energy_tce": energy, "total_location_tco2e": location, "total_market_tco2e": market}
                repo.record_results(session, [(version, "test", values, fingerprint)], "test:setup")


def test_measured_against_designed_and_approved_from_counted_months(registry: str) -> None:
    build_months(registry)
    with db.transaction(registry) as session:
        use.register_projects(session, OP, [parse_project(project())])
        not_built = use.measured(session, OP, "P-AL-1", 2024)
        use.link_facility(session, OP, "P-AL-1", "AL1")
    assert not_built.status == "not_built" and "not linked" in not_built.message_en
    with db.transaction(registry) as session:
        result = use.measured(session, OP, "P-AL-1", 2024)
    counted = [m for m in MONTHS if m[0].startswith("2024") and m[1] in ("verified", "locked")]
    with_result = [m for m in counted if m[4] is not None]
    assert result.status == "measured" and result.facility_code == "AL1"
    assert result.months_counted == 4 and result.months_with_result == 3
    assert list(result.periods) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert result.output_t == pytest.approx(sum(m[2] for m in counted))
    # AC power: every counted month reports electricity and output.
    ac = result.indicator(Indicator.AC_POWER_LIQUID_ALUMINIUM)
    expected_ac = sum(m[3] for m in counted) * 1000 / sum(m[2] for m in counted)
    assert ac.unit == "kWh/t" and ac.months == 4
    assert ac.measured == pytest.approx(expected_ac, rel=1e-12)
    assert ac.difference == pytest.approx(expected_ac - 12_900, rel=1e-12)
    assert ac.percent == pytest.approx((expected_ac - 12_900) / 12_900 * 100, rel=1e-12)
    assert ac.designed_at_output == pytest.approx(12_900 * sum(m[2] for m in counted) / 1000)
    # Comprehensive energy: only the months with a result (energy) count, numerator and output alike.
    ce = result.indicator(Indicator.COMPREHENSIVE_ENERGY)
    energy = sum(m[4][0] for m in with_result if m[4])
    expected_ce = energy * 1000 / sum(m[2] for m in with_result)
    assert ce.unit == "kgce/t" and ce.months == 3
    assert ce.measured == pytest.approx(expected_ce, rel=1e-12)
    assert ce.difference == pytest.approx(expected_ce - 1_700, rel=1e-12)
    totals = {t.item: t for t in result.totals}
    assert totals["energy_tce"].measured == pytest.approx(energy)
    assert totals["energy_tce"].approved == 340_000
    assert totals["energy_tce"].difference == pytest.approx(energy - 340_000)
    location = sum(m[4][1] for m in with_result if m[4])
    market = sum(m[4][2] for m in with_result if m[4])
    assert totals["total_location_tco2e"].measured == pytest.approx(location)
    assert totals["total_market_tco2e"].measured == pytest.approx(market)
    assert totals["total_market_tco2e"].difference == pytest.approx(market - 2_500_000)
    assert "4 of 12 months" in totals["energy_tce"].note and "without a result" in totals["energy_tce"].note
    assert "1 counted month(s) without a result" in result.message_en
    assert [s["period"] for s in result.sources] == list(result.periods)
    assert result.years_with_data == (2023, 2024)


def test_no_counted_months_is_no_data(registry: str) -> None:
    build_months(registry)
    with db.transaction(registry) as session:
        use.register_projects(session, OP, [parse_project(project())])
        use.link_facility(session, OP, "P-AL-1", "AL1")
    with db.transaction(registry) as session:
        result = use.measured(session, OP, "P-AL-1", 2022)
        with pytest.raises(InputError):
            use.measured(session, OP, "P-AL-1", 12)
    assert result.status == "no_data" and result.indicators == () and result.totals == ()
    assert "no data" in result.message_en and "2023, 2024" in result.message_en and "无数据" in result.message_zh
    assert result.months_counted == 0 and result.output_t is None


def test_compare_measured_without_the_numerator_says_so() -> None:
    months = pd.DataFrame(
        {
            "period": ["2024-01"],
            "version": [1],
            "status": ["verified"],
            "output_t": [1_000.0],
            "electrolysis_ac_mwh": [float("nan")],
            "energy_tce": [float("nan")],
            "total_location_tco2e": [float("nan")],
            "total_market_tco2e": [float("nan")],
            "has_result": [False],
        }
    )
    result = compare_measured(parse_project(project()), months, 2024, facility_code="AL1")
    assert result.status == "measured"
    for comparison in result.indicators:
        assert comparison.measured is None and comparison.no_data
    assert all(t.measured is None and "no figure" in t.note for t in result.totals)
    assert "no unit consumption" in result.message_en


# ---------------------------------------------------------------- one lookup of benchmark levels


def test_review_and_classification_share_the_benchmark_lookup(params: ParameterSet) -> None:
    benchmark, baseline = benchmark_levels(params, "electrolytic_aluminium", 2022)
    assert benchmark_level(params, "electrolytic_aluminium", "benchmark", "2022-09-01") == benchmark
    assert benchmark_level(params, "electrolytic_aluminium", "baseline", edition="2021") == baseline
    with pytest.raises(ParameterValueMissing) as caught:
        benchmark_levels(params, "electrolytic_aluminium", 2024)
    assert "choose benchmark edition 2021" in str(caught.value)  # what to choose; no option of one command
    assert "请选择 2021 版" in caught.value.text("zh") and "benchmarks.ndrc_level" in str(caught.value)
    review = review_project(parse_project(project()), params, period="2022-09-01")
    r3 = review.rule("R3")
    assert r3.required is not None and r3.required.value == float(benchmark.value)
    assert benchmark.label in {c.label for c in r3.parameters}
    frame = pd.DataFrame(
        {"facility_id": ["F"], "year": [2022], "product": ["electrolytic_aluminium"], "capacity_t_per_a": [1.0]}
    )
    frame["unit_consumption"] = 12_950.0
    table, _shares, _cited = classify_facilities(frame, params)
    assert table["benchmark_level"].iloc[0] == float(benchmark.value)
    assert table["baseline_level"].iloc[0] == float(baseline.value)
