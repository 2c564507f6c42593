"""CLI verbs of online energy monitoring, ``carbonpeak monitor ...``: here the meters in the registry
(``add|change|list|history|replace``); in :mod:`carbonpeak.cli.monitor_ingest` the ways readings come in
(``serve``, the MQTT subscriber; ``simulate``; ``backfill``; ``demo-meters``); in
:mod:`carbonpeak.cli.monitor_reports` what is read back (``rollup``, ``quality``, ``reconcile``).

Thin adapters over :mod:`carbonpeak.services.monitoring` and :mod:`carbonpeak.services.monitoring_ingest`.
Meter fields are given as ``field=value`` pairs (``carbonpeak monitor add AL1-E01 facility_code=AL1
name_zh=总进线 energy_type=electricity measuring_point=plant unit=kWh reading_kind=register``). The reading
store is ``--readings`` (a DuckDB file by default, ``var/readings.duckdb``; a ``postgresql://`` URL for a
shared deployment; also ``CARBONPEAK_READINGS_URL``).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from carbonpeak.cli.common import (
    Actor,
    As,
    Db,
    JsonFlag,
    Lang,
    fail_listed,
    field_pairs,
    print_change,
    print_rows,
    use_case,
    version_rows,
)
from carbonpeak.errors import CarbonpeakError
from carbonpeak.monitoring import meters as rules

console = Console()
monitor_app = typer.Typer(
    help="Online energy monitoring: meters, the MQTT ingest service, the simulator, rollups and data quality.",
    no_args_is_help=True,
)
Code = Annotated[str, typer.Argument(help="the meter's code")]
Pairs = Annotated[list[str] | None, typer.Argument(help="field=value pairs (fields listed above)", show_default=False)]
Readings = Annotated[
    str | None,
    typer.Option(
        "--readings",
        help="reading store: a DuckDB file (default var/readings.duckdb) or a postgresql:// URL",
        envvar="CARBONPEAK_READINGS_URL",
    ),
]
FIELD_LIST = (
    "\n\n".join(f"{'*' if name in rules.REQUIRED else ' '} {name}" for name in rules.FIELDS)
    + "\n\nenergy_type: electricity, heat, water or a fuel code; measuring_point: "
    + ", ".join(rules.MEASURING_POINTS)
)


@monitor_app.command("add")
def add(
    code: Code,
    pairs: Pairs = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    from carbonpeak.services import monitoring as svc

    record = {"meter_code": code, **field_pairs(pairs, lang)}
    result = use_case(
        lambda session, who: svc.add_meter(session, who, record),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
        upgrade=True,
    )
    print_change(result, as_json)


add.__doc__ = f"Register a meter of a facility. Fields (* required):\n\n{FIELD_LIST}"


@monitor_app.command("change")
def change(
    code: Code,
    pairs: Pairs = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """Change some fields of a meter (a new version in the audit log)."""
    from carbonpeak.services import monitoring as svc

    changes = field_pairs(pairs, lang)
    result = use_case(
        lambda session, who: svc.change_meter(session, who, code, changes),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    print_change(result, as_json)


@monitor_app.command("list")
def list_(
    facility: Annotated[str | None, typer.Option("--facility", help="only this facility's meters")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
    as_json: JsonFlag = False,
) -> None:
    """The meters you may see."""
    from carbonpeak.services import monitoring as svc

    rows = use_case(
        lambda session, who: svc.list_meters(session, who, facility), url=url, lang=lang, actor=actor, as_user=as_user
    )
    print_rows(rows, "meters", as_json)


@monitor_app.command("history")
def history(
    code: Code, url: Db = None, actor: Actor = None, as_user: As = None, lang: Lang = "zh", as_json: JsonFlag = False
) -> None:
    """Every version of a meter, from the audit log."""
    from carbonpeak.services import monitoring as svc

    versions = use_case(
        lambda session, who: svc.meter_history(session, who, code), url=url, lang=lang, actor=actor, as_user=as_user
    )
    print_rows(version_rows(versions), f"meter {code}", as_json)


@monitor_app.command("replace")
def replace(
    code: Code,
    at: Annotated[str, typer.Option("--at", help="when, ISO with offset, e.g. 2026-03-01T10:00+08:00")],
    old_final: Annotated[float, typer.Option("--old-final", help="the old register's last value")],
    new_initial: Annotated[float, typer.Option("--new-initial", help="the new register's first value")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    url: Db = None,
    actor: Actor = None,
    as_user: As = None,
    lang: Lang = "zh",
) -> None:
    """Record that the physical meter behind a meter record was replaced (its register restarts)."""
    from carbonpeak.services import monitoring as svc

    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        fail_listed(CarbonpeakError(code="monitoring.not_a_date", value=at), lang)
    use_case(
        lambda session, who: svc.record_replacement(session, who, code, when, old_final, new_initial, note),
        url=url,
        lang=lang,
        actor=actor,
        as_user=as_user,
    )
    console.print(f"meter {code} replacement recorded at {when.isoformat()}", highlight=False)


Host = Annotated[str, typer.Option("--host", help="MQTT broker host", envvar="CARBONPEAK_MQTT_HOST")]
Port = Annotated[int, typer.Option("--port", help="MQTT broker port", envvar="CARBONPEAK_MQTT_PORT")]
Day = Annotated[str, typer.Option(help="a local day, e.g. 2026-03-01")]


def _day(text: str, lang: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail_listed(CarbonpeakError(code="monitoring.not_a_date", value=text), lang)


def open_readings(readings: str | None, lang: str) -> Any:
    """The reading store named by ``--readings``; a DuckDB file another process holds (the web, or a running
    ``monitor serve``: one process writes a DuckDB file at a time) is the coded ``monitoring.store_locked``,
    not a crash."""
    from carbonpeak.monitoring.store import open_store

    try:
        return open_store(readings)
    except CarbonpeakError as exc:
        fail_listed(exc, lang)


def _json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def register(app: typer.Typer) -> None:
    from carbonpeak.cli import monitor_demo, monitor_ingest, monitor_reports  # their verbs join monitor_app on import

    assert monitor_ingest and monitor_reports and monitor_demo
    app.add_typer(monitor_app, name="monitor")
