"""Entering the regulator's statistics as a use case: who may, for which regions, with coded refusals and an
audited version; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from carbonpeak.errors import AccessDenied, InputError, ValidationFailed
from carbonpeak.services import statistics as cases
from carbonpeak.store import db
from carbonpeak.store import statistics as stored
from carbonpeak.store.models import AuditEvent
from tests.services.conftest import ADMIN, person

VALUE_ADDED = {
    "region": "XA",
    "name": "industrial_value_added",
    "scope": "industry_above_designated_size",
    "year": 2023,
    "value": 1200,
    "unit": "yi_yuan",
    "price_basis": "constant 2020 prices",
    "source": "甲市统计年鉴 2024，表 12-3",
    "published_on": "2024-05-10",
}


def test_only_regulators_and_the_administrator_enter_statistics_and_a_refusal_reveals_nothing(
    province: str,
) -> None:
    with db.transaction(province) as session:
        enterprise = person(session, "e1", "enterprise", enterprise="E1")
        verifier = person(session, "v1", "verifier")
        for who in (enterprise, verifier):
            with pytest.raises(AccessDenied):  # refused before the (invalid) record is looked at
                cases.enter(session, who, {**VALUE_ADDED, "value": "lots"})
            with pytest.raises(AccessDenied):  # ... and before the file is opened
                cases.import_table(session, who, "/nowhere/stats.csv")
        assert stored.current_statistics(session).empty


def test_a_city_regulator_enters_its_own_city_only(province: str) -> None:
    with db.transaction(province) as session:
        city = person(session, "xa", "city_regulator", "XA")
        done = cases.enter(session, city, VALUE_ADDED)
        assert (done.action, done.version, done.key) == (
            "created",
            1,
            "XA/industrial_value_added/industry_above_designated_size/2023",
        )
        for region in ("BJ", "SX"):  # the neighbouring city, the province above
            with pytest.raises(InputError) as refused:
                cases.enter(session, city, {**VALUE_ADDED, "region": region})
            assert (refused.value.code, refused.value.field, refused.value.value) == (
                "statistics.region_out_of_scope",
                "region",
                region,
            )
            assert "不在您的管辖范围内" in refused.value.text("zh")
        province_regulator = person(session, "sx", "province_regulator", "SX")
        assert cases.enter(session, province_regulator, {**VALUE_ADDED, "region": "BJ"}).action == "created"
        assert cases.enter(session, ADMIN, {**VALUE_ADDED, "region": "SX"}).action == "created"
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "statistic").order_by(AuditEvent.id))
        assert [(e.actor, e.action, e.entity_key.split("/")[0]) for e in events] == [
            ("web:xa", "create", "XA"),
            ("web:sx", "create", "BJ"),
            ("cli:test", "create", "SX"),
        ]
        assert sorted(stored.current_statistics(session)["region"]) == ["BJ", "SX", "XA"]


def test_every_problem_is_coded_and_reads_in_chinese(province: str) -> None:
    with db.transaction(province) as session:
        with pytest.raises(ValidationFailed) as caught:
            cases.enter(session, ADMIN, {**VALUE_ADDED, "unit": "t", "price_basis": "", "published_on": "2022-01-01"})
        assert [(e.field, e.code) for e in caught.value.errors] == [
            ("unit", "statistics.unit_not_convertible"),
            ("price_basis", "statistics.price_basis_missing"),
            ("published_on", "statistics.published_before_year"),
        ]
        texts = [e.text("zh") for e in caught.value.errors]
        assert texts[0].startswith("字段“单位”：单位无法换算") and "可换算为 wan_yuan 的单位" in texts[0]
        assert "缺少价格基准" in texts[1] and "2023 年或以后的日期" in texts[2]
        with pytest.raises(InputError) as unknown:
            cases.enter(session, ADMIN, {**VALUE_ADDED, "region": "ZZ"})
        assert unknown.value.code == "statistics.unknown_region"
        assert unknown.value.text("zh") == "字段“省份”：未知的行政区（填写的是 ZZ）；应为 登记册中的行政区编号"


def test_an_import_with_a_row_outside_the_jurisdiction_stores_nothing(province: str, tmp_path: Path) -> None:
    import csv

    from carbonpeak.indicators.statistics import COLUMNS

    path = tmp_path / "stats.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in (VALUE_ADDED, {**VALUE_ADDED, "region": "BJ"}):
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    with pytest.raises(InputError) as refused, db.transaction(province) as session:
        cases.import_table(session, person(session, "xa", "city_regulator", "XA"), path)
    assert (refused.value.code, refused.value.record, refused.value.file) == (
        "statistics.region_out_of_scope",
        "row 3",
        str(path),
    )
    with db.transaction(province) as session:
        assert stored.current_statistics(session).empty  # the row of its own city was not kept either
        assert len(cases.import_table(session, person(session, "sx", "province_regulator", "SX"), path)) == 2
    wrong = tmp_path / "stats.txt"
    wrong.write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as unsupported, db.transaction(province) as session:
        cases.import_table(session, ADMIN, wrong)
    assert unsupported.value.code == "statistics.unsupported_file"
    assert unsupported.value.text("zh").endswith("不支持的文件类型（填写的是 .txt）；应为 .csv 或 .xlsx")
