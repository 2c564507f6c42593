"""``carbonpeak monitor rollup|quality|reconcile``: what is read back from the reading store (thin adapters over
:mod:`carbonpeak.services.monitoring_reports`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, acting
from carbonpeak.cli.monitor import Readings, _day, _json, monitor_app
from carbonpeak.cli.registry import _fail, _print
from carbonpeak.errors import CarbonpeakError
from carbonpeak.store import db


@monitor_app.command("rollup")
def rollup_command(
    start: Annotated[str, typer.Option("--from", help="first local day")],
    end: Annotated[str, typer.Option("--to", help="the local day after the last")],
    grain: Annotated[str, typer.Option("--grain", help="hour, day or month")] = "day",
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    fill_gaps: Annotated[
        int, typer.Option("--fill-gaps", help="fill an interval meter's gaps of at most N intervals (estimated)")
    ] = 0,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Totals per meter and local hour, day or month (after each meter's multiplier)."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import rollups

    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, actor, as_user)
            rows = rollups(session, who, store, grain, _day(start, lang), _day(end, lang), facility, fill_gaps)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    _print([{k: v for k, v in r.items() if k != "period_start"} for r in rows], f"rollup by {grain}", as_json)


@monitor_app.command("quality")
def quality_command(
    start: Annotated[str, typer.Option("--from", help="first local day")],
    end: Annotated[str, typer.Option("--to", help="the local day after the last")],
    level: Annotated[str, typer.Option("--level", help="meter, facility or enterprise")] = "facility",
    profile: Annotated[str | None, typer.Option("--profile", help="the weights' profile")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="judge as of this instant (ISO with offset)")] = None,
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Data-quality indices (completeness, online rate, timeliness, accuracy, correctness, composite) and gaps."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import quality_report

    moment = dt.datetime.fromisoformat(as_of) if as_of else None
    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            who = acting(session, actor, as_user)
            report = quality_report(
                session,
                who,
                store,
                _day(start, lang),
                _day(end, lang),
                level=level,
                as_of=moment,
                profile=profile,
                facility=facility,
            )
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    if as_json:
        _json(report)
        return
    shown = (
        "meters",
        "expected",
        "received",
        "completeness",
        "online",
        "timeliness",
        "accuracy",
        "correctness",
        "composite",
    )
    keys = {"meter": "meter", "facility": "facility_code", "enterprise": "enterprise_code"}[level]
    _print(
        [
            {keys: r[keys], **{k: (round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in shown}}
            for r in report["indices"]
        ],
        f"data quality ({report['profile']})",
        False,
    )
    if report["gaps"]:
        _print(report["gaps"][:50], "gaps", False)


@monitor_app.command("reconcile")
def reconcile_command(
    month: Annotated[str, typer.Option("--month", help="a local month, e.g. 2026-03")],
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    readings: Readings = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Days secure the month: each facility's metered month against its reported month (electricity the site
    had, electrolysis AC), and whether the difference is within the tolerance."""
    from carbonpeak.monitoring.store import open_store
    from carbonpeak.services.monitoring_reports import reconcile_month

    _day(f"{month}-01", lang)
    store = open_store(readings)
    try:
        with db.transaction(url, mode="read") as session:
            rows = reconcile_month(session, acting(session, actor, as_user), store, month, facility)
    except CarbonpeakError as exc:
        _fail(exc, lang)
    finally:
        store.close()
    _print(rows, f"metered against reported, {month}", as_json)
