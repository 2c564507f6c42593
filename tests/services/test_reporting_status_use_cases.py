"""Who has reported, as use cases on SQLite and PostgreSQL: the matrix and the late list of a small
province, who may read which part of it, the Excel read back, and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select, update
from typer.testing import CliRunner

from carbonpeak.errors import AccessDenied, InputError, NotFound
from carbonpeak.services import access
from carbonpeak.services import reporting_status as use
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.accounts import User, VerifierAssignment
from carbonpeak.store.models import Enterprise, Facility, Fact, SubmissionVersion
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc

TODAY = dt.date(2026, 1, 20)  # December 2025 was due on 15 January
ACTOR = "test:setup"


def _months(session: Any, code: str, wanted: dict[str, list[str]]) -> None:
    """Versions of ``code``'s months with the given statuses, oldest first (``returned`` as the
    verification step leaves it: the version's status)."""
    facility = repo.facilities_by_code(session, [code])[code]
    for period, statuses in wanted.items():
        for number, status in enumerate(statuses, start=1):
            saved = repo.save_versions(
                session, [(facility, period, {"output_t": 100.0})], ACTOR, reason="fix" if number > 1 else None
            )
            steps = {"draft": [], "submitted": ["submitted"], "returned": ["submitted"]}
            steps |= {"verified": ["submitted", "verified"], "locked": ["submitted", "verified", "locked"]}
            for target in steps[status]:
                repo.transition_many(session, saved, target, ACTOR)
            if status == "returned":
                ids = [v.id for v in saved]
                session.execute(
                    update(SubmissionVersion).where(SubmissionVersion.id.in_(ids)).values(status="returned")
                )
                session.execute(update(Fact).where(Fact.version_id.in_(ids)).values(status="returned"))


@pytest.fixture
def province(db_url: str) -> str:
    """Province P with cities C1 and C2. E1 (C1; contact 张三): F1 aluminium and F2 magnesium
    (commissioned 10 June 2025); E2 (C2): F3 copper (retired 31 October 2025) and F4 copper."""
    with db.transaction(db_url) as session:
        repo.add_region(session, {"code": "P", "name_zh": "测试省", "name_en": "Test P", "level": "province"}, ACTOR)
        for code, zh in (("C1", "甲市"), ("C2", "乙市")):
            repo.add_region(
                session, {"code": code, "name_zh": zh, "name_en": code, "level": "city", "parent_code": "P"}, ACTOR
            )
        for code, city, zh in (("E1", "C1", "甲铝业有限公司"), ("E2", "C2", "乙铜业有限公司")):
            repo.add_enterprise(
                session,
                {"code": code, "name_zh": zh, "name_en": f"{code} Ltd", "uscc": uscc(code), "region_code": city},
                ACTOR,
            )
        for code, ent, city, sector, extra in (
            ("F1", "E1", "C1", "electrolytic_aluminium", {"commissioning_year": 2010}),
            ("F2", "E1", "C1", "magnesium", {"commissioning_year": 2025}),
            ("F3", "E2", "C2", "copper", {"status": "retired", "retired_on": "2025-10-31"}),
            ("F4", "E2", "C2", "copper", {}),
        ):
            repo.add_facility(
                session,
                {
                    "code": code,
                    "enterprise_code": ent,
                    "name_zh": f"{code}厂",
                    "name_en": f"{code} plant",
                    "region_code": city,
                    "sector": sector,
                    **extra,
                },
                ACTOR,
            )
        session.flush()
        e1 = session.scalar(select(Enterprise).where(Enterprise.code == "E1"))
        assert e1 is not None
        e1.contact_person, e1.contact_phone = "张三", "029-88886666"
        f2 = session.scalar(select(Facility).where(Facility.code == "F2"))
        assert f2 is not None
        f2.commissioned_on = dt.date(2025, 6, 10)
        session.flush()
        _months(session, "F1", {"2025-10": ["locked"], "2025-11": ["locked"], "2025-12": ["draft"]})
        _months(session, "F2", {"2025-11": ["returned"], "2025-12": ["submitted"]})
        _months(session, "F3", {"2025-09": ["locked"], "2025-10": ["submitted"]})
        _months(session, "F4", {"2025-10": ["verified"], "2025-12": ["verified", "draft"]})
    return db_url


def _states(found: use.Matrix) -> dict[tuple[str, str], str]:
    out = {(e.code, c.period): c.state for e in found.enterprises for c in e.cells}
    out |= {(f.code, c.period): c.state for e in found.enterprises for f in e.facilities for c in f.cells}
    return out


def test_matrix_states_counts_and_due_dates(province: str) -> None:
    with db.transaction(province, mode="read") as session:
        found = use.matrix(session, ADMIN, today=TODAY, region="P", first="2025-10", last="2025-12")
    assert found.periods == ("2025-10", "2025-11", "2025-12")
    assert found.due == {
        "2025-10": dt.date(2025, 11, 15),
        "2025-11": dt.date(2025, 12, 15),
        "2025-12": dt.date(2026, 1, 15),
    }
    states = _states(found)
    assert states == {
        ("E1", "2025-10"): "late",  # F2 commissioned in June and never reported October
        ("E1", "2025-11"): "returned",  # F1 reported, F2 returned: the worse
        ("E1", "2025-12"): "late",  # F1's December is a draft only, after its due date
        ("F1", "2025-10"): "submitted",
        ("F1", "2025-11"): "submitted",
        ("F1", "2025-12"): "late",
        ("F2", "2025-10"): "late",
        ("F2", "2025-11"): "returned",
        ("F2", "2025-12"): "submitted",
        ("E2", "2025-10"): "submitted",
        ("E2", "2025-11"): "late",  # F3 retired in October: only F4 had to report, and did not
        ("E2", "2025-12"): "submitted",  # a correction in draft after a verified month keeps it reported
        ("F3", "2025-10"): "submitted",
        ("F3", "2025-11"): "not_required",
        ("F3", "2025-12"): "not_required",
        ("F4", "2025-10"): "submitted",
        ("F4", "2025-11"): "late",
        ("F4", "2025-12"): "submitted",
    }
    assert found.counts["2025-12"] == {"late": 1, "returned": 0, "not_due": 0, "draft": 0, "submitted": 1}
    assert found.facility_counts["2025-11"] == {"late": 1, "returned": 1, "not_due": 0, "draft": 0, "submitted": 1}
    e1 = found.enterprises[0]
    assert (e1.cells[2].facility, e1.cells[2].required, e1.cells[2].reported, e1.cells[2].days_late) == ("F1", 2, 1, 5)
    assert [c.code for c in found.cities] == ["C1", "C2"] and found.sectors == (
        "copper",
        "electrolytic_aluminium",
        "magnesium",
    )


def test_on_the_due_day_nothing_is_late_yet(province: str) -> None:
    with db.transaction(province, mode="read") as session:
        found = use.matrix(session, ADMIN, today=dt.date(2026, 1, 15), region="P", first="2025-12", last="2025-12")
        summary = use.last_month(session, ADMIN, today=dt.date(2026, 1, 15), region="P")
    assert _states(found)[("F1", "2025-12")] == "draft"
    assert summary.period == "2025-12" and not summary.due_passed and summary.late == 0
    assert summary.counts == {"late": 0, "returned": 0, "not_due": 0, "draft": 1, "submitted": 1}


def test_filters_by_city_and_sector(province: str) -> None:
    with db.transaction(province, mode="read") as session:
        c2 = use.matrix(session, ADMIN, today=TODAY, region="P", city="C2")
        magnesium = use.matrix(session, ADMIN, today=TODAY, sector="magnesium", first="2025-12", last="2025-12")
        with pytest.raises(InputError) as unknown:
            use.matrix(session, ADMIN, today=TODAY, sector="unobtainium")
        with pytest.raises(InputError) as reversed_range:
            use.matrix(session, ADMIN, today=TODAY, first="2025-12", last="2025-01")
        with pytest.raises(InputError) as early:
            use.matrix(session, ADMIN, today=TODAY, first="2019-01", last="2019-02")
    assert c2.periods[0] == "2025-01" and c2.periods[-1] == "2025-12"  # the 12 months up to last month
    assert [e.code for e in c2.enterprises] == ["E2"] and c2.city is not None and c2.city.code == "C2"
    assert [(e.code, [f.code for f in e.facilities]) for e in magnesium.enterprises] == [("E1", ["F2"])]
    assert unknown.value.code == "reporting_status.unknown_sector"
    assert reversed_range.value.text("zh") == "字段“起始月份”：起始月份 2025-12 晚于截止月份 2025-01"
    assert early.value.code == "reporting_status.no_due_day"


def test_a_city_regulator_sees_only_its_city(province: str) -> None:
    with db.transaction(province) as session:
        city = person(session, "city1", "city_regulator", region="C1")
        found = use.matrix(session, city, today=TODAY)  # their own city by default
        late = use.late_list(session, city, today=TODAY)
        with pytest.raises(AccessDenied):
            use.matrix(session, city, today=TODAY, region="C2")
        with pytest.raises(AccessDenied):
            use.late_list(session, city, today=TODAY, region="P")
        with pytest.raises(NotFound):
            use.matrix(session, city, today=TODAY, region="NOWHERE")
    assert found.region is not None and found.region.code == "C1"
    assert [e.code for e in found.enterprises] == ["E1"] and [c.code for c in found.cities] == ["C1"]
    assert [(r.facility_code, r.has_draft, r.days_late) for r in late.rows] == [("F1", True, 5)]


def test_an_enterprise_sees_only_its_own_and_a_verifier_its_assigned(province: str) -> None:
    with db.transaction(province) as session:
        e2 = person(session, "e2user", "enterprise", enterprise="E2")
        verifier = person(session, "v1", "verifier")
        session.add(VerifierAssignment(user_id=verifier.user_id, enterprise_id=e2.enterprise_id, assigned_by=ACTOR))
        session.flush()
        user = session.get(User, verifier.user_id)
        assert user is not None
        verifier = access.principal_for(session, user)  # their scope with the assignment
        own = use.matrix(session, e2, today=TODAY, region="P")  # a region only narrows their own facilities
        late = use.late_list(session, e2, today=TODAY, month="2025-11", region="P")
        assigned = use.matrix(session, verifier, today=TODAY)
    assert [e.code for e in own.enterprises] == ["E2"] and [c.code for c in own.cities] == ["C2"]
    assert [(r.enterprise_code, r.facility_code) for r in late.rows] == [("E2", "F4")]
    assert [e.code for e in assigned.enterprises] == ["E2"]


def test_the_late_list_as_excel_read_back(province: str, tmp_path: Path) -> None:
    with db.transaction(province, mode="read") as session:
        late = use.late_list(session, ADMIN, today=TODAY, month="2025-10", region="P")
    path = use.write_late_workbook(late, tmp_path / "催报名单.xlsx", "zh")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["催报名单"]
    rows = book.get_sheet_by_name("催报名单").to_python()
    assert rows[0] == [
        "企业名称",
        "统一社会信用代码",
        "设施",
        "月份",
        "状态",
        "截止日期",
        "逾期天数",
        "联系人",
        "联系电话",
    ]
    assert rows[1] == [
        "甲铝业有限公司",
        uscc("E1"),
        "F2厂（F2）",
        "2025-10",
        "逾期未报",
        dt.date(2025, 11, 15),
        66,
        "张三",
        "029-88886666",
    ]
    assert len(rows) == 2
    english = use.late_frame(late, "en")
    assert list(english.columns)[:3] == ["Enterprise", "Unified social credit code", "Facility"]
    assert english.iloc[0]["State"] == "late, not reported"


def test_the_command_line_lists_the_month_and_writes_the_late_list(province: str, tmp_path: Path) -> None:
    from carbonpeak.cli import app

    runner = CliRunner()
    out = tmp_path / "late.xlsx"
    args = ["submissions", "status", "--db", province, "--region", "P", "--month", "2025-11", "--as-of", "2026-01-20"]
    shown = runner.invoke(app, [*args, "--late", "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "企业数：逾期未报 1，退回 1，未到期 0，草稿 0，已报送 0" in shown.output
    assert "F4" in shown.output and "F2" not in shown.output  # only the late facility
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("催报名单").to_python()
    assert [r[2] for r in rows[1:]] == ["F4厂（F4）"]
    as_json = runner.invoke(app, [*args, "--json"])
    payload = json.loads(as_json.stdout)
    assert payload["period"] == "2025-11" and payload["due"] == "2025-12-15"
    assert sorted((r["facility_code"], r["state"]) for r in payload["rows"]) == [
        ("F1", "submitted"),
        ("F2", "returned"),
        ("F4", "late"),
    ]
    wrong = runner.invoke(app, [*args[:-2], "--as-of", "20 Jan"])
    assert wrong.exit_code == 2 and "2026-01-20" in wrong.output
