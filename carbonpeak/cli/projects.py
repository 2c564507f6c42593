"""CLI verbs for high-energy, high-emission (两高) projects: ``carbonpeak projects ...``.

``review FILE`` reviews project files without storing anything. The store verbs keep project records:
``add FILE`` (all or nothing), ``list``, ``show CODE``, ``correct CODE FILE --reason``, ``link CODE
--facility F``, ``review --stored CODE`` (stores the review) and ``measured CODE --year Y``.

Registered on the main ``carbonpeak`` app with :func:`register`. Reads projects through
:mod:`carbonpeak.projects.model`, reviews a file through :func:`carbonpeak.projects.review_project`, keeps
and reads stored projects through the use cases of :mod:`carbonpeak.services.projects` (as the operator, an
administrator named by ``--actor``), and only formats here. Errors a person can act on are printed as one
message (each problem of a file on its own line) and exit with status 2.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from carbonpeak.cli.common import Actor, Db, Excel, JsonFlag, Lang, fail
from carbonpeak.cli.common import actor as _actor
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.parameters import load
from carbonpeak.projects.measured import MeasuredVsApproved
from carbonpeak.projects.model import Indicator, read_projects
from carbonpeak.projects.review import Classification, Outcome, ProjectReview, RuleResult, review_project
from carbonpeak.services import projects as use
from carbonpeak.services.access import Principal, operator
from carbonpeak.store import db
from carbonpeak.store.projects import ProjectSummary
from carbonpeak.units import conversion_factor

__all__ = ["projects_app", "register"]

projects_app = typer.Typer(
    help="High-energy, high-emission (两高) projects: review against the rules in force; keep records, versions "
    "and reviews in the store; measured against approved once built.",
    no_args_is_help=True,
)


_CLASS_STYLE = {
    Classification.HALT: "bold red",
    Classification.RECTIFY: "bold yellow",
    Classification.PROCEED: "bold green",
}
_OUTCOME_STYLE = {
    Outcome.PASS: "green",
    Outcome.FAIL: "red",
    Outcome.NOT_EVALUATED: "yellow",
    Outcome.NOT_APPLICABLE: "dim",
}


def register(app: typer.Typer) -> None:
    """Add the ``projects`` command group to ``app``."""
    app.add_typer(projects_app, name="projects")


def _operator(actor: str | None) -> Principal:
    """Whoever runs the command line holds the database: an administrator, named in the audit log."""
    return operator(_actor(actor))


def _console(stderr: bool = False) -> Console:
    return Console(width=int(os.environ.get("COLUMNS", "160")), stderr=stderr)


def parse_capacity(text: str) -> float:
    """A capacity given on the command line, in t/a, or with a unit: '44430000', '44.43 Mt/a'."""
    stripped = text.strip()
    try:
        value = float(stripped)
        unit = "t/a"
    except ValueError:
        match = re.fullmatch(r"([0-9][0-9_.,eE+-]*)\s*(\S.*)", stripped)
        if not match:
            raise InputError(code="projects.national_capacity", field="--national-capacity", value=text) from None
        try:
            value = float(match[1].replace(",", "").replace("_", ""))
        except ValueError:
            raise InputError(code="projects.national_capacity", field="--national-capacity", value=text) from None
        unit = match[2]
    if not (value >= 0 and value < float("inf")):
        raise InputError(code="projects.bad_national_capacity", field="--national-capacity", value=text)
    return value * conversion_factor(unit, "t/a", field="--national-capacity")


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise InputError(code="projects.unknown_language", field="--lang", value=lang)


def _write_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


@projects_app.command("review")
def review_command(
    file: Annotated[
        Path | None, typer.Argument(help="project records: .yaml or .json (one project or a list); not stored")
    ] = None,
    stored: Annotated[
        str | None,
        typer.Option("--stored", help="review the current version of this stored project and store the review"),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="2024, 2024-03 or a date; default: each project's planned_start")
    ] = None,
    national_capacity: Annotated[
        str | None,
        typer.Option(
            "--national-capacity",
            help="national approved electrolytic-aluminium capacity from the capacity ledger, t/a (or '44.43 Mt/a')",
        ),
    ] = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
    url: Db = None,
    actor: Actor = None,
) -> None:
    """Review each project: rule by rule (pass / fail / not evaluated / not applicable) and halt / rectify / proceed.

    With FILE nothing is stored; with --stored CODE the stored project is reviewed and the review kept.
    """
    if stored is not None:
        _review_stored(stored, period, national_capacity, as_json, lang, url, actor, file)
        return
    try:
        _check_lang(lang)
        if file is None:
            raise InputError(code="projects.nothing_to_review", field="FILE")
        national = None if national_capacity is None else parse_capacity(national_capacity)
        projects = read_projects(file)
        params = load()
        reviews = [
            review_project(p, params, period=period, national_approved_capacity_t_per_a=national) for p in projects
        ]
    except CarbonpeakError as exc:
        fail(exc, consequence="cli.nothing_reviewed")
        return
    if as_json:
        payload: dict[str, Any] = {
            "source": str(file),
            "period": period,
            "national_approved_capacity_t_per_a": national,
            "reviews": [r.as_dict() for r in reviews],
        }
        _write_json(payload)
        return
    console = _console()
    for review in reviews:
        _print_review(console, review, lang)


def _review_stored(
    code: str,
    period: str | None,
    national_capacity: str | None,
    as_json: bool,
    lang: str,
    url: str | None,
    actor: str | None,
    file: Path | None,
) -> None:
    try:
        _check_lang(lang)
        if file is not None:
            raise InputError(code="projects.file_and_stored", field="--stored", value=code)
        national = None if national_capacity is None else parse_capacity(national_capacity)
        with db.transaction(url) as session:
            run = use.review(
                session, _operator(actor), code, period=period, national_approved_capacity_t_per_a=national
            )
        review = run.review
        stored: dict[str, Any] = {
            "id": run.id,
            "version": run.version,
            "parameter_fingerprint": run.parameter_fingerprint,
        }
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc, consequence="cli.nothing_reviewed_or_stored")
        return
    if as_json:
        _write_json({"stored_review": stored, "review": review.as_dict()})
        return
    console = _console()
    _print_review(console, review, lang)
    zh = lang != "en"
    console.print(
        (
            f"已保存为审查记录 #{stored['id']}（项目第 {stored['version']} 版；参数快照 "
            f"{stored['parameter_fingerprint'][:12]}）"
            if zh
            else f"stored as review #{stored['id']} of version {stored['version']} (parameter snapshot "
            f"{stored['parameter_fingerprint'][:12]})"
        ),
        highlight=False,
    )


def _print_review(console: Console, review: ProjectReview, lang: str) -> None:
    zh = lang != "en"
    project = review.project
    name = project.name_zh if zh else project.name_en
    style = _CLASS_STYLE[review.classification]
    verdict = review.classification.label(lang)
    console.rule(f"[bold]{escape(project.id)}[/]  {escape(name)}")
    console.print(
        f"{'结论' if zh else 'classification'}: [{style}]{escape(verdict)}[/]"
        + (f" ({review.classification.value})" if zh else "")
        + (f"  — {'依据规则' if zh else 'decided by'} {', '.join(review.decisive)}" if review.decisive else "")
        + f"   {'审查时点' if zh else 'period'}: {review.period.isoformat()}",
        highlight=False,
    )
    console.print(
        f"{'判定规则' if zh else 'rule of classification'}: {escape(review.classification_rule(lang))}", highlight=False
    )
    table = Table(show_lines=True)
    headers = (
        ("规则", "结果", "申报/设计值", "要求", "规则内容与说明", "依据（置信度）")
        if zh
        else ("rule", "outcome", "declared", "required", "rule and reason", "source (confidence)")
    )
    for index, header in enumerate(headers):
        table.add_column(header, overflow="fold", justify="right" if index in (2, 3) else "left")
    for result in review.rules:
        table.add_row(
            result.rule,
            f"[{_OUTCOME_STYLE[result.outcome]}]{escape(result.outcome.label(lang))}[/]",
            escape(result.declared.text()) if result.declared else "—",
            escape(result.required.text()) if result.required else "—",
            f"[bold]{escape(result.title(lang))}[/]\n{escape(result.reason(lang))}",
            escape(_source(result, zh)),
        )
    console.print(table)
    if review.comparison is not None:
        _print_comparison(console, review, zh)
    if review.unverified:
        note = "依赖置信度低于中高的参数" if zh else "rests on parameters below medium-high confidence"
        console.print(f"[yellow]⚠ {note}: {escape(', '.join(review.unverified))}[/]", highlight=False)


def _source(result: RuleResult, zh: bool) -> str:
    """The rule's source, then (for rules that were evaluated) the source of each value it used."""
    if not result.source:
        return "—"
    lines = [f"{result.source} [{result.confidence}]{_flag(result.confidence, zh)}"]
    if result.outcome is not Outcome.NOT_APPLICABLE:
        for cited in result.parameters[1:]:
            value = f" = {cited.value:g} {cited.unit}" if isinstance(cited.value, float) else ""
            lines.append(
                f"· {cited.label}{value}: {cited.citation()} [{cited.confidence.value}]"
                f"{_flag(cited.confidence.value, zh)}"
            )
    return "\n".join(lines)


def _flag(confidence: str | None, zh: bool) -> str:
    return "" if confidence in ("high", "medium-high") else (" ⚠ 未核实" if zh else " ⚠ unverified")


def _print_comparison(console: Console, review: ProjectReview, zh: bool) -> None:
    c = review.comparison
    assert c is not None
    label = c.indicator.label_zh if zh else c.indicator.label_en
    sign = "+" if c.difference >= 0 else ""
    console.print(
        f"{'投产后实测' if zh else 'measured after commissioning'} ({c.year}) — {label}: "
        f"{'设计' if zh else 'designed'} {c.designed:,.1f} {c.unit}, {'实测' if zh else 'measured'} {c.measured:,.1f} "
        f"{c.unit}, {'差值' if zh else 'difference'} {sign}{c.difference:,.1f} {c.unit} ({sign}{c.percent:.2f} %)",
        highlight=False,
    )
    extras = []
    if c.energy_tce is not None:
        extras.append(f"{'综合能耗' if zh else 'energy'} {c.energy_tce:,.0f} tce")
    if c.emissions_tco2e is not None:
        extras.append(f"{'排放' if zh else 'emissions'} {c.emissions_tco2e:,.0f} tCO2e")
    if extras:
        console.print("  " + "; ".join(extras), highlight=False)
    for check in c.against_rules:
        meets = ("达到" if check.meets else "未达到") if zh else ("meets" if check.meets else "misses")
        console.print(f"  {check.label}: ≤ {check.required:,.1f} {check.unit} — {meets}", highlight=False)
    if c.reference_levels:
        levels = ", ".join(
            f"{check.label} ≤ {check.required:,.0f} {check.unit}{' ✓' if check.meets else ' ✗'}"
            for check in c.reference_levels
        )
        first = c.reference_levels[0].cited
        citation = f"{first.citation()} [{first.confidence.value}]{_flag(first.confidence.value, zh)}" if first else ""
        head = "标准各级（供参考）" if zh else "levels of the standard (for information)"
        best = c.best_level_met or ("均未达到" if zh else "none met")
        console.print(
            f"  {head}: {escape(levels)}; {'实测达到' if zh else 'measured meets'} {escape(best)} — {escape(citation)}",
            highlight=False,
        )


# --- stored projects -----------------------------------------------------------------------------------------

_LIST_COLUMNS: list[tuple[str, str, str]] = [
    ("code", "项目编号", "project"),
    ("version", "版本", "version"),
    ("name", "名称", "name"),
    ("province", "省份", "province"),
    ("sector", "行业", "sector"),
    ("kind", "类型", "kind"),
    ("capacity_t_per_a", "产能 t/a", "capacity t/a"),
    ("net_new_capacity_t_per_a", "新增产能 t/a", "net new t/a"),
    ("status", "状态", "status"),
    ("facility_code", "关联设施", "facility"),
    ("classification", "最近审查结论", "latest review"),
]
_STATUS_ZH = {"planned": "拟建/在建", "built": "已建成"}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"
    return escape(str(value))


def _cell(summary: ProjectSummary, column: str, zh: bool) -> str:
    if column == "name":
        return escape(summary.name_zh if zh else summary.name_en)
    if column == "status":
        return _STATUS_ZH.get(summary.status, summary.status) if zh else summary.status
    if column == "classification":
        if summary.classification is None:
            return "未审查" if zh else "not reviewed"
        text = Classification(summary.classification).label("zh" if zh else "en")
        style = _CLASS_STYLE[Classification(summary.classification)]
        shown = f"[{style}]{escape(text)}[/] (v{summary.reviewed_version}, {summary.reviewed_period})"
        if summary.review_outdated:
            shown += " ⚠ " + ("审查针对旧版本" if zh else "review of an earlier version")
        return shown
    return _fmt(getattr(summary, column))


@projects_app.command("add")
def add_command(
    file: Annotated[Path, typer.Argument(help="project records: .yaml or .json (one project or a list)")],
    url: Db = None,
    actor: Actor = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Register the projects of a file in the store, all or none (a project already stored identically is left
    as it is; a changed one needs `projects correct`)."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            done = use.register_file(session, _operator(actor), file)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc, consequence="cli.nothing_stored")
        return
    if as_json:
        _write_json({"file": str(file), "projects": [r.as_dict() for r in done]})
        return
    zh = lang != "en"
    console = _console()
    for r in done:
        if r.action == "registered":
            text = f"已登记 {r.code}（第 {r.version} 版）" if zh else f"registered {r.code} (version {r.version})"
        else:
            text = (
                f"{r.code} 已登记且内容相同（第 {r.version} 版），未作改动"
                if zh
                else f"{r.code} already registered, identical (version {r.version}): unchanged"
            )
        console.print(escape(text), highlight=False)


@projects_app.command("list")
def list_command(
    province: Annotated[str | None, typer.Option("--province", help="site province code, e.g. yunnan")] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="sector code, e.g. electrolytic_aluminium")] = None,
    status: Annotated[str | None, typer.Option("--status", help="planned or built")] = None,
    classification: Annotated[
        str | None,
        typer.Option("--classification", help="of the latest stored review: halt, rectify, proceed, or none"),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="new, expansion or retrofit")] = None,
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Excel = None,
    lang: Lang = "zh",
) -> None:
    """Stored projects (current versions) with their status, facility and latest review."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            rows = use.list_projects(
                session,
                _operator(None),
                province=province,
                sector=sector,
                status=status,
                classification=classification,
                kind=kind,
            )
        if excel is not None:
            import pandas as pd

            from carbonpeak.io.export import export_workbook

            export_workbook(excel, {"projects": pd.DataFrame([r.as_dict() for r in rows])}, lang=lang)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"projects": [r.as_dict() for r in rows]})
        return
    zh = lang != "en"
    console = _console()
    if not rows:
        console.print("没有符合条件的项目" if zh else "no project matches", highlight=False)
        return
    table = Table(title="两高项目" if zh else "High-energy, high-emission projects")
    for _key, label_zh, label_en in _LIST_COLUMNS:
        table.add_column(label_zh if zh else label_en, overflow="fold")
    for summary in rows:
        table.add_row(*(_cell(summary, key, zh) for key, _zh, _en in _LIST_COLUMNS))
    console.print(table)
    if excel is not None:
        console.print(f"{'已写入' if zh else 'written'}: {escape(str(excel))}", highlight=False)


@projects_app.command("show")
def show_command(
    code: Annotated[str, typer.Argument(help="project id")],
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """A stored project: its current record, every version with its reason, every stored review (the latest
    rule by rule) and its audit trail."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            history = use.history(session, _operator(None), code)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json(history)
        return
    _print_history(_console(), history, lang != "en")


def _print_history(console: Console, history: dict[str, Any], zh: bool) -> None:
    p = history["project"]
    record = history["record"]
    console.rule(f"[bold]{escape(p['code'])}[/]  {escape(p['name_zh'] if zh else p['name_en'])}")
    designed = ", ".join(
        f"{Indicator(k).label_zh if zh else Indicator(k).label_en} {v['value']:g} {v['unit']}"
        for k, v in record["designed_unit_consumption"].items()
    )
    facility = p["facility_code"] or ("未关联" if zh else "not linked")
    lines = (
        [
            f"企业：{record['enterprise']}；地点：{p['province']} {record['site']['city']}"
            f"{'（大气污染防治重点区域）' if p['in_key_air_pollution_area'] else ''}",
            f"行业/产品：{p['sector']} / {p['product']}；类型：{p['kind']}；产能 {p['capacity_t_per_a']:,.0f} t/a，"
            f"新增 {p['net_new_capacity_t_per_a']:,.0f} t/a；计划开工 {p['planned_start']}",
            f"设计单耗：{designed}；节能审查 {record['energy_review_status']}，环评 {record['eia_status']}",
            f"状态：{_STATUS_ZH.get(p['status'], p['status'])}；关联设施：{facility}；当前版本：第 {p['version']} 版",
        ]
        if zh
        else [
            f"enterprise: {record['enterprise']}; site: {p['province']} {record['site']['city']}"
            f"{' (key air-pollution area)' if p['in_key_air_pollution_area'] else ''}",
            f"sector/product: {p['sector']} / {p['product']}; kind: {p['kind']}; capacity "
            f"{p['capacity_t_per_a']:,.0f} t/a, net new {p['net_new_capacity_t_per_a']:,.0f} t/a; planned start "
            f"{p['planned_start']}",
            f"designed: {designed}; energy-saving review {record['energy_review_status']}, EIA {record['eia_status']}",
            f"status: {p['status']}; facility: {facility}; current version: {p['version']}",
        ]
    )
    for line in lines:
        console.print(escape(line), highlight=False)
    versions = Table(title="版本" if zh else "versions")
    for header in ("版本", "原因", "操作人", "时间", "文件") if zh else ("version", "reason", "by", "at", "file"):
        versions.add_column(header, overflow="fold")
    for v in history["versions"]:
        versions.add_row(
            str(v["version"]),
            escape(v["reason"] or ("首次登记" if zh else "registered")),
            escape(v["created_by"]),
            (v["created_at"] or "")[:19],
            escape(v["file"] or "—"),
        )
    console.print(versions)
    reviews = history["reviews"]
    if not reviews:
        console.print(
            "尚无保存的审查（carbonpeak projects review --stored CODE）"
            if zh
            else "no stored review (carbonpeak projects review --stored CODE)",
            highlight=False,
        )
    else:
        table = Table(title="审查记录" if zh else "reviews")
        headers = (
            ("编号", "项目版本", "审查时点", "结论", "依据规则", "审查人", "时间", "参数快照")
            if zh
            else ("id", "version", "period", "classification", "decided by", "by", "at", "parameters")
        )
        for header in headers:
            table.add_column(header, overflow="fold")
        for r in reviews:
            c = Classification(r["classification"])
            table.add_row(
                str(r["id"]),
                str(r["version"]),
                r["period"],
                f"[{_CLASS_STYLE[c]}]{escape(c.label('zh' if zh else 'en'))}[/]",
                ", ".join(r["decisive"]) or "—",
                escape(r["reviewed_by"]),
                (r["reviewed_at"] or "")[:19],
                r["parameter_fingerprint"][:12],
            )
        console.print(table)
        _print_stored_rules(console, reviews[-1], zh)
        reviewed = reviews[-1]["version"]
        if reviewed != p["version"]:
            again = f"carbonpeak projects review --stored {p['code']}"
            warning = (
                f"最近一次审查针对第 {reviewed} 版，当前为第 {p['version']} 版，请重新审查（{again}）"
                if zh
                else f"the latest review is of version {reviewed}, the current version is {p['version']}: "
                f"review it again ({again})"
            )
            console.print(f"[yellow]⚠ {escape(warning)}[/]", highlight=False)
    trail = Table(title="审计记录" if zh else "audit trail")
    for header in ("时间", "操作人", "操作", "内容") if zh else ("at", "actor", "action", "what"):
        trail.add_column(header, overflow="fold")
    for e in history["audit"]:
        after = e["after"] or {}
        what = ", ".join(
            f"{k}={after[k]}"
            for k in ("version", "reason", "facility", "status", "classification", "review")
            if after.get(k) is not None
        )
        trail.add_row((e["at"] or "")[:19], escape(e["actor"]), e["action"], escape(what))
    console.print(trail)


def _print_stored_rules(console: Console, review: dict[str, Any], zh: bool) -> None:
    lang = "zh" if zh else "en"
    title = (
        f"最近一次审查 #{review['id']}（第 {review['version']} 版，{review['period']}）逐条结果"
        if zh
        else f"latest review #{review['id']} (version {review['version']}, {review['period']}) rule by rule"
    )
    table = Table(title=title, show_lines=True)
    for header in (
        ("规则", "结果", "规则内容与说明", "依据（置信度）") if zh else ("rule", "outcome", "rule and reason", "source")
    ):
        table.add_column(header, overflow="fold")
    for rule in review["rules"]:
        outcome = Outcome(rule["outcome"])
        reason = rule["reason_zh"] if zh else rule["reason_en"]
        title_text = rule["title_zh"] if zh else rule["title_en"]
        sources = [f"{rule['source']} [{rule['confidence']}]"]
        if outcome is not Outcome.NOT_APPLICABLE:
            sources += [f"· {c['label']}: {c['citation']} [{c['confidence']}]" for c in rule["parameters"][1:]]
        table.add_row(
            rule["rule"],
            f"[{_OUTCOME_STYLE[outcome]}]{escape(outcome.label(lang))}[/]",
            f"[bold]{escape(title_text)}[/]\n{escape(reason)}",
            escape("\n".join(sources)),
        )
    console.print(table)


@projects_app.command("correct")
def correct_command(
    code: Annotated[str, typer.Argument(help="project id")],
    file: Annotated[Path, typer.Argument(help="the corrected record (.yaml or .json) holding project CODE")],
    reason: Annotated[str, typer.Option("--reason", help="why the record changes (kept with the version)")],
    url: Db = None,
    actor: Actor = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Correct a stored project: a new version with its reason; earlier versions stay."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            number = use.correct_from_file(session, _operator(actor), code, file, reason).version
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"code": code, "version": number, "reason": reason})
        return
    text = f"{code}：已保存第 {number} 版（原因：{reason}）" if lang != "en" else f"{code}: version {number} ({reason})"
    _console().print(escape(text), highlight=False)


@projects_app.command("link")
def link_command(
    code: Annotated[str, typer.Argument(help="project id")],
    facility: Annotated[str, typer.Option("--facility", help="registry facility code of the built project")],
    url: Db = None,
    actor: Actor = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Link a built project to the registry facility whose counted months measure it (status: built)."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            changed = use.link_facility(session, _operator(actor), code, facility)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json({"code": code, "facility": facility, "status": "built", "changed": changed})
        return
    zh = lang != "en"
    if changed:
        text = f"{code} 已关联设施 {facility}（状态：已建成）" if zh else f"{code} linked to {facility} (status: built)"
    else:
        text = f"{code} 已关联设施 {facility}，未作改动" if zh else f"{code} is already linked to {facility}: unchanged"
    _console().print(escape(text), highlight=False)


@projects_app.command("measured")
def measured_command(
    code: Annotated[str, typer.Argument(help="project id")],
    year: Annotated[int, typer.Option("--year", help="the year measured")],
    include_submitted: Annotated[
        bool, typer.Option("--include-submitted", help="count submitted (unverified) months too")
    ] = False,
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """What a built project measured in a year (its facility's counted months) next to what was designed and
    approved, with the difference; says so when there are no data."""
    try:
        _check_lang(lang)
        with db.transaction(url) as session:
            result = use.measured(session, _operator(None), code, year, include_submitted=include_submitted)
    except (CarbonpeakError, SQLAlchemyError) as exc:
        fail(exc)
        return
    if as_json:
        _write_json(result.as_dict())
        return
    _print_measured(_console(), result, lang != "en")


def _signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{'+' if value >= 0 else ''}{value:,.{digits}f}"


def _print_measured(console: Console, m: MeasuredVsApproved, zh: bool) -> None:
    console.rule(f"[bold]{escape(m.code)}[/]  {'实测与批复对照' if zh else 'measured against approved'} — {m.year}")
    style = "green" if m.status == "measured" else "yellow"
    console.print(f"[{style}]{escape(m.message_zh if zh else m.message_en)}[/]", highlight=False)
    if m.declared is not None:
        uc = m.declared.get("unit_consumption", {})
        console.print(
            escape(
                f"{'申报材料中的实测值' if zh else 'measured as declared in the record'}: "
                f"{uc.get('value')} {uc.get('unit')}"
                + (f", {m.declared['energy_tce']:,.0f} tce" if m.declared.get("energy_tce") is not None else "")
                + (
                    f", {m.declared['emissions_tco2e']:,.0f} tCO2e"
                    if m.declared.get("emissions_tco2e") is not None
                    else ""
                )
            ),
            highlight=False,
        )
    if m.status != "measured":
        return
    table = Table(title="单位产品能耗" if zh else "unit consumption")
    headers = (
        ("指标", "设计", "实测", "差值", "差值 %", "月数", "按设计值折算", "实测合计", "公式")
        if zh
        else (
            "indicator",
            "designed",
            "measured",
            "difference",
            "%",
            "months",
            "designed at output",
            "measured total",
            "formula",
        )
    )
    for header in headers:
        table.add_column(header, overflow="fold")
    for c in m.indicators:
        label = c.indicator.label_zh if zh else c.indicator.label_en
        table.add_row(
            escape(label),
            f"{c.designed:,.1f} {c.unit}",
            f"{c.measured:,.1f} {c.unit}" if c.measured is not None else escape(c.no_data or "—"),
            f"{_signed(c.difference)} {c.unit}" if c.difference is not None else "—",
            f"{_signed(c.percent, 2)} %" if c.percent is not None else "—",
            str(c.months),
            f"{c.designed_at_output:,.0f} {c.numerator_unit}" if c.designed_at_output is not None else "—",
            f"{c.numerator:,.0f} {c.numerator_unit}" if c.numerator is not None else "—",
            escape(c.formula),
        )
    console.print(table)
    names = {
        "energy_tce": ("综合能耗", "energy"),
        "total_location_tco2e": ("排放（基于位置）", "emissions, location-based"),
        "total_market_tco2e": ("排放（基于市场）", "emissions, market-based"),
    }
    totals = Table(title="年度合计" if zh else "totals for the year")
    for header in (
        ("项目", "实测", "批复（年）", "差值", "差值 %", "说明")
        if zh
        else (
            "item",
            "measured",
            "approved (per year)",
            "difference",
            "%",
            "note",
        )
    ):
        totals.add_column(header, overflow="fold")
    for t in m.totals:
        totals.add_row(
            names[t.item][0 if zh else 1],
            f"{t.measured:,.0f} {t.unit}" if t.measured is not None else "—",
            f"{t.approved:,.0f} {t.unit}" if t.approved is not None else ("未申报" if zh else "not stated"),
            f"{_signed(t.difference, 0)} {t.unit}" if t.difference is not None else "—",
            f"{_signed(t.percent, 2)} %" if t.percent is not None else "—",
            escape(t.note_in("zh" if zh else "en")),
        )
    console.print(totals)
    console.print(
        f"{'已计入月份' if zh else 'months counted'}: {', '.join(m.periods)}; "
        f"{'产量' if zh else 'output'} {m.output_t:,.0f} t",
        highlight=False,
    )
