"""Exporting tables to one workbook: values keep their types, headers are bold and frozen, sheets are named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from carbonpeak.accounting import account
from carbonpeak.errors import InputError
from carbonpeak.io.activity import read_activity
from carbonpeak.io.export import export_workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def submissions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "facility_id": ["GZ-AL-01", "GZ-AL-02", "001"],
            "facility_name": ["贵州示例铝业一分厂", "贵州示例铝业二分厂", "遵义铝业（示例）"],
            "period": ["2024-03", "2024-03", "2024"],
            "output_t": [20000.5, np.nan, 1.25e-3],
            "version": [1, 2, 3],
            "locked": [True, False, True],
            "submitted_on": pd.to_datetime(["2024-04-10", "2024-04-11", "2024-05-01"]),
            "updated_at": pd.to_datetime(["2024-04-10 09:30:00", "2024-04-11 17:05:12", "2024-05-01 00:00:00"]),
        }
    )


def test_round_trip_keeps_values_types_and_chinese(tmp_path: Path) -> None:
    frames = {"submissions": submissions(), "indicators": pd.DataFrame({"指标": ["单位产品碳排放"], "值": [9.01]})}
    path = export_workbook(tmp_path / "export.xlsx", frames, titles={"submissions": "报送数据"})
    back = pd.read_excel(path, sheet_name=None, dtype={"facility_id": str})
    assert list(back) == ["报送数据", "indicators"]
    pd.testing.assert_frame_equal(back["报送数据"], frames["submissions"], check_dtype=False)
    pd.testing.assert_frame_equal(back["indicators"], frames["indicators"], check_dtype=False)
    assert back["报送数据"]["version"].dtype == np.int64
    assert back["报送数据"]["locked"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(back["报送数据"]["submitted_on"])


def test_cells_are_typed_and_the_header_is_styled(tmp_path: Path) -> None:
    path = export_workbook(tmp_path / "export.xlsx", {"submissions": submissions()}, lang="en")
    sheet = openpyxl.load_workbook(path)["submissions"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert [c.value for c in sheet[1]][:4] == ["facility_id", "facility_name", "period", "output_t"]
    assert sheet["A4"].value == "001" and sheet["A4"].data_type == "s"  # a code stays text
    assert sheet["C4"].value == "2024" and sheet["C4"].data_type == "s"
    assert sheet["D2"].value == 20000.5 and sheet["D2"].data_type == "n"
    assert sheet["D3"].value is None  # NaN is an empty cell
    assert sheet["E2"].value == 1 and sheet["F2"].value is True
    assert sheet["G2"].is_date and sheet["G2"].value == dt.datetime(2024, 4, 10)
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet["H3"].value == dt.datetime(2024, 4, 11, 17, 5, 12)
    assert sheet["H3"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["D1"].comment.text == "product output (t)"  # the label of a known field, in the language asked
    assert sheet.column_dimensions["B"].width >= 18  # nine Chinese characters are 18 columns wide
    assert sheet.column_dimensions["A"].width >= len("facility_id")


def test_sheet_titles_are_made_valid_and_unique(tmp_path: Path) -> None:
    small = pd.DataFrame({"a": [1]})
    frames = {"a/b": small, "a:b": small, "x" * 40: small}
    path = export_workbook(tmp_path / "titles.xlsx", frames)
    assert openpyxl.load_workbook(path).sheetnames == ["a_b", "a_b (2)", "x" * 31]


def test_accounting_results_export(tmp_path: Path) -> None:
    result = account(read_activity(EXAMPLES / "aluminium_2023_monthly.csv"))
    table = result.table
    path = export_workbook(tmp_path / "results.xlsx", {"results": table}, titles={"results": "核算结果"})
    back = pd.read_excel(path, sheet_name="核算结果", dtype={"period": str})
    assert len(back) == 36
    numbers = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    pd.testing.assert_frame_equal(back[numbers], table[numbers], check_dtype=False)
    assert list(back["record_id"]) == list(table["record_id"])
    assert back.loc[0, "total_location_tco2e"] == pytest.approx(table.loc[0, "total_location_tco2e"])


def test_nothing_to_export_and_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing to export"):
        export_workbook(tmp_path / "empty.xlsx", {})
    with pytest.raises(InputError) as caught:
        export_workbook(tmp_path / "x.xlsx", {"a": pd.DataFrame({"a": [1]})}, lang="fr")
    assert caught.value.field == "lang"


@pytest.mark.parametrize(
    ("lang", "sheet", "names"),
    [
        (
            "zh",
            "报送数据",
            ["设施编号", "设施名称", "期间", "产品产量（t）", "版本", "locked", "submitted_on", "updated_at"],
        ),
        ("en", "Submissions", ["Facility id", "Facility name", "Period", "Product output (t)", "Version", "Locked"]),
    ],
)
def test_named_workbooks_read_in_the_readers_language(tmp_path: Path, lang: str, sheet: str, names: list[str]) -> None:
    """Downloaded workbooks name sheets and columns from the header catalog (the field table's label where the
    catalog has none); a column neither knows keeps its machine name, and every header's comment holds it."""
    from python_calamine import CalamineWorkbook

    from carbonpeak.io.export import column_name, headers

    path = export_workbook(tmp_path / f"named_{lang}.xlsx", {"submissions": submissions()}, lang=lang, named=True)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == [sheet]
    header = book.get_sheet_by_name(sheet).to_python()[0]
    assert header[: len(names)] == names
    comments = [c.comment.text for c in openpyxl.load_workbook(path)[sheet][1]]
    assert comments == list(submissions().columns)  # the machine names, to map the columns back
    assert all(set(names) == {"zh", "en"} for part in headers().values() for names in part.values())
    assert column_name("energy_tce", "zh") == "综合能耗（吨标准煤）"
