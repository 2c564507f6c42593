"""``carbonpeak parameters enter`` and ``carbonpeak recompute``: an official value entered at the command
line recomputes the months it affects, with the progress shown and what changed printed.

Both call the use cases of :mod:`carbonpeak.services.recompute` (the person's permission first) and run
the job they queue here, in front of the person: progress on stderr, the summary on stdout (``--json``:
the summary alone, as JSON).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from carbonpeak import messages
from carbonpeak.cli.accounting import parameters_app
from carbonpeak.cli.common import Actor as ActorOption
from carbonpeak.cli.common import As, JsonFlag, Lang, acting, cli_lang, fail
from carbonpeak.cli.common import Db as DbOption
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.services import recompute
from carbonpeak.store import db

console = Console()
err = Console(stderr=True)
CHANGES_SHOWN = 20

Text = Annotated[str | None, typer.Option()]


def register(app: typer.Typer) -> None:
    app.command("recompute")(recompute_command)
    parameters_app.command("enter")(enter_command)


def enter_command(
    family: Annotated[str, typer.Argument(help="family id, e.g. electricity.grid_factor")],
    value: Annotated[str, typer.Option("--value", help="the official value")],
    unit: Annotated[str, typer.Option("--unit", help="its unit, as the family's entries have it")],
    document: Annotated[str, typer.Option("--document", help="the document it is published in")],
    issuer: Annotated[str, typer.Option("--issuer", help="who published it")],
    published: Annotated[str, typer.Option("--published", help="when it was published, e.g. 2026-12-31")],
    key: Annotated[list[str] | None, typer.Option("--key", "-k", help="key=value, repeatable")] = None,
    confidence: Annotated[str, typer.Option("--confidence", help="high, medium-high, medium, ...")] = "high",
    edition: Text = None,
    valid_from: Annotated[str | None, typer.Option("--valid-from")] = None,
    valid_to: Annotated[str | None, typer.Option("--valid-to")] = None,
    number: Annotated[str | None, typer.Option("--number", help="the document's number")] = None,
    clause: Annotated[str | None, typer.Option("--clause", help="its clause or table")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    quote: Text = None,
    note: Text = None,
    reason: Annotated[str | None, typer.Option("--reason", help="why, when it supersedes a value")] = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Enter an official parameter value with its citation; the months it affects are recomputed."""
    try:
        data = _form(key or [])
        options = {"edition": edition, "valid_from": valid_from, "valid_to": valid_to, "number": number}
        options.update({"clause": clause, "url": url, "quote": quote, "note": note, "reason": reason})
        data.update({k: v for k, v in options.items() if v})
        data.update(
            {
                "value": value,
                "unit": unit,
                "confidence": confidence,
                "document": document,
                "issuer": issuer,
                "published": published,
            }
        )
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
        with db.transaction(database) as session:
            entered = recompute.enter_parameter(session, who, family, data)
            job_id, version = entered.job.id, entered.value.version
            title = recompute.parameter_title(session, family)
    except CarbonpeakError as exc:
        fail(exc)
        return
    language = cli_lang(lang)
    if not as_json:
        shown = messages.render("recompute.cli.entered", language, {"parameter": title, "version": version})
        console.print(escape(shown), highlight=False)
    _run(database, job_id, as_json, language, extra={"family": family, "version": version})


def recompute_command(
    family: Annotated[
        str | None, typer.Option("--family", help="only the months a family's values affect (default: every month)")
    ] = None,
    database: DbOption = None,
    actor: ActorOption = None,
    as_user: As = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Recompute months (waiting ones get their result once their value is entered); a new result is added
    only where parameter values changed, and earlier results are kept."""
    try:
        with db.transaction(database, mode="read") as session:
            who = acting(session, actor, as_user)
        with db.transaction(database) as session:
            job_id = recompute.start_recompute(session, who, family, trigger="cli").id
    except CarbonpeakError as exc:
        fail(exc)
        return
    _run(database, job_id, as_json, cli_lang(lang))


def _form(keys: list[str]) -> dict[str, Any]:
    form = {}
    for item in keys:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(code="recompute.cli.key_malformed", field="key", value=item)
        form[f"key.{name.strip()}"] = value.strip()
    return form


def _run(database: str | None, job_id: int, as_json: bool, lang: str, extra: dict[str, Any] | None = None) -> None:
    url = db.database_url(database)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(messages.render("recompute.cli.started", lang, {"job": job_id, "total": "…"}), total=None)

        def moved(done: int, total: int) -> None:
            description = messages.render("recompute.cli.started", lang, {"job": job_id, "total": total})
            bar.update(task, completed=done, total=total, description=description)

        try:
            summary = recompute.run_job(url, job_id, moved)
        except CarbonpeakError as exc:
            fail(exc)
            return
    if summary is None:
        err.print(escape(messages.render("recompute.cli.not_run", lang)), highlight=False)
        raise typer.Exit(code=2)
    data = summary.as_dict()
    if as_json:
        sys.stdout.write(json.dumps({"job": job_id, **(extra or {}), **data}, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(escape(messages.render("recompute.cli.summary", lang, data)), highlight=False)
    for change in summary.changed[:CHANGES_SHOWN]:
        before = change["before"]
        values = {
            "facility": change["facility"],
            "period": change["period"],
            "before": messages.render("recompute.cli.none", lang) if before is None else f"{before:,.2f}",
            "after": f"{change['after']:,.2f}",
        }
        console.print("  " + escape(messages.render("recompute.cli.changed", lang, values)), highlight=False)
    more = summary.added - min(len(summary.changed), CHANGES_SHOWN)
    if more > 0:
        console.print("  " + escape(messages.render("recompute.cli.more", lang, {"count": more})), highlight=False)
