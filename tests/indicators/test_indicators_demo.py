"""Indicators on the demo province, checked against sums computed here from the raw submissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carbonpeak.indicators import definitions as ind
from carbonpeak.parameters import load
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Facility, Result, Submission, SubmissionVersion


@pytest.fixture(scope="module")
def demo(demo_sqlite_url: str) -> str:
    """The demo province: this module's copy of the session's demo database (tests/conftest.py)."""
    return demo_sqlite_url


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


def test_value_added_target_on_the_demo_from_the_entered_statistics(demo: str) -> None:
    """XJ-01 on the demo province, against a figure computed here from the shipped statistics file."""
    import csv
    from importlib import resources

    from carbonpeak.indicators.targets import evaluate_plan
    from carbonpeak.store.facts import indicator_inputs

    text = resources.files("carbonpeak.demo").joinpath("statistics.csv").read_text(encoding="utf-8")
    entered = {
        (r["name"], int(r["year"])): float(r["value"])
        for r in csv.DictReader(text.splitlines())
        if r["scope"] == "industry_above_designated_size"
    }

    def intensity(year: int) -> float:  # tce per 亿元; the ratio of ratios does not depend on the unit
        return entered[("industrial_energy_consumption", year)] / entered[("industrial_value_added", year)]

    latest = max(y for _, y in entered)
    expected = (intensity(latest) / intensity(2020) - 1) * 100
    with db.transaction(demo) as session:
        facts, options = indicator_inputs(session, benchmark_edition="2021")
    result = next(
        e
        for e in evaluate_plan("xinjiang_industry", facts, region="demo", year=2025, options=options)
        if e.target.id == "XJ-01"
    )
    assert result.as_dict()["year"] == latest and result.as_dict()["value"] == pytest.approx(expected, rel=1e-9)
    path = -17 * (latest - 2020) / (2025 - 2020)
    shortfall = expected - path  # smaller (more negative) is better
    band = 0.10 * 17
    assert result.status == ("on_track" if shortfall <= 0 else "at_risk" if shortfall <= band else "off_track")
    assert "no value yet for 2025" in result.reason  # 2025's statistics are not published on the demo's day


def test_green_factories_counted_in_the_demo_registry(demo: str) -> None:
    from carbonpeak.store.facts import indicator_inputs
    from carbonpeak.store.green.models import GreenDesignation

    # Counted from the green register's dated designations (a removal in 2025 still counts in 2023).
    with db.transaction(demo) as session:
        facts, options = indicator_inputs(session)
        designations = session.scalars(select(GreenDesignation).where(GreenDesignation.kind == "factory")).all()
        expected = len(
            {
                d.enterprise_id
                for d in designations
                if d.level in ("provincial", "national")
                and (d.year_designated or 9999) <= 2023
                and (d.removed_on is None or d.removed_on.year > 2023)
                and d.enterprise is not None
                and d.enterprise.facilities
            }
        )
    value = ind.compute("green_factories", facts, region="demo", year=2023, options=options, scope="nonferrous")
    assert expected > 0 and value.value == expected


def test_the_whole_table_agrees_with_one_indicator_at_a_time(demo: str) -> None:
    """The vectorised table of every year gives what a single indicator computed alone gives."""
    with db.transaction(demo) as session:
        facts = facility_months(session)
    options = ind.Options(load(), benchmark_edition="2021")
    prepared = ind.prepare(facts, region="demo", options=options)
    whole = ind.table_years(prepared, list(range(2020, 2026)))
    for indicator, sector, year in [
        ("energy_tce", "all", 2021),
        ("emissions_market_tco2e", "copper", 2022),
        ("energy_intensity_kgce_per_t", "electrolytic_aluminium", 2023),
        ("capacity_share_below_baseline", "electrolytic_aluminium", 2024),
        ("recycled_metal_share", "all", 2025),
        ("reporting_facilities", "all", 2020),
    ]:
        row = whole[(whole["indicator"] == indicator) & (whole["sector"] == sector) & (whole["year"] == year)]
        alone = ind.compute(
            indicator, facts, region="demo", year=year, sector=None if sector == "all" else sector, options=options
        )
        assert len(row) == 1 and row["value"].iloc[0] == pytest.approx(alone.value, rel=1e-12), indicator
        assert row["months"].iloc[0] == alone.months
