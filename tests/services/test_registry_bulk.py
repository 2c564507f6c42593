"""The bulk registry file: template in zh and en, all or nothing, every problem listed with its place."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbonpeak.errors import AccessDenied, ValidationFailed
from carbonpeak.io import registry_file
from carbonpeak.services import registry_bulk
from carbonpeak.store import db
from carbonpeak.store.models import AuditEvent, CapacityEvent, Enterprise, Facility, Region
from tests.services.conftest import ADMIN, person
from tests.store.conftest import uscc

REGIONS = [
    ["XY", "咸阳市", "", "市", "SX", ""],  # a city before its province: the importer orders them
    ["SX", "测试省", "Test province", "省", "", "陕西"],
]
PARKS = [["XY-P", "咸阳高新区", "", "XY"]]


def enterprises() -> list[list[object]]:
    return [
        ["E1", "咸阳铝业有限公司", "", uscc("E1"), "XY", "XY-P", "李四", "029-33334444", "li@example.cn"],
        ["E2", "咸阳铜业有限公司", "", uscc("E2"), "XY", "", "", "", ""],
    ]


FACILITIES = [
    [
        "AL1",
        "E1",
        "电解一系列",
        "",
        "",
        "XY-P",
        "电解铝",
        "electrolytic_aluminium",
        "",
        "PFPB_M",
        300000,
        "",
        "",
        500,
        2016,
    ],
    ["CU1", "E2", "铜冶炼", "", "", "", "copper", "copper_smelting", "", "", 100000, "", "", None, 2012],
]


def workbook(lang: str, *, regions=REGIONS, parks=PARKS, ents=None, facilities=FACILITIES) -> bytes:  # type: ignore[no-untyped-def]
    """The downloaded template, filled in as a person would (from row 3, below the labels)."""
    book = load_workbook(io.BytesIO(registry_file.write_template(lang)))
    sheets = [book.worksheets[i] for i in (0, 1, 3, 4)]  # the clusters sheet (2) stays empty
    for sheet, rows in zip(sheets, (regions, parks, ents or enterprises(), facilities), strict=True):
        for r, values in enumerate(rows, start=3):
            for c, value in enumerate(values, start=1):
                sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_is_labelled_in_the_language_asked(lang: str) -> None:
    book = load_workbook(io.BytesIO(registry_file.write_template(lang)))
    names = book.sheetnames
    assert names == (
        ["地区", "园区", "集群", "企业", "设施", "计量器具", "说明"]
        if lang == "zh"
        else ["regions", "parks", "clusters", "enterprises", "facilities", "meters", "fields"]
    )
    enterprises_sheet = book.worksheets[3]
    assert enterprises_sheet["D1"].value == "uscc"
    assert enterprises_sheet["D2"].value == ("* 统一社会信用代码" if lang == "zh" else "* unified social credit code")


def test_a_province_from_one_file_and_the_same_file_again_adds_nothing(db_url: str) -> None:
    content = workbook("zh")
    with db.transaction(db_url) as session:
        done = registry_bulk.import_registry(session, ADMIN, [("registry.xlsx", content)])
    assert done.created == {
        "regions": ["SX", "XY"],
        "parks": ["XY-P"],
        "enterprises": ["E1", "E2"],
        "facilities": ["AL1", "CU1"],
    }
    with db.transaction(db_url) as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.code == "E1"))
        assert enterprise is not None and enterprise.contact_person == "李四"
        facility = session.scalar(select(Facility).where(Facility.code == "AL1"))
        assert facility is not None and facility.cell_amperage_ka == 500 and facility.park_id is not None
        assert session.scalar(select(Region.grid_province).where(Region.code == "SX")) == "shaanxi"
        assert session.scalar(select(func.count(CapacityEvent.id))) == 2
        events = session.scalar(select(func.count(AuditEvent.id)))
    with db.transaction(db_url) as session:
        again = registry_bulk.import_registry(session, ADMIN, [("registry.xlsx", content)])
    assert again.count("created") == 0 and again.count("changed") == 0 and again.count("unchanged") == 7
    with db.transaction(db_url) as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == events


def test_one_bad_file_writes_nothing_and_lists_every_problem_with_its_place(db_url: str) -> None:
    ents = enterprises()
    ents[1][3] = ents[0][3]  # the same USCC twice
    ents.append(["E3", "", "", "91610000ABC", "XY", "", "", "not a phone", ""])
    facilities = [
        FACILITIES[0],
        [*FACILITIES[1][:10], -100, "", "", None, 2012],  # capacity below zero
        ["AL1", "E1", "重复", "", "", "", "电解铝", "", "", "", 1, "", "", None, None],  # code twice in the file
        ["AL3", "E9", "无主", "", "", "", "钢铁", "", "", "", 1, "", "", None, None],
    ]
    content = workbook("en", ents=ents, facilities=facilities)
    with pytest.raises(ValidationFailed) as caught, db.transaction(db_url) as session:
        registry_bulk.import_registry(session, ADMIN, [("province.xlsx", content)])
    found = sorted((e.sheet, e.row, e.field, e.code) for e in caught.value.errors)
    assert found == sorted(
        [
            ("enterprises", 4, "uscc", "registry.uscc_duplicate"),
            ("enterprises", 5, "name_zh", "registry.required"),
            ("enterprises", 5, "uscc", "registry.uscc_length"),
            ("enterprises", 5, "contact_phone", "registry.phone_invalid"),
            ("facilities", 4, "capacity_t_per_a", "registry.capacity_negative"),
            ("facilities", 5, "facility_code", "registry.duplicate_in_file"),
            ("facilities", 6, "enterprise_code", "registry.unknown_enterprise"),
            ("facilities", 6, "sector", "registry.unknown_sector"),
        ]
    )
    texts = [e.text("zh") for e in caught.value.errors]
    assert "文件 province.xlsx，工作表 facilities，第 4 行，字段“产能”：产能不能小于零（填写的是 -100）" in texts
    with db.transaction(db_url) as session:  # all or nothing: not even the good rows
        assert session.scalar(select(func.count(Region.id))) == 0
        assert session.scalar(select(func.count(Enterprise.id))) == 0


def test_csv_in_gbk_and_headers_in_chinese(db_url: str) -> None:
    regions = "地区编号,名称,级别,上级地区编号\nSX,测试省,省,\nXY,咸阳市,市,SX\n".encode("gbk")
    bad = "地区编号,名称,人口\nSX,测试省,3\n".encode()
    with pytest.raises(ValidationFailed) as caught, db.transaction(db_url) as session:
        registry_bulk.import_registry(session, ADMIN, [("regions.csv", regions), ("bad.csv", bad), ("x.pdf", b"%PDF")])
    assert sorted((e.file, e.field, e.code) for e in caught.value.errors) == [
        ("bad.csv", "C", "registry.unknown_column"),
        ("x.pdf", None, "registry.file_type"),
    ]
    with db.transaction(db_url) as session:
        done = registry_bulk.import_registry(session, ADMIN, [("regions.csv", regions)])
    assert done.created == {"regions": ["SX", "XY"]}


def test_a_city_regulator_imports_only_within_its_city(db_url: str) -> None:
    with db.transaction(db_url) as session:
        registry_bulk.import_registry(
            session,
            ADMIN,
            [
                (
                    "r.csv",
                    "region_code,name_zh,level,parent_code\nSX,省,province,\nXY,甲,city,SX\nBJ,乙,city,SX\n".encode(),
                )
            ],
        )
    with db.transaction(db_url) as session:
        xy = person(session, "xy", "city_regulator", region="XY")
        user = person(session, "e", "verifier")
        with pytest.raises(AccessDenied):
            registry_bulk.import_registry(session, user, [("r.xlsx", workbook("zh"))])
        rows = f"enterprise_code,name_zh,uscc,region_code\nE1,甲企业,{uscc('E1')},XY\nE2,乙企业,{uscc('E2')},BJ\n"
        with pytest.raises(ValidationFailed) as caught:
            registry_bulk.import_registry(session, xy, [("e.csv", rows.encode())])
        assert [(e.row, e.field, e.code) for e in caught.value.errors] == [
            (3, "region_code", "registry.region_out_of_scope")
        ]


def test_a_registry_workbook_with_macros_is_refused() -> None:
    """D17: the bulk file with a VBA project is refused before its cells are read."""
    import zipfile

    buffer = io.BytesIO(registry_file.write_template("zh"))
    with zipfile.ZipFile(buffer, "a") as book:
        book.writestr("xl/vbaProject.bin", b"VBA")
    read = registry_file.read("registry.xlsm", buffer.getvalue())
    assert [e.code for e in read.errors] == ["intake.macro_workbook"]
    assert "带宏" in read.errors[0].text("zh")
