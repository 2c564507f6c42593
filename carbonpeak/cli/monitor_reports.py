"""``carbonpeak monitor rollup|quality|reconcile``: what is read back from the reading store (thin adapters over
:mod:`carbonpeak.services.monitoring_reports`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from carbonpeak.cli.common import Actor, As, Db, JsonFlag, Lang, print_rows, use_case
from carbonpeak.cli.monitor import Readings, _day, _json, monitor_app, open_readings


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
    from carbonpeak.services.monitoring_reports import rollups

    first, after = _day(start, lang), _day(end, lang)
    store = open_readings(readings, lang)
    try:
        rows = use_case(
            lambda session, who: rollups(session, who, store, grain, first, after, facility, fill_gaps),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
            mode="read",
        )
    finally:
        store.close()
    print_rows([{k: v for k, v in r.items() if k != "period_start"} for r in rows], f"rollup by {grain}", as_json)


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
    from carbonpeak.services.monitoring_reports import quality_report

    moment = dt.datetime.fromisoformat(as_of) if as_of else None
    first, after = _day(start, lang), _day(end, lang)
    store = open_readings(readings, lang)
    try:
        report = use_case(
            lambda session, who: quality_report(
                session, who, store, first, after, level=level, as_of=moment, profile=profile, facility=facility
            ),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
            mode="read",
        )
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
    print_rows(
        [
            {keys: r[keys], **{k: (round(r[k], 4) if isinstance(r[k], float) else r[k]) for k in shown}}
            for r in report["indices"]
        ],
        f"data quality ({report['profile']})",
        False,
    )
    if report["gaps"]:
        print_rows(report["gaps"][:50], "gaps", False)


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
    from carbonpeak.services.monitoring_reports import reconcile_month

    _day(f"{month}-01", lang)
    store = open_readings(readings, lang)
    try:
        rows = use_case(
            lambda session, who: reconcile_month(session, who, store, month, facility),
            url=url,
            lang=lang,
            actor=actor,
            as_user=as_user,
            mode="read",
        )
    finally:
        store.close()
    print_rows(rows, f"metered against reported, {month}", as_json)
