"""Indicators on the demo province, checked against sums computed here from the raw submissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.facts import facility_months
from carbonpeak.parameters import load
from carbonpeak.store import db, service
from carbonpeak.store import repository as repo
from carbonpeak.store.models import Facility, Result, Submission, SubmissionVersion


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('demo')) / 'demo.db'}"
    db.upgrade(url)
    with db.transaction(url) as session:
        service.load_demo(session)
    return url


def raw_counted(url: str, year: int) -> list[tuple[dict, dict, str]]:
    """(record, latest result values, sector) of each counted month, read straight from the tables."""
    out = []
    with db.transaction(url) as session:
        for version in repo.counted_versions(session):
            if not version.record["period"].startswith(str(year)):
                continue
            submission = session.get(Submission, version.submission_id)
            facility = session.get(Facility, submission.facility_id)
            result = session.scalars(
                select(Result).where(Result.version_id == version.id).order_by(Result.id.desc())
            ).first()
            out.append((version.record, result.values, facility.sector))
    return out


def test_totals_match_the_raw_submissions(demo: str) -> None:
    with db.transaction(demo) as session:
        facts = facility_months(session)
    raw = raw_counted(demo, 2024)
    options = ind.Options(load())
    total = ind.compute("emissions_location_tco2e", facts, region="demo", year=2024, options=options)
    assert total.value == pytest.approx(sum(v["total_location_tco2e"] for _, v, _ in raw), rel=1e-12)
    assert total.months == len(raw)
    energy = ind.compute("energy_tce", facts, region="demo", year=2024, options=options)
    assert energy.value == pytest.approx(sum(v["energy_tce"] for _, v, _ in raw), rel=1e-12)


def test_shares_match_the_raw_submissions(demo: str) -> None:
    with db.transaction(demo) as session:
        facts = facility_months(session)
    raw = raw_counted(demo, 2025)
    al = [r for r, _, s in raw if s == "electrolytic_aluminium"]
    options = ind.Options(load())
    alloy = ind.compute("direct_alloying_share", facts, region="demo", year=2025, options=options)
    assert alloy.value == pytest.approx(
        100 * sum(r.get("direct_alloying_t", 0) for r in al) / sum(r["output_t"] for r in al), rel=1e-12
    )
    renewable = sum(
        r.get(k, 0) for r in al for k in ("direct_renewable_mwh", "green_certificate_mwh", "onsite_renewable_mwh")
    )
    used = sum(
        r.get(k, 0) for r in al for k in ("grid_electricity_mwh", "captive_electricity_mwh", "onsite_renewable_mwh")
    ) - sum(r.get("exported_electricity_mwh", 0) for r in al)
    share = ind.compute("renewable_share_electricity", facts, region="demo", year=2025, options=options)
    assert share.value == pytest.approx(100 * renewable / used, rel=1e-12)
    waste = ind.compute("solid_waste_utilisation_rate", facts, region="demo", year=2025, options=options)
    assert waste.value == pytest.approx(
        100
        * sum(r.get("solid_waste_used_t", 0) for r, _, _ in raw)
        / sum(r.get("solid_waste_generated_t", 0) for r, _, _ in raw),
        rel=1e-12,
    )


def test_only_counted_versions_enter(demo: str) -> None:
    with db.transaction(demo) as session:
        facts = facility_months(session)
        with_submitted = facility_months(session, include_submitted=True)
        drafts = session.scalars(select(SubmissionVersion).where(SubmissionVersion.status == "draft")).all()
    assert set(facts["status"]) <= {"verified", "locked"}
    assert len(with_submitted) > len(facts) and "submitted" in set(with_submitted["status"])
    assert drafts  # drafts exist in the demo but never count
