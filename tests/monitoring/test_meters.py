"""Meters in the registry, on SQLite and PostgreSQL: registered and changed through the use case with access
checked first (the facility rules), every problem a coded error in zh and en, versions in the audit log,
and the CLI noun ``carbonpeak monitor``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.cli import app
from carbonpeak.errors import AccessDenied, NotFound, ValidationFailed
from carbonpeak.services import monitoring as svc
from carbonpeak.services import registry as reg
from carbonpeak.store import db
from tests.services.conftest import ADMIN, person, province  # noqa: F401
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401

POTLINE_AC = {
    "meter_code": "AL1-AC1",
    "facility_code": "AL1",
    "name_zh": "一系列电解交流",
    "energy_type": "electricity",
    "measuring_point": "electrolysis_ac",
    "unit": "kWh",
    "multiplier": "2000",
    "reading_kind": "register",
    "rollover_at": "100000000",
    "calibration_due": "2027-06-30",
}


def test_register_change_and_versions(province: str) -> None:  # noqa: F811
    with db.transaction(province) as session:
        made = svc.add_meter(session, ADMIN, POTLINE_AC)
        assert made.action == "created"
        assert made.after["interval_min"] == 15 and made.after["status"] == "active"  # the defaults
        assert made.after["multiplier"] == 2000.0
    with db.transaction(province) as session:
        changed = svc.change_meter(session, ADMIN, "AL1-AC1", {"interval_min": "30", "calibration_due": "2028-06-30"})
        assert changed.changed_fields == ["interval_min", "calibration_due"]
        assert svc.change_meter(session, ADMIN, "AL1-AC1", {"interval_min": 30}).action == "unchanged"
        when = dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)
        svc.record_replacement(session, ADMIN, "AL1-AC1", when, 99_500.0, 3.0, "新表")
    with db.transaction(province) as session:
        versions = svc.meter_history(session, ADMIN, "AL1-AC1")
        assert [v.action for v in versions] == ["create", "change", "replace"]
        assert versions[1].before["interval_min"] == 15 and versions[1].after["interval_min"] == 30
        assert svc.replacements(session) == [
            {"meter": "AL1-AC1", "replaced_at": when, "old_final": 99_500.0, "new_initial": 3.0}
        ]
        table = svc.meter_table(session)
        assert table[0]["enterprise_code"] == "E1" and table[0]["facility_code"] == "AL1"


def test_every_problem_is_coded_in_both_languages(province: str) -> None:  # noqa: F811
    bad = {
        "meter_code": "bad code!",
        "facility_code": "AL1",
        "energy_type": "steam",
        "measuring_point": "roof",
        "unit": "kWh",
        "multiplier": "-2",
        "reading_kind": "interval",
        "interval_min": "5",
        "rollover_at": "10",
        "calibration_due": "next year",
        "colour": "red",
    }
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        svc.add_meter(session, ADMIN, bad)
    codes = sorted(e.code for e in caught.value.errors)
    assert codes == sorted(
        [
            "monitoring.unknown_field",
            "monitoring.required",  # name_zh
            "monitoring.code_invalid",
            "monitoring.not_allowed",  # energy type
            "monitoring.not_allowed",  # measuring point
            "monitoring.not_positive",
            "monitoring.interval_invalid",
            "monitoring.not_a_date",
            "monitoring.rollover_needs_register",
        ]
    )
    texts = {e.code: (e.text("zh"), e.text("en")) for e in caught.value.errors}
    zh, en = texts["monitoring.interval_invalid"]
    assert "采集周期" in zh and "15, 30, 60" in zh and "collection interval" in en
    zh, _ = texts["monitoring.not_allowed"]
    assert "不是允许的取值" in zh


def test_unit_and_measuring_point_fit_the_meter(province: str) -> None:  # noqa: F811
    with db.transaction(province) as session:
        reg.add_facility(
            session,
            ADMIN,
            {"facility_code": "CU1", "enterprise_code": "E1", "name_zh": "铜冶炼", "sector": "copper"},
        )
    cases = [
        ({"unit": "t"}, "monitoring.unit_invalid"),  # electricity in t
        ({"facility_code": "CU1"}, "monitoring.electrolysis_ac_potline"),  # not a potline
        ({"energy_type": "natural_gas", "unit": "Nm3"}, "monitoring.electrolysis_ac_electricity"),
        ({"facility_code": "NOPE"}, "monitoring.unknown_facility"),
    ]
    for change, code in cases:
        with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
            svc.add_meter(session, ADMIN, {**POTLINE_AC, **change})
        assert [e.code for e in caught.value.errors] == [code], change
    with db.transaction(province) as session:
        svc.add_meter(session, ADMIN, POTLINE_AC)
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        svc.add_meter(session, ADMIN, POTLINE_AC)
    assert [e.code for e in caught.value.errors] == ["monitoring.duplicate_code"]
    gas = {**POTLINE_AC, "meter_code": "CU1-G1", "facility_code": "CU1", "energy_type": "natural_gas"}
    gas.update({"measuring_point": "plant", "unit": "Nm3", "rollover_at": ""})
    with db.transaction(province) as session:
        assert svc.add_meter(session, ADMIN, gas).after["unit"] == "Nm3"


def test_access_is_checked_first_as_for_facilities(province: str) -> None:  # noqa: F811
    with db.transaction(province) as session:
        svc.add_meter(session, ADMIN, POTLINE_AC)
        enterprise_user = person(session, "ent", "enterprise", enterprise="E1")
        other_city = person(session, "bj", "city_regulator", region="BJ")
        own_city = person(session, "xa", "city_regulator", region="XA")
        provincial = person(session, "sx", "province_regulator", region="SX")
    with db.transaction(province) as session:
        with pytest.raises(AccessDenied):  # role first, even for a meter that does not exist
            svc.change_meter(session, enterprise_user, "NO-SUCH", {"status": "inactive"})
        with pytest.raises(AccessDenied):
            svc.add_meter(session, enterprise_user, {**POTLINE_AC, "meter_code": "X"})
        with pytest.raises(NotFound):
            svc.change_meter(session, other_city, "NO-SUCH", {"status": "inactive"})
        with pytest.raises(AccessDenied):
            svc.change_meter(session, other_city, "AL1-AC1", {"status": "inactive"})
        with pytest.raises(ValidationFailed) as caught:  # another city's facility reads as unknown
            svc.add_meter(session, other_city, {**POTLINE_AC, "meter_code": "X"})
        assert [e.code for e in caught.value.errors] == ["monitoring.unknown_facility"]
        assert svc.change_meter(session, own_city, "AL1-AC1", {"status": "inactive"}).action == "changed"
        assert svc.change_meter(session, provincial, "AL1-AC1", {"status": "active"}).action == "changed"
        assert [m["meter_code"] for m in svc.list_meters(session, enterprise_user)] == ["AL1-AC1"]
        assert svc.list_meters(session, other_city) == []
        with pytest.raises(NotFound):
            svc.meter_history(session, other_city, "AL1-AC1")


def test_cli_noun(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["monitor", *args, "--db", url], env={"COLUMNS": "240"})
        return result.exit_code, result.output

    db.upgrade(url)
    with db.transaction(url) as session:
        reg.add_region(session, ADMIN, {"region_code": "SX", "name_zh": "测试省", "level": "province"})
        from tests.store.conftest import uscc

        reg.add_enterprise(
            session, ADMIN, {"enterprise_code": "E1", "name_zh": "甲", "uscc": uscc("E1"), "region_code": "SX"}
        )
        reg.add_facility(
            session,
            ADMIN,
            {"facility_code": "AL1", "enterprise_code": "E1", "name_zh": "电解", "sector": "electrolytic_aluminium"},
        )
    pairs = [f"{k}={v}" for k, v in POTLINE_AC.items() if k != "meter_code"]
    code, out = cli("add", "AL1-AC1", *pairs, "--json")
    assert code == 0, out
    assert json.loads(out)["action"] == "created"
    code, out = cli("change", "AL1-AC1", "status=inactive")
    assert code == 0 and "changed: status" in out, out
    code, out = cli("history", "AL1-AC1", "--json")
    assert [v["action"] for v in json.loads(out)] == ["create", "change"]
    code, out = cli("list", "--json")
    assert json.loads(out)[0]["status"] == "inactive"
    code, out = cli("add", "M2", "facility_code=AL1", "interval_min=7", "--lang", "en")
    assert code == 2 and "collection interval" in out and "is required" in out, out
    code, out = cli("replace", "AL1-AC1", "--at", "2026-03-01T10:00+08:00", "--old-final", "5", "--new-initial", "0")
    assert code == 0, out
