"""Excel templates for activity records, generated from the field table (``io/fields/activity.csv``).

``write_template(path, sector, lang)`` writes one workbook per sector:

* sheet ``activity``: row 1 the machine headers (``output_t[t]``, ``fuel:natural_gas[10^4 Nm3]``), row 2
  the labels in the chosen language with units, data from row 3; drop-down lists for facility, sector,
  province and period, decimal validation (≥ min, ≤ max) on every numeric column, frozen panes;
* sheet ``说明`` (zh) or ``fields`` (en): one line per column (header, field, label, unit, required,
  bounds, description), generated from the same table;
* a hidden helper sheet ``lists`` holding the drop-down values (facility codes and names, provinces,
  periods).

Which columns a sector gets is decided by :data:`SECTOR_ONLY_FIELDS` (numeric and process fields only
some sectors' methods read), :data:`SECTOR_FUELS`, :data:`SECTOR_CARBONATES` and
:data:`SECTOR_REDUCTANTS`; every other field is in every template. A user may add any other
``fuel:<code>``, ``carbonate:<formula>`` or ``reductant:<agent>`` column: the reader accepts it.

:func:`column_for` gives the header, unit and labels of any column name; the workbook reader uses it
to recognise the label row and to check header units.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.errors import InputError
from carbonpeak.io import choices
from carbonpeak.io.fields import field_table
from carbonpeak.vocabulary import FUELS, REGIONS, Sector

DATA_SHEET = "activity"
LISTS_SHEET = "lists"
EXPLANATION_SHEET = {"zh": "说明", "en": "fields"}
FIRST_DATA_ROW = 3
LAST_VALIDATED_ROW = 1_048_576  # Excel's last row: validations cover every row a user may fill

S = Sector
_AL = frozenset({S.ELECTROLYTIC_ALUMINIUM})
_MG = frozenset({S.MAGNESIUM})

#: Fields read only by some sectors' methods or indicators; every other field is in every template.
#: Anode, PFC, potline power and the 1239 relief belong to electrolytic aluminium (NDRC 2013 / MEE 2024
#: guidelines, IPCC Tier 2/3, CBAM, 发改价格〔2021〕1239号); limestone to the NDRC 2013 aluminium
#: guideline; dolomite, ferrosilicon and SF6 casting to magnesium (NDRC 2013, IPCC Eq. 4.30); scrap
#: input to secondary metals and processing.
SECTOR_ONLY_FIELDS: dict[str, frozenset[Sector]] = {
    **dict.fromkeys(
        [
            "nonhydro_renewable_mwh",
            "nonhydro_incentive_weight_pct",
            "electrolysis_ac_mwh",
            "auxiliary_ac_mwh",
            "desulphurisation_mwh",
            "net_anode_consumption_t_per_t",
            "anode_sulfur_pct",
            "anode_ash_pct",
            "anode_effect_minutes_per_cell_day",
            "anode_effect_overvoltage_mv",
            "current_efficiency_pct",
            "cf4_kg_per_t",
            "c2f6_kg_per_t",
            "limestone_t",
            "green_anodes_t",
            "baked_anodes_t",
            "bake_furnace",
            "paste_t_per_t",
            "paste_type",
            "direct_alloying_t",
        ],
        _AL,
    ),
    **dict.fromkeys(["dolomite_t", "ferrosilicon_t", "magnesium_cast_t"], _MG),
    "scrap_input_t": frozenset({S.RECYCLED_ALUMINIUM, S.RECYCLED_COPPER, S.ALUMINIUM_PROCESSING, S.COPPER}),
}

_GAS_AND_OILS = ("natural_gas", "lpg", "fuel_oil", "diesel", "gasoline")
#: Fuels a plant of the sector commonly burns (captive coal plants, kilns and furnaces, vehicles);
#: ``other`` gets every fuel of the guideline table.
SECTOR_FUELS: dict[Sector, tuple[str, ...]] = {
    S.ELECTROLYTIC_ALUMINIUM: ("bituminous_coal", "anthracite", "other_coal_gas", *_GAS_AND_OILS),
    S.ALUMINA: ("bituminous_coal", "anthracite", "coke", "other_coal_gas", *_GAS_AND_OILS),
    S.MAGNESIUM: ("semi_coke_gas", "coke_oven_gas", "other_coal_gas", "semi_coke", "bituminous_coal", *_GAS_AND_OILS),
    S.COPPER: ("bituminous_coal", "coke", *_GAS_AND_OILS),
    S.LEAD: ("bituminous_coal", "coke", *_GAS_AND_OILS),
    S.ZINC: ("bituminous_coal", "coke", "semi_coke", *_GAS_AND_OILS),
    S.INDUSTRIAL_SILICON: ("bituminous_coal", *_GAS_AND_OILS),
    S.TITANIUM: ("bituminous_coal", "coke", *_GAS_AND_OILS),
    S.RECYCLED_ALUMINIUM: _GAS_AND_OILS,
    S.RECYCLED_COPPER: ("bituminous_coal", *_GAS_AND_OILS),
    S.ALUMINIUM_PROCESSING: _GAS_AND_OILS,
    S.OTHER: tuple(FUELS),
}

_NONFERROUS_CARBONATES = ("CaCO3", "Na2CO3", "CaMg(CO3)2")
#: Carbonate columns where the sector's method has a carbonate term (MEE 2024 aluminium, NDRC 2015).
SECTOR_CARBONATES: dict[Sector, tuple[str, ...]] = {
    S.ELECTROLYTIC_ALUMINIUM: ("CaCO3",),
    S.ALUMINA: ("CaCO3", "Na2CO3"),
    **dict.fromkeys(
        [S.COPPER, S.LEAD, S.ZINC, S.INDUSTRIAL_SILICON, S.TITANIUM, S.RECYCLED_COPPER, S.RECYCLED_ALUMINIUM],
        _NONFERROUS_CARBONATES,
    ),
    S.ALUMINIUM_PROCESSING: ("CaCO3",),
}

#: Reducing-agent columns where the sector's method has a reductant term (NDRC 2015, IPCC Tier 2 silicon).
SECTOR_REDUCTANTS: dict[Sector, tuple[str, ...]] = {
    S.INDUSTRIAL_SILICON: ("coal", "petroleum_coke", "coke", "electrode_paste", "prebaked_electrodes"),
    **dict.fromkeys([S.COPPER, S.LEAD, S.ZINC, S.TITANIUM, S.RECYCLED_COPPER], ("coke", "coal")),
}

CARBONATE_LABELS = {
    "CaCO3": ("碳酸钙（石灰石）", "calcium carbonate (limestone)"),
    "MgCO3": ("碳酸镁（菱镁矿）", "magnesium carbonate (magnesite)"),
    "Na2CO3": ("碳酸钠（纯碱）", "sodium carbonate (soda ash)"),
    "NaHCO3": ("碳酸氢钠", "sodium bicarbonate"),
    "FeCO3": ("碳酸亚铁", "iron carbonate"),
    "MnCO3": ("碳酸锰", "manganese carbonate"),
    "BaCO3": ("碳酸钡", "barium carbonate"),
    "Li2CO3": ("碳酸锂", "lithium carbonate"),
    "K2CO3": ("碳酸钾", "potassium carbonate"),
    "SrCO3": ("碳酸锶", "strontium carbonate"),
    "CaMg(CO3)2": ("白云石（熔剂）", "dolomite (flux)"),
}
REDUCTANT_LABELS = {
    "coal": ("还原剂：煤", "reductant: coal"),
    "coke": ("还原剂：焦炭", "reductant: coke"),
    "petroleum_coke": ("还原剂：石油焦", "reductant: petroleum coke"),
    "electrode_paste": ("还原剂：电极糊", "reductant: electrode paste"),
    "prebaked_electrodes": ("还原剂：预焙电极", "reductant: prebaked electrodes"),
}
#: How a canonical unit is written in a header; each spelling parses back to the canonical unit.
UNIT_DISPLAY = {"percent": "%", "wan_Nm3": "10^4 Nm3"}

_TEXTS: dict[str, dict[str, Any]] = {
    "zh": {
        "number_error_title": "数值无效",
        "number_error": "请输入{bounds}的数值{unit}。",
        "list_error_title": "不在列表中",
        "list_error": "请从下拉列表中选择。",
        "sector_error": "本模板只用于行业 {sector}。",
        "period_prompt": "月份（2024-03）或年份（2024）",
        "facility_prompt": "设施编号",
        "yes": "是",
        "no": "",
        "headers": ["列标题", "字段", "名称", "单位", "必填", "最小值", "最大值", "说明"],
        "notes": [
            "第1行为字段名（请勿修改），第2行为中文名称，数据从第3行开始；每行一个设施一个核算期。",
            "数值请填数字，单位见列标题方括号；可把方括号中的单位改为同量纲的其他单位（如 [kWh]、[万kWh]）。",
            "未填写的数值留空（不要填0）：留空的实测参数将采用指南缺省值。",
            "请粘贴数值，不要使用公式；不要合并单元格。",
            "可增加其他燃料列 fuel:<代码>，燃料代码：{fuels}。",
            "行业：{sector}（{sector_label}）。",
        ],
        "line_fuel": "燃料消耗量（{code}）；碳含量、低位发热量等实测值请用JSON/YAML提交",
        "line_carbonate": "碳酸盐消耗量，按100%纯度计（纯度请用JSON/YAML提交）",
        "line_reductant": "还原剂消耗量；未提供实测含碳量时采用IPCC 2006第2层级缺省因子",
    },
    "en": {
        "number_error_title": "Invalid number",
        "number_error": "Enter a number{bounds}{unit}.",
        "list_error_title": "Not in the list",
        "list_error": "Choose a value from the drop-down list.",
        "sector_error": "This template is for sector {sector} only.",
        "period_prompt": "A month (2024-03) or a year (2024)",
        "facility_prompt": "Facility id",
        "yes": "yes",
        "no": "",
        "headers": ["header", "field", "label", "unit", "required", "min", "max", "description"],
        "notes": [
            "Row 1 holds the field names (do not change them), row 2 the labels; data start at row 3, one row per "
            "facility and period.",
            "Enter plain numbers in the unit in the header's brackets; you may change the bracketed unit to another "
            "of the same dimension (e.g. [kWh]).",
            "Leave unreported numbers empty (not 0): an empty measured parameter means the guideline default.",
            "Paste values, not formulas; do not merge cells.",
            "You may add further fuel columns fuel:<code>; fuel codes: {fuels}.",
            "Sector: {sector} ({sector_label}).",
        ],
        "line_fuel": "Fuel burned ({code}); measured NCV and carbon content need JSON/YAML",
        "line_carbonate": "Carbonate consumed, at 100 % purity (a purity needs JSON/YAML)",
        "line_reductant": "Reducing agent consumed; without a measured carbon content the IPCC 2006 Tier 2 factor "
        "applies",
    },
}


@dataclass(frozen=True)
class Column:
    """One column of the data sheet: a field of the table or a fuel/carbonate/reductant line."""

    name: str  # field name or line key (output_t, fuel:natural_gas)
    dtype: str  # str, float, sector, region, period
    unit: str  # canonical unit, "" for none
    required: bool
    minimum: float | None
    maximum: float | None
    label_zh: str
    label_en: str
    description: str
    section: str = ""  # the month form's section: the field table's column; fuel lines under fuel, the rest process

    @property
    def unit_display(self) -> str:
        return UNIT_DISPLAY.get(self.unit, self.unit)

    @property
    def header(self) -> str:
        """Row 1: the machine name, with the unit in brackets where the column has one."""
        return f"{self.name}[{self.unit_display}]" if self.unit else self.name

    def label(self, lang: str) -> str:
        """Row 2: the label in ``lang``, with the unit."""
        text = self.label_zh if lang == "zh" else self.label_en
        if not self.unit:
            return text
        return f"{text}（{self.unit_display}）" if lang == "zh" else f"{text} ({self.unit_display})"


def column_for(name: str) -> Column | None:
    """The column a header name stands for (``output_t``, ``fuel:coke``), or None if unknown."""
    spec = field_table("activity").get(name)
    if spec is not None:
        return Column(
            spec.name,
            spec.dtype,
            spec.unit,
            spec.required,
            spec.minimum,
            spec.maximum,
            spec.label_zh,
            spec.label_en,
            spec.description,
            spec.section,
        )
    kind, _, code = name.partition(":")
    if kind == "fuel" and code in FUELS:
        fuel = FUELS[code]
        return Column(name, "float", fuel.unit, False, 0.0, None, fuel.zh, fuel.en, f"Fuel burned: {fuel.en}", "fuel")
    if kind == "carbonate" and code:
        zh, en = CARBONATE_LABELS.get(code, (f"碳酸盐 {code}", f"carbonate {code}"))
        return Column(
            name, "float", "t", False, 0.0, None, zh, en, f"Carbonate consumed: {code} (100 % purity)", "process"
        )
    if kind == "reductant" and code:
        zh, en = REDUCTANT_LABELS.get(code, (f"还原剂：{code}", f"reductant: {code}"))
        return Column(name, "float", "t", False, 0.0, None, zh, en, f"Reducing agent consumed: {code}", "process")
    return None


def template_columns(sector: str | Sector) -> list[Column]:
    """The columns of a sector's template, in order: fields of the table, then fuels, carbonates, reductants."""
    sector = _sector(sector)
    names = [
        spec.name
        for spec in field_table("activity").values()
        if spec.group == "identity" or sector in SECTOR_ONLY_FIELDS.get(spec.name, (sector,))
    ]
    names += [f"fuel:{code}" for code in SECTOR_FUELS.get(sector, ())]
    names += [f"carbonate:{code}" for code in SECTOR_CARBONATES.get(sector, ())]
    names += [f"reductant:{code}" for code in SECTOR_REDUCTANTS.get(sector, ())]
    columns = [column_for(name) for name in names]
    return [c for c in columns if c is not None]


def write_template(
    path: str | Path,
    sector: str | Sector,
    lang: str = "zh",
    facilities: Sequence[tuple[str, str]] = (),
    periods: Sequence[str] = (),
) -> Path:
    """Write an .xlsx activity template for one sector; returns the path written.

    ``facilities``: (code, name) pairs offered in the facility_id drop-down; ``periods``: the periods
    offered in the period drop-down (free entry when empty).
    """
    if lang not in _TEXTS:
        raise InputError(code="intake.unknown_language", field="lang", value=lang, expected="zh or en")
    sector = _sector(sector)
    columns = template_columns(sector)
    path = Path(path)

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    explanation = workbook.create_sheet(EXPLANATION_SHEET[lang])

    _write_headers(sheet, columns, lang)
    list_ranges = _write_lists(lists, facilities, periods, sector)
    _add_validations(sheet, columns, lang, list_ranges, facilities, sector)
    _write_explanation(explanation, columns, lang, sector)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _sector(sector: str | Sector) -> Sector:
    try:
        return Sector(str(sector))
    except ValueError:
        raise InputError(
            code="intake.template_sector",
            field="sector",
            value=sector,
            expected="one of " + ", ".join(s.value for s in Sector),
            choices=", ".join(s.value for s in Sector),
        ) from None


_HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
_REQUIRED_FILL = PatternFill("solid", fgColor="FFFCE4D6")
_LABEL_FILL = PatternFill("solid", fgColor="FFF2F2F2")


def _write_headers(sheet: Worksheet, columns: list[Column], lang: str) -> None:
    for index, column in enumerate(columns, start=1):
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font = Font(bold=True)
        header.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        label = sheet.cell(row=2, column=index, value=column.label(lang))
        label.font = Font(italic=True, color="FF595959")
        label.fill = _REQUIRED_FILL if column.required else _LABEL_FILL
        label.alignment = Alignment(wrap_text=False)
        letter = get_column_letter(index)
        width = max(display_width(column.header), display_width(column.label(lang)), 8)
        sheet.column_dimensions[letter].width = min(width + 2, 45)
        if column.dtype != "float":  # codes and periods stay text ("001", "2024-03")
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"


def _write_lists(
    lists: Worksheet, facilities: Sequence[tuple[str, str]], periods: Sequence[str], sector: Sector
) -> dict[str, str]:
    """Drop-down values, one list per column of the hidden sheet; returns field → range formula."""
    provinces = [r.code for r in REGIONS.values() if r.level == "provincial"]
    contents = {
        "facility_id": [code for code, _ in facilities],
        "facility_name": [name for _, name in facilities],
        "sector": [sector.value],
        "region": provinces,
        "region_zh": [REGIONS[code].zh for code in provinces],
        "period": [str(p) for p in periods],
    }
    ranges: dict[str, str] = {}
    for index, (name, values) in enumerate(contents.items(), start=1):
        lists.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value).number_format = "@"
        if values:
            letter = get_column_letter(index)
            ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _add_validations(
    sheet: Worksheet,
    columns: list[Column],
    lang: str,
    list_ranges: dict[str, str],
    facilities: Sequence[tuple[str, str]],
    sector: Sector,
) -> None:
    texts = _TEXTS[lang]
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_VALIDATED_ROW}"
        validation: DataValidation | None = None
        if column.dtype == "float":
            validation = _number_validation(column, lang)
        elif column.name == "sector":
            validation = DataValidation(type="list", formula1=f'"{sector.value}"', allow_blank=True)
            validation.error = texts["sector_error"].format(sector=sector.value)
        elif column.name in ("facility_id", "region", "period") and column.name in list_ranges:
            validation = DataValidation(type="list", formula1=list_ranges[column.name], allow_blank=True)
            validation.error = texts["list_error"]
        elif column.name in choices.CODED_FIELDS and choices.choices(column.name, sector.value):
            # the codes the reader accepts for the sector (io/choices.py), as the cell's drop-down
            codes = ",".join(choices.choices(column.name, sector.value))
            validation = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=True)
            validation.error = texts["list_error"]
        if column.name == "facility_id":
            validation = validation or DataValidation(type="textLength", operator="greaterThan", formula1="0")
            listing = "; ".join(f"{code} = {name}" for code, name in facilities)
            validation.promptTitle = texts["facility_prompt"][:32]
            validation.prompt = _excel_text(listing or column.label(lang))
            validation.showInputMessage = True
        elif column.name == "period":
            if validation is None:
                validation = DataValidation(type="textLength", operator="between", formula1="4", formula2="7")
                validation.error = texts["period_prompt"]
            validation.prompt = texts["period_prompt"]
            validation.showInputMessage = True
        if validation is None:
            continue
        validation.errorTitle = validation.errorTitle or (
            texts["number_error_title"] if column.dtype == "float" else texts["list_error_title"]
        )
        validation.allow_blank = True
        validation.showErrorMessage = True
        validation.errorStyle = "stop"
        validation.add(cells)
        sheet.add_data_validation(validation)


def _number_validation(column: Column, lang: str) -> DataValidation:
    texts = _TEXTS[lang]
    low = column.minimum
    high = column.maximum
    if low is not None and high is not None:
        validation = DataValidation(type="decimal", operator="between", formula1=_num(low), formula2=_num(high))
        bounds = f" {_num(low)} – {_num(high)} " if lang == "zh" else f" between {_num(low)} and {_num(high)}"
    elif low is not None:
        validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=_num(low))
        bounds = f" ≥ {_num(low)} " if lang == "zh" else f" ≥ {_num(low)}"
    elif high is not None:
        validation = DataValidation(type="decimal", operator="lessThanOrEqual", formula1=_num(high))
        bounds = f" ≤ {_num(high)} " if lang == "zh" else f" ≤ {_num(high)}"
    else:
        validation = DataValidation(type="decimal", operator="between", formula1="-1E+307", formula2="1E+307")
        bounds = ""
    unit = ""
    if column.unit:
        unit = f"（单位 {column.unit_display}）" if lang == "zh" else f" in {column.unit_display}"
    validation.allow_blank = True
    validation.errorTitle = texts["number_error_title"]
    validation.error = _excel_text(texts["number_error"].format(bounds=bounds, unit=unit))
    validation.promptTitle = _excel_text(column.label_zh if lang == "zh" else column.label_en, 32)
    validation.prompt = _excel_text(texts["number_error"].format(bounds=bounds, unit=unit))
    validation.showInputMessage = True
    return validation


def _write_explanation(sheet: Worksheet, columns: list[Column], lang: str, sector: Sector) -> None:
    texts = _TEXTS[lang]
    sheet.append(texts["headers"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in columns:
        kind = column.name.partition(":")[0] if ":" in column.name else ""
        description = column.description
        if kind:
            description = texts[f"line_{kind}"].format(code=column.name.partition(":")[2])
        sheet.append(
            [
                column.header,
                column.name,
                column.label_zh if lang == "zh" else column.label_en,
                column.unit_display,
                texts["yes"] if column.required else texts["no"],
                _bound(column.minimum),
                _bound(column.maximum),
                description,
            ]
        )
    sheet.append([])
    label = sector.label_zh if lang == "zh" else sector.label_en
    for note in texts["notes"]:
        sheet.append([note.format(fuels=", ".join(FUELS), sector=sector.value, sector_label=label)])
    widths = [30, 30, 26, 10, 6, 8, 8, 90]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _num(value: float) -> str:
    return f"{value:g}"


def _bound(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.is_integer() else value


def _excel_text(text: str, limit: int = 255) -> str:
    """Excel refuses prompts and messages over 255 characters (titles over 32)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_width(text: str) -> int:
    """Width of text in spreadsheet columns: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


_UNIT_SUFFIX = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")


def strip_unit_suffix(label: str) -> str:
    """A label without its trailing unit: '外购电网电力（MWh）' → '外购电网电力'."""
    return _UNIT_SUFFIX.sub("", str(label)).strip()
