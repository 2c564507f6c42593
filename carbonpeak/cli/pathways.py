"""CLI verbs of the pathways: ``carbonpeak pathways run | compare | export | chart | reproduce``.

``run SCENARIO`` prints the emissions bands, the peak-year distribution, P(peaked by 2025/2030), what
drives the spread of the peak year, every plan target's probability and the lever wedges. The stock
comes from the store (``--db``, default the embedded database); scenario files name the region.
Registered on the main app by ``register(app)``. Errors a person can act on exit with status 2.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from carbonpeak.cli.common import Db, JsonFlag, Lang, fail
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.parameters import ParameterSet, load

console = Console()
err = Console(stderr=True)

pathways_app = typer.Typer(
    help="Emission pathways of the plant stock: peak year and its probability, targets checked, lever wedges."
)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario file (YAML), e.g. scenarios/plan.yaml")]
Draws = Annotated[int | None, typer.Option("--draws", help="Monte Carlo draws (default: the scenario's)")]
Seed = Annotated[int | None, typer.Option("--seed", help="random seed (default: the scenario's)")]
WedgeDraws = Annotated[int, typer.Option("--wedge-draws", help="draws for the wedge decomposition (0: skip)")]
WedgeBasis = Annotated[
    str | None, typer.Option("--wedge-basis", help="location or market (default: the scenario's peak basis)")
]

L = {
    "title": ("情景", "scenario"),
    "region": ("地区", "region"),
    "base_year": ("基准年", "base year"),
    "draws": ("抽样次数", "draws"),
    "seed": ("随机种子", "seed"),
    "hash": ("情景内容哈希", "content hash"),
    "emissions": ("碳排放（{basis}，万吨CO2e）", "Emissions ({basis}, Mt CO2e)"),
    "location": ("基于位置", "location-based"),
    "market": ("基于市场", "market-based"),
    "year": ("年份", "year"),
    "kind": ("类型", "kind"),
    "accounted": ("核算值", "accounted"),
    "base year": ("基准年（核算）", "base year (accounted)"),
    "projected": ("预测", "projected"),
    "peak": ("达峰年份分布", "Peak-year distribution"),
    "probability": ("概率", "probability"),
    "no_peak": ("展望期内未达峰", "no peak within the horizon"),
    "peaked_by": ("{year}年前已达峰的概率", "P(peaked by {year})"),
    "peak_level": ("峰值水平 P10/P50/P90（万吨CO2e）", "peak level P10/P50/P90 (Mt CO2e)"),
    "plateau": ("平台期年数 P50（峰值±{band}%以内）", "plateau years P50 (within {band} % of the maximum)"),
    "attribution": (
        "达峰年份不确定性来源（一阶方差贡献）",
        "What drives the spread of the peak year (first-order share)",
    ),
    "input": ("不确定输入", "input"),
    "share": ("方差贡献", "share"),
    "spearman": ("秩相关", "Spearman"),
    "no_spread": (
        "达峰年份在各次抽样中相同，无可归因的离散。",
        "The peak year is the same in every draw: no spread to attribute.",
    ),
    "targets": ("规划目标检验（逐次抽样判定，非约束）", "Plan targets (checked on each draw, not imposed)"),
    "plan": ("规划", "plan"),
    "id": ("编号", "id"),
    "indicator": ("指标", "indicator"),
    "target": ("目标", "target"),
    "target_year": ("目标年", "year"),
    "p_meet": ("达成概率", "P(met)"),
    "value": ("目标年值 P50", "value P50"),
    "margin": ("余量 P50", "margin P50"),
    "achieved": ("达成年份 P50", "year achieved P50"),
    "status": ("说明", "note"),
    "wedges": (
        "措施楔形：相对{against}的减排量均值（万吨CO2e）",
        "Lever wedges against {against}: mean reduction (Mt CO2e)",
    ),
    "change": ("变化（按顺序累加）", "change (applied cumulatively, in order)"),
    "order": ("顺序规则", "order"),
    "not_modelled": ("路径模型不预测此指标", "not projected by the pathway"),
    "not_evaluated": ("未评估", "not evaluated"),
    "compare": ("情景比较", "Scenario comparison"),
    "peak_p50": ("达峰年份 P50", "peak year P50"),
    "peak_level_p50": ("峰值 P50（万吨CO2e）", "peak level P50 (Mt CO2e)"),
    "emissions_2030": ("2030年排放 P50（万吨CO2e）", "2030 emissions P50 (Mt CO2e)"),
    "notes": ("说明", "notes"),
    "saved": (
        "已保存运行：{path}（可用 carbonpeak pathways reproduce 复现）",
        "run saved to {path} (reproduce with carbonpeak pathways reproduce)",
    ),
    "wedge_draws": ("楔形分解使用 {n} 次抽样（共同随机数）", "wedges from {n} draws (common random numbers)"),
}


def _l(key: str, lang: str, **kw: Any) -> str:
    zh, en = L[key]
    return (en if lang == "en" else zh).format(**kw)


def _mt(value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value / 1e4:,.1f}" if lang != "en" else f"{value / 1e6:,.3f}"


def _num(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and abs(value) < 1e-9:
        return "0"
    if isinstance(value, float):
        return f"{value:,.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return escape(str(value))


# ---------------------------------------------------------------------------------------- loading


def _scenario_and_parent(path: Path) -> tuple[Any, Any]:
    from carbonpeak.pathways.scenario import load_scenario

    scenario = load_scenario(path)
    parent = None
    if len(scenario.chain) > 1:
        parent_file = path.parent / f"{scenario.chain[1]}.yaml"
        if not parent_file.is_file():
            parent_file = path.parent / f"{scenario.chain[1]}.yml"
        parent = load_scenario(parent_file)
    return scenario, parent


_STOCKS: dict[tuple[str | None, str, int, int, str | None], Any] = {}


def _stock(url: str | None, scenario: Any, params: ParameterSet) -> Any:
    from carbonpeak.store import db
    from carbonpeak.store.pathways import read_stock

    key = (url, scenario.region, scenario.base_year, scenario.horizon.start, scenario.benchmark_edition)
    if key not in _STOCKS:
        with db.transaction(url) as session:
            _STOCKS[key] = read_stock(
                session,
                region=scenario.region,
                base_year=scenario.base_year,
                start_year=scenario.horizon.start,
                benchmark_edition=scenario.benchmark_edition,
                params=params,
            )
    return _STOCKS[key]


def _run(
    path: Path, url: str | None, draws: int | None, seed: int | None, wedge_draws: int, wedge_basis: str | None = None
) -> tuple[Any, Any, dict[str, Any]]:
    from carbonpeak.indicators.targets import target_map
    from carbonpeak.pathways import run as pr
    from carbonpeak.pathways.params import ParamSource

    params = load()
    scenario, parent = _scenario_and_parent(path)
    stock = _stock(url, scenario, params)
    source = ParamSource(live=params)
    result = pr.run(scenario, stock, source, draws=draws, seed=seed)
    if wedge_draws > 0:
        if wedge_basis not in (None, "location", "market"):
            raise InputError("unknown basis", field="--wedge-basis", value=wedge_basis, expected="location or market")
        result.wedge_table = pr.wedges(
            scenario, parent, stock, source, draws=wedge_draws, seed=result.seed, basis=wedge_basis
        )
        result.wedge_table["draws"] = wedge_draws
    summary = pr.summary(result, params.plans, target_map())
    _STOCKS.clear()
    return result, parent, summary


# ---------------------------------------------------------------------------------------- printing


def _print_summary(s: dict[str, Any], lang: str) -> None:
    sc = s["scenario"]
    title = sc["title"].get("en" if lang == "en" else "zh", sc["id"])
    console.print(
        f"[bold]{_l('title', lang)}: {escape(title)}[/] ({escape(sc['id'])}; {' → '.join(sc['chain'])})  "
        f"{_l('region', lang)} {escape(sc['region'])}  {_l('base_year', lang)} {sc['base_year']}  "
        f"{_l('draws', lang)} {sc['draws']:,}  {_l('seed', lang)} {sc['seed']}  "
        f"{_l('hash', lang)} {sc['content_hash'][:12]}",
        highlight=False,
    )
    basis = s["peak"]["basis"]
    table = Table(title=_l("emissions", lang, basis=_l(basis, lang)))
    for column in (_l("year", lang), _l("kind", lang), "P10", "P50", "P90"):
        table.add_column(column, justify="right")
    for row in s["emissions"]:
        band = row[basis]
        table.add_row(
            str(row["year"]),
            _l(row["kind"], lang),
            _mt(band["p10"], lang),
            _mt(band["p50"], lang),
            _mt(band["p90"], lang),
        )
    console.print(table)
    peak = s["peak"]
    table = Table(title=_l("peak", lang))
    table.add_column(_l("year", lang), justify="right")
    table.add_column(_l("probability", lang), justify="right")
    for row in peak["distribution"]:
        table.add_row(str(row["year"]), f"{row['probability']:.1%}")
    if peak["no_peak_within_horizon"] > 0:
        table.add_row(_l("no_peak", lang), f"{peak['no_peak_within_horizon']:.1%}")
    console.print(table)
    for year, p in peak["p_peaked_by"].items():
        console.print(f"{_l('peaked_by', lang, year=year)}: [bold]{p:.1%}[/]", highlight=False)
    level = peak["peak_level_tco2e"]
    console.print(
        f"{_l('peak_level', lang)}: {_mt(level['p10'], lang)} / {_mt(level['p50'], lang)} / {_mt(level['p90'], lang)}",
        highlight=False,
    )
    band = f"{peak['plateau_pct']:g}"
    console.print(f"{_l('plateau', lang, band=band)}: {peak['plateau_years']['p50']:g}", highlight=False)
    console.print(escape(peak["definition"]), style="dim", highlight=False)
    _print_attribution(s["attribution"], lang)
    _print_targets(s["targets"], lang)
    if s.get("wedges"):
        _print_wedges(s["wedges"], lang)


def _print_attribution(a: dict[str, Any], lang: str) -> None:
    if not a["inputs"]:
        console.print(_l("no_spread", lang))
        return
    table = Table(title=_l("attribution", lang))
    for column in (_l("input", lang), _l("share", lang), _l("spearman", lang)):
        table.add_column(column, justify="left" if column == _l("input", lang) else "right")
    for row in a["inputs"]:
        marker = "" if row["share"] > a["noise_floor"] else " ·"
        table.add_row(escape(row["input"]), f"{row['share']:.1%}{marker}", f"{row['spearman']:+.2f}")
    console.print(table)
    console.print(
        escape(a["method"]) + f"; noise floor {a['noise_floor']:.2%} (·: below it)", style="dim", highlight=False
    )


def _target_text(t: dict[str, Any]) -> str:
    value = t["target"]
    if t["unit"] == "year" and isinstance(value, float):
        return f"{t['comparator']} {value:.0f}"
    return f"{t['comparator']} {_num(value)} {t['unit']}"


def _year(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f}"


def _indicator_label(indicator: str | None, text: str, lang: str) -> str:
    from carbonpeak.indicators.definitions import INDICATORS

    if indicator in INDICATORS:
        found = INDICATORS[indicator]
        return found.name_en if lang == "en" else found.name_zh
    if indicator and indicator.startswith("emissions_"):
        return "carbon peak" if lang == "en" else "碳达峰"
    return text


def _print_targets(targets: list[dict[str, Any]], lang: str) -> None:
    table = Table(title=_l("targets", lang))
    for key in ("id", "indicator", "target", "target_year", "p_meet", "value", "margin", "achieved"):
        table.add_column(_l(key, lang), overflow="fold", justify="left" if key in ("id", "indicator") else "right")
    skipped: dict[str, list[str]] = {}
    for t in targets:
        if t["status"] != "evaluated":
            skipped.setdefault(f"{_l(t['status'], lang)} — {t['reason']}", []).append(t["id"])
            continue
        table.add_row(
            escape(t["id"]),
            escape(_indicator_label(t["indicator"], t["indicator_text"], lang))
            + (f" [{', '.join(t['sectors'])}]" if t["sectors"] else ""),
            escape(_target_text(t)),
            str(t["target_year"]),
            "—" if t["probability"] is None else f"{t['probability']:.1%}",
            _num((t["value"] or {}).get("p50")),
            _num((t["margin"] or {}).get("p50")),
            _year((t["year_achieved"] or {}).get("p50")),
        )
    console.print(table)
    plans = sorted({t["plan"] for t in targets})
    console.print(f"{_l('plan', lang)}: {', '.join(plans)}", style="dim", highlight=False)
    for reason, ids in skipped.items():
        console.print(f"{', '.join(ids)}: {escape(reason)}", style="dim", highlight=False)


def _print_wedges(w: dict[str, Any], lang: str) -> None:
    years = (
        [y for y in (2025, 2030, 2035, 2040) if any(row["year"] == y for row in w["rows"][0]["by_year"])]
        if w["rows"]
        else []
    )
    table = Table(title=_l("wedges", lang, against=escape(w["against"]), basis=_l(w["basis"], lang)))
    table.add_column(_l("change", lang))
    for year in years:
        table.add_column(str(year), justify="right")
    for row in w["rows"]:
        by = {y["year"]: y for y in row["by_year"]}
        cells = [f"{_mt(by[y]['mean'], lang)} [{_mt(by[y]['p10'], lang)}, {_mt(by[y]['p90'], lang)}]" for y in years]
        table.add_row(escape(row["change"]), *cells)
    console.print(table)
    console.print(
        f"{_l('order', lang)}: {escape(w['order_rule'])}; {_l('wedge_draws', lang, n=w.get('draws', '?'))}",
        style="dim",
        highlight=False,
    )


def _write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=_default) + "\n")


def _default(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _clean(value: Any) -> Any:
    """NaN → None everywhere, so that --json is valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------- commands


@pathways_app.command("run")
def run_command(
    scenario: ScenarioArg,
    draws: Draws = None,
    seed: Seed = None,
    wedge_draws: WedgeDraws = 1000,
    wedge_basis: WedgeBasis = None,
    save: Annotated[Path | None, typer.Option("--save", help="write the run (reproducible) to this .json")] = None,
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Run a scenario: emissions bands, peak-year distribution, P(peak by 2030), targets, wedges."""
    try:
        result, parent, summary = _run(scenario, url, draws, seed, wedge_draws, wedge_basis)
        if save is not None:
            from carbonpeak.pathways.run import save as save_run

            save_run(result, save, parent)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        _write_json(_clean(summary))
        return
    _print_summary(summary, lang)
    if save is not None:
        console.print(_l("saved", lang, path=escape(str(save))), highlight=False)


@pathways_app.command("compare")
def compare_command(
    scenarios: Annotated[list[Path], typer.Argument(help="two or more scenario files")],
    draws: Draws = None,
    seed: Seed = None,
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Scenarios side by side: P(peaked by 2025/2030), peak year, peak level, 2030 emissions, targets."""
    rows = []
    try:
        for path in scenarios:
            _result, _parent, summary = _run(path, url, draws, seed, 0)
            peak = summary["peak"]
            e2030 = next((r for r in summary["emissions"] if r["year"] == 2030), None)
            rows.append(
                {
                    "scenario": summary["scenario"]["id"],
                    "title": summary["scenario"]["title"],
                    "draws": summary["scenario"]["draws"],
                    "p_peaked_by": peak["p_peaked_by"],
                    "no_peak_within_horizon": peak["no_peak_within_horizon"],
                    "peak_year_p50": peak["peak_year"]["p50"],
                    "peak_level_p50_tco2e": peak["peak_level_tco2e"]["p50"],
                    "emissions_2030_p50_tco2e": e2030[peak["basis"]]["p50"] if e2030 else None,
                    "targets": {t["id"]: t["probability"] for t in summary["targets"] if t["probability"] is not None},
                }
            )
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        _write_json(_clean(rows))
        return
    table = Table(title=_l("compare", lang))
    table.add_column("")
    for row in rows:
        table.add_column(escape(row["scenario"]), justify="right")
    years = sorted({y for row in rows for y in row["p_peaked_by"]})
    for year in years:
        table.add_row(
            _l("peaked_by", lang, year=year), *[f"{row['p_peaked_by'].get(year, math.nan):.1%}" for row in rows]
        )
    table.add_row(_l("no_peak", lang), *[f"{row['no_peak_within_horizon']:.1%}" for row in rows])
    table.add_row(_l("peak_p50", lang), *[_year(row["peak_year_p50"]) for row in rows])
    table.add_row(_l("peak_level_p50", lang), *[_mt(row["peak_level_p50_tco2e"], lang) for row in rows])
    table.add_row(_l("emissions_2030", lang), *[_mt(row["emissions_2030_p50_tco2e"], lang) for row in rows])
    ids = sorted({i for row in rows for i in row["targets"]})
    for target in ids:
        table.add_row(
            f"{_l('p_meet', lang)} {target}",
            *["—" if target not in row["targets"] else f"{row['targets'][target]:.1%}" for row in rows],
        )
    console.print(table)


@pathways_app.command("export")
def export_command(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("--out", help="output .xlsx or .csv")],
    fmt: Annotated[str, typer.Option("--format", help="iamc (pyam-readable) or excel (every table)")] = "iamc",
    draws: Draws = None,
    seed: Seed = None,
    wedge_draws: WedgeDraws = 1000,
    url: Db = None,
    lang: Lang = "zh",
) -> None:
    """Write a run as IAMC long format (.csv or .xlsx) or as an Excel workbook of every table."""
    from carbonpeak.pathways.report import write_export

    try:
        if fmt not in ("iamc", "excel"):
            raise InputError("unknown export format", field="format", value=fmt, expected="iamc or excel")
        result, _parent, summary = _run(scenario, url, draws, seed, wedge_draws if fmt == "excel" else 0)
        path = write_export(result, summary, out, fmt, lang)
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(str(path), highlight=False)


@pathways_app.command("chart")
def chart_command(
    scenario: ScenarioArg,
    fan: Annotated[Path | None, typer.Option("--fan", help="fan chart to this .png or .svg")] = None,
    wedge: Annotated[Path | None, typer.Option("--wedge", help="wedge chart to this .png or .svg")] = None,
    draws: Draws = None,
    seed: Seed = None,
    wedge_draws: WedgeDraws = 1000,
    wedge_basis: WedgeBasis = None,
    url: Db = None,
    lang: Lang = "zh",
) -> None:
    """Render the fan chart (P10-P90 band, median, peak-year histogram) and the wedge chart."""
    from carbonpeak.pathways.report import fan_chart, wedge_chart

    try:
        for path, option in ((fan, "--fan"), (wedge, "--wedge")):
            if path is not None and path.suffix.lower() not in (".png", ".svg"):
                raise InputError(
                    "unsupported chart file", field=option, value=path.name, expected="a .png or .svg file"
                )
        if fan is None and wedge is None:
            raise InputError("no chart asked for", expected="--fan FILE and/or --wedge FILE")
        result, _parent, _summary = _run(
            scenario, url, draws, seed, wedge_draws if wedge is not None else 0, wedge_basis
        )
        written = []
        if fan is not None:
            written.append(fan_chart(result, fan, lang))
        if wedge is not None:
            assert result.wedge_table is not None
            written.append(wedge_chart(result, result.wedge_table, wedge, lang))
    except CarbonpeakError as exc:
        fail(exc)
        return
    for path in written:
        console.print(str(path), highlight=False)


def _with_costs(scenario: Any, path: Path) -> Any:
    """The scenario with lever costs from a YAML file ``{lever_id: {cny: ..., basis: ...}}``."""
    import yaml
    from pydantic import ValidationError

    from carbonpeak.pathways.scenario import Cost

    name = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the costs: {exc}", file=name) from None
    if not isinstance(raw, dict):
        raise InputError("not a mapping of lever ids to costs", file=name, expected="{lever_id: {cny, basis}}")
    known = {lever.id: lever for lever in scenario.levers}
    levers = list(scenario.levers)
    for lever_id, entry in raw.items():
        if lever_id not in known:
            raise InputError(
                "no lever with this id in the scenario", file=name, field=str(lever_id), expected=", ".join(known)
            )
        try:
            cost = Cost.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(str(first["msg"]), file=name, field=f"{lever_id}.{where}") from None
        position = levers.index(known[lever_id])
        levers[position] = known[lever_id].model_copy(update={"cost": cost})
    return scenario.model_copy(update={"levers": levers})


@pathways_app.command("cheapest")
def cheapest_command(
    scenario: ScenarioArg,
    probability: Annotated[
        float, typer.Option("--probability", help="each condition met in at least this share")
    ] = 0.9,
    costs: Annotated[
        Path | None, typer.Option("--costs", help="lever costs, YAML {lever_id: {cny, basis}} (else the scenario's)")
    ] = None,
    peak_year: Annotated[int, typer.Option("--peak-year", help="peaked by this year")] = 2030,
    draws: Annotated[int, typer.Option("--draws", help="draws the choice is made on")] = 500,
    seed: Seed = None,
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The cheapest set of costed levers that has peaked by 2030 and meets the 2025/2030 targets."""
    from carbonpeak.indicators.targets import target_map
    from carbonpeak.pathways.leastcost import cheapest
    from carbonpeak.pathways.params import ParamSource

    try:
        params = load()
        resolved, _parent = _scenario_and_parent(scenario)
        if costs is not None:
            resolved = _with_costs(resolved, costs)
        stock = _stock(url, resolved, params)
        choice = cheapest(
            resolved,
            stock,
            ParamSource(live=params),
            probability=probability,
            plans=params.plans,
            target_map=target_map(),
            draws=draws,
            seed=seed,
            peak_year=peak_year,
        )
    except CarbonpeakError as exc:
        fail(exc)
        return
    finally:
        _STOCKS.clear()
    result = {
        "scenario": resolved.id,
        "probability": probability,
        "status": choice.status,
        "chosen": choice.chosen,
        "cost_cny": choice.cost_cny,
        "conditions": choice.conditions,
        "method": choice.method,
        "costs": {lever.id: lever.cost.model_dump() for lever in resolved.levers if lever.cost is not None},
    }
    if as_json:
        _write_json(_clean(result))
        return
    en = lang == "en"
    console.print(
        f"{'status' if en else '求解状态'}: {choice.status}; {'chosen' if en else '选中措施'}: "
        f"{', '.join(choice.chosen) or '—'}; {'cost' if en else '成本'} {choice.cost_cny:,.0f} CNY",
        highlight=False,
    )
    table = Table(title=f"conditions (P ≥ {probability:.0%})" if en else f"约束条件（概率 ≥ {probability:.0%}）")
    for column in (
        ("condition", "linear model", "full model", "note") if en else ("条件", "线性近似", "完整模型", "说明")
    ):
        table.add_column(column)
    for row in choice.conditions:
        table.add_row(
            escape(row["condition"]),
            "—" if row.get("linear_probability") is None else f"{row['linear_probability']:.1%}",
            "—" if row.get("model_probability") is None else f"{row['model_probability']:.1%}",
            escape(row.get("note", "")),
        )
    console.print(table)
    console.print(escape(choice.method), style="dim", highlight=False)


@pathways_app.command("reproduce")
def reproduce_command(
    run_file: Annotated[Path, typer.Argument(help="a run saved with carbonpeak pathways run --save")],
    as_json: JsonFlag = False,
) -> None:
    """Re-run a saved run from its file alone and check the results are identical."""
    from carbonpeak.pathways.run import reproduce

    try:
        _again, report = reproduce(run_file)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        _write_json(report)
    else:
        verdict = "identical" if report["identical"] else "DIFFERENT"
        console.print(
            f"{report['scenario']} seed {report['seed']} draws {report['draws']}: results {verdict} "
            f"(digest {report['digest'][:16]}, saved {report['saved_digest'][:16]})",
            highlight=False,
        )
    if not report["identical"]:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.add_typer(pathways_app, name="pathways")
