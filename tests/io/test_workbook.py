"""Reading uploaded workbooks: structural problems by sheet, row and column; annotated copies; speed."""

from __future__ import annotations

import datetime as dt
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from carbonpeak.errors import InputError, ValidationFailed
from carbonpeak.io.activity import parse_table, read_activity
from carbonpeak.io.template import write_template
from carbonpeak.io.workbook import read_activity_workbook, read_workbook, write_annotated_copy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADERS = [
    "facility_id",
    "sector",
    "region",
    "period",
    "output_t[t]",
    "grid_electricity_mwh[MWh]",
    "fuel:natural_gas[10^4 Nm3]",
]
GOOD = ["F1", "electrolytic_aluminium", "guizhou", "2024-03", 20000, 270000, 30]


def workbook(tmp_path: Path, rows: list[list[Any]], name: str = "upload.xlsx", **options: Any) -> Path:
    """A plain workbook: sheet 'activity', the given rows from row 1; options: merge=[ranges]."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activity"
    for row in rows:
        sheet.append(row)
    for ref in options.get("merge", ()):
        sheet.merge_cells(ref)
    path = tmp_path / name
    book.save(path)
    return path


def where(error: InputError) -> tuple[str | None, str | None]:
    return (str(error.record) if error.record is not None else None, error.field)


def failure(call: Any, *args: Any, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value


def test_plain_workbook_reads_as_strings_with_row_numbers(tmp_path: Path) -> None:
    rows = [
        HEADERS,
        GOOD,
        [None] * 7,
        ["F2", "electrolytic_aluminium", "贵州", dt.datetime(2024, 4, 1), 1.5, 0.1, None],
    ]
    frame, meta = read_workbook(workbook(tmp_path, rows))
    assert meta == {"sheet": "activity", "first_data_row": 2, "row_numbers": [2, 4], "label_row": False}
    assert list(frame.columns) == HEADERS
    assert frame.to_dict("records") == [
        dict(
            zip(HEADERS, ["F1", "electrolytic_aluminium", "guizhou", "2024-03", "20000", "270000", "30"], strict=True)
        ),
        dict(zip(HEADERS, ["F2", "electrolytic_aluminium", "贵州", "2024-04", "1.5", "0.1", ""], strict=True)),
    ]


def test_first_sheet_is_read_when_there_is_no_activity_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "数据"
    first.append(HEADERS)
    first.append(GOOD)
    book.create_sheet("other").append(["x"])
    path = tmp_path / "first.xlsx"
    book.save(path)
    frame, meta = read_workbook(path)
    assert meta["sheet"] == "数据" and frame.loc[0, "facility_id"] == "F1"


def test_example_workbook_reads_like_the_csv() -> None:
    from_xlsx = read_activity_workbook(EXAMPLES / "aluminium_2023_monthly.xlsx")
    from_csv = read_activity(EXAMPLES / "aluminium_2023_monthly.csv")
    assert len(from_xlsx) == 36
    pd.testing.assert_frame_equal(from_xlsx.records, from_csv.records)
    pd.testing.assert_frame_equal(from_xlsx.fuels, from_csv.fuels)


def test_every_problem_is_listed_with_sheet_row_and_column(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template.xlsx", "electrolytic_aluminium", "zh")
    book = openpyxl.load_workbook(template)
    sheet = book["activity"]
    column = {str(c.value).split("[")[0]: c.column for c in sheet[1]}
    sheet.cell(row=1, column=column["output_t"], value="output_t[kWh]")  # wrong dimension

    def put(row: int, **values: Any) -> None:
        base = {"facility_id": f"F{row}", "sector": "electrolytic_aluminium", "region": "guizhou", "period": "2024-03"}
        for name, value in {**base, "output_t": 1000, "grid_electricity_mwh": 13500, **values}.items():
            sheet.cell(row=row, column=column[name], value=value)

    put(3)
    put(4, grid_electricity_mwh="=A3*2")  # a formula
    put(5)
    sheet.merge_cells(start_row=5, start_column=column["facility_name"], end_row=6, end_column=column["facility_name"])
    put(7, grid_electricity_mwh="thirteen thousand")  # text in a numeric cell
    put(8, **{"fuel:natural_gas": -5})  # a negative amount
    # row 9 left empty: skipped
    put(10, output_t=-1)  # below the minimum
    book.save(tmp_path / "bad.xlsx")

    failed = failure(read_activity_workbook, tmp_path / "bad.xlsx")
    found = {where(e): e for e in failed.errors}
    assert list(found) == [
        ("sheet activity, row 1", "output_t[kWh]"),
        ("sheet activity, row 4", "grid_electricity_mwh[MWh]"),
        ("sheet activity, row 5", "facility_name"),
        ("sheet activity, row 7", "grid_electricity_mwh[MWh]"),
        ("sheet activity, row 8", "fuel:natural_gas[10^4 Nm3]"),
        ("sheet activity, row 10", "output_t[kWh]"),
    ]
    assert all(e.file == str(tmp_path / "bad.xlsx") for e in failed.errors)
    header = found[("sheet activity, row 1", "output_t[kWh]")]
    assert (header.code, header.value, header.params["unit"]) == ("intake.header_unit", "kWh", "t")
    formula = found[("sheet activity, row 4", "grid_electricity_mwh[MWh]")]
    assert (formula.code, formula.value) == ("intake.formula_cell", "=A3*2")
    merged = found[("sheet activity, row 5", "facility_name")]
    assert merged.code == "intake.merged_cells" and merged.value == "C5:C6"
    assert merged.text("zh").startswith("文件 ") and "工作表 activity，第 5 行" in merged.text("zh")
    text = found[("sheet activity, row 7", "grid_electricity_mwh[MWh]")]
    assert (text.code, text.value) == ("intake.not_a_number", "thirteen thousand")  # coded: zh and en texts
    negative = found[("sheet activity, row 8", "fuel:natural_gas[10^4 Nm3]")]
    assert (negative.code, negative.value, negative.expected) == ("intake.negative", "-5", "a number ≥ 0")
    assert found[("sheet activity, row 10", "output_t[kWh]")].code == "intake.below_minimum"
    assert "6 problems found" in str(failed) and "sheet activity, row 4" in str(failed)

    # read_workbook alone reports the structural problems: the formula and the merge.
    structural = failure(read_workbook, tmp_path / "bad.xlsx")
    assert [where(e) for e in structural.errors] == [
        ("sheet activity, row 4", "grid_electricity_mwh[MWh]"),
        ("sheet activity, row 5", "facility_name"),
    ]


def test_record_id_errors_are_placed_on_their_row(tmp_path: Path) -> None:
    rows = [["record_id", *HEADERS], ["R-1", *GOOD], ["R-1", *GOOD[:4], 5, 6, 7], ["R-3", *GOOD[:4], "x", 6, 7]]
    failed = failure(read_activity_workbook, workbook(tmp_path, rows))
    assert [(where(e), e.code or e.detail) for e in failed.errors] == [
        (("sheet activity, row 3", "record_id"), "intake.duplicate_record"),
        (("sheet activity, row 4", "output_t[t]"), "intake.not_a_number"),
    ]
    assert failed.errors[0].expected == "each record_id once (first used in row 2)"
    assert failed.errors[0].params["first_row"] == 2


def test_header_problems(tmp_path: Path) -> None:
    rows = [
        ["facility_id", "output_t", "output_t[t]", None, "colour", "fuel:whale_oil", "sector[t]"],
        ["F1", 1, 2, 3, "red", 4, "copper", "stray"],
    ]
    failed = failure(read_workbook, workbook(tmp_path, rows))
    assert [(where(e), e.code) for e in failed.errors] == [
        (("sheet activity, row 1", "output_t[t]"), "intake.duplicate_column"),
        (("sheet activity, row 1", "column D"), "intake.unnamed_column"),
        (("sheet activity, row 1", "column H"), "intake.unnamed_column"),
    ]
    assert failed.errors[0].value == "B, C" and failed.errors[2].value == "H"

    rows = [["facility_id", "colour", "fuel:whale_oil", "sector[t]", "output_t[kg]"], ["F1", "red", 4, "copper", 5]]
    failed = failure(read_activity_workbook, workbook(tmp_path, rows, "names.xlsx"))
    by_field = {e.field: e.code for e in failed.errors if e.record == "sheet activity, row 1"}
    assert by_field == {
        "colour": "intake.unknown_column",
        "fuel:whale_oil": "intake.unknown_line_code",
        "sector[t]": "intake.unit_not_allowed",
    }
    # kg converts to t; the record's own problems (missing fields) are reported as well
    assert any(e.record == "sheet activity, row 2" and e.code == "intake.required" for e in failed.errors)


def test_empty_columns_and_trailing_empty_rows_are_ignored(tmp_path: Path) -> None:
    rows = [[*HEADERS, None, None], [*GOOD, None, None], [None] * 9, [" "] * 9]
    frame, meta = read_workbook(workbook(tmp_path, rows))
    assert list(frame.columns) == HEADERS and meta["row_numbers"] == [2]


def test_truncated_file_gives_one_clear_error(tmp_path: Path) -> None:
    good = write_template(tmp_path / "good.xlsx", "copper", "zh")
    data = good.read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    failed = failure(read_workbook, truncated)
    assert len(failed.errors) == 1
    assert failed.errors[0].code == "intake.unreadable_workbook"
    assert failed.errors[0].file == str(truncated)

    not_excel = tmp_path / "notes.xlsx"
    not_excel.write_text("facility_id,output_t\nF1,5\n", encoding="utf-8")
    assert failure(read_activity_workbook, not_excel).errors[0].code == "intake.unreadable_workbook"

    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert failure(read_workbook, old).errors[0].code == "intake.old_xls"


def test_damaged_sheet_inside_a_valid_zip(tmp_path: Path) -> None:
    good = workbook(tmp_path, [HEADERS, GOOD])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    failed = failure(read_workbook, damaged)
    assert [e.code for e in failed.errors] == ["intake.unreadable_workbook"]
    assert failed.errors[0].value is None and "Error" not in str(failed.errors[0])  # no parser internals


def test_file_over_the_limit_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"not even a zip" * 200)  # 2 800 bytes: were it opened, it would fail as unreadable
    failed = failure(read_workbook, path, max_bytes=1000)
    assert len(failed.errors) == 1
    error = failed.errors[0]
    assert error.code == "intake.file_too_large" and error.params["limit"] == "1000 bytes"
    assert error.value == "2800 bytes" and "at most 1000 bytes" in str(error)
    assert read_workbook(workbook(tmp_path, [HEADERS, GOOD]), max_bytes=1_000_000)[0].shape == (1, 7)


def test_label_row_is_recognised_in_either_language(tmp_path: Path) -> None:
    labels_zh = ["设施编号", "行业", "省份", "核算期", "产品产量（t）", "外购电网电力（MWh）", "天然气（10^4 Nm3）"]
    labels_en = ["facility id", "sector", "province", "period", "product output (t)", "grid electricity purchased", ""]
    for labels in (labels_zh, labels_en):
        frame, meta = read_workbook(workbook(tmp_path, [HEADERS, labels, GOOD]))
        assert meta["first_data_row"] == 3 and meta["row_numbers"] == [3] and frame.loc[0, "facility_id"] == "F1"


def test_excel_error_values_are_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.append(GOOD)
    sheet["E2"] = "#DIV/0!"
    sheet["E2"].data_type = "e"
    book.save(tmp_path / "errors.xlsx")
    failed = failure(read_workbook, tmp_path / "errors.xlsx")
    assert [(where(e), e.code, e.value) for e in failed.errors] == [
        (("sheet Sheet, row 2", "output_t[t]"), "intake.excel_error", "#DIV/0!")
    ]


def test_annotated_copy_marks_cells_and_lists_errors(tmp_path: Path) -> None:
    rows = [HEADERS, GOOD, [*GOOD[:4], "=1+1", 5, 6], [*GOOD[:4], 7, "abc", -3], GOOD]
    source = workbook(tmp_path, rows)
    failed = failure(read_activity_workbook, source)
    unplaced = InputError("the submission period is closed", file=str(source), expected="an open period")
    target = write_annotated_copy(source, [failed, unplaced], tmp_path / "annotated.xlsx")

    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["errors", "activity"]
    sheet = book["activity"]
    marked = {c.coordinate for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb == "FFFFC7CE"}
    assert marked == {"E3", "F4", "A5"}  # formula, text in a number, duplicate record (no field: first column)
    assert sheet["E3"].comment.text.startswith("单元格含公式；请“选择性粘贴为数值”后再上传")
    assert "不是数字；应为以 MWh 计的数字（填写的是 abc）" in sheet["F4"].comment.text  # coded: in the copy's language
    assert sheet["A2"].comment is None and sheet["A2"].fill.fgColor.rgb != "FFFFC7CE"

    listing = list(book["errors"].iter_rows(values_only=True))
    assert listing[0] == ("文件", "工作表", "行", "单元格", "字段", "值", "期望", "问题")
    assert [(r[1], r[2], r[3], r[4], r[7]) for r in listing[1:]] == [
        ("activity", 3, "E3", "output_t[t]", "单元格含公式；请“选择性粘贴为数值”后再上传"),
        ("activity", 4, "F4", "grid_electricity_mwh[MWh]", "不是数字；应为以 MWh 计的数字"),
        ("activity", 5, "A5", None, "记录重复（同一设施同一期间，或同一记录编号），首次出现于工作表 activity，第 2 行"),
        (None, None, None, None, "the submission period is closed"),
    ]
    assert listing[-1][6] == "an open period"
    # the copy reads as the original did: the errors sheet comes first but is not taken for the data
    assert [where(e) for e in failure(read_workbook, target).errors] == [("sheet activity, row 3", "output_t[t]")]


def test_annotated_copy_maps_parse_table_rows(tmp_path: Path) -> None:
    source = workbook(tmp_path, [HEADERS, GOOD, [None] * 7, [*GOOD[:4], -1, 5, 6]])
    frame, meta = read_workbook(source)
    with pytest.raises(InputError) as caught:
        parse_table(frame, source=str(source))
    assert caught.value.record == "row 3"  # the frame's numbering: header + 2nd data row
    target = write_annotated_copy(source, [caught.value], tmp_path / "mapped.xlsx", row_numbers=meta["row_numbers"])
    sheet = openpyxl.load_workbook(target)["activity"]
    assert sheet["E4"].fill.fgColor.rgb == "FFFFC7CE"  # Excel row 4: the empty row 3 was skipped
    assert sheet["E4"].comment.text.startswith("数值低于下限 0（填写的是 -1）")  # the cell, not a Python dict


def minimal_xlsx(path: Path, header: list[str], rows: int, prefix: str = "") -> Path:
    """A bare .xlsx (inline strings, no styles part, no cell references), written directly: fast to build
    at any size; ``prefix`` writes the sheet with a namespace prefix, as the Open XML SDK does."""
    x = prefix

    def cell(value: object) -> str:
        if isinstance(value, str):
            return f'<{x}c t="inlineStr"><{x}is><{x}t>{value}</{x}t></{x}is></{x}c>'
        return f"<{x}c><{x}v>{value}</{x}v></{x}c>"

    lines = [f"<{x}row>" + "".join(cell(h) for h in header) + f"</{x}row>"]
    numbers = len(header) - 4
    for r in range(rows):
        values = [f"F{r % 500}", "copper", "yunnan", f"{2000 + r // 12}-{r % 12 + 1:02d}"]
        numbers_xml = "".join(cell(1000 + r + k / 8) for k in range(numbers))
        lines.append(f"<{x}row>" + "".join(map(cell, values)) + numbers_xml + f"</{x}row>")
    namespace = f'xmlns{":" + x.rstrip(":") if x else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = f"<{x}worksheet {namespace}><{x}sheetData>" + "".join(lines) + f"</{x}sheetData></{x}worksheet>"
    workbook_xml = (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="activity" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_20000_rows_by_30_columns_read_in_seconds(tmp_path: Path) -> None:
    numeric = [
        "output_t[t]",
        "grid_electricity_mwh[MWh]",
        "exported_electricity_mwh[MWh]",
        "captive_electricity_mwh[MWh]",
        "green_certificate_mwh[MWh]",
        "direct_renewable_mwh[MWh]",
        "onsite_renewable_mwh[MWh]",
        "purchased_heat_gj[GJ]",
        "exported_heat_gj[GJ]",
        "scrap_input_t[t]",
        "solid_waste_generated_t[t]",
        "solid_waste_used_t[t]",
        "so2_t[t]",
        "nox_t[t]",
        "particulate_t[t]",
        "capacity_t_per_a[t/a]",
        "fuel:natural_gas[10^4 Nm3]",
        "fuel:diesel[t]",
        "fuel:coke[t]",
        "fuel:lpg[t]",
        "fuel:fuel_oil[t]",
        "carbonate:CaCO3[t]",
        "reductant:coke[t]",
        "reductant:coal[t]",
        "fuel:gasoline[t]",
        "fuel:bituminous_coal[t]",
    ]
    header = ["facility_id", "sector", "region", "period", *numeric]
    assert len(header) == 30
    path = minimal_xlsx(tmp_path / "big.xlsx", header, 20_000)
    started = time.perf_counter()
    frame, meta = read_workbook(path)
    elapsed = time.perf_counter() - started
    assert frame.shape == (20_000, 30)
    assert meta["row_numbers"][0] == 2 and meta["row_numbers"][-1] == 20_001
    assert frame.loc[19_999, "period"] == "3666-08" and frame.loc[19_999, "output_t[t]"] == "20999"
    assert frame.loc[1, "fuel:natural_gas[10^4 Nm3]"] == "1003"  # 1000 + 1 + 16/8: a whole number
    assert elapsed < 10, f"20 000 x 30 read in {elapsed:.1f} s"


def test_prefixed_namespace_and_cells_without_references(tmp_path: Path) -> None:
    path = minimal_xlsx(tmp_path / "sdk.xlsx", ["facility_id", "sector", "region", "period", "output_t[t]"], 3, "x:")
    frame, meta = read_workbook(path)
    assert meta["row_numbers"] == [2, 3, 4]
    assert frame.to_dict("records")[2] == {
        "facility_id": "F2",
        "sector": "copper",
        "region": "yunnan",
        "period": "2000-03",
        "output_t[t]": "1002",
    }
    assert read_activity_workbook(path).records["output_t"].tolist() == [1000.0, 1001.0, 1002.0]
