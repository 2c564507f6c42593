"""Meters in the bulk registry file (sheet 计量器具 / meters, or a CSV of meters): added and changed through the
very use cases of ``carbonpeak monitor add|change`` (same checks, access and versions), all or nothing, every
problem named by file, sheet, row and field."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import monitoring as svc
from carbonpeak.services import registry_bulk
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, Facility
from carbonpeak.store.monitoring.models import Meter
from tests.services.conftest import ADMIN, person, province  # noqa: F401
from tests.store.conftest import _drop_session_database, db_url  # noqa: F401

# the meters' columns in the template's order
COLUMNS = [
    "meter_code",
    "facility_code",
    "name_zh",
    "energy_type",
    "measuring_point",
    "unit",
    "multiplier",
    "reading_kind",
    "interval_min",
    "rollover_at",
    "calibration_due",
    "status",
]
# a facility of the same file: the meters may name it
NEW_FACILITY = ["CU1", "E1", "铜冶炼一厂", "", "", "", "铜冶炼", "copper_smelting", "", "", 100000, "", "", None, 2012]


def workbook(lang: str, meters: list[list[Any]], facilities: list[list[Any]] | None = None) -> bytes:
    """The downloaded template, its meters (and facilities) sheet filled in from row 3, below the labels."""
    book = load_workbook(io.BytesIO(registry_bulk.template(lang)))
    sheet = book["计量器具" if lang == "zh" else "meters"]
    assert [c.value for c in sheet[1]] == COLUMNS
    for r, values in enumerate(meters, start=3):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    for r, values in enumerate(facilities or [], start=3):
        for c, value in enumerate(values, start=1):
            book["设施" if lang == "zh" else "facilities"].cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["AL1-E0", "AL1", "一厂总表", "电力", "厂区总表", "kWh", 1200, "累计示数", 15, 1e8, "2027-06-30", "在用"],
    ["CU1-G0", "CU1", "铜厂天然气", "natural_gas", "plant", "Nm3", None, "interval", 60, None, None, None],
]


def test_meters_from_the_bulk_file_same_file_again_then_a_change(province: str) -> None:  # noqa: F811
    content = workbook("zh", GOOD, [NEW_FACILITY])
    with db.transaction(province) as session:
        done = registry_bulk.import_registry(session, ADMIN, [("registry.xlsx", content)])
    assert done.created == {"facilities": ["CU1"], "meters": ["AL1-E0", "CU1-G0"]}
    with db.transaction(province) as session:
        listed = {m["meter_code"]: m for m in svc.list_meters(session, ADMIN)}
        assert listed["AL1-E0"]["energy_type"] == "electricity"  # the Chinese names read as the codes
        assert listed["AL1-E0"]["measuring_point"] == "plant" and listed["AL1-E0"]["reading_kind"] == "register"
        assert listed["AL1-E0"]["multiplier"] == 1200.0 and listed["AL1-E0"]["calibration_due"] == "2027-06-30"
        assert listed["CU1-G0"]["interval_min"] == 60 and listed["CU1-G0"]["multiplier"] == 1.0  # the default
        events = session.scalar(select(func.count(AuditEvent.id)))
    with db.transaction(province) as session:  # the same file again: nothing changes, no version added
        again = registry_bulk.import_registry(session, ADMIN, [("registry.xlsx", content)])
    assert again.unchanged["meters"] == ["AL1-E0", "CU1-G0"] and again.count("changed") == 0
    changed = [["AL1-E0", "AL1", "一厂总表", "电力", "厂区总表", "kWh", 1200, "累计示数", 30, None, "2028-06-30", ""]]
    with db.transaction(province) as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == events
        third = registry_bulk.import_registry(session, ADMIN, [("change.xlsx", workbook("zh", changed))])
    assert third.changed == {"meters": ["AL1-E0"]}
    with db.transaction(province) as session:
        versions = svc.meter_history(session, ADMIN, "AL1-E0")
        assert [v.action for v in versions] == ["create", "change"]
        assert versions[1].after["interval_min"] == 30 and versions[1].after["calibration_due"] == "2028-06-30"
        assert versions[1].after["rollover_at"] == 1e8  # a blank cell keeps the value


def test_a_bad_meters_sheet_writes_nothing_and_names_every_problem(province: str) -> None:  # noqa: F811
    bad = [
        GOOD[0],
        ["CU1-E1", "CU1", "铜厂交流", "电力", "电解交流", "kWh", 1, "register", 20, None, "2027-13-01", "在用"],
        ["AL1-E0", "AL1", "重复", "电力", "plant", "kWh", 1, "register", 15, None, None, None],
        ["AL1-W", "AL9", "", "water", "roof", "kWh", -2, "interval", 15, 5, None, "broken"],
    ]
    content = workbook("en", bad, [NEW_FACILITY])
    with pytest.raises(ValidationFailed) as caught, db.transaction(province) as session:
        registry_bulk.import_registry(session, ADMIN, [("meters.xlsx", content)])
    found = sorted((e.sheet, e.row, e.field, e.code) for e in caught.value.errors)
    assert found == sorted(
        [
            ("meters", 4, "interval_min", "monitoring.interval_invalid"),
            ("meters", 4, "calibration_due", "monitoring.not_a_date"),
            ("meters", 4, "measuring_point", "monitoring.electrolysis_ac_potline"),  # copper is no potline
            ("meters", 5, "meter_code", "registry.duplicate_in_file"),
            ("meters", 6, "name_zh", "monitoring.required"),
            ("meters", 6, "facility_code", "monitoring.unknown_facility"),
            ("meters", 6, "measuring_point", "monitoring.not_allowed"),
            ("meters", 6, "multiplier", "monitoring.not_positive"),
            ("meters", 6, "status", "monitoring.not_allowed"),
            ("meters", 6, "unit", "monitoring.unit_invalid"),
            ("meters", 6, "rollover_at", "monitoring.rollover_needs_register"),
        ]
    )
    texts = [e.text("zh") for e in caught.value.errors]
    assert any(t.startswith("文件 meters.xlsx，工作表 meters，第 4 行，字段“采集周期（分钟）”") for t in texts), texts
    with db.transaction(province) as session:  # all or nothing: neither the good meter nor the new facility
        assert session.scalar(select(func.count(Meter.id))) == 0
        assert session.scalar(select(func.count(Facility.id)).where(Facility.code == "CU1")) == 0


def test_a_csv_of_meters_in_gbk_and_the_city_regulators_scope(province: str) -> None:  # noqa: F811
    text = (
        "计量器具编号,设施编号,名称,能源品种,计量点,计量单位,读数类型,采集周期\n"
        "AL1-H1,AL1,一厂蒸汽,热力,工序,GJ,时段用量,30\n"
    )
    with db.transaction(province) as session:
        other_city = person(session, "bj", "city_regulator", region="BJ")
        with pytest.raises(ValidationFailed) as caught:
            registry_bulk.import_registry(session, other_city, [("meters.csv", text.encode("gbk"))])
        assert [(e.file, e.row, e.field, e.code) for e in caught.value.errors] == [
            ("meters.csv", 2, "facility_code", "monitoring.unknown_facility")  # AL1 lies in XA
        ]
    with db.transaction(province) as session:
        own_city = person(session, "xa", "city_regulator", region="XA")
        done = registry_bulk.import_registry(session, own_city, [("meters.csv", text.encode("gbk"))])
    assert done.created == {"meters": ["AL1-H1"]}
    with db.transaction(province) as session:
        [version] = svc.meter_history(session, ADMIN, "AL1-H1")
        assert "xa" in version.actor  # the city regulator who imported it
        assert version.after["energy_type"] == "heat" and version.after["interval_min"] == 30


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_has_the_meters_sheet_with_its_lists(lang: str) -> None:
    book = load_workbook(io.BytesIO(registry_bulk.template(lang)))
    sheet = book["计量器具" if lang == "zh" else "meters"]
    labels = [c.value for c in sheet[2]]
    assert labels[0] == ("* 计量器具编号" if lang == "zh" else "* meter code")
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"15,30,60"' in lists
    assert ('"在用,停用,已拆除"' if lang == "zh" else '"active,inactive,retired"') in lists
    notes = book["说明" if lang == "zh" else "fields"]
    assert sum(1 for row in notes.iter_rows(values_only=True) if row[0] == sheet.title) == len(COLUMNS)
