"""The green register on the demonstration province: designations by year (the issue's done-when), the counts
of green factories, supply chains and parks by year from designations in force, removal with its reason, the
regulator's keep decision for a non-filer, filings as versions, 企业绿码, access refusals that reveal nothing,
and the green low-carbon report.

Demo facts relied on (services/green_register_demo.py over the demo's table): provincial-or-national green
factories designated 2019 E01; 2020 E18; 2021 E02 E05 E19 E40; 2022 E03 E04 E20 E22 E30; 2023 E06 E15 E25 E26
E38; 2024 E09 E35; E06 removed 2025-06-30. Supply chains E01 2021, E18 2022, E40 2023; parks PK02 2021 (national),
PK07 2023 (provincial). E15 and E06 did not file for 2024 (deadline configured for the demo: 2025-03-30)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.indicators import definitions as ind
from carbonpeak.services import access, recycling_reads
from carbonpeak.services import green_register as use
from carbonpeak.services import green_register_filing as filing
from carbonpeak.store import db
from carbonpeak.store.accounts import User
from carbonpeak.store.facts import facility_months, indicator_inputs
from carbonpeak.store.green.models import GreenDesignationVersion, GreenFiling
from carbonpeak.store.models import AuditEvent, Enterprise, Region

ADMIN = access.operator("cli:test")
FACTORIES = {2018: 0, 2019: 1, 2020: 2, 2021: 6, 2022: 11, 2023: 16, 2024: 18, 2025: 17}
SUPPLY_CHAINS = {2020: 0, 2021: 1, 2022: 2, 2023: 3, 2025: 3}
PARKS = {2020: 0, 2021: 1, 2022: 1, 2023: 2}


def person(session: Any, role: str, *, region: str | None = None, enterprise: str | None = None) -> access.Principal:
    user = User(
        username=f"{role}-{region or enterprise or 'x'}-{dt.datetime.now().timestamp()}",
        display_name=role,
        role=role,
        password_hash="x",
        region_id=session.scalar(select(Region.id).where(Region.code == region)) if region else None,
        enterprise_id=session.scalar(select(Enterprise.id).where(Enterprise.code == enterprise))
        if enterprise
        else None,
    )
    session.add(user)
    session.flush()
    return access.principal_for(session, user)


def test_counts_by_year_come_from_designations_in_force(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as session:
        facts, options = indicator_inputs(session)
    for indicator, expected in (
        ("green_factories", FACTORIES),
        ("green_supply_chain_enterprises", SUPPLY_CHAINS),
        ("green_parks", PARKS),
    ):
        for year, count in expected.items():
            value = ind.compute(indicator, facts, region="demo", year=year, options=options, scope="nonferrous")
            assert value.value == count, (indicator, year, value.value)


def test_the_register_shows_designations_by_year(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        rows_2023 = use.register_rows(session, ADMIN, 2023)
        rows_2025 = use.register_rows(session, ADMIN, 2025)
    by = {(r["code"], r["kind"]): r for r in rows_2023}
    assert by[("E09", "factory")]["in_force"] is False  # designated 2024
    assert by[("E06", "factory")]["in_force"] is True  # removed only in 2025
    assert {(r["code"], r["kind"]): r for r in rows_2025}[("E06", "factory")]["in_force"] is False
    counts = use.counts(rows_2023)
    assert counts["factory"] == {"national": 7, "provincial": 9} and counts["park"] == {"national": 1, "provincial": 1}
    assert all(r["name"] and not r["name"].startswith("E") for r in rows_2023)  # names, not codes


def test_the_migrated_flags_become_dated_designations_and_the_flags_follow(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        e06 = session.scalar(select(Enterprise).where(Enterprise.code == "E06"))
        e02 = session.scalar(select(Enterprise).where(Enterprise.code == "E02"))
        assert e06 is not None and e02 is not None
        assert e06.green_factory_level is None  # removed: the old column says so too
        assert (e02.green_factory_level, e02.green_factory_year) == ("national", 2021)
        versions = session.scalars(select(GreenDesignationVersion)).all()
        assert {v.action for v in versions} >= {"designated", "remove"}
        assert session.scalar(select(AuditEvent).where(AuditEvent.entity == "green_designation")) is not None


def test_a_non_filer_is_flagged_and_the_regulator_keeps_or_removes(demo_db_url: str) -> None:
    with db.transaction(demo_db_url) as session:
        province = person(session, "province_regulator", region="demo")
        board = {b["enterprise"]: b for b in filing.board(session, province, 2024, today=dt.date(2026, 1, 20))}
        assert board["E15"]["state"] == "overdue" and board["E15"]["flagged"] and board["E15"]["code"] is None
        assert board["E02"]["state"] == "filed" and not board["E02"]["flagged"]
        assert board["E02"]["deadline"].on == dt.date(2025, 3, 30)
        due = {b["enterprise"]: b for b in filing.board(session, province, 2025, today=dt.date(2026, 1, 20))}
        assert due["E03"]["state"] == "due" and not due["E03"]["flagged"]
        e15 = next(d for d in use.visible(session, province) if use.subject_code(d) == "E15")
        with pytest.raises(ValidationFailed) as caught:
            use.decide(session, province, e15.id, "keep", "")
        assert {e.code for e in caught.value.errors} == {"green.reason_required", "green.required"}
        use.decide(session, province, e15.id, "keep", "已补报，情况说明见附件", year=2024)
        board = {b["enterprise"]: b for b in filing.board(session, province, 2024, today=dt.date(2026, 1, 20))}
        assert board["E15"]["kept"]
        use.decide(session, province, e15.id, "remove", "2024年度未填报", on=dt.date(2026, 1, 20))
        with pytest.raises(InputError) as again:
            use.decide(session, province, e15.id, "warn", "x")
        assert again.value.code == "green.already_removed"
        assert [h["action"] for h in use.history(session, province, e15.id)] == ["designated", "kept", "remove"]


def test_filings_are_versions_prefilled_from_measured_data(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        mine = person(session, "enterprise", enterprise="E02")
        taken = filing.prefill(session, mine, "E02", 2024)
        measured = taken["values"]
        facts = facility_months(session)
        own = facts[(facts["enterprise_code"] == "E02") & (facts["year"] == 2024) & facts["energy_tce"].notna()]
        assert measured["energy_tce"] == pytest.approx(own["energy_tce"].sum())
        main = own[own["sector"] == taken["basis"]["sector"]]  # intensities over the main sector only
        assert measured["energy_per_product"] == pytest.approx(1000 * main["energy_tce"].sum() / main["output_t"].sum())
        assert taken["basis"]["months"] == len(own)
        # E30's casthouse RA01 has verified scrap-ledger months in 2025: the recycled share of metal charged
        ra01 = [c for c in recycling_reads.contents(session, ADMIN, 2025) if c.facility.code == "RA01"]
        share = filing.measured(session, "E30", 2025)["values"]["recycled_input_share"]
        assert share == pytest.approx(
            100 * sum(c.content.recycled_t for c in ra01) / sum(c.content.charged_t for c in ra01)
        )
        assert filing.measured(session, "E30", 2024)["values"]["recycled_input_share"] is None  # no ledger month
        with pytest.raises(InputError) as no_reason:
            filing.file(session, mine, "E02", 2024, {})
        assert no_reason.value.code == "green.reason_required"  # the demo filed version 1 already
        with pytest.raises(ValidationFailed) as bad:
            filing.file(session, mine, "E02", 2024, {"renewable_share": "many", "output_t": "-1"}, reason="x")
        assert {e.field for e in bad.value.errors} == {"renewable_share", "output_t"}
        done = filing.file(session, mine, "E02", 2024, {"renewable_share": "12.5"}, reason="补充绿电交易凭证")
        assert done.version == 2
        row = session.scalar(select(GreenFiling).where(GreenFiling.version == 2))
        assert row is not None and row.indicators["renewable_share"] == 12.5
        assert row.indicators["energy_tce"] == pytest.approx(measured["energy_tce"])


def test_green_codes_only_for_national_factories_that_filed(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        grades = filing.code_grades(session, 2024)
    national = {"E01", "E02", "E04", "E18", "E20", "E26", "E40"}
    assert set(grades) == national  # provincial factories get no code
    assert set(grades.values()) <= {"A+", "A", "B"} and list(grades.values()).count("A+") >= 1
    with db.transaction(demo_sqlite_url) as session:
        later = filing.code_grades(session, 2025)
    assert later["E20"] is None and later["E02"] is not None  # E20 has not filed for 2025: no code


def test_access_refusals_reveal_nothing(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        mine = person(session, "enterprise", enterprise="E02")
        city_d = person(session, "city_regulator", region="demo-d")
        verifier = person(session, "verifier")
        e01 = next(d for d in use.visible(session, ADMIN) if use.subject_code(d) == "E01" and d.kind == "factory")
        # the wrong role: refused before anything is looked up, whether the designation exists or not
        for designation_id in (e01.id, 10**9):
            with pytest.raises(AccessDenied):
                use.decide(session, mine, designation_id, "remove", "x")
        with pytest.raises(AccessDenied):
            use.designate(session, verifier, {"subject": "E01", "kind": "factory", "level": "national", "year": "2024"})
        # outside the scope: not found, as one that does not exist
        with pytest.raises(NotFound):
            use.decide(session, city_d, e01.id, "warn", "x")  # E01 is in demo-c
        with pytest.raises(NotFound):
            use.get(session, mine, e01.id)
        with pytest.raises(NotFound):
            use.designate(session, city_d, {"subject": "E01", "kind": "factory", "level": "city", "year": "2024"})
        with pytest.raises(NotFound):
            filing.file(session, mine, "E01", 2024, {})
        with pytest.raises(AccessDenied):
            filing.file(session, city_d, "E02", 2024, {})
        assert {use.subject_code(d) for d in use.visible(session, mine)} == {"E02"}
        assert {use.subject_code(d) for d in use.visible(session, verifier)} == set()
        seen = {use.subject_code(d) for d in use.visible(session, city_d)}
        assert "E02" in seen and "E01" not in seen


def test_a_designation_is_checked_whole(demo_sqlite_url: str) -> None:
    with db.transaction(demo_sqlite_url) as session:
        with pytest.raises(ValidationFailed) as caught:
            use.designate(session, ADMIN, {"subject": "", "kind": "garden", "level": "global", "year": "20x4"})
        assert {e.field for e in caught.value.errors} == {"subject", "kind", "level", "year"}
        done = use.designate(
            session,
            ADMIN,
            {"subject": "E07", "kind": "factory", "level": "provincial", "year": "2025", "document": "示范文号"},
        )
        assert done.version == 1
        rows = {r["code"]: r for r in use.register_rows(session, ADMIN, 2025) if r["kind"] == "factory"}
        assert (
            rows["E07"]["in_force"]
            and not {r["code"]: r for r in use.register_rows(session, ADMIN, 2024)}["E07"]["in_force"]
        )
