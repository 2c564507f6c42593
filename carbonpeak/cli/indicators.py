"""CLI verbs over the store's counted data: ``carbonpeak indicators`` and ``carbonpeak targets``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from carbonpeak.cli.common import Actor, Db, Excel, JsonFlag, Lang, actor, cli_lang, fail
from carbonpeak.errors import CarbonpeakError
from carbonpeak.indicators import coverage as cov
from carbonpeak.indicators import definitions as ind
from carbonpeak.indicators.targets import evaluate_plan
from carbonpeak.services.access import operator
from carbonpeak.store import db
from carbonpeak.store.facts import indicator_inputs

console = Console()
err = Console(stderr=True)

Region = Annotated[str | None, typer.Option("--region", help="province, city, park or cluster code (default: all)")]
Edition = Annotated[str | None, typer.Option("--benchmark-edition", help="2021 or 2023; default: in force")]
Submitted = Annotated[bool, typer.Option("--include-submitted", help="count submitted (unverified) months too")]

STATUS_ZH = {
    "met": "已达成",
    "on_track": "进度正常",
    "at_risk": "存在风险",
    "off_track": "进度滞后",
    "missed": "未达成",
    "no_data": "无数据",
    "not_measurable": "无法由企业数据衡量",
}


def _inputs(url: str | None, include_submitted: bool, edition: str | None) -> tuple[pd.DataFrame, ind.Options]:
    with db.transaction(url) as session:
        return indicator_inputs(session, include_submitted=include_submitted, benchmark_edition=edition)


Year = Annotated[int | None, typer.Option("--year", help="calendar year (default: the latest complete year)")]


def _year(prepared: ind.Prepared, year: int | None) -> int:
    """The year asked for, else the region's latest complete year (indicators.coverage.default_year)."""
    if year is not None:
        return year
    as_of = prepared.options.as_of
    day = ind.due_day(prepared.options.params, as_of) if as_of is not None else 15
    return cov.default_year(prepared.states, as_of, day)


def _shown(prepared: ind.Prepared, year: int, lang: str) -> tuple[str, str]:
    """(the period of the figures, their coverage) in the reader's language: 2025年1–9月累计, 计入 …"""
    language = "en" if lang == "en" else "zh"
    return prepared.period(year).label().text(language), prepared.coverage_of(year).text(language)


def indicators_command(
    year: Year = None,
    region: Region = None,
    edition: Edition = None,
    include_submitted: Submitted = False,
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Excel = None,
    lang: Lang = "zh",
) -> None:
    """Every plan indicator for a region and year, in total and by sector, with what it rests on: the
    facility-months counted and left out, and the months the year's figures span (a partial year is
    labelled, e.g. 1–9月累计). Without --year: the latest complete year."""
    try:
        facts, options = _inputs(url, include_submitted, edition)
        prepared = ind.prepare(facts, region=region, options=options)
        year = _year(prepared, year)
        frame = ind.table_years(prepared, [year]).drop(columns=["year"])
    except CarbonpeakError as exc:
        fail(exc)
        return
    period, coverage = _shown(prepared, year, lang)
    frame["period"] = period
    _emit(
        frame,
        as_json,
        excel,
        f"{'指标' if lang != 'en' else 'Indicators'} — {region or 'all'} {period}",
        [
            "name_zh" if lang != "en" else "name_en",
            "sector",
            "scope",
            "value",
            "unit",
            "facilities",
            "months",
            *cov.STATES[1:],
            "note",
        ],
    )
    if not as_json:
        console.print(f"{period} · {coverage}", highlight=False)


def targets_command(
    plan: Annotated[str, typer.Option("--plan", help="plan id, e.g. guizhou_nonferrous (see parameters list)")],
    year: Annotated[
        int | None, typer.Option("--year", help="evaluate up to this year (default: the latest complete year)")
    ] = None,
    region: Region = None,
    edition: Edition = None,
    include_submitted: Submitted = False,
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Excel = None,
    lang: Lang = "zh",
) -> None:
    """Every target of a plan: value now, target, margin, status and the reason, with the facility-months
    behind each value. Without --year: up to the latest complete year."""
    try:
        facts, options = _inputs(url, include_submitted, edition)
        prepared = ind.prepare(facts, region=region, options=options)
        year = _year(prepared, year)
        evaluations = evaluate_plan(plan, facts, region=region, year=year, options=options, prepared=prepared)
    except CarbonpeakError as exc:
        fail(exc)
        return
    period, coverage = _shown(prepared, year, lang)
    rows = [e.as_dict() for e in evaluations]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    frame = pd.DataFrame(rows)
    frame["status_label"] = frame["status"].map(STATUS_ZH) if lang != "en" else frame["status"]
    # each value's facility-months as columns (a workbook cell holds no mapping)
    counts = pd.DataFrame([r["coverage"] or {} for r in rows], columns=list(cov.STATES))
    frame = pd.concat([frame.drop(columns=["history", "coverage", "period"]), counts], axis=1)
    _emit(
        frame,
        False,
        excel,
        f"{plan} — {region or 'all'} {period}",
        ["id", "indicator_text", "target", "unit", "target_year", "year", "value", "status_label", "reason"],
    )
    console.print(f"{period} · {coverage}", highlight=False)
    if rows:
        console.print(("判定规则：" if lang != "en" else "Rule: ") + rows[0]["rule"], highlight=False)


def _emit(frame: pd.DataFrame, as_json: bool, excel: Path | None, title: str, columns: list[str]) -> None:
    if excel is not None:
        from carbonpeak.io.export import export_workbook

        export_workbook(excel, {"table": frame})
    if as_json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso") + "\n")
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*(_fmt(row[c]) for c in columns))
    console.print(table)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return escape(str(value))


warnings_app = typer.Typer(help="Warnings: refresh from the data, list, and work through them (ack, assign, close).")


@warnings_app.callback(invoke_without_command=True)
def warnings_command(
    ctx: typer.Context,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="raise new warnings from the data first, at once and without a job record "
            "(for cron: `carbonpeak warnings refresh`, the day's check recorded once)",
        ),
    ] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="date the warnings are judged on (default today)")
    ] = None,
    plan: Annotated[str | None, typer.Option("--plan", help="also check this plan's targets")] = None,
    region: Region = None,
    edition: Edition = None,
    status: Annotated[str | None, typer.Option(help="open, acknowledged, assigned or closed")] = None,
    kind: Annotated[str | None, typer.Option(help="e.g. below_baseline, late_submission")] = None,
    facility: Annotated[str | None, typer.Option(help="facility code")] = None,
    actor: Annotated[str, typer.Option("--actor", envvar="CARBONPEAK_ACTOR")] = "cli",
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Excel = None,
    lang: Lang = "zh",
) -> None:
    """List warnings (after raising new ones with --refresh). With --json, stdout holds only the JSON."""
    if ctx.invoked_subcommand is not None:
        return
    import datetime as dt

    from carbonpeak import messages
    from carbonpeak.indicators.warning_texts import text
    from carbonpeak.services import warnings as cases
    from carbonpeak.store import warnings as stored

    shown = cli_lang(lang)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
        with db.transaction(url) as session:
            if refresh:
                done = cases.refresh(
                    session,
                    operator(actor),
                    as_of=day,
                    plan=plan,
                    region=region,
                    benchmark_edition=edition,
                )
                note = messages.render(
                    "warning.refreshed",
                    shown,
                    {"new": done.new, "cleared": done.cleared, "found": done.found, "day": day.isoformat()},
                )
                (err if as_json else console).print(escape(note), highlight=False)  # stdout: the JSON only
            rows = [
                {
                    "id": x.id,
                    "kind": x.kind,
                    "severity": x.severity,
                    "facility": x.facility_code or "",
                    "period": x.period or "",
                    "status": x.status,
                    "assignee": x.assignee or "",
                    "deadline": str(x.deadline or ""),
                    "message": text(x.details, shown, x.message_zh if shown != "en" else x.message_en),
                }
                for x in stored.listing(session, status=status, kind=kind, facility=facility)
            ]
    except (CarbonpeakError, ValueError) as exc:
        fail(exc if isinstance(exc, CarbonpeakError) else CarbonpeakError(f"--as-of: {exc}"))
        return
    _emit(
        pd.DataFrame(
            rows, columns=["id", "kind", "severity", "facility", "period", "status", "assignee", "deadline", "message"]
        ),
        as_json,
        excel,
        f"{'预警' if lang != 'en' else 'Warnings'} ({len(rows)})",
        ["id", "kind", "severity", "facility", "period", "status", "assignee", "deadline", "message"],
    )


def _act(action: str) -> Any:
    def command(
        warning_id: Annotated[int, typer.Argument(help="warning id")],
        note: Annotated[str | None, typer.Option("--note")] = None,
        to: Annotated[str | None, typer.Option("--to", help="assignee (assign only)")] = None,
        actor: Annotated[str, typer.Option("--actor", envvar="CARBONPEAK_ACTOR")] = "cli",
        url: Db = None,
    ) -> None:
        from carbonpeak.services import warnings as cases

        try:
            with db.transaction(url) as session:
                status = cases.act(session, operator(actor), warning_id, action, note=note, assignee=to).status
        except CarbonpeakError as exc:
            fail(exc)
            return
        console.print(f"warning {warning_id}: {status}")

    command.__doc__ = f"{action.capitalize()} a warning (kept in its history)."
    return command


for _action in ("acknowledge", "assign", "close", "reopen"):
    warnings_app.command(_action)(_act(_action))


@warnings_app.command("show")
def warnings_show(warning_id: int, url: Db = None, as_json: JsonFlag = False) -> None:
    """A warning with its details and history."""
    from carbonpeak.store import warnings as stored

    with db.transaction(url) as session:
        warning = stored.get(session, warning_id)
        if warning is None:
            fail(CarbonpeakError(code="warning.not_found", id=warning_id))
            return
        payload = {
            "id": warning.id,
            "kind": warning.kind,
            "status": warning.status,
            "assignee": warning.assignee,
            "message_zh": warning.message_zh,
            "message_en": warning.message_en,
            "details": warning.details,
            "deadline": str(warning.deadline or ""),
            "history": [
                {"at": e.at.isoformat()[:19], "actor": e.actor, "action": e.action, "note": e.note}
                for e in warning.events
            ],
        }
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    console.print(f"[bold]#{payload['id']}[/] {payload['kind']} ({payload['status']}) {escape(payload['message_zh'])}")
    for event in payload["history"]:
        console.print(
            f"  {event['at']}  {event['actor']:<20} {event['action']:<12} {escape(event['note'] or '')}",
            highlight=False,
        )


statistics_app = typer.Typer(
    help="Statistics the regulator enters (industrial value added, green counts), dated and cited.",
    no_args_is_help=True,
)


@statistics_app.command("add")
def statistics_add(
    region: Annotated[str, typer.Option("--region", help="region code")],
    name: Annotated[str, typer.Option("--name", help="statistic, e.g. industrial_value_added")],
    scope: Annotated[str, typer.Option("--scope", help="industry_above_designated_size, industry or nonferrous")],
    year: Annotated[int, typer.Option("--year")],
    value: Annotated[float, typer.Option("--value")],
    unit: Annotated[str, typer.Option("--unit", help="e.g. yi_yuan, wan_yuan, tce, dimensionless")],
    source: Annotated[str, typer.Option("--source", help="the publication: issuer, document, table")],
    published_on: Annotated[str, typer.Option("--published-on", help="date of the publication, YYYY-MM-DD")],
    price_basis: Annotated[str | None, typer.Option("--price-basis", help="e.g. 'constant 2020 prices'")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why: required for a correction")] = None,
    actor_name: Actor = None,
    url: Db = None,
) -> None:
    """Enter one statistic (a correction of an entered one makes a new version)."""
    from carbonpeak.services import statistics as cases

    data = {
        "region": region,
        "name": name,
        "scope": scope,
        "year": year,
        "value": value,
        "unit": unit,
        "source": source,
        "published_on": published_on,
        "price_basis": price_basis,
        "reason": reason,
    }
    try:
        with db.transaction(url) as session:
            entered = cases.enter(session, operator(actor(actor_name)), data)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if not entered.changed:
        console.print("unchanged: the same value and source are already entered")
    else:
        value, unit = entered.entry.value, entered.entry.unit
        console.print(f"{region} {name} ({scope}) {year}: version {entered.version}, {value:,.6g} {unit}")


@statistics_app.command("import")
def statistics_import(
    path: Annotated[Path, typer.Argument(help="CSV or Excel with columns region, name, scope, year, value, unit, ...")],
    actor_name: Actor = None,
    url: Db = None,
) -> None:
    """Enter every row of a table, all or nothing."""
    from carbonpeak.services import statistics as cases

    try:
        with db.transaction(url) as session:
            stored = len(cases.import_table(session, operator(actor(actor_name)), path))
    except CarbonpeakError as exc:
        fail(exc)
        return
    console.print(f"{stored} statistics entered from {path}")


@statistics_app.command("list")
def statistics_list(
    region: Region = None,
    url: Db = None,
    as_json: JsonFlag = False,
    excel: Excel = None,
    lang: Lang = "zh",
) -> None:
    """The statistics in force (latest version of each)."""
    from carbonpeak.store import statistics as stored

    with db.transaction(url) as session:
        frame = stored.current_statistics(session)
    if region is not None:
        frame = frame[frame["region"] == region]
    frame = frame.sort_values(["region", "name", "scope", "year"])
    _emit(
        frame,
        as_json,
        excel,
        "统计数据" if lang != "en" else "Statistics",
        ["region", "name", "scope", "year", "value", "unit", "price_basis", "source", "published_on", "version"],
    )


@statistics_app.command("history")
def statistics_history(
    region: Annotated[str, typer.Option("--region")],
    name: Annotated[str, typer.Option("--name")],
    scope: Annotated[str, typer.Option("--scope")],
    year: Annotated[int, typer.Option("--year")],
    url: Db = None,
    as_json: JsonFlag = False,
) -> None:
    """Every version of one statistic, with who entered it, when and why."""
    from carbonpeak.store import statistics as stored

    with db.transaction(url) as session:
        versions = stored.history(session, region, name, scope, year)
    if not versions:
        fail(CarbonpeakError(code="statistics.not_entered", name=name, scope=scope, region=region, year=year))
    _emit(
        pd.DataFrame(versions),
        as_json,
        None,
        f"{region} {name} {scope} {year}",
        ["version", "value", "unit", "entered_value", "entered_unit", "source", "published_on", "reason", "entered_by"],
    )


def register(app: typer.Typer) -> None:
    app.command("indicators")(indicators_command)
    app.command("targets")(targets_command)
    from carbonpeak.cli import warnings_refresh  # noqa: F401  (adds `warnings refresh`)

    app.add_typer(warnings_app, name="warnings")
    app.add_typer(statistics_app, name="statistics")
