"""``carbonpeak warnings refresh``: the day's check of every warning, for cron.

The same run as the web server's daily job (:mod:`carbonpeak.services.warnings_daily`): claimed in the
database, so a cron entry and the servers never run it twice at once and a second start the same day
skips (``--force`` checks again). Notes go to stderr; with ``--json``, stdout holds only the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

from carbonpeak import messages
from carbonpeak.cli.common import Actor, Db, JsonFlag, Lang, actor, cli_lang, err, fail
from carbonpeak.cli.indicators import Edition, warnings_app
from carbonpeak.errors import CarbonpeakError
from carbonpeak.store import daily_jobs


@warnings_app.command("refresh")
def refresh_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the day judged on (default today); it also names the day's run")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="check again although the day's check is done")] = False,
    edition: Edition = None,
    who: Actor = None,
    url: Db = None,
    as_json: JsonFlag = False,
    lang: Lang = "zh",
) -> None:
    """Check every warning once for the day (cron): raise, clear, and record the run as a job."""
    from carbonpeak.services.warnings_daily import run_daily

    shown = cli_lang(lang)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError as exc:
        fail(CarbonpeakError(f"--as-of: {exc}"))
    try:
        outcome = run_daily(url, actor(who), day=day, force=force, benchmark_edition=edition, trigger="cli")
    except CarbonpeakError as exc:
        fail(exc)
    done = outcome.refreshed
    payload = {
        "day": day.isoformat(),
        "ran": outcome.ran,
        "job": outcome.job,
        "found": done.found if done else 0,
        "new": done.new if done else 0,
        "cleared": done.cleared if done else 0,
        "skipped": outcome.skipped or None,
        "held_by_job": outcome.holder,
    }
    if done is not None:
        note = messages.render(
            "warning.refreshed", shown, {"new": done.new, "cleared": done.cleared, "found": done.found, "day": day}
        )
    elif outcome.skipped == "gave_up":
        note = messages.render("warning.daily_gave_up", shown, {"day": day, "count": daily_jobs.ATTEMPTS})
    else:
        note = messages.render("warning.daily_skipped", shown, {"day": day, "job": outcome.holder})
    err.print(escape(note), highlight=False, soft_wrap=True)  # stdout carries the JSON alone
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
