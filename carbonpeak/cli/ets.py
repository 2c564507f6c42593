"""``carbonpeak ets show|save|upload|deposit|review|list|annual|receipt``: the national carbon market's
monthly evidence deposit and the enterprise's ETS reports at the command line. Thin adapters over
:mod:`carbonpeak.services.ets_deposit`, :mod:`~carbonpeak.services.ets_deposit_reads` and
:mod:`~carbonpeak.services.ets_reports` (the person's permission first; ``--as USER`` acts as an account);
a report file asked for with ``--out`` is written whole or not at all."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from carbonpeak import messages
from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, cli_lang, field_pairs, print_rows, read_file, use_case
from carbonpeak.reports.render import write_whole
from carbonpeak.services import ets_deposit as use
from carbonpeak.services import ets_deposit_plain as plain
from carbonpeak.services import ets_deposit_reads as reads
from carbonpeak.services import ets_reports, reports

console = Console()
ets_app = typer.Typer(help="National carbon market (aluminium): monthly evidence deposits, annual report.")

Enterprise = Annotated[str, typer.Option("--enterprise", help="enterprise code, e.g. E02")]
Month = Annotated[str, typer.Option("--month", help="the month, e.g. 2025-11")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="the day deadlines are judged on (default today)")]
Out = Annotated[Path | None, typer.Option("--out", help="also write the file here (.pdf, .docx or .xlsx)")]
ReportLang = Annotated[str, typer.Option("--report-lang", help="the report's language: zh (default) or en")]


def register(app: typer.Typer) -> None:
    app.add_typer(ets_app, name="ets")


def _say(code: str, lang: str, **params: Any) -> None:
    console.print(escape(messages.render(code, lang, params)), highlight=False)


def _day(text: str | None) -> dt.date:
    return dt.date.fromisoformat(text) if text else dt.date.today()


@ets_app.command("show")
def show(
    enterprise: Enterprise,
    month: Month,
    as_of: AsOf = None,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """A month's deposit: items (report and deposited), files with SHA-256, deadlines, checks."""
    lang = cli_lang(lang)
    shown = use_case(
        lambda s, who: plain.as_dict(reads.view(s, who, enterprise, month, _day(as_of))),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    if as_json:
        sys.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    print_rows([{k: shown[k] for k in ("enterprise", "month", "status", "version", "locked")}], "deposit", False)
    print_rows(
        [{**shown["deadline"], "of": "enterprise"}, *([{**shown["review"], "of": "city"}] if shown["review"] else [])],
        "deadlines",
        False,
    )
    print_rows([{k: i[k] for k in ("key", "unit", "reported", "deposited")} for i in shown["items"]], "items", False)
    print_rows(
        [{k: f[k] for k in ("id", "item", "name", "version", "size", "sha256")} for f in shown["files"]], "files", False
    )
    print_rows(shown["report_checks"] + shown["meter_checks"], "checks", False)


@ets_app.command("save")
def save(
    enterprise: Enterprise,
    month: Month,
    value: Annotated[
        list[str] | None, typer.Argument(help="facility:item=value pairs (none: the report's values)")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why the values change")] = None,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Save the month's values as a new version (no pairs: take the monthly report's)."""
    lang = cli_lang(lang)
    given = field_pairs(value, lang) if value else None
    done = use_case(
        lambda s, who: use.save(s, who, enterprise, month, given, reason=reason),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _say(
        "ets.cli.saved",
        lang,
        enterprise=enterprise,
        month=month,
        version=done.version,
        status=messages.render(f"ets.r.st.{done.status}", lang),
    )


@ets_app.command("upload")
def upload(
    enterprise: Enterprise,
    month: Month,
    item: Annotated[str, typer.Option("--item", help="facility:item the file supports, e.g. AL03:output_t")],
    path: Annotated[Path, typer.Argument(help="the evidence file")],
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Store an evidence file with its SHA-256 (the same item and name again: its next version)."""
    lang = cli_lang(lang)

    def work(s: Any, who: Any) -> dict[str, Any]:
        f = use.upload(s, who, enterprise, month, item, path.name, read_file(path))
        return {"name": f.name, "item": f.item, "version": f.version, "sha256": f.sha256}

    _say("ets.cli.uploaded", lang, **use_case(work, url=database, lang=lang, actor=actor, as_user=as_user))


@ets_app.command("deposit")
def deposit(
    enterprise: Enterprise,
    month: Month,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Deposit the month (every value and required evidence there, else every gap listed)."""
    lang = cli_lang(lang)
    done = use_case(
        lambda s, who: use.deposit(s, who, enterprise, month), url=database, lang=lang, actor=actor, as_user=as_user
    )
    _say(
        "ets.cli.deposited",
        lang,
        enterprise=enterprise,
        month=month,
        due=done.review.due.isoformat() if done.review else "—",
    )


@ets_app.command("review")
def review(
    enterprise: Enterprise,
    month: Month,
    decision: Annotated[str, typer.Option("--decision", help="accept or return")],
    reason: Annotated[str, typer.Option("--reason", help="why (required to return)")] = "",
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """The city's review of a deposited month: accept (locks it) or return with a reason."""
    lang = cli_lang(lang)
    done = use_case(
        lambda s, who: use.review(s, who, enterprise, month, decision, reason),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _say(
        "ets.cli.reviewed",
        lang,
        enterprise=enterprise,
        month=month,
        status=messages.render(f"ets.r.st.{done.status}", lang),
    )


@ets_app.command("list")
def list_deposits(
    month: Annotated[str | None, typer.Option("--month", help="only this month")] = None,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The deposits of the enterprises in scope."""
    lang = cli_lang(lang)
    rows = use_case(
        lambda s, who: [
            {"enterprise": d.enterprise_code, "month": d.month, "status": d.status, "version": d.version}
            for d in reads.deposits(s, who, month)
        ],
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    print_rows(rows, "deposits", as_json)


def _make(
    kind: str,
    enterprise: str,
    period: str,
    report_lang: str,
    as_of: str | None,
    out: Path | None,
    database: str | None,
    actor: str | None,
    as_user: str | None,
    as_json: bool,
    lang: str,
) -> None:
    lang = cli_lang(lang)

    def work(s: Any, who: Any) -> tuple[reports.Summary, bytes | None]:
        made = ets_reports.make(s, who, enterprise, kind, period, lang=report_lang, as_of=_day(as_of))
        data = reports.file_of(s, who, made.id, out.suffix.lstrip(".").lower())[2] if out is not None else None
        return made, data

    made, data = use_case(work, url=database, lang=lang, actor=actor, as_user=as_user)
    if out is not None and data is not None:
        write_whole(out, data)
    if as_json:
        payload = {
            "id": made.id,
            "kind": made.kind,
            "period": made.period,
            "version": made.version,
            "provisional": made.provisional,
            "state_sha256": made.state_sha256,
            "files": [f.__dict__ for f in made.files],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    _say("ets.cli.made", lang, id=made.id, kind=made.kind, period=made.period, version=made.version)
    if made.provisional:
        _say("ets.cli.provisional", lang)
    for f in made.files:
        console.print(f"  {f.format:5} {f.sha256}  {f.size}", highlight=False)


@ets_app.command("annual")
def annual(
    enterprise: Enterprise,
    year: Annotated[str, typer.Option("--year", help="the reporting year, e.g. 2025")],
    report_lang: ReportLang = "zh",
    as_of: AsOf = None,
    out: Out = None,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make the annual GHG emission report (PDF, Word, Excel; stored; list/signoff/regenerate by `report`)."""
    _make("ets_annual", enterprise, year, report_lang, as_of, out, database, actor, as_user, as_json, lang)


@ets_app.command("receipt")
def receipt(
    enterprise: Enterprise,
    month: Month,
    report_lang: ReportLang = "zh",
    as_of: AsOf = None,
    out: Out = None,
    database: Db = None,
    actor: Actor = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make a month's deposit receipt (items, evidence files with SHA-256, state, checks)."""
    _make("ets_deposit_monthly", enterprise, month, report_lang, as_of, out, database, actor, as_user, as_json, lang)
