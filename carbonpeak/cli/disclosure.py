"""``carbonpeak disclosure make|publish|allowance|status|deadlines|flag|demo``: environmental and climate
disclosure at the command line (docs/disclosure.md). Thin adapters over :mod:`carbonpeak.services.disclosure`
and its siblings; ``--as USER`` acts as that account."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from carbonpeak import messages
from carbonpeak.cli.common import Actor as ActorOption
from carbonpeak.cli.common import As, JsonFlag, Lang, cli_lang, use_case
from carbonpeak.cli.common import Db as DbOption
from carbonpeak.services import disclosure as use
from carbonpeak.services import disclosure_deadlines as board_use
from carbonpeak.services import disclosure_demo
from carbonpeak.services import reports as report_use
from carbonpeak.services.disclosure_mee import MEE
from carbonpeak.services.reports_monitoring import Asked

console = Console()
disclosure_app = typer.Typer(help="Environmental and climate disclosure: make, publish, allowance, deadlines.")
Enterprise = Annotated[str, typer.Option("--enterprise", help="enterprise code, e.g. E02")]
Year = Annotated[str, typer.Option("--year", help="the reported year, e.g. 2025")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="the day judged on (default today)")]


def register(app: typer.Typer) -> None:
    app.add_typer(disclosure_app, name="disclosure")


def _say(code: str, lang: str, **params: Any) -> None:
    console.print(escape(messages.render(code, lang, params)), highlight=False)


def _day(text: str | None) -> dt.date:
    return dt.date.fromisoformat(text) if text else dt.date.today()


def _json(value: Any) -> None:
    console.print_json(json.dumps(value, default=lambda o: getattr(o, "__dict__", str(o))))


@disclosure_app.command("make")
def make(
    enterprise: Enterprise,
    year: Year,
    kind: Annotated[str, typer.Option("--kind", help="disclosure_mee (default) or disclosure_climate")] = MEE,
    report_lang: Annotated[str, typer.Option("--report-lang", help="zh (default) or en")] = "zh",
    as_of: AsOf = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Make a disclosure report of an enterprise's year (PDF, Word, Excel, stored with its data state)."""
    asked = Asked(kind=kind, region="", period=year, lang=report_lang, as_of=_day(as_of), enterprise=enterprise)
    made = use_case(
        lambda s, who: report_use.make(s, who, asked), url=database, lang=lang, actor=actor, as_user=as_user
    )
    if as_json:
        _json(made)
        return
    _say(
        "reports.cli.made",
        cli_lang(lang),
        id=made.id,
        version=made.version,
        region=made.region,
        period=made.period,
        state=made.state_sha256,
    )


@disclosure_app.command("publish")
def publish(
    report_id: Annotated[int, typer.Argument(help="the report's id (carbonpeak report list)")],
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Publish (file) a disclosure report: signed off, locked, shown on the public disclosure page."""
    done = use_case(
        lambda s, who: use.publish(s, who, report_id), url=database, lang=lang, actor=actor, as_user=as_user
    )
    if as_json:
        _json(done)
        return
    _say(
        "disclosure.cli.published",
        cli_lang(lang),
        id=done.id,
        kind=done.kind,
        enterprise=done.enterprise,
        year=done.period,
    )


@disclosure_app.command("allowance")
def allowance(
    enterprise: Enterprise,
    year: Year,
    status: Annotated[str, typer.Option("--status", help="completed, partly or not_completed")],
    surrendered: Annotated[str | None, typer.Option("--surrendered", help="allowances surrendered, t CO2e")] = None,
    note: Annotated[str | None, typer.Option("--note", help="a note shown with the statement")] = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """State the allowance surrender of a year (a new version; the disclosure shows the latest)."""
    done = use_case(
        lambda s, who: use.record_allowance(s, who, enterprise, year, status, surrendered, note),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _say("disclosure.cli.statement", cli_lang(lang), enterprise=done.enterprise, year=done.year, version=done.version)


@disclosure_app.command("status")
def status(
    enterprise: Enterprise,
    year: Year,
    as_of: AsOf = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """An enterprise's disclosure of a year: due day, state, statement and reports (JSON)."""
    found = use_case(
        lambda s, who: use.own(s, who, enterprise, year, _day(as_of)),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    _json(found)


@disclosure_app.command("deadlines")
def deadlines(
    year: Year,
    as_of: AsOf = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """The enterprises obliged to disclose a year, with the due day and each one's state."""
    found = use_case(
        lambda s, who: board_use.board(s, who, year, _day(as_of)),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
        mode="read",
    )
    if as_json:
        _json(found)
        return
    language = cli_lang(lang)
    _say("disclosure.cli.due", language, year=found.year, due=found.due.isoformat())
    for r in found.rows:
        on = r.published_on.isoformat() if r.published_on else "—"
        state = messages.render(f"disclosure.state.{r.state}", language)
        why = "、".join(messages.render(f"disclosure.why.{w}", language) for w in r.why)
        console.print(f"  {r.enterprise}  {state}  {on}  {why}  {escape(r.name)}", highlight=False, soft_wrap=True)


@disclosure_app.command("flag")
def flag(
    enterprise: Enterprise,
    reason: Annotated[str, typer.Option("--reason", help="why the enterprise must (or no longer must) disclose")],
    withdraw: Annotated[bool, typer.Option("--withdraw", help="withdraw the flag")] = False,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Flag an enterprise obliged to disclose outside the carbon-market sectors (a regulator; a new version)."""
    done = use_case(
        lambda s, who: use.flag(s, who, enterprise, not withdraw, reason),
        url=database,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    _say("disclosure.cli.flag", cli_lang(lang), enterprise=done.enterprise, version=done.version)


@disclosure_app.command("demo")
def demo(database: DbOption = None, actor: ActorOption = None, lang: Lang = "zh") -> None:
    """After `carbonpeak demo load`: E02 publishes its 2025 carbon-emission disclosure (the public page shows it)."""
    done = use_case(lambda s, who: disclosure_demo.publish_demo(s), url=database, lang=lang, actor=actor)
    _say(
        "disclosure.cli.published",
        cli_lang(lang),
        id=done.id,
        kind=done.kind,
        enterprise=done.enterprise,
        year=done.period,
    )
