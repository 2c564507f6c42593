"""The overview's breakdowns, 同比/环比 and rankings on the demo province, against the indicators' own
totals and against sums made here from the raw submissions (each counted version's record and latest
stored result, read straight from the tables)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from carbonpeak.indicators import breakdown as bd
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators import trends
from carbonpeak.parameters import load
from carbonpeak.store import db, result_methods
from carbonpeak.store import repository as repo
from carbonpeak.store.facts import facility_months
from carbonpeak.store.models import Enterprise, Facility, Result, Submission


@pytest.fixture(scope="module")
def demo(demo_sqlite_url: str) -> str:
    """The demo province: this module's copy of the session's demo database (tests/conftest.py)."""
    return demo_sqlite_url


@pytest.fixture(scope="module")
def facts(demo: str):
    with db.transaction(demo) as session:
        return facility_months(session)


@pytest.fixture(scope="module")
def raw(demo: str) -> list[dict]:
    """Each counted month: period, facility, enterprise, sector, output, energy and emissions."""
    out = []
    with db.transaction(demo) as session:
        enterprises = {e.id: e.code for e in session.scalars(select(Enterprise))}
        for version in repo.counted_versions(session):
            submission = session.get(Submission, version.submission_id)
            facility = session.get(Facility, submission.facility_id)
            result = session.scalars(
                select(Result).where(Result.version_id == version.id).order_by(Result.id.desc())
            ).first()
            if result is None:
                continue
            out.append(
                {
                    "period": submission.period,
                    "facility": facility.code,
                    "enterprise": enterprises[facility.enterprise_id],
                    "sector": facility.sector,
                    "output": float(version.record.get("output_t") or 0.0),
                    "energy": result.energy_tce,
                    "emissions": result.total_location_tco2e,
                }
            )
    return out


FIGURES = ("emissions_location_tco2e", "emissions_market_tco2e", "energy_tce", "output_t")


@pytest.mark.parametrize("figure", FIGURES)
@pytest.mark.parametrize("by", bd.LEVELS)
def test_every_breakdown_sums_to_the_overview_figure(facts, figure: str, by: str) -> None:
    options = ind.Options(load())
    rows = ind.select_region(facts, "demo")
    for year in (2024, 2025):
        overview = ind.compute(figure, facts, region="demo", year=year, options=options).value
        split = bd.breakdown(bd.select(rows, year=year), figure, by)
        assert split.total == pytest.approx(overview, rel=1e-12)
        assert sum(p.value for p in split.parts) == pytest.approx(overview, rel=1e-12)
        assert sum(p.facility_months for p in split.parts) == split.facility_months
        assert sum(p.share for p in split.parts) == pytest.approx(100.0)


def test_a_sector_and_a_month_narrow_the_figure(facts, raw: list[dict]) -> None:
    rows = ind.select_region(facts, "demo")
    split = bd.breakdown(
        bd.select(rows, year=2024, month=3, sector="magnesium"), "emissions_location_tco2e", "enterprise"
    )
    expected = sum(r["emissions"] for r in raw if r["period"] == "2024-03" and r["sector"] == "magnesium")
    assert split.total == pytest.approx(expected, rel=1e-12)
    assert split.facility_months == sum(1 for r in raw if r["period"] == "2024-03" and r["sector"] == "magnesium")
    assert [p.value for p in split.parts] == sorted((p.value for p in split.parts), reverse=True)


def test_capacity_is_each_facilitys_capacity_in_its_last_month(facts) -> None:
    rows = bd.select(ind.select_region(facts, "demo"), year=2024, sector="electrolytic_aluminium")
    last = rows.sort_values("period").groupby("facility_code").tail(1)
    split = bd.breakdown(rows, "capacity_t_per_a", "enterprise")
    assert split.total == pytest.approx(float(last["capacity_t_per_a"].sum()))
    assert sum(p.value for p in split.parts) == pytest.approx(split.total)
    by_month = bd.breakdown(rows, "capacity_t_per_a", "month")
    assert all(p.share is None for p in by_month.parts)  # months of a stock do not add up


def test_year_on_year_and_month_on_month_against_the_raw_months(facts, raw: list[dict]) -> None:
    rows = ind.select_region(facts, "demo")
    month = defaultdict(float)
    for r in raw:
        month[r["period"]] += r["emissions"]
    changes = {c.period: c for c in trends.changes(rows, "emissions_location_tco2e", 2025)}
    assert sorted(changes) == [f"2025-{m:02d}" for m in range(1, 10)]  # the demo's 2025 runs to September
    march = changes["2025-03"]
    assert march.value == pytest.approx(month["2025-03"])
    assert march.yoy_pct == pytest.approx((month["2025-03"] / month["2024-03"] - 1) * 100)
    assert march.mom_pct == pytest.approx((month["2025-03"] / month["2025-02"] - 1) * 100)
    january = changes["2025-01"]  # 环比 of January: December of the year before
    assert january.mom_pct == pytest.approx((month["2025-01"] / month["2024-12"] - 1) * 100)
    assert changes["2025-01"].facility_months == sum(1 for r in raw if r["period"] == "2025-01")


def test_rankings_are_ordered_and_agree_with_the_raw_months(facts, raw: list[dict]) -> None:
    rows = ind.select_region(facts, "demo")
    by_enterprise = defaultdict(float)
    for r in raw:
        if r["period"].startswith("2024"):
            by_enterprise[r["enterprise"]] += r["emissions"]
    top = trends.top_emitters(rows, 2024)
    assert len(top) == 10
    assert [t.value for t in top] == sorted((t.value for t in top), reverse=True)
    expected = sorted(by_enterprise.items(), key=lambda kv: -kv[1])[:10]
    assert [t.key for t in top] == [k for k, _ in expected]
    assert top[0].value == pytest.approx(expected[0][1])

    worst = trends.worst_unit_consumption(rows, 2024)
    assert [w.change for w in worst] == sorted((w.change for w in worst), reverse=True)
    first = worst[0]
    mine = [r for r in raw if r["facility"] == first.key and r["period"].startswith("2024")]
    sector = [r for r in raw if r["sector"] == first.sector and r["period"].startswith("2024")]
    kgce = sum(r["energy"] for r in mine) * 1000 / sum(r["output"] for r in mine)
    assert first.value == pytest.approx(kgce)
    assert first.reference == pytest.approx(sum(r["energy"] for r in sector) * 1000 / sum(r["output"] for r in sector))

    increase = trends.largest_increase(rows, 2025, last_month=9)
    assert increase and all(i.change > 0 for i in increase)
    assert [i.change for i in increase] == sorted((i.change for i in increase), reverse=True)
    lead = increase[0]
    now = sum(r["emissions"] for r in raw if r["enterprise"] == lead.key and r["period"][:4] == "2025")
    before = sum(r["emissions"] for r in raw if r["enterprise"] == lead.key and "2024-01" <= r["period"] <= "2024-09")
    assert lead.change == pytest.approx(now - before) and lead.pct == pytest.approx((now / before - 1) * 100)


def test_the_provenance_of_a_figure_counts_its_facility_months(demo: str, facts) -> None:
    rows = bd.select(ind.select_region(facts, "demo"), year=2024, sector="electrolytic_aluminium")
    split = bd.breakdown(rows, "emissions_location_tco2e", "facility")
    with db.transaction(demo) as session:
        made = result_methods.behind(session, split.version_ids)
    assert made.facility_months == split.facility_months
    assert sum(n for _, n in made.methods) == split.facility_months
    assert {m for m, _ in made.methods} == {"cn-al-2024"}  # the 2024 guideline for 2024's months
    families = {p.family for p in made.parameters}
    assert {"emissions.aluminium_cn", "electricity.grid_factor"} <= families
    assert all(p.facility_months <= split.facility_months for p in made.parameters)
