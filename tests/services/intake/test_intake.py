# ruff: noqa: E501  (file contents written out in full)
"""The one intake path (services.intake): scope first, then fields, then registry; every problem of
every row, coded; the same file twice adds nothing; corrections take the same checks."""

from __future__ import annotations

import pytest
from intakehelpers import administrator, enterprise
from sqlalchemy import func, select

from carbonpeak.errors import ValidationFailed
from carbonpeak.services import intake
from carbonpeak.store import db
from carbonpeak.store import repository as repo
from carbonpeak.store.models import SubmissionVersion, Upload

HEADER = "facility_id,sector,region,period,output_t,grid_electricity_mwh,fuel:diesel\n"
GOOD = "AL1,electrolytic_aluminium,shaanxi,2024-01,10000,130000,5\n"


def run_import(url: str, content: bytes, name: str = "m.csv", who=None, **kwargs):
    with db.transaction(url) as session:
        return intake.import_file(session, who or enterprise(url), content, name, **kwargs)


def refused(url: str, content: bytes, name: str = "m.csv", who=None) -> list:
    with pytest.raises(ValidationFailed) as caught:
        run_import(url, content, name, who)
    return caught.value.errors


def counts(url: str) -> tuple[int, int]:
    with db.transaction(url) as session:
        return (
            session.scalar(select(func.count()).select_from(SubmissionVersion)),
            session.scalar(select(func.count()).select_from(Upload)),
        )


def test_every_problem_of_every_row_is_listed_coded(province: str) -> None:
    content = (
        HEADER
        + GOOD
        + 'AL1,copperx,atlantis,2024-13,"1.200,5",-3,abc\n'  # five problems in one row
        + "AL1,electrolytic_aluminium,shaanxi,2024-02,,12,1\n"  # required output missing
    ).encode()
    before = counts(province)
    errors = refused(province, content)
    found = {(e.row, e.field, e.code) for e in errors}
    assert found == {
        (3, "sector", "intake.unknown_sector"),
        (3, "region", "intake.unknown_province"),
        (3, "period", "intake.bad_period"),
        (3, "output_t", "intake.number_format"),
        (3, "grid_electricity_mwh", "intake.below_minimum"),
        (3, "fuel:diesel", "intake.not_a_number"),
        (4, "output_t", "intake.required"),
    }
    for error in errors:  # file, row, field, value, and a text in both languages from the catalog
        assert error.file == "m.csv" and error.code.startswith("intake.")
        assert "第 " in error.text("zh") and "row" in error.text("en")
    bad = next(e for e in errors if e.code == "intake.number_format")
    assert bad.value == "1.200,5" and "1,200.5" in bad.text("en")
    assert counts(province) == before  # nothing written


def test_registry_problems_and_retirement_are_all_listed(province: str) -> None:
    content = (
        HEADER
        + "CU1,copper,shaanxi,2024-08,100,100,\n"  # after retirement
        + "AL1,copper,shaanxi,2024-04,100,100,\n"  # sector differs
        + "AL1,electrolytic_aluminium,guizhou,2024-05,100,100,\n"  # province differs
    ).encode()
    errors = refused(province, content)
    assert {(e.row, e.field, e.code) for e in errors} == {
        (2, "period", "intake.retired"),
        (3, "sector", "intake.sector_mismatch"),
        (4, "region", "intake.province_mismatch"),
    }
    assert "electrolytic_aluminium" in next(e for e in errors if e.row == 3).text("zh")


def test_foreign_facility_gets_the_same_answer_whether_or_not_it_exists(province: str) -> None:
    """AL2 belongs to E2 (with a wrong sector and province here); ZZ9 does not exist. E1 sees the same
    single answer for both, and nothing about AL2's registry values or its month."""
    run_import(
        province,
        (HEADER + "AL2,electrolytic_aluminium,shaanxi,2024-01,1,1,\n").encode(),
        who=enterprise(province, "E2"),
        submit=True,
    )
    existing = refused(province, (HEADER + "AL2,copper,guizhou,2024-01,1,1,\n").encode())
    missing = refused(province, (HEADER + "ZZ9,copper,guizhou,2024-01,1,1,\n").encode())
    assert [(e.code, e.row, e.field) for e in existing] == [("intake.facility_not_yours", 2, "facility_id")]
    assert [(e.code, e.row, e.field) for e in missing] == [("intake.facility_not_yours", 2, "facility_id")]
    for lang in ("zh", "en"):
        assert existing[0].text(lang).replace("AL2", "X") == missing[0].text(lang).replace("ZZ9", "X")
        assert "electrolytic_aluminium" not in existing[0].text(lang) and "shaanxi" not in existing[0].text(lang)


def test_header_unit_of_the_wrong_dimension_is_one_error(province: str) -> None:
    rows = "".join(f"AL1,electrolytic_aluminium,shaanxi,2024-{m:02d},100,100,\n" for m in range(1, 11))
    errors = refused(
        province, ("facility_id,sector,region,period,output_t,grid_electricity_mwh[t],fuel:diesel\n" + rows).encode()
    )
    assert [(e.code, e.row, e.field, e.value) for e in errors] == [
        ("intake.header_unit", 1, "grid_electricity_mwh", "t")
    ]


def test_units_in_cells_and_thousands_separators(province: str) -> None:
    content = (HEADER + 'AL1,electrolytic_aluminium,陕西,2024-03,"1,200.5",120 万kWh,\n').encode()
    run_import(province, content)
    with db.transaction(province) as session:
        record = repo.versions_of(session, "AL1", "2024-03")[0].record
    assert record["output_t"] == 1200.5 and record["grid_electricity_mwh"] == pytest.approx(1200.0)
    assert record["region"] == "shaanxi"


def test_gbk_csv_accepted_and_bytes_in_no_encoding_refused(province: str) -> None:
    gbk = "facility_id,facility_name,sector,region,period,output_t\nAL1,电解一厂,electrolytic_aluminium,陕西,2024-06,100\n"
    report = run_import(province, gbk.encode("gbk"), "gbk.csv")
    assert report.rows == 1 and report.versions == [("AL1", "2024-06", 1)]
    bom = "\ufefffacility_id,sector,region,period,output_t\nAL1,electrolytic_aluminium,shaanxi,2024-07,100\n"
    assert run_import(province, bom.encode("utf-8"), "bom.csv").rows == 1
    junk = b"facility_id,sector\n\xff\xfe\xfa\x80\x81,\xc0\n"
    for name in ("junk.csv", "junk.json", "junk.yaml"):
        errors = refused(province, junk, name)
        assert [e.code for e in errors] == ["intake.encoding"]
        assert "UTF-8" in errors[0].text("zh") and "GBK" in errors[0].text("en")


def test_json_and_yaml_records_take_the_same_checks(province: str) -> None:
    good = b'[{"facility_id": "AL1", "sector": "electrolytic_aluminium", "region": "shaanxi", "period": "2024-08", "output_t": {"value": 2000000, "unit": "kg"}, "fuels": [{"fuel": "diesel", "amount": 3}]}]'
    report = run_import(province, good, "m.json")
    assert report.rows == 1
    with db.transaction(province) as session:
        record = repo.versions_of(session, "AL1", "2024-08")[0].record
    assert record["output_t"] == 2000.0 and record["fuels"] == [{"fuel": "diesel", "amount": 3.0}]
    bad = b"- {facility_id: AL1, sector: copperx, region: shaanxi, period: 2024-09, output_t: '1.200,5'}\n- {facility_id: AL2, sector: x, region: y, period: z, output_t: 1}\n"
    errors = refused(province, bad, "m.yaml")
    assert {(e.record, e.field, e.code) for e in errors} == {
        (1, "sector", "intake.unknown_sector"),
        (1, "output_t", "intake.number_format"),
        (2, "facility_id", "intake.facility_not_yours"),
    }


def test_yaml_alias_bomb_is_refused_before_expanding(province: str) -> None:
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    lines.append(
        "records:\n- {facility_id: AL1, sector: electrolytic_aluminium, region: shaanxi, period: '2032-01', output_t: 100, facility_name: *a6}"
    )
    content = "\n".join(lines).encode()
    assert len(content) < 1000
    errors = refused(province, content, "bomb.yaml")
    assert [e.code for e in errors] == ["intake.yaml_alias"]
    assert counts(province) == (0, 0)


def test_same_file_twice_adds_nothing_the_second_time(province: str) -> None:
    content = (HEADER + GOOD + "AL1,electrolytic_aluminium,shaanxi,2024-02,9000,117000,4\n").encode()
    first = run_import(province, content)
    assert len(first.versions) == 2 and first.sha256
    before = counts(province)
    second = run_import(province, content)
    assert second.versions == [] and second.unchanged == [("AL1", "2024-01", 1), ("AL1", "2024-02", 1)]
    assert second.sha256 is None and counts(province) == before
    changed = (HEADER + GOOD + "AL1,electrolytic_aluminium,shaanxi,2024-02,9001,117000,4\n").encode()
    third = run_import(province, changed)
    assert third.versions == [("AL1", "2024-02", 2)] and third.unchanged == [("AL1", "2024-01", 1)]


def test_submitted_month_takes_only_a_correction(province: str) -> None:
    run_import(province, (HEADER + GOOD).encode(), submit=True)
    errors = refused(province, (HEADER + GOOD.replace("10000", "10001")).encode())
    assert [(e.code, e.field) for e in errors] == [("intake.month_submitted", "period")]


def test_correction_takes_the_registry_checks_and_keeps_its_file(province: str) -> None:
    run_import(province, (HEADER + GOOD).encode(), submit=True)
    who = enterprise(province)
    wrong = (HEADER + "AL1,copper,guizhou,2024-01,9000,130000,5\n").encode()
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        intake.correct(session, who, "AL1", "2024-01", "meter fixed", content=wrong, filename="fix.csv")
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("sector", "intake.sector_mismatch"),
        ("region", "intake.province_mismatch"),
    }
    right = (HEADER + "AL1,electrolytic_aluminium,shaanxi,2024-01,9000,130000,5\n").encode()
    with db.transaction(province) as session:
        result = intake.correct(session, who, "AL1", "2024-01", "meter fixed", content=right, filename="fix.csv")
    assert result.versions == [("AL1", "2024-01", 2)] and result.sha256
    with db.transaction(province) as session:
        latest = repo.versions_of(session, "AL1", "2024-01")[-1]
        assert latest.reason == "meter fixed" and latest.upload_id is not None  # the evidence is kept


def test_correction_of_an_unknown_or_foreign_facility_is_one_coded_error(province: str) -> None:
    who = enterprise(province)
    content = (HEADER + "ZZ9,electrolytic_aluminium,shaanxi,2024-01,9000,130000,5\n").encode()
    answers = []
    for code in ("ZZ9", "AL2"):
        with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
            intake.correct(session, who, code, "2024-01", "why", content=content, filename="fix.csv")
        answers.append([(e.code, e.field) for e in caught.value.errors])
    assert answers[0] == answers[1] == [("intake.facility_not_yours", "facility_id")]


def test_month_form_goes_through_the_same_checks(province: str) -> None:
    who = enterprise(province)
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        intake.save_month(session, who, "AL1", "2024-05", {"output_t": "1.200,5", "grid_electricity_mwh": "=1+2"})
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("output_t", "intake.number_format"),
        ("grid_electricity_mwh", "intake.not_a_number"),
    }
    with db.transaction(province) as session:
        result = intake.save_month(session, who, "AL1", "2024-05", {"output_t": "100", "facility_name": "一厂"})
    assert result.versions == [("AL1", "2024-05", 1)]
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        intake.save_month(session, who, "AL1", "2024-06", {"output_t": "1", "facility_name": '=HYPERLINK("x")'})
    assert [e.code for e in caught.value.errors] == ["intake.formula_text"]


def test_administrator_is_told_a_code_is_unknown(province: str) -> None:
    errors = refused(
        province, (HEADER + "ZZ9,electrolytic_aluminium,shaanxi,2024-01,1,1,\n").encode(), who=administrator()
    )
    assert [e.code for e in errors] == ["intake.facility_unknown"]


def test_d7_a_correction_reason_over_its_limit_is_refused_naming_the_field(province: str) -> None:
    """Probe D7: stored free text had no length limit; a reason is at most 2000 characters (services.limits)."""
    run_import(province, (HEADER + GOOD).encode(), submit=True)
    who = enterprise(province)
    right = (HEADER + GOOD.replace("10000", "9000")).encode()
    with db.transaction(province) as session, pytest.raises(ValidationFailed) as caught:
        intake.correct(session, who, "AL1", "2024-01", "x" * 2001, content=right, filename="fix.csv")
    [error] = caught.value.errors
    assert (error.code, error.field, error.params) == ("limits.too_long", "reason", {"limit": 2000, "length": 2001})
    assert error.text("zh") == "字段“原因”：最多 2000 个字符（现为 2001 个）"
    with db.transaction(province) as session:
        assert len(repo.versions_of(session, "AL1", "2024-01")) == 1  # nothing written
        result = intake.correct(session, who, "AL1", "2024-01", "x" * 2000, content=right, filename="fix.csv")
    assert result.versions == [("AL1", "2024-01", 2)]


def test_months_waiting_for_a_parameter_say_which_in_words_not_keys(province: str) -> None:
    """A 2026 month needs the 2024 grid factor, not yet published: stored without a result, and the reason
    names the parameter by its title in the person's language (no parameter key, no Python text)."""
    report = run_import(province, (HEADER + GOOD.replace("2024-01", "2026-01")).encode())
    assert report.versions == [("AL1", "2026-01", 1)] and report.results == 0
    (pending,) = report.results_pending
    assert pending.text("zh").startswith("2026 年的 1 个月份暂无核算结果：参数“电力二氧化碳排放因子”")
    assert "grid_factor" not in pending.text("en") and "data_year" not in pending.text("en")
