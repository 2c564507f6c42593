"""``carbonpeak account``, ``classify``, ``surcharge``, ``methods``, ``fields``, ``parameters``: the
calculations on files, without the store.

Every command reads its input through :mod:`carbonpeak.io`, computes through :mod:`carbonpeak.accounting`
and only formats here. Errors a person can act on are printed as one message and exit with status 2.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from carbonpeak.accounting import (
    AccountingOptions,
    account,
    classify_facilities,
    facility_years,
    surcharge_facilities,
)
from carbonpeak.cli.app import app
from carbonpeak.cli.common import JsonFlag, Lang, fail
from carbonpeak.engine.methods import METHODS
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.io.activity import read_activity
from carbonpeak.parameters import Cited, load

parameters_app = typer.Typer(help="Reference parameters: list families, show values in force.", no_args_is_help=True)
app.add_typer(parameters_app, name="parameters")

console = Console(width=int(os.environ.get("COLUMNS", "160")))
err = Console(stderr=True)


LABELS = {
    "record_id": ("记录", "record"),
    "facility_id": ("设施", "facility"),
    "period": ("核算期", "period"),
    "sector": ("行业", "sector"),
    "method": ("方法", "method"),
    "output_t": ("产量 t", "output t"),
    "energy_tce": ("综合能耗 tce", "energy tce"),
    "direct_tco2e": ("直接排放 tCO2e", "direct tCO2e"),
    "electricity_location_tco2": ("电力（位置）tCO2", "electricity loc. tCO2"),
    "electricity_market_tco2": ("电力（市场）tCO2", "electricity mkt. tCO2"),
    "total_location_tco2e": ("总排放（位置）tCO2e", "total loc. tCO2e"),
    "total_market_tco2e": ("总排放（市场）tCO2e", "total mkt. tCO2e"),
    "intensity_location_tco2e_per_t": ("强度 tCO2e/t", "intensity tCO2e/t"),
    "rests_on_unverified_factor": ("含未核实因子", "unverified factor"),
    "uses_own_factor": ("含企业自有因子", "own factor"),
    "year": ("年份", "year"),
    "product": ("对标产品", "product"),
    "unit_consumption": ("单耗", "unit consumption"),
    "unit": ("单位", "unit"),
    "benchmark_level": ("标杆水平", "benchmark"),
    "baseline_level": ("基准水平", "baseline"),
    "class_zh": ("能效分级", "class"),
    "class": ("能效分级", "class"),
    "must_act_by": ("改造/退出期限", "act by"),
    "edition": ("版本", "edition"),
    "capacity_t_per_a": ("产能 t/a", "capacity t/a"),
    "indicator_kwh_per_t": ("分档指标 kWh/t", "indicator kWh/t"),
    "threshold_kwh_per_t": ("分档标准 kWh/t", "threshold"),
    "surcharge_yuan_per_kwh": ("加价 元/kWh", "surcharge yuan/kWh"),
    "electricity_mwh": ("铝液用电 MWh", "electricity MWh"),
    "surcharge_yuan": ("加价电费 元", "surcharge yuan"),
    "relief_factor": ("可再生能源减免系数", "relief factor"),
    "nonhydro_share_pct": ("非水可再生占比 %", "non-hydro share %"),
}


def _label(column: str, lang: str) -> str:
    zh, en_label = LABELS.get(column, (column, column))
    return en_label if lang == "en" else zh


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return "—"
        return f"{value:,.4g}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def _print_table(frame: pd.DataFrame, columns: list[str], lang: str, title: str) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        justify = "right" if frame[column].dtype.kind in "fi" else "left"
        table.add_column(_label(column, lang), justify=justify, overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*(_fmt(row[c]) for c in columns))
    console.print(table)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Cited):
        return value.as_dict()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _records_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


@app.command("account")
def account_command(
    file: Annotated[Path, typer.Argument(help="activity records: .json, .yaml, .csv or .xlsx")],
    as_json: JsonFlag = False,
    explain: Annotated[bool, typer.Option("--explain", help="show how every figure was made")] = False,
    record: Annotated[str | None, typer.Option("--record", help="explain only this record_id")] = None,
    grid_region: Annotated[str, typer.Option(help="rule (national, as the guideline says) or provincial")] = "rule",
    electricity_convention: Annotated[str, typer.Option(help="equivalent (当量值) or equal (等价值)")] = "equivalent",
    lang: Lang = "zh",
) -> None:
    """Energy (tce) and emissions (tCO2e, location- and market-based) of facility-period records."""
    try:
        if grid_region not in ("rule", "provincial"):
            raise InputError(
                "unknown option value", field="--grid-region", value=grid_region, expected="rule or provincial"
            )
        if electricity_convention not in ("equivalent", "equal"):
            raise InputError(
                "unknown option value",
                field="--electricity-convention",
                value=electricity_convention,
                expected="equivalent or equal",
            )
        batch = read_activity(file)
        result = account(batch, options=AccountingOptions(grid_region, electricity_convention))
        explanations = []
        if explain or record:
            targets = [record] if record else list(result.table["record_id"])
            explanations = [result.explain(r) for r in targets]
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        payload: dict[str, Any] = {
            "source": str(file),
            "options": result.options.__dict__,
            "results": _records_json(result.table),
        }
        payload["breakdown"] = result.breakdown()  # each fuel line's CO2, each PFC gas's mass and CO2e
        if explanations:
            payload["explanations"] = explanations
        _write_json(payload)
        return
    columns = [
        "record_id",
        "sector",
        "method",
        "output_t",
        "energy_tce",
        "direct_tco2e",
        "electricity_location_tco2",
        "electricity_market_tco2",
        "total_location_tco2e",
        "total_market_tco2e",
        "intensity_location_tco2e_per_t",
        "rests_on_unverified_factor",
        "uses_own_factor",
    ]
    title = "核算结果" if lang != "en" else "Accounting results"
    _print_table(result.table, columns, lang, f"{title} — {file}")
    for explanation in explanations:
        _print_explanation(explanation, lang)


def _print_explanation(exp: dict[str, Any], lang: str) -> None:
    zh = lang != "en"
    console.rule(
        f"[bold]{exp['record_id']}[/]  {exp['sector']}  {exp['period']}  {'方法' if zh else 'method'} {exp['method']}"
    )
    console.print(f"  {exp['method_reference']}", highlight=False)
    for term in exp["terms"]:
        label = term["label_zh"] if zh else term["label_en"]
        console.print(f"  [bold]{label}[/] = {term['value']:,.4f} {term['unit']}", highlight=False)
        console.print(f"      {'公式' if zh else 'formula'}: {term['formula']}", highlight=False)
        console.print(f"      {'依据' if zh else 'reference'}: {term['reference']}", highlight=False)
        if term["inputs"]:
            shown = escape(", ".join(f"{k}={_fmt(v)}" for k, v in term["inputs"].items()))
            console.print(f"      {'输入' if zh else 'inputs'}: {shown}", highlight=False)
        for cited in term["parameters"]:
            flag = "" if cited.verified else ("  [yellow]⚠ 未核实因子[/]" if zh else "  [yellow]⚠ unverified factor[/]")
            console.print(
                f"      · {escape(cited.label)} = {cited.value} {cited.unit} "
                f"{escape('[' + cited.confidence.value + ']')} — {escape(cited.citation())}{flag}",
                highlight=False,
            )
        _print_breakdown(term, zh)
        for own in term["own_factors"]:
            console.print(
                f"      · {'企业自有因子' if zh else 'own factor'} {own['field']} = {own['value']} {own['unit']} — "
                f"{'出处' if zh else 'source'}: {escape(own['source'])} "
                + (
                    f"（代替 {own['replaces']} 所定的因子）" if zh else f"(in place of the factor of {own['replaces']})"
                ),
                highlight=False,
            )
        for note in term["notes"]:
            console.print(f"      ({escape(note)})", highlight=False)
    totals = exp["results"]
    console.print(
        f"  {'总排放（位置）' if zh else 'total, location-based'}: {totals['total_location_tco2e']:,.4f} tCO2e;  "
        f"{'总排放（市场）' if zh else 'total, market-based'}: {totals['total_market_tco2e']:,.4f} tCO2e;  "
        f"{'综合能耗' if zh else 'energy'}: {totals['energy_tce']:,.4f} tce",
        highlight=False,
    )
    if exp["unverified"]:
        names = escape(", ".join(c.label for c in exp["unverified"]))
        console.print(
            f"  [yellow]{'本结果依赖置信度低于中高的因子' if zh else 'rests on factors below medium-high confidence'}: "
            f"{names}[/]",
            highlight=False,
        )


def _print_breakdown(term: dict[str, Any], zh: bool) -> None:
    """The items behind a term's value: each fuel line with its CO2, each PFC gas with its mass."""
    units = term["breakdown_units"]
    for item in term["breakdown"]:
        head = item.get("fuel") or item.get("gas") or ""
        shown = []
        for name, value in item.items():
            if name in ("fuel", "gas") or name.endswith("_unit"):
                continue
            unit = units.get(name, "").format(**item)
            number = f"{value:,.6g}" if isinstance(value, float) else str(value)
            shown.append(f"{name}={number}{' ' + unit if unit else ''}")
        console.print(
            f"      {'明细' if zh else 'item'} {escape(str(head))}: {escape(', '.join(shown))}", highlight=False
        )


def _facility_frame(file: Path) -> pd.DataFrame:
    """A facility list (CSV/Excel with unit_consumption) as is, or activity records summed to facility-years."""
    if file.suffix.lower() in (".csv", ".xlsx"):
        head = (
            pd.read_csv(file, nrows=0, encoding_errors="replace")
            if file.suffix.lower() == ".csv"
            else pd.read_excel(file, nrows=0)
        )
        if "unit_consumption" in head.columns:
            frame = pd.read_csv(file) if file.suffix.lower() == ".csv" else pd.read_excel(file)
            for column in ("facility_id", "year", "product", "unit_consumption"):
                if column not in frame:
                    raise InputError(
                        "missing column",
                        file=str(file),
                        field=column,
                        expected="facility_id, year, product, unit_consumption, capacity_t_per_a",
                    )
            for position, value in frame["unit_consumption"].items():
                if pd.isna(pd.to_numeric(value, errors="coerce")):
                    raise InputError(
                        "not a number",
                        file=str(file),
                        record=f"row {int(position) + 2}",
                        field="unit_consumption",
                        value=value,
                        expected="a number",
                    )
            frame["product"] = frame["product"].fillna("").astype(str)
            frame["capacity_t_per_a"] = pd.to_numeric(frame.get("capacity_t_per_a", np.nan), errors="coerce")
            return frame
    return facility_years(account(read_activity(file)))


@app.command("classify")
def classify_command(
    file: Annotated[Path, typer.Argument(help="activity records, or a facility list with unit_consumption")],
    edition: Annotated[str | None, typer.Option(help="benchmark edition (2021 or 2023); default: in force")] = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Benchmark class (标杆/基准) of each facility-year, deadlines, and capacity shares by class."""
    try:
        table, shares, cited = classify_facilities(_facility_frame(file), edition=edition)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"facilities": _records_json(table), "shares": _records_json(shares), "parameters": cited})
        return
    _print_table(
        table,
        [
            "facility_id",
            "year",
            "product",
            "unit_consumption",
            "unit",
            "benchmark_level",
            "baseline_level",
            "edition",
            "class_zh" if lang != "en" else "class",
            "must_act_by",
            "capacity_t_per_a",
        ],
        lang,
        "能效标杆分级" if lang != "en" else "Benchmark classes",
    )
    share_columns = [c for c in shares.columns if c.startswith("share_")]
    shares_view = shares.copy()
    for column in share_columns:
        shares_view[column] = shares_view[column] * 100
    _print_table(
        shares_view,
        ["product", "year", "capacity_t_per_a", *share_columns],
        lang,
        "产能占比 %" if lang != "en" else "Capacity shares by class, %",
    )
    _print_sources(cited, lang)


def _print_sources(cited: list[Cited], lang: str) -> None:
    console.print("依据：" if lang != "en" else "Sources:")
    for c in cited:
        flag = "" if c.verified else ("  ⚠ 未核实" if lang != "en" else "  ⚠ unverified")
        console.print(
            f"  · {escape(c.label)} = {c.value} {c.unit} {escape('[' + c.confidence.value + ']')} — "
            f"{escape(c.citation())}{flag}",
            highlight=False,
        )


@app.command("surcharge")
def surcharge_command(
    file: Annotated[Path, typer.Argument(help="activity records of electrolytic-aluminium facilities")],
    late: Annotated[bool, typer.Option("--late", help="apply the late-payment multiplier")] = False,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Tiered electricity surcharge of electrolytic-aluminium facility-years (yuan/kWh and yuan)."""
    try:
        table, cited = surcharge_facilities(facility_years(account(read_activity(file))), late_payment=late)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"facilities": _records_json(table), "parameters": cited})
        return
    columns = [
        c
        for c in [
            "facility_id",
            "year",
            "edition",
            "indicator_kwh_per_t",
            "threshold_kwh_per_t",
            "nonhydro_share_pct",
            "relief_factor",
            "surcharge_yuan_per_kwh",
            "electricity_mwh",
            "surcharge_yuan",
        ]
        if c in table
    ]
    _print_table(table, columns, lang, "电解铝阶梯电价" if lang != "en" else "Aluminium tiered electricity surcharge")
    _print_sources(cited, lang)


@app.command("methods")
def methods_command(as_json: JsonFlag = False, lang: Lang = "zh") -> None:
    """The accounting methods carbonpeak implements, their sectors, validity and references."""
    rows = [
        {
            "id": m.id,
            "name": m.name_zh if lang != "en" else m.name_en,
            "sectors": ", ".join(s.value for s in m.sectors),
            "default": m.default,
            "valid_from": str(m.valid_from or ""),
            "valid_to": str(m.valid_to or ""),
            "reference": m.reference,
        }
        for m in METHODS.values()
    ]
    if as_json:
        _write_json(rows)
        return
    table = Table(title="核算方法" if lang != "en" else "Methods")
    for column in rows[0]:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


@app.command("fields")
def fields_command(
    markdown: Annotated[bool, typer.Option("--markdown", help="a Markdown table (as in docs/input-format.md)")] = False,
) -> None:
    """The fields of an activity record: type, canonical unit, bounds and zh/en labels."""
    from carbonpeak.io.fields import fields_markdown

    if markdown:
        sys.stdout.write(fields_markdown("activity"))
        return
    table = Table(title="activity record fields")
    for column in ("field", "type", "unit", "required", "min", "max", "中文", "English"):
        table.add_column(column, overflow="fold")
    from carbonpeak.io.fields import field_table

    for f in field_table("activity").values():
        table.add_row(
            f.name,
            f.dtype,
            f.unit,
            "yes" if f.required else "",
            _bound(f.minimum),
            _bound(f.maximum),
            f.label_zh,
            f.label_en,
        )
    console.print(table)


def _bound(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


@parameters_app.command("list")
def parameters_list(as_json: JsonFlag = False, lang: Lang = "zh") -> None:
    """Every parameter family with its title, keys and number of entries."""
    params = load()
    rows = [
        {
            "id": f.id,
            "title": f.title["zh" if lang != "en" else "en"],
            "keys": ", ".join(f.keys),
            "entries": len(f.entries),
            "without_value": sum(e.value is None for e in f.entries),
        }
        for f in params.files.values()
    ]
    if as_json:
        _write_json(rows)
        return
    table = Table(title="参数族" if lang != "en" else "Parameter families")
    for column in rows[0]:
        table.add_column(column)
    for row in sorted(rows, key=lambda r: r["id"]):
        table.add_row(*(str(v) for v in row.values()))
    console.print(table)


@parameters_app.command("show")
def parameters_show(
    name: Annotated[str, typer.Argument(help="family id, e.g. electricity.grid_factor")],
    key: Annotated[list[str] | None, typer.Option("--key", "-k", help="key=value, repeatable")] = None,
    period: Annotated[str | None, typer.Option(help="2024, 2024-03 or a date")] = None,
    edition: Annotated[str | None, typer.Option(help="edition, e.g. AR5, 2021, cn-2013")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Entries of a family; with --key (and --period/--edition) the one value in force, cited."""
    try:
        params = load()
        keys = dict(k.split("=", 1) for k in (key or []) if "=" in k)
        if key and len(keys) != len(key):
            raise InputError("malformed --key", field="--key", value=key, expected="key=value")
        family = params.files.get(name)
        if family is None:
            params.at(name)  # raises a ParameterNotFound listing the families
            return
        if keys or (not family.keys and (period or edition)):
            cited = params.at(name, period=period, edition=edition, **keys)
            if as_json:
                _write_json(cited.as_dict())
                return
            console.print(
                f"[bold]{escape(cited.label)}[/] = {cited.value} {cited.unit}  "
                f"{escape('[' + cited.confidence.value + ']')}" + ("" if cited.verified else "  ⚠ unverified factor"),
                highlight=False,
            )
            console.print(f"  {cited.citation()}", highlight=False)
            console.print(f"  found in: {cited.source.found_in}", highlight=False)
            console.print(
                f"  in force: {cited.valid_from or '—'} to {cited.valid_to or 'open'}; read on {cited.source.read_on}",
                highlight=False,
            )
            if cited.note:
                console.print(f"  note: {cited.note}", highlight=False)
            return
    except CarbonpeakError as exc:
        fail(exc)
        return
    entries = [e for e in family.entries if all(str(e.key.get(k)) == v for k, v in keys.items())]
    if as_json:
        _write_json([e.model_dump(mode="json") for e in entries])
        return
    table = Table(title=f"{family.id} — {family.title['zh']} / {family.title['en']}")
    for column in [*family.keys, "value", "unit", "edition", "valid_from", "valid_to", "confidence", "source"]:
        table.add_column(column)
    for e in entries:
        value = "—  (" + str(e.status) + ")" if e.value is None else str(e.value)
        table.add_row(
            *(str(e.key[k]) for k in family.keys),
            value,
            e.unit,
            e.edition or "",
            str(e.valid_from or ""),
            str(e.valid_to or ""),
            e.confidence.value if e.confidence else "",
            e.source,
        )
    console.print(table)
