"""``carbonpeak report monthly|yearly|list|signoff|regenerate|schedule``: the regulator's 碳达峰监测报告 at the
command line. Thin adapters over :mod:`carbonpeak.services.reports` (the person's permission first); a
file asked for with ``--out`` is written whole or not at all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from carbonpeak import messages
from carbonpeak.cli.common import Actor as ActorOption
from carbonpeak.cli.common import As, JsonFlag, Lang, acting, cli_lang, fail
from carbonpeak.cli.common import Db as DbOption
from carbonpeak.errors import CarbonpeakError
from carbonpeak.reports.render import write_whole
from carbonpeak.services import reports as use
from carbonpeak.services import reports_daily
from carbonpeak.services.reports_monitoring import MONTHLY, YEARLY, Asked
from carbonpeak.store import db

console = Console()
report_app = typer.Typer(help="The regulator's carbon peaking monitoring reports: make, list, sign off, regenerate.")

Region = Annotated[str, typer.Option("--region", help="region code (a province or a city)")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="the day the period is judged on (default today)")]
Out = Annotated[Path | None, typer.Option("--out", help="also write the file here (.pdf, .docx or .xlsx)")]
Edition = Annotated[str, typer.Option("--benchmark-edition", help="benchmark edition of the classes")]
ReportLang = Annotated[str, typer.Option("--report-lang", help="the report's language: zh (default) or en")]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _say(code: str, lang: str, **params: Any) -> None:
    console.print(escape(messages.render(code, lang, params)), highlight=False)


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _make(
    kind: str,
    region: str,
    period: str,
    report_lang: str,
    as_of: str | None,
    edition: str,
    out: Path | None,
    database: str | None,
    actor: str | None,
    as_user: str | None,
    as_json: bool,
    lang: str,
) -> None:
    try:
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
        asked = Asked(kind=kind, region=region, period=period, lang=report_lang, as_of=_day(as_of), edition=edition)
        with db.transaction(database) as session:
            made = use.make(session, who, asked)
            data = None
            if out is not None:
                fmt = out.suffix.lstrip(".").lower()
                data = use.file_of(session, who, made.id, fmt)[2]
        if out is not None and data is not None:
            write_whole(out, data)
    except CarbonpeakError as exc:
        fail(exc)
        return
    _show(made, as_json, cli_lang(lang))


def _show(report: use.Summary, as_json: bool, lang: str) -> None:
    if as_json:
        console.print_json(json.dumps(_plain(report), default=str))
        return
    _say(
        "reports.cli.made" if report.status == "made" else "reports.cli.signed",
        lang,
        id=report.id,
        version=report.version,
        region=report.region,
        period=report.period,
        state=report.state_sha256,
    )
    if report.provisional:
        _say("reports.cli.provisional", lang)
    for f in report.files:
        console.print(f"  {f.format:5} {f.sha256}  {f.size}", highlight=False)


def _plain(report: use.Summary) -> dict[str, Any]:
    return {
        **{k: getattr(report, k) for k in report.__dataclass_fields__ if k != "files"},
        "files": [f.__dict__ for f in report.files],
    }


@report_app.command("monthly")
def monthly(
    region: Region,
    month: Annotated[str, typer.Option("--month", help="the month, e.g. 2025-12")],
    report_lang: ReportLang = "zh",
    as_of: AsOf = None,
    edition: Edition = "2021",
    out: Out = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make the monthly 碳达峰监测报告 of a region (PDF, Word and Excel, stored with its data state)."""
    _make(MONTHLY, region, month, report_lang, as_of, edition, out, database, actor, as_user, as_json, lang)


@report_app.command("yearly")
def yearly(
    region: Region,
    year: Annotated[str, typer.Option("--year", help="the year, e.g. 2025")],
    report_lang: ReportLang = "zh",
    as_of: AsOf = None,
    edition: Edition = "2021",
    out: Out = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make the yearly 碳达峰监测报告 of a region."""
    _make(YEARLY, region, year, report_lang, as_of, edition, out, database, actor, as_user, as_json, lang)


@report_app.command("list")
def list_command(
    region: Annotated[str | None, typer.Option("--region", help="only this region's")] = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The stored reports, newest first, with their state and the SHA-256 of their files."""
    try:
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
            found = use.list_reports(session, who, region=region)
    except CarbonpeakError as exc:
        fail(exc)
        return
    if as_json:
        console.print_json(json.dumps([_plain(r) for r in found], default=str))
        return
    language = cli_lang(lang)
    for r in found:
        state = messages.render("reports.cli.state_signed" if r.locked else "reports.cli.state_made", language)
        mark = messages.render("reports.cli.provisional_short", language) if r.provisional else ""
        subject = r.enterprise or r.region  # an enterprise's report: the enterprise; a region's: the region
        console.print(
            f"{r.id:>5}  {use.kind_title(r.kind, language)}  {r.kind}  {subject:10} {r.period:8} {r.lang} "
            f"v{r.version}  {state}{mark}",
            highlight=False,
        )


@report_app.command("signoff")
def signoff(
    report_id: Annotated[int, typer.Argument(help="the report's id (carbonpeak report list)")],
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Sign a report off: it is locked and never changes; a later report is a new version."""
    try:
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
        with db.transaction(database) as session:
            signed = use.sign_off(session, who, report_id)
    except CarbonpeakError as exc:
        fail(exc)
        return
    _show(signed, as_json, cli_lang(lang))


@report_app.command("regenerate")
def regenerate(
    report_id: Annotated[int, typer.Argument(help="the report's id (carbonpeak report list)")],
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make a stored report's files again from its data state and compare their SHA-256 (changes nothing);
    exits with 1 when a file comes out different."""
    try:
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
            check = use.regenerate(session, who, report_id)
    except CarbonpeakError as exc:
        fail(exc)
        return
    language = cli_lang(lang)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "report": _plain(check.report),
                    "state_now": check.state_now,
                    "data_changed": check.data_changed,
                    "reproduced": check.reproduced,
                    "from_document": check.from_document,
                    "from_store": check.from_store,
                    "changes": [c.__dict__ for c in check.changes],
                },
                default=str,
            )
        )
    else:
        for fmt, same in sorted(check.from_document.items()):
            again = check.from_store.get(fmt)
            code = "reports.cli.same" if same and again in (None, True) else "reports.cli.different"
            _say(code, language, format=fmt)
        if check.data_changed:
            _say("reports.cli.data_changed", language, n=len(check.changes))
            for c in check.changes[:30]:
                console.print(f"  {c.part}: {c.key}  {c.before or '—'} → {c.after or '—'}", highlight=False)
    if not check.reproduced:
        raise typer.Exit(1)


@report_app.command("schedule")
def schedule(
    as_of: AsOf = None,
    force: Annotated[bool, typer.Option("--force", help="run again although this month's run is done")] = False,
    database: DbOption = None,
    actor: ActorOption = None,
    lang: Lang = "zh",
) -> None:
    """The monthly job (for cron): last month's report of every province and city, once a month."""
    try:
        run = reports_daily.run_monthly(database, actor or "system:reports", day=_day(as_of), force=force)
    except CarbonpeakError as exc:
        fail(exc)
        return
    language = cli_lang(lang)
    if run.skipped:
        _say("reports.cli.schedule_skipped", language, reason=run.skipped)
    else:
        _say("reports.cli.schedule_done", language, n=len(run.made), failed=len(run.failed))
