"""Excel templates: columns per sector, validations, explanation sheet, and a filled template that reads back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from carbonpeak.accounting import account
from carbonpeak.errors import InputError
from carbonpeak.io.activity import parse_records, parse_table
from carbonpeak.io.template import template_columns, write_template
from carbonpeak.io.workbook import read_activity_workbook, read_workbook
from carbonpeak.vocabulary import PROVINCES

SECTORS = ["electrolytic_aluminium", "magnesium", "copper"]
FACILITIES = [("GZ-AL-01", "贵州示例铝业一分厂"), ("GZ-AL-02", "贵州示例铝业二分厂")]
PERIODS = ["2024-01", "2024-02", "2024-03"]

# One filled record per sector: the field (or line) → value, in the template's header units.
FILLED = {
    "electrolytic_aluminium": {
        "facility_id": "GZ-AL-01",
        "facility_name": "贵州示例铝业一分厂",
        "sector": "electrolytic_aluminium",
        "region": "guizhou",
        "period": "2024-03",
        "output_t": 20000,
        "grid_electricity_mwh": 270000,
        "electrolysis_ac_mwh": 259600,
        "auxiliary_ac_mwh": 6000,
        "net_anode_consumption_t_per_t": 0.41,
        "anode_effect_minutes_per_cell_day": 0.05,
        "fuel:natural_gas": 30,
        "fuel:diesel": 8,
        "carbonate:CaCO3": 40,
    },
    "magnesium": {
        "facility_id": "SX-MG-01",
        "sector": "magnesium",
        "region": "shaanxi",
        "period": "2023",
        "output_t": 10000,
        "grid_electricity_mwh": 12000,
        "dolomite_t": 110000,
        "ferrosilicon_t": 11000,
        "fuel:semi_coke_gas": 2400,
        "fuel:bituminous_coal": 30000,
    },
    "copper": {
        "facility_id": "YN-CU-01",
        "sector": "copper",
        "region": "yunnan",
        "period": "2023-06",
        "output_t": 30000,
        "grid_electricity_mwh": 45000,
        "purchased_heat_gj": 5000,
        "fuel:natural_gas": 120,
        "carbonate:CaCO3": 500,
        "reductant:coke": 800,
    },
}


def header_row(path: Path, lang_row: int = 1) -> list[str]:
    sheet = openpyxl.load_workbook(path)["activity"]
    return [c.value for c in sheet[lang_row]]


def fill(path: Path, rows: list[dict[str, object]], target: Path) -> Path:
    """Fill a template programmatically, matching each value to its column by field name."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["activity"]
    positions = {str(c.value).split("[")[0]: c.column for c in sheet[1]}
    for offset, values in enumerate(rows):
        for name, value in values.items():
            sheet.cell(row=3 + offset, column=positions[name], value=value)
    workbook.save(target)
    return target


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("sector", SECTORS)
def test_template_opens_with_headers_labels_validations_and_explanation(tmp_path: Path, sector: str, lang: str) -> None:
    path = write_template(tmp_path / f"{sector}_{lang}.xlsx", sector, lang, facilities=FACILITIES, periods=PERIODS)
    workbook = openpyxl.load_workbook(path)
    explanation = "说明" if lang == "zh" else "fields"
    assert workbook.sheetnames == ["activity", "lists", explanation]
    assert workbook["lists"].sheet_state == "hidden"
    sheet = workbook["activity"]
    columns = template_columns(sector)
    assert [c.value for c in sheet[1]] == [c.header for c in columns]
    assert [c.value for c in sheet[2]] == [c.label(lang) for c in columns]
    assert sheet.freeze_panes == "A3"
    assert sheet.max_row == 2  # data start at row 3

    letters = {str(c.value).split("[")[0]: c.column_letter for c in sheet[1]}
    by_cells = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    facility = by_cells[f"{letters['facility_id']}3"]
    assert (facility.type, facility.formula1) == ("list", "'lists'!$A$2:$A$3")
    assert "GZ-AL-01 = 贵州示例铝业一分厂" in facility.prompt
    assert [workbook["lists"][f"A{r}"].value for r in (2, 3)] == ["GZ-AL-01", "GZ-AL-02"]
    assert [workbook["lists"][f"B{r}"].value for r in (2, 3)] == ["贵州示例铝业一分厂", "贵州示例铝业二分厂"]
    assert by_cells[f"{letters['sector']}3"].formula1 == f'"{sector}"'
    region = by_cells[f"{letters['region']}3"]
    assert region.formula1 == f"'lists'!$D$2:$D${len(PROVINCES) + 1}"
    assert [workbook["lists"][f"D{r}"].value for r in range(2, len(PROVINCES) + 2)] == PROVINCES
    assert by_cells[f"{letters['period']}3"].formula1 == "'lists'!$F$2:$F$4"
    output = by_cells[f"{letters['output_t']}3"]
    assert (output.type, output.operator, output.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert str(output.sqref) == f"{letters['output_t']}3:{letters['output_t']}1048576"
    assert output.error == ("请输入 ≥ 0 的数值（单位 t）。" if lang == "zh" else "Enter a number ≥ 0 in t.")
    numeric = [c for c in columns if c.dtype == "float"]
    assert all(by_cells[f"{letters[c.name]}3"].type == "decimal" for c in numeric)
    assert sheet.column_dimensions[letters["grid_electricity_mwh"]].width >= len("grid_electricity_mwh[MWh]")

    rows = list(workbook[explanation].iter_rows(values_only=True))
    assert rows[0][:4] == (("列标题", "字段", "名称", "单位") if lang == "zh" else ("header", "field", "label", "unit"))
    described = {row[1]: row for row in rows[1 : len(columns) + 1]}
    assert list(described) == [c.name for c in columns]
    assert described["output_t"][3:7] == ("t", "是" if lang == "zh" else "yes", 0, None)
    assert described["grid_electricity_mwh"][7] == "Electricity purchased from the grid"


def test_percent_field_has_both_bounds(tmp_path: Path) -> None:
    path = write_template(tmp_path / "al.xlsx", "electrolytic_aluminium", "en")
    sheet = openpyxl.load_workbook(path)["activity"]
    letter = next(c.column_letter for c in sheet[1] if c.value == "current_efficiency_pct[%]")
    validation = next(v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(f"{letter}3"))
    assert (validation.operator, validation.formula1, validation.formula2) == ("between", "1", "100")
    assert validation.error == "Enter a number between 1 and 100 in %."


def test_columns_follow_the_sector() -> None:
    names = {sector: {c.name for c in template_columns(sector)} for sector in SECTORS}
    aluminium, magnesium, copper = (names[s] for s in SECTORS)
    assert {"net_anode_consumption_t_per_t", "cf4_kg_per_t", "limestone_t", "electrolysis_ac_mwh"} <= aluminium
    assert {"carbonate:CaCO3", "fuel:natural_gas"} <= aluminium
    assert not {"dolomite_t", "ferrosilicon_t"} & aluminium
    assert {"dolomite_t", "ferrosilicon_t", "magnesium_cast_t", "fuel:semi_coke_gas"} <= magnesium
    assert not {"net_anode_consumption_t_per_t", "limestone_t", "carbonate:CaCO3"} & magnesium
    assert {"reductant:coke", "reductant:coal", "carbonate:CaCO3", "scrap_input_t"} <= copper
    assert not {"dolomite_t", "cf4_kg_per_t", "limestone_t", "electrolysis_ac_mwh"} & copper
    identity = {"record_id", "facility_id", "facility_name", "sector", "region", "period", "method"}
    assert all(identity <= n and {"output_t", "grid_electricity_mwh", "so2_t"} <= n for n in names.values())


def test_unknown_sector_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        write_template(tmp_path / "x.xlsx", "steel", "zh")
    assert caught.value.field == "sector" and caught.value.value == "steel"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("sector", SECTORS)
def test_filled_template_reads_back_and_is_accounted(tmp_path: Path, sector: str, lang: str) -> None:
    template = write_template(tmp_path / "template.xlsx", sector, lang, facilities=FACILITIES, periods=PERIODS)
    filled = fill(template, [FILLED[sector]], tmp_path / "filled.xlsx")

    frame, meta = read_workbook(filled)
    assert meta == {"sheet": "activity", "first_data_row": 3, "row_numbers": [3], "label_row": True}
    assert list(frame.columns) == header_row(template)
    assert frame.loc[0, "output_t[t]"] == str(FILLED[sector]["output_t"])

    batch = parse_table(frame, source=str(filled))
    result = account(batch)
    record = FILLED[sector]
    row = batch.records.iloc[0]
    assert row["output_t"] == pytest.approx(float(record["output_t"]))  # type: ignore[arg-type]
    assert row["grid_electricity_mwh"] == pytest.approx(float(record["grid_electricity_mwh"]))  # type: ignore[arg-type]
    fuels = dict(zip(batch.fuels["fuel"].astype(str), batch.fuels["amount"], strict=True))
    expected_fuels = {k.split(":")[1]: float(v) for k, v in record.items() if k.startswith("fuel:")}  # type: ignore[arg-type]
    assert fuels == pytest.approx(expected_fuels)

    # The same record given as JSON-like fields and lines gives the same figures.
    lines: dict[str, list[dict[str, object]]] = {"fuels": [], "carbonates": [], "reductants": []}
    plain: dict[str, object] = {}
    for key, value in record.items():
        kind, _, code = key.partition(":")
        if kind == "fuel" and code:
            lines["fuels"].append({"fuel": code, "amount": value})
        elif kind == "carbonate" and code:
            lines["carbonates"].append({"carbonate": code, "amount_t": value})
        elif kind == "reductant" and code:
            lines["reductants"].append({"agent": code, "amount_t": value})
        else:
            plain[key] = value
    reference = account(parse_records([{**plain, **{k: v for k, v in lines.items() if v}}]))
    numbers = [c for c in result.table.columns if pd.api.types.is_float_dtype(result.table[c])]
    pd.testing.assert_frame_equal(result.table[numbers], reference.table[numbers])
    assert result.table.loc[0, "total_location_tco2e"] > 0
    # 1 MWh of grid electricity is 0.1229 tce (equivalent value, GB/T 2589-2020)
    assert result.table.loc[0, "electricity_tce"] == pytest.approx(0.1229 * float(record["grid_electricity_mwh"]))  # type: ignore[arg-type]
    method = {"electrolytic_aluminium": "cn-al-2024", "magnesium": "cn-mg-2013", "copper": "cn-nonferrous-2015"}
    assert result.table.loc[0, "method"] == method[sector]

    # The one-call reader gives the same batch.
    direct = read_activity_workbook(filled)
    pd.testing.assert_frame_equal(direct.records, batch.records)


def test_filled_template_with_several_rows_and_a_changed_unit(tmp_path: Path) -> None:
    template = write_template(tmp_path / "template.xlsx", "electrolytic_aluminium", "zh", facilities=FACILITIES)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook["activity"]
    cell = next(c for c in sheet[1] if c.value == "grid_electricity_mwh[MWh]")
    cell.value = "grid_electricity_mwh[万kWh]"  # the user reports in 10^4 kWh; the label row stays as written
    workbook.save(template)
    rows = [{**FILLED["electrolytic_aluminium"], "period": f"2024-0{m}", "grid_electricity_mwh": 27000} for m in (1, 2)]
    filled = fill(template, rows, tmp_path / "filled.xlsx")
    batch = read_activity_workbook(filled)
    assert list(batch.records["record_id"]) == ["GZ-AL-01@2024-01", "GZ-AL-01@2024-02"]
    assert list(batch.records["grid_electricity_mwh"]) == pytest.approx([270000.0, 270000.0])
    assert list(batch.records["facility_name"]) == ["贵州示例铝业一分厂"] * 2
