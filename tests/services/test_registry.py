"""Registry use cases: every coded refusal of the issue's "Bad input", access by jurisdiction, versions
in the audit log and capacity changes through the ledger; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, NotFound, ValidationFailed
from carbonpeak.services import registry as reg
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, CapacityEvent, Enterprise, Facility
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc


def codes(exc: ValidationFailed) -> list[tuple[str | None, str | None]]:
    return [(e.field, e.code) for e in exc.errors]


def wrong_check(code: str) -> str:
    return code[:17] + ("1" if code[17] != "1" else "2")


def test_the_province_is_registered_with_contacts_and_its_capacity_in_the_ledger(province: str) -> None:
    with db.transaction(province) as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.code == "E1"))
        assert enterprise is not None
        assert (enterprise.contact_person, enterprise.contact_phone, enterprise.contact_email) == (
            "张三",
            "029-88886666",
            "zhang@example.cn",
        )
        assert enterprise.park_id is not None
        facility = session.scalar(select(Facility).where(Facility.code == "AL1"))
        assert facility is not None and facility.region.code == "XA"  # the enterprise's region by default
        events = session.scalars(select(CapacityEvent).where(CapacityEvent.facility_id == facility.id)).all()
        assert [(e.kind, e.effective_on, e.capacity_t_per_a) for e in events] == [
            ("approval", dt.date(2015, 1, 1), 200000.0)
        ]


def test_every_bad_input_has_its_own_code_and_all_are_listed_at_once(province: str) -> None:
    with db.transaction(province) as session:
        with pytest.raises(ValidationFailed) as caught:
            reg.add_enterprise(
                session,
                ADMIN,
                {
                    "enterprise_code": "E1",  # duplicate code
                    "name_zh": "",  # required
                    "uscc": uscc("E1"),  # duplicate USCC
                    "region_code": "NOWHERE",
                    "contact_email": "not-an-address",
                },
            )
        assert sorted(codes(caught.value)) == sorted(
            [
                ("enterprise_code", "registry.duplicate_code"),
                ("name_zh", "registry.required"),
                ("uscc", "registry.uscc_duplicate"),
                ("region_code", "registry.unknown_region"),
                ("contact_email", "registry.email_invalid"),
            ]
        )
        with pytest.raises(ValidationFailed) as caught:
            reg.add_enterprise(
                session,
                ADMIN,
                {"enterprise_code": "E2", "name_zh": "乙", "uscc": wrong_check(uscc("E2")), "region_code": "XA"},
            )
        assert codes(caught.value) == [("uscc", "registry.uscc_check")]
        with pytest.raises(ValidationFailed) as caught:
            reg.add_facility(
                session,
                ADMIN,
                {
                    "facility_code": "AL2",
                    "enterprise_code": "E9",
                    "name_zh": "二厂",
                    "region_code": "XA",
                    "park_code": "P9",
                    "sector": "steel",
                    "capacity_t_per_a": -5,
                    "commissioning_year": 2020,
                    "retired_on": "2019-12-31",
                },
            )
        assert sorted(codes(caught.value)) == sorted(
            [
                ("enterprise_code", "registry.unknown_enterprise"),
                ("park_code", "registry.unknown_park"),
                ("sector", "registry.unknown_sector"),
                ("capacity_t_per_a", "registry.capacity_negative"),
                ("retired_on", "registry.retired_before_commissioning"),
            ]
        )
        # The texts come from the catalog in both languages, naming the field by its label.
        assert "记录 AL2，字段“产能”：产能不能小于零（填写的是 -5）" in [e.text("zh") for e in caught.value.errors]
        assert "capacity cannot be below zero" in " ".join(e.text("en") for e in caught.value.errors)
    with db.transaction(province) as session:  # nothing was written
        assert session.scalar(select(Facility.id).where(Facility.code == "AL2")) is None


def test_a_city_regulator_manages_its_city_only(province: str) -> None:
    with db.transaction(province) as session:
        xa = person(session, "xa", "city_regulator", region="XA")
        bj = person(session, "bj", "city_regulator", region="BJ")
        # its own city: fine
        reg.change_facility(session, xa, "AL1", {"technology": "CWPB"})
        # another city's facility: refused before anything is read
        with pytest.raises(AccessDenied):
            reg.change_facility(session, bj, "AL1", {"technology": "SWPB"})
        with pytest.raises(NotFound):
            reg.change_facility(session, bj, "NOPE", {"technology": "SWPB"})
        # moving its facility to the other city: its own coded refusal
        with pytest.raises(ValidationFailed) as caught:
            reg.change_facility(session, xa, "AL1", {"region_code": "BJ"})
        assert codes(caught.value) == [("region_code", "registry.region_out_of_scope")]
        # a new enterprise in another city, and a new province: refused
        with pytest.raises(ValidationFailed) as caught:
            reg.add_enterprise(
                session, xa, {"enterprise_code": "E5", "name_zh": "丙", "uscc": uscc("E5"), "region_code": "BJ"}
            )
        assert codes(caught.value) == [("region_code", "registry.region_out_of_scope")]
        with pytest.raises(ValidationFailed) as caught:
            reg.add_region(session, xa, {"region_code": "GS", "name_zh": "另一省", "level": "province"})
        assert codes(caught.value) == [("region_code", "registry.region_out_of_scope")]
        # a county under its city: fine, and an enterprise there at once
        reg.add_region(session, xa, {"region_code": "XA-1", "name_zh": "甲县", "level": "county", "parent_code": "XA"})
        reg.add_enterprise(
            session, xa, {"enterprise_code": "E6", "name_zh": "丁", "uscc": uscc("E6"), "region_code": "XA-1"}
        )


def test_enterprise_users_and_verifiers_cannot_change_the_registry(province: str) -> None:
    with db.transaction(province) as session:
        user = person(session, "e1", "enterprise", enterprise="E1")
        verifier = person(session, "v1", "verifier")
        for who in (user, verifier):
            with pytest.raises(AccessDenied):
                reg.change_facility(session, who, "AL1", {"capacity_t_per_a": 1})
            with pytest.raises(AccessDenied):
                reg.change_facility(session, who, "NOPE", {"capacity_t_per_a": 1})  # the same answer
            with pytest.raises(AccessDenied):
                reg.add_region(session, who, {"region_code": "X", "name_zh": "x", "level": "province"})
        assert [f["facility_code"] for f in reg.list_facilities(session, user)] == ["AL1"]
        assert reg.list_facilities(session, verifier) == []


def test_every_change_is_a_dated_version_with_before_and_after(province: str) -> None:
    with db.transaction(province) as session:
        first = reg.change_enterprise(session, ADMIN, "E1", {"contact_phone": "029-12345678"})
        assert first.action == "changed" and first.changed_fields == ["contact_phone"]
        again = reg.change_enterprise(session, ADMIN, "E1", {"contact_phone": "029-12345678"})
        assert again.action == "unchanged"
        versions = reg.history(session, ADMIN, "enterprises", "E1")
        assert [v.action for v in versions] == ["create", "change"]
        assert versions[1].before["contact_phone"] == "029-88886666"
        assert versions[1].after["contact_phone"] == "029-12345678"
        assert versions[1].at is not None and versions[1].actor == "cli:test"
        with pytest.raises(ValidationFailed) as caught:
            reg.change_enterprise(session, ADMIN, "E1", {"enterprise_code": "E7"})
        assert codes(caught.value) == [("enterprise_code", "registry.code_fixed")]


def test_a_capacity_change_and_a_retirement_go_through_the_ledger(province: str) -> None:
    with db.transaction(province) as session:
        result = reg.change_facility(
            session,
            ADMIN,
            "AL1",
            {
                "capacity_t_per_a": 250000,
                "capacity_effective_on": "2024-07-01",
                "capacity_document": "陕发改〔2024〕1号",
            },
        )
        assert len(result.ledger_events) == 1
        reg.change_facility(session, ADMIN, "AL1", {"status": "retired", "retired_on": "2025-03-31"})
        facility = session.scalar(select(Facility).where(Facility.code == "AL1"))
        assert facility is not None
        events = session.scalars(
            select(CapacityEvent).where(CapacityEvent.facility_id == facility.id).order_by(CapacityEvent.id)
        ).all()
        assert [(e.kind, e.effective_on.isoformat(), e.capacity_t_per_a) for e in events] == [
            ("approval", "2015-01-01", 200000.0),
            ("expansion", "2024-07-01", 50000.0),
            ("exit", "2025-03-31", -250000.0),
        ]
        assert events[1].document == "陕发改〔2024〕1号"
        versions = reg.history(session, ADMIN, "facilities", "AL1")
        assert versions[-1].after["_ledger_events"] == [events[2].id]
        with pytest.raises(ValidationFailed) as caught:
            reg.change_facility(session, ADMIN, "AL1", {"retired_on": "2010-01-01"})
        assert codes(caught.value) == [("retired_on", "registry.retired_before_commissioning")]
        audit_keys = session.scalars(select(AuditEvent.entity).where(AuditEvent.entity_key == "AL1")).all()
        assert audit_keys.count("facility") == 3


def test_a_cluster_of_cities_within_the_jurisdiction(province: str) -> None:
    with db.transaction(province) as session:
        made = reg.add(
            session, ADMIN, "clusters", {"cluster_code": "K1", "name_zh": "甲乙集群", "region_codes": "XA、BJ"}
        )
        assert made.after["region_codes"] == ["BJ", "XA"]
        xa = person(session, "xa", "city_regulator", region="XA")
        with pytest.raises(AccessDenied):  # it spans another city
            reg.change(session, xa, "clusters", "K1", {"name_zh": "改名"})
        with pytest.raises(ValidationFailed) as caught:
            reg.add(session, xa, "clusters", {"cluster_code": "K2", "name_zh": "乙", "region_codes": "XA,BJ,ZZ"})
        assert codes(caught.value) == [
            ("region_codes", "registry.region_out_of_scope"),
            ("region_codes", "registry.unknown_region"),
        ]
        changed = reg.change(session, ADMIN, "clusters", "K1", {"region_codes": "XA"})
        assert changed.before is not None and changed.before["region_codes"] == ["BJ", "XA"]
        assert changed.after["region_codes"] == ["XA"]
