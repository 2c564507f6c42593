"""Reading activity files: every format, and bad input that must name file, record, field and expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError, UnitError
from carbonpeak.io.activity import read_activity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

GOOD = {
    "facility_id": "F1",
    "sector": "electrolytic_aluminium",
    "region": "guizhou",
    "period": "2024-03",
    "output_t": 1000,
    "grid_electricity_mwh": 13500,
    "fuels": [{"fuel": "natural_gas", "amount": 2, "unit": "10^4 Nm3"}],
}


def write_json(tmp_path: Path, records: object, name: str = "input.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def bad(tmp_path: Path, **change: object) -> InputError:
    record = {**GOOD, **change}
    record = {k: v for k, v in record.items() if v is not None}
    with pytest.raises(InputError) as caught:
        read_activity(write_json(tmp_path, [record]))
    return caught.value


def test_reads_json_with_units_and_chinese_names(tmp_path: Path) -> None:
    record = {**GOOD, "region": "贵州", "grid_electricity_mwh": {"value": 1350, "unit": "万kWh"}}
    batch = read_activity(write_json(tmp_path, {"records": [record]}))
    row = batch.records.iloc[0]
    assert row["region"] == "guizhou"
    assert row["grid_electricity_mwh"] == pytest.approx(13500.0)  # 1350 × 10^4 kWh = 13 500 MWh
    assert batch.fuels.iloc[0]["amount"] == pytest.approx(2.0)  # already in the fuel's table unit
    assert row["record_id"] == "F1@2024-03"


def test_quantity_string_with_unit_is_converted(tmp_path: Path) -> None:
    batch = read_activity(write_json(tmp_path, [{**GOOD, "grid_electricity_mwh": "13500000 kWh"}]))
    assert batch.records.iloc[0]["grid_electricity_mwh"] == pytest.approx(13500.0)


def test_csv_and_excel_examples_read_the_same(tmp_path: Path) -> None:
    from_csv = read_activity(EXAMPLES / "aluminium_2023_monthly.csv")
    from_xlsx = read_activity(EXAMPLES / "aluminium_2023_monthly.xlsx")
    assert len(from_csv) == len(from_xlsx) == 36
    pd.testing.assert_series_equal(from_csv.records["output_t"], from_xlsx.records["output_t"])
    # natural gas column header carries its unit: [10^4 Nm3]; coal in t; diesel in t
    assert set(from_csv.fuels["fuel"].astype(str)) == {"natural_gas", "bituminous_coal", "diesel"}


def test_gbk_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    text = (
        "facility_id,facility_name,sector,region,period,output_t\n"
        "F1,贵州示例铝厂,electrolytic_aluminium,贵州,2024,1000\n"
    )
    path.write_bytes(text.encode("gbk"))
    batch = read_activity(path)
    assert batch.records.iloc[0]["facility_name"] == "贵州示例铝厂"


def test_negative_amount(tmp_path: Path) -> None:
    error = bad(tmp_path, output_t=-5)
    assert error.field == "output_t" and error.record == "records[0]"
    assert "≥ 0" in str(error) and "input.json" in str(error)


def test_non_numeric_amount(tmp_path: Path) -> None:
    error = bad(tmp_path, grid_electricity_mwh="lots")
    assert error.field == "grid_electricity_mwh" and error.value == "lots"
    assert "a number" in str(error)


def test_unit_of_wrong_dimension(tmp_path: Path) -> None:
    with pytest.raises(UnitError) as caught:
        read_activity(write_json(tmp_path, [{**GOOD, "output_t": "1000 kWh"}]))
    assert caught.value.field == "output_t"
    assert "kWh" in str(caught.value) and "t" in str(caught.value.expected)


def test_unknown_fuel(tmp_path: Path) -> None:
    error = bad(tmp_path, fuels=[{"fuel": "unobtainium", "amount": 1}])
    assert error.field == "fuels.fuel" and error.value == "unobtainium"
    assert "natural_gas" in str(error.expected)


def test_unknown_sector(tmp_path: Path) -> None:
    error = bad(tmp_path, sector="steel_wool")
    assert error.field == "sector" and "electrolytic_aluminium" in str(error.expected)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    error = bad(tmp_path, grid_electricty_mwh=5)  # a typo must not be silently dropped
    assert error.field == "grid_electricty_mwh"


def test_missing_required_field(tmp_path: Path) -> None:
    error = bad(tmp_path, output_t=None)
    assert error.field == "output_t" and error.code == "intake.required"
    assert "a required value is missing" in str(error) and error.text("zh").endswith("必填项为空")


def test_bad_period(tmp_path: Path) -> None:
    error = bad(tmp_path, period="March 2024")
    assert error.field == "period" and "2024-03" in str(error.expected)


def test_duplicate_record(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_activity(write_json(tmp_path, [GOOD, GOOD]))
    assert "duplicate" in str(caught.value) and caught.value.record == "records[1]"


def test_empty_and_malformed_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_activity(empty)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"facility_id": "F1",')
    with pytest.raises(InputError, match="not valid JSON"):
        read_activity(broken)
    no_records = write_json(tmp_path, [], "none.json")
    with pytest.raises(InputError, match="no records"):
        read_activity(no_records)
    header_only = tmp_path / "header.csv"
    header_only.write_text("facility_id,sector,region,period,output_t\n")
    with pytest.raises(InputError, match="no data rows"):
        read_activity(header_only)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("x")
    with pytest.raises(InputError, match="unsupported file type"):
        read_activity(path)


def test_csv_row_number_in_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "facility_id,sector,region,period,output_t\nF1,alumina,guizhou,2024,10\nF2,alumina,guizhou,2024,-1\n"
    )
    with pytest.raises(InputError) as caught:
        read_activity(path)
    assert caught.value.record == "row 3" and caught.value.field == "output_t"


def test_current_efficiency_as_fraction_is_refused(tmp_path: Path) -> None:
    error = bad(tmp_path, current_efficiency_pct=0.94)
    assert error.field == "current_efficiency_pct" and "≥ 1" in str(error.expected)


def test_unparseable_files_get_coded_errors_with_their_line_not_the_parsers_words(tmp_path: Path) -> None:
    """JSON, YAML and CSV a parser refuses: one coded error naming the line, in zh and en from the catalog;
    neither the parser's own English nor a Python repr reaches the text."""
    broken = tmp_path / "broken.json"
    broken.write_text('[{"facility_id": "F1",\n  "sector": }]', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_activity(broken)
    error = caught.value
    assert error.code == "intake.invalid_json" and error.params == {"line": 2, "column": 13}
    assert error.text("zh").endswith("不是有效的 JSON（第 2 行第 13 列附近）")
    assert "Expecting" not in str(error)

    yaml_file = tmp_path / "broken.yaml"
    yaml_file.write_text("- facility_id: F1\n  sector: [a\n  period: 2024-03\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_activity(yaml_file)
    assert caught.value.code == "intake.invalid_yaml" and caught.value.row is not None
    assert "<unicode string>" not in str(caught.value) and "while parsing" not in str(caught.value)
    assert "不是有效的 YAML" in caught.value.text("zh")

    csv_file = tmp_path / "ragged.csv"
    csv_file.write_text("facility_id,sector,period\nF1,alumina,2024-03\nF2,alumina,2024-03,9,9\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_activity(csv_file)
    assert caught.value.code == "intake.csv_malformed" and caught.value.row == 3
    assert "Error tokenizing" not in str(caught.value) and "CSV 格式有误" in caught.value.text("zh")


def test_json_and_yaml_in_no_known_encoding_are_a_coded_error_not_a_crash(tmp_path: Path) -> None:
    """D10: a .json/.yaml that is not UTF-8 (nor GBK) gave a UnicodeDecodeError; GBK text is read."""
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(json.dumps([{**GOOD, "facility_name": "电解一厂"}], ensure_ascii=False).encode("gbk"))
    assert read_activity(gbk).records.loc[0, "facility_name"] == "电解一厂"
    for name in ("latin.json", "latin.yaml"):
        path = tmp_path / name
        path.write_bytes(b'[{"facility_id": "F1", "facility_name": "\xff\xfe\xff"}]')
        with pytest.raises(InputError) as caught:
            read_activity(path)
        assert caught.value.code == "intake.encoding" and caught.value.text("zh").startswith("文件 ")
    alias = tmp_path / "alias.yaml"
    alias.write_text("a: &a [1, 2]\nrecords: [*a, *a]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_activity(alias)
    assert caught.value.code == "intake.yaml_alias"
