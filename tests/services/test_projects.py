"""两高 project use cases with the people of each role, on SQLite and PostgreSQL: access is checked before
anything is read or written, a site or facility outside the jurisdiction is refused with its own code (a
foreign facility reads exactly as one that does not exist), and every refusal is a coded error whose zh and
en texts come from the message catalog."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied, InputError, NotFound, ValidationFailed
from carbonpeak.projects.model import parse_project
from carbonpeak.services import projects as use
from carbonpeak.services import registry as reg
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Project, ProjectReviewRun, ProjectVersion
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc


def record(**changes: Any) -> dict[str, Any]:
    """A valid new aluminium line sited in Shaanxi (the test province's grid province)."""
    data: dict[str, Any] = {
        "id": "P-1",
        "name_zh": "测试电解铝项目",
        "name_en": "test aluminium line",
        "enterprise": "甲铝业",
        "kind": "new",
        "sector": "electrolytic_aluminium",
        "product": "electrolytic_aluminium",
        "capacity_t_per_a": 200_000,
        "net_new_capacity_t_per_a": 200_000,
        "site": {"province": "shaanxi", "city": "甲市"},
        "in_key_air_pollution_area": False,
        "designed_unit_consumption": {"ac_power_liquid_aluminium": {"value": 12_900, "unit": "kWh/t"}},
        "energy_sources": ["grid"],
        "new_captive_coal_plant": False,
        "replacement_capacity_t_per_a": 200_000,
        "replacement_sources": [{"facility": "retired line", "province": "henan", "capacity_t_per_a": 200_000}],
        "energy_review_status": "approved",
        "eia_status": "approved",
        "planned_start": "2022-03-01",
    }
    data.update(changes)
    return data


def written(url: str) -> tuple[int, ...]:
    with db.transaction(url) as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Project, ProjectVersion, ProjectReviewRun, AuditEvent)
        )


@pytest.fixture
def two_provinces(province: str) -> str:
    """The test province (Shaanxi), and Gansu with an aluminium line AL9 of its own."""
    with db.transaction(province) as session:
        reg.add_region(
            session, ADMIN, {"region_code": "GS", "name_zh": "丙省", "level": "province", "grid_province": "gansu"}
        )
        reg.add_enterprise(
            session, ADMIN, {"enterprise_code": "E9", "name_zh": "丙铝业", "uscc": uscc("E9"), "region_code": "GS"}
        )
        reg.add_facility(
            session,
            ADMIN,
            {
                "facility_code": "AL9",
                "enterprise_code": "E9",
                "name_zh": "丙电解厂",
                "sector": "electrolytic_aluminium",
                "technology": "PFPB_M",
                "capacity_t_per_a": 100000,
                "commissioning_year": 2012,
            },
        )
        person(session, "sx", "province_regulator", region="SX")
        person(session, "xa", "city_regulator", region="XA")
        person(session, "ent", "enterprise", enterprise="E1")
    return province


def who(url: str, username: str) -> Any:
    from carbonpeak.services import access
    from carbonpeak.store.accounts import User

    with db.transaction(url) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return access.principal_for(session, user)


def test_a_provincial_regulator_enters_reviews_corrects_and_links_in_the_province(two_provinces: str) -> None:
    url = two_provinces
    sx = who(url, "sx")
    with db.transaction(url) as session:
        done = use.enter_project(session, sx, record(), review=True)
    assert (done.code, done.version, done.action) == ("P-1", 1, "registered")
    assert done.review is not None and done.review.version == 1
    with db.transaction(url) as session:
        fixed = use.correct_project(session, sx, "P-1", record(eia_status="pending"), "环评重新报批", review=True)
        assert fixed.version == 2 and fixed.review is not None and fixed.review.classification == "rectify"
        assert use.link_facility(session, sx, "P-1", "AL1") is True
        assert [f.code for f in use.linkable_facilities(session, sx, "P-1")] == []  # linked already
    with db.transaction(url) as session:
        history = use.history(session, sx, "P-1")
    assert [e["action"] for e in history["audit"]] == ["register", "review", "correct", "review", "link"]
    assert {e["actor"] for e in history["audit"]} == {"web:sx"}
    assert history["project"]["facility_code"] == "AL1" and history["project"]["status"] == "built"


def test_access_is_checked_before_anything_is_read_or_written(two_provinces: str) -> None:
    url = two_provinces
    with db.transaction(url) as session:
        use.register_projects(session, ADMIN, [parse_project(record())])
    before = written(url)
    xa, ent = who(url, "xa"), who(url, "ent")
    for person_ in (xa, ent):  # a city regulator reads projects but never writes them; an enterprise neither
        with pytest.raises(AccessDenied), db.transaction(url) as session:
            use.enter_project(session, person_, {"anything": "at all"})  # refused before the record is read
        with pytest.raises(AccessDenied), db.transaction(url) as session:
            use.correct_project(session, person_, "P-1", record(), "why")
        with pytest.raises(AccessDenied), db.transaction(url) as session:
            use.link_facility(session, person_, "P-1", "AL1")
        with pytest.raises(AccessDenied), db.transaction(url) as session:
            use.review(session, person_, "P-1")
    with pytest.raises(AccessDenied), db.transaction(url) as session:
        use.list_projects(session, ent)
    with pytest.raises(AccessDenied), db.transaction(url) as session:
        use.history(session, ent, "NO-SUCH")  # the role first: nothing said about existence
    with pytest.raises(NotFound) as missing, db.transaction(url) as session:
        use.history(session, who(url, "sx"), "NO-SUCH")
    assert missing.value.code == "projects.unknown_project"
    assert missing.value.text("zh") == "没有编号为 NO-SUCH 的项目"
    assert written(url) == before


def test_a_site_outside_the_jurisdiction_is_refused_with_its_code(two_provinces: str) -> None:
    url = two_provinces
    sx = who(url, "sx")
    before = written(url)
    gansu = record(id="P-GS", site={"province": "gansu", "city": "丙市"})
    with pytest.raises(ValidationFailed) as caught, db.transaction(url) as session:
        use.register_projects(session, sx, [parse_project(record()), parse_project(gansu)])
    (problem,) = caught.value.errors
    assert (problem.code, problem.record, problem.field) == ("projects.outside_jurisdiction", "P-GS", "site.province")
    assert problem.message_text("zh") == "不在您的辖区内"
    assert written(url) == before  # all or nothing: P-1 was not registered either
    with db.transaction(url) as session:
        use.register_projects(session, sx, [parse_project(record())])
    with pytest.raises(InputError) as moved, db.transaction(url) as session:
        use.correct_project(session, sx, "P-1", gansu | {"id": "P-1"}, "moved")
    assert moved.value.code == "projects.outside_jurisdiction"


def test_a_foreign_facility_reads_as_one_that_does_not_exist(two_provinces: str) -> None:
    url = two_provinces
    sx = who(url, "sx")
    with db.transaction(url) as session:
        use.register_projects(session, sx, [parse_project(record())])
    answers = {}
    for facility in ("AL9", "NOPE"):  # AL9 exists, in Gansu; NOPE does not
        with pytest.raises(InputError) as caught, db.transaction(url) as session:
            use.link_facility(session, sx, "P-1", facility)
        error = caught.value
        answers[facility] = (error.code, error.field, error.message_text("zh"), error.message_text("en"))
    assert answers["AL9"] == answers["NOPE"]
    assert answers["AL9"][0] == "projects.unknown_facility"
    with db.transaction(url) as session:
        assert [f.code for f in use.linkable_facilities(session, sx, "P-1")] == ["AL1"]
        assert use.facility_in_scope(session, sx, "AL9") is False
    with pytest.raises(InputError) as caught, db.transaction(url) as session:  # the administrator sees it
        use.link_facility(session, ADMIN, "P-1", "AL9")  # and is told why it does not fit
    assert caught.value.code == "projects.facility_other_province"
    assert caught.value.text("zh").endswith(
        "设施 AL9 位于甘肃；项目建设地点位于陕西（填写的是 AL9）；应为 位于陕西的设施"
    )


def test_a_bad_form_lists_every_problem_with_its_code_and_writes_nothing(two_provinces: str) -> None:
    url = two_provinces
    before = written(url)
    bad = record(name_zh="", capacity_t_per_a="lots", kind="sideways", extra="x")
    bad["site"] = {"province": "atlantis", "city": "甲市"}
    with pytest.raises(ValidationFailed) as caught, db.transaction(url) as session:
        use.enter_project(session, who(url, "sx"), bad)
    found = {(e.field, e.code) for e in caught.value.errors}
    assert found == {
        ("name_zh", "projects.empty"),
        ("capacity_t_per_a", "projects.not_a_number"),
        ("kind", "projects.not_a_choice"),
        ("extra", "projects.unknown_field"),
        ("site.province", "projects.unknown_province"),
    }
    shown = {e.field: e.message_text("zh") for e in caught.value.errors}
    assert shown["capacity_t_per_a"] == "不是有效的数字" and shown["site.province"] == "不是列表中的省份代码"
    assert shown["kind"] == "不是可选值之一（可选：new、expansion、retrofit）"
    assert written(url) == before
