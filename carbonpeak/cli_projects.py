"""CLI verbs for the review of high-energy, high-emission projects: ``carbonpeak projects review FILE``.

Registered on the main ``carbonpeak`` app with :func:`register`. Reads projects through
:func:`carbonpeak.projects.read_projects`, reviews through :func:`carbonpeak.projects.review_project` and only
formats here. Errors a person can act on are printed as one message (each problem of a file on its own line)
and exit with status 2.
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

from carbonpeak.cli_common import JsonFlag, Lang, fail
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.parameters import load
from carbonpeak.projects.model import read_projects
from carbonpeak.projects.review import Classification, Outcome, ProjectReview, RuleResult, review_project
from carbonpeak.units import conversion_factor

__all__ = ["projects_app", "register"]

projects_app = typer.Typer(
    help="High-energy, high-emission (两高) projects: review against the rules in force.", no_args_is_help=True
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
            raise InputError(
                "not a capacity", field="--national-capacity", value=text, expected="t/a, e.g. 44430000 or '44.43 Mt/a'"
            ) from None
        try:
            value = float(match[1].replace(",", "").replace("_", ""))
        except ValueError:
            raise InputError(
                "not a number", field="--national-capacity", value=text, expected="e.g. 44430000 or '44.43 Mt/a'"
            ) from None
        unit = match[2]
    if not (value >= 0 and value < float("inf")):
        raise InputError(
            "not a capacity", field="--national-capacity", value=text, expected="a finite number, 0 or more"
        )
    return value * conversion_factor(unit, "t/a", field="--national-capacity")


@projects_app.command("review")
def review_command(
    file: Annotated[Path, typer.Argument(help="project records: .yaml or .json (one project or a list)")],
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
) -> None:
    """Review each project: rule by rule (pass / fail / not evaluated / not applicable) and halt / rectify / proceed."""
    try:
        if lang not in ("zh", "en"):
            raise InputError("unknown language", field="--lang", value=lang, expected="zh or en")
        national = None if national_capacity is None else parse_capacity(national_capacity)
        projects = read_projects(file)
        params = load()
        reviews = [
            review_project(p, params, period=period, national_approved_capacity_t_per_a=national) for p in projects
        ]
    except CarbonpeakError as exc:
        fail(exc, consequence="nothing was reviewed")
        return
    if as_json:
        payload: dict[str, Any] = {
            "source": str(file),
            "period": period,
            "national_approved_capacity_t_per_a": national,
            "reviews": [r.as_dict() for r in reviews],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console = _console()
    for review in reviews:
        _print_review(console, review, lang)


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
